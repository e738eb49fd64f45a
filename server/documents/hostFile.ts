// One host file as the table index sees it: its text and language, plus how offsets in
// that text map to editor locations. A plain file is one segment; a Jupyter notebook is
// the concatenation of its Python cells (definitions in one cell reference tables and
// imports of the others), each cell a segment with its own vscode-notebook-cell URI.
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position, Range } from 'vscode-languageserver/node';
import type { HostLanguage } from '../../runtime/hosts/types';
import { lineAt, lineStarts } from '../../runtime/definition/offsets';

interface Segment {
  uri: string;
  /** Offset of the segment's first character in the host text. */
  start: number;
  /** The segment's text in this version (an open document's TextDocument moves on to the next). */
  text: string;
  /** The editor's version of this text, for an open document. */
  version: number | undefined;
  /** The segment's line starts, made on the first position asked (see `lines`). */
  starts?: number[];
}

/**
 * A segment's line starts. Positions are computed here rather than by the TextDocument:
 * its line table is a loop over every character, tens of milliseconds on a file of
 * megabytes, paid by the first outline, hover or diagnostic of each version.
 */
function lines(seg: Segment): number[] {
  return (seg.starts ??= lineStarts(seg.text));
}

/** An offset moved back over line-ending characters to its line's content (TextDocument's ensureBeforeEOL). */
function beforeEol(text: string, offset: number, lineStart: number): number {
  let o = offset;
  while (o > lineStart && (text.charCodeAt(o - 1) === 10 || text.charCodeAt(o - 1) === 13)) o--;
  return o;
}

/** An offset in a document's text as a position, as TextDocument.positionAt gives it (clamped to the text, never between `\r` and `\n`). */
function positionIn(seg: Segment, offset: number): Position {
  const text = seg.text;
  const o = Math.max(0, Math.min(offset, text.length));
  const starts = lines(seg);
  const line = lineAt(starts, o);
  return { line, character: beforeEol(text, o, starts[line]!) - starts[line]! };
}

/** A position in a document as an offset, as TextDocument.offsetAt gives it (clamped to its line and to the text). */
function offsetIn(seg: Segment, position: Position): number {
  const text = seg.text;
  const starts = lines(seg);
  if (position.line >= starts.length) return text.length;
  if (position.line < 0) return 0;
  const start = starts[position.line]!;
  if (position.character <= 0) return start;
  const next = position.line + 1 < starts.length ? starts[position.line + 1]! : text.length;
  return beforeEol(text, Math.min(start + position.character, next), start);
}

export interface Location0 {
  uri: string;
  range: Range;
}

export class HostFile {
  readonly text: string;
  private readonly segments: Segment[];

  constructor(
    readonly key: string,
    readonly language: HostLanguage,
    parts: ReadonlyArray<{ uri: string; text: string; doc?: TextDocument }>,
    /** Why the text is left out of the index (a file over the size limit: its text is ''). */
    readonly notIndexed?: string,
  ) {
    const segs: Segment[] = [];
    const texts: string[] = [];
    let at = 0;
    for (const p of parts) {
      segs.push({ uri: p.uri, start: at, text: p.text, version: p.doc && p.doc.version > 0 ? p.doc.version : undefined });
      texts.push(p.text);
      at += p.text.length + 1; // one '\n' between cells keeps their lines apart
    }
    this.segments = segs;
    this.text = texts.join('\n');
  }

  get uris(): string[] {
    return this.segments.map((s) => s.uri);
  }

  /** The editor's version of a document, when it is open (published with diagnostics). */
  versionOf(uri: string): number | undefined {
    const seg = this.segments.find((s) => s.uri === uri);
    return seg?.version;
  }

  /** The host offset of an editor position in one of this file's documents. */
  offsetAt(uri: string, position: Position): number | undefined {
    const seg = this.segments.find((s) => s.uri === uri);
    return seg ? seg.start + offsetIn(seg, position) : undefined;
  }

  private segmentOf(offset: number): Segment {
    const s = this.segments;
    if (s.length === 1) return s[0];
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid].start <= offset) lo = mid;
      else hi = mid - 1;
    }
    return s[lo];
  }

  position(offset: number): { uri: string; position: Position } {
    return { uri: this.uriAt(offset), position: this.positionAt(offset) };
  }

  /** The document holding a host offset. */
  uriAt(offset: number): string {
    return this.segmentOf(offset).uri;
  }

  /** The editor position of a host offset in the document holding it. */
  positionAt(offset: number): Position {
    const seg = this.segmentOf(offset);
    return positionIn(seg, offset - seg.start);
  }

  /** The editor range of a host span, without its location (outlines ask for tens of thousands). */
  range(start: number, end: number): Range {
    const seg = this.segmentOf(start);
    return { start: positionIn(seg, start - seg.start), end: positionIn(seg, end - seg.start) };
  }

  /** An editor location for a host span; a span never crosses cells (definitions live in one). */
  location(start: number, end: number): Location0 {
    return { uri: this.uriAt(start), range: this.range(start, end) };
  }

  /** The host span of a range in one of this file's documents. */
  spanOf(uri: string, range: Range): { start: number; end: number } | undefined {
    const a = this.offsetAt(uri, range.start);
    const b = this.offsetAt(uri, range.end);
    return a === undefined || b === undefined ? undefined : { start: a, end: b };
  }
}
