// What a populate terminal showed, for the run's outcome: its text without the bar's
// redraws and bounded in size, and the label of its exit. No vscode import: unit-tested.
import { constants as osConstants } from 'node:os';

/** The transcript keeps about this many characters: the end of the run, where its summary is. */
export const TRANSCRIPT_LIMIT = 1_000_000;

/**
 * The text a terminal shows, kept as it arrives without the bar's redraws: a carriage
 * return (or a cursor move to column 1) drops what the current line held, so an hour of
 * redraws costs one line, and the whole keeps only its last `limit` characters.
 */
export class Transcript {
  /** Complete lines, and how many characters they hold. */
  private lines: string[] = [];
  private size = 0;
  /** The line being written: replaced by a redraw, moved to `lines` by a newline. */
  private current = '';
  /** An escape sequence or a \r\n cut between two chunks. */
  private carry = '';
  private dropped = false;

  constructor(private readonly limit = TRANSCRIPT_LIMIT) {}

  append(chunk: string): void {
    let text = this.carry + chunk;
    this.carry = '';
    // A sequence the next chunk completes waits for it.
    const cut = /\x1b(?:\[[0-9;?]*)?$|\r$/.exec(text);
    if (cut) {
      this.carry = cut[0];
      text = text.slice(0, cut.index);
    }
    text = text
      .replace(/\x1b\[1?G/g, '\r')
      .replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '')
      .replace(/\r\n/g, '\n');
    for (const part of text.split(/(\r|\n)/)) {
      if (part === '\r') this.current = '';
      else if (part === '\n') this.pushLine();
      else this.current += part;
    }
    // A line that never ends (no \r, no \n) is bounded too.
    if (this.current.length > this.limit) {
      this.current = this.current.slice(-this.limit);
      this.dropped = true;
    }
  }

  private pushLine(): void {
    // plainText's rule: blank lines (a redraw that left nothing) do not count.
    if (this.current === '') return;
    this.lines.push(this.current);
    this.size += this.current.length + 1;
    this.current = '';
    if (this.size > this.limit) {
      let i = 0;
      while (this.size > this.limit && i < this.lines.length - 1) this.size -= this.lines[i++]!.length + 1;
      this.lines = this.lines.slice(i);
      this.dropped = true;
    }
  }

  /** The text, one line per line; what was cut from the start is marked. */
  toString(): string {
    const body = this.lines.join('\n') + (this.lines.length ? '\n' : '') + this.current + this.carry.replace(/\x1b.*|\r/g, '');
    return this.dropped ? `[… earlier output dropped]\n${body}` : body;
  }
}

/** The exit label of a code: 128 + n is a signal (the shell's convention). */
export function exitLabel(code: number, signal?: NodeJS.Signals | null): string {
  if (signal && signal !== 'SIGINT') return `[exit code ${code}: killed by ${signal}]`;
  const meaning = code === 0 ? 'all keys done' : code === 1 ? 'some keys failed' : code === 130 ? 'stopped' : code === 2 ? 'could not run' : code > 128 ? `killed by ${signalName(code - 128)}` : 'could not run';
  return `[exit code ${code}: ${meaning}]`;
}

function signalName(n: number): string {
  const name = Object.entries(osConstants.signals).find(([, v]) => v === n)?.[0];
  return name ?? `signal ${n}`;
}
