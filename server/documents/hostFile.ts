// One host file as the table index sees it: its text and language, plus how offsets in
// that text map to editor locations. A plain file is one segment; a Jupyter notebook is
// the concatenation of its Python cells (definitions in one cell reference tables and
// imports of the others), each cell a segment with its own vscode-notebook-cell URI.
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position, Range } from 'vscode-languageserver/node';
import type { HostLanguage } from '../../runtime/hosts/types';

export interface Segment {
  uri: string;
  /** Offset of the segment's first character in the host text. */
  start: number;
  doc: TextDocument;
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
      segs.push({ uri: p.uri, start: at, doc: p.doc ?? TextDocument.create(p.uri, language, 0, p.text) });
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
    return seg && seg.doc.version > 0 ? seg.doc.version : undefined;
  }

  /** The host offset of an editor position in one of this file's documents. */
  offsetAt(uri: string, position: Position): number | undefined {
    const seg = this.segments.find((s) => s.uri === uri);
    return seg ? seg.start + seg.doc.offsetAt(position) : undefined;
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
    return seg.doc.positionAt(offset - seg.start);
  }

  /** The editor range of a host span, without its location (outlines ask for tens of thousands). */
  range(start: number, end: number): Range {
    const seg = this.segmentOf(start);
    return { start: seg.doc.positionAt(start - seg.start), end: seg.doc.positionAt(end - seg.start) };
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
