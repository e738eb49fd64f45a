// Offsets in a definition <-> zero-based line and column, for hosts and the CLI.
export interface Position {
  line: number;
  column: number;
}

/**
 * The offset of every line's first character: lines end at `\n`, `\r\n` or `\r`, as LSP
 * and VS Code count them. Found with `indexOf` rather than a loop over every character:
 * each version of an open file gets its table anew, and on a file of megabytes that is the
 * difference between a millisecond and tens of them.
 */
export function lineStarts(text: string): number[] {
  const starts = [0];
  let cr = text.indexOf('\r');
  let lf = text.indexOf('\n');
  while (cr >= 0 || lf >= 0) {
    if (cr >= 0 && (lf < 0 || cr < lf)) {
      const end = text.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1; // \r\n counts once
      starts.push(end);
      if (end === cr + 2) lf = text.indexOf('\n', end);
      cr = text.indexOf('\r', end);
    } else {
      starts.push(lf + 1);
      lf = text.indexOf('\n', lf + 1);
    }
  }
  return starts;
}

/** The line of an offset in a table of line starts: the last start at or before it. */
export function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Line starts of a text, computed once; lookups are binary searches. */
export class LineIndex {
  readonly starts: number[];

  constructor(readonly text: string) {
    this.starts = lineStarts(text);
  }

  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const line = lineAt(this.starts, o);
    return { line, column: o - this.starts[line]! };
  }

  offsetAt(position: Position): number {
    if (position.line < 0) return 0;
    if (position.line >= this.starts.length) return this.text.length;
    const start = this.starts[position.line]!;
    const next = position.line + 1 < this.starts.length ? this.starts[position.line + 1]! : this.text.length;
    return Math.max(start, Math.min(start + position.column, next));
  }
}

export function positionAt(text: string, offset: number): Position {
  return new LineIndex(text).positionAt(offset);
}

export function offsetAt(text: string, position: Position): number {
  return new LineIndex(text).offsetAt(position);
}
