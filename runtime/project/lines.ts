// Offsets to 0-based line/character positions (UTF-16 characters, as LSP counts them).
import { lineAt, lineStarts } from '../definition/offsets';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export class LineIndex {
  private readonly starts: number[];
  constructor(text: string) {
    this.starts = lineStarts(text);
  }

  position(offset: number): Position {
    const line = lineAt(this.starts, offset);
    return { line, character: offset - this.starts[line]! };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  offset(pos: Position): number {
    const line = Math.max(0, Math.min(pos.line, this.starts.length - 1));
    return this.starts[line] + Math.max(0, pos.character);
  }
}
