// An exact two-way map between offsets in a definition (the decoded VALUE of a string
// literal) and offsets in the host file that contains the literal. Escape sequences
// (`\n`, `\\`, `\'`, `{{` in f-strings, CRLF normalised to LF) make the two texts differ
// in length, so the map is a list of segments: verbatim runs, where both sides advance
// together, and escapes, where a host range decodes to a (possibly empty) string.
import type { Span } from '../definition/ast';

// Flat segment layout: [defStart, hostStart, defLen, hostLen, verbatim(1|0)] per segment,
// kept flat so that thousands of definitions cost a handful of arrays, not objects.
const W = 5;

export class PositionMap {
  /** Offsets of the literal's content (between the quotes) in the host. */
  readonly hostStart: number;
  readonly hostEnd: number;
  /** Length of the decoded definition. */
  readonly length: number;
  private readonly segs: readonly number[];

  constructor(hostStart: number, hostEnd: number, length: number, segs: readonly number[]) {
    this.hostStart = hostStart;
    this.hostEnd = hostEnd;
    this.length = length;
    this.segs = segs;
  }

  /** Host offset of a definition offset; offsets inside an escape map to its start. */
  toHost(defOffset: number): number {
    if (defOffset <= 0) return this.segs.length ? this.segs[1] : this.hostStart;
    if (defOffset >= this.length) return this.hostEnd;
    const s = this.segs;
    // Last segment with defStart <= offset (zero-length escapes, i.e. line continuations,
    // precede the segment that shares their defStart, so the later one is found).
    let lo = 0;
    let hi = s.length / W - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid * W] <= defOffset) lo = mid;
      else hi = mid - 1;
    }
    const b = lo * W;
    return s[b + 4] ? s[b + 1] + (defOffset - s[b]) : s[b + 1];
  }

  /** Definition offset of a host offset; outside the content it is clamped. */
  toDefinition(hostOffset: number): number {
    if (hostOffset <= this.hostStart) return 0;
    if (hostOffset >= this.hostEnd) return this.length;
    const s = this.segs;
    let lo = 0;
    let hi = s.length / W - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid * W + 1] <= hostOffset) lo = mid;
      else hi = mid - 1;
    }
    const b = lo * W;
    return s[b + 4] ? s[b] + (hostOffset - s[b + 1]) : s[b];
  }

  /** A definition span as a host span; an end just after an escape ends after it. */
  spanToHost(span: Span): Span {
    return { start: this.toHost(span.start), end: this.toHost(span.end) };
  }

  spanToDefinition(span: Span): Span {
    return { start: this.toDefinition(span.start), end: this.toDefinition(span.end) };
  }

  /** True when the definition character at this offset is written as itself in the host. */
  isVerbatim(defOffset: number): boolean {
    if (defOffset < 0 || defOffset >= this.length) return false;
    const s = this.segs;
    for (let lo = 0, hi = s.length / W - 1; ; ) {
      if (lo >= hi) {
        const b = lo * W;
        return s[b + 4] === 1 && defOffset < s[b] + s[b + 2];
      }
      const mid = (lo + hi + 1) >> 1;
      if (s[mid * W] <= defOffset) lo = mid;
      else hi = mid - 1;
    }
  }

  /** The escape segments: host ranges whose decoded text differs from the source. */
  escapes(): Array<{ definition: Span; host: Span }> {
    const out: Array<{ definition: Span; host: Span }> = [];
    const s = this.segs;
    for (let b = 0; b < s.length; b += W) {
      if (!s[b + 4]) out.push({ definition: { start: s[b], end: s[b] + s[b + 2] }, host: { start: s[b + 1], end: s[b + 1] + s[b + 3] } });
    }
    return out;
  }
}

/** Builds a decoded value and its map while a decoder walks a literal's content. */
export class MapBuilder {
  private readonly parts: string[] = [];
  private readonly segs: number[] = [];
  private len = 0;
  constructor(private readonly host: string) {}

  verbatim(start: number, end: number): void {
    if (end <= start) return;
    const s = this.segs;
    const n = s.length;
    if (n && s[n - 1] === 1 && s[n - 4] + s[n - 2] === start) {
      s[n - 3] += end - start;
      s[n - 2] += end - start;
    } else {
      s.push(this.len, start, end - start, end - start, 1);
    }
    this.parts.push(this.host.slice(start, end));
    this.len += end - start;
  }

  escape(start: number, end: number, value: string): void {
    this.segs.push(this.len, start, value.length, end - start, 0);
    if (value) this.parts.push(value);
    this.len += value.length;
  }

  build(contentStart: number, contentEnd: number): { text: string; map: PositionMap } {
    return { text: this.parts.join(''), map: new PositionMap(contentStart, contentEnd, this.len, this.segs) };
  }
}
