// Offsets in a definition <-> zero-based line and column, for hosts and the CLI.
export interface Position {
  line: number;
  column: number;
}

/**
 * The offset of every line's first character: lines end at `\n`, `\r\n` or `\r`, as LSP
 * and VS Code count them. A text without `\r` is searched with `indexOf`, not a loop over
 * its characters: on a file of megabytes that is the difference between a millisecond
 * and tens of them before the first outline or diagnostic can be placed.
 */
export function lineStarts(text: string): number[] {
  const starts = [0];
  if (text.indexOf('\r') < 0) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    return starts;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 && text.charCodeAt(i + 1) === 10) continue; // \r\n counts once, at the \n
    if (c === 10 || c === 13) starts.push(i + 1);
  }
  return starts;
}

/** Line starts of a text, computed once; lookups are binary searches. */
export class LineIndex {
  readonly starts: number[];

  constructor(readonly text: string) {
    this.starts = lineStarts(text);
  }

  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, column: o - this.starts[lo]! };
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
