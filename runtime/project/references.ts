// The foreign-key references of a definition, read with the reference's own line rule
// (declare.py: is_foreign_key -- `->` with no quote or `#` before it) so that the
// dependency graph does not need a full parse of every definition.

export interface ReferenceText {
  /** `['subject', 'Subject']`, `['master']`. */
  path: string[];
  /** Offsets of the dotted name in the definition. */
  start: number;
  end: number;
  /** Offsets of each name of the path (`subject`, `Subject`). */
  segments: Array<{ start: number; end: number }>;
}

const NAME = /[A-Za-z_]\w*/g;

const REF = /^\s*(?:\[[^\]]*\]\s*)?\(?\s*([A-Za-z_][\w]*(?:\s*\.\s*[A-Za-z_]\w*)*)/;

export function extractReferences(definition: string): ReferenceText[] {
  const out: ReferenceText[] = [];
  let lineStart = 0;
  // Only lines with an arrow are cut out of the definition (most lines have none).
  let at = definition.indexOf('->');
  while (lineStart <= definition.length) {
    let lineEnd = definition.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = definition.length;
    if (at >= 0 && at < lineStart) at = definition.indexOf('->', lineStart);
    const line = at >= 0 && at < lineEnd ? definition.slice(lineStart, lineEnd) : '';
    const arrow = line ? at - lineStart : -1;
    if (arrow >= 0 && !/["'#]/.test(line.slice(0, arrow))) {
      const m = REF.exec(line.slice(arrow + 2));
      if (m) {
        let dotted = m[1].replace(/\s+/g, '');
        // `Parent.proj(...)`: the projection is not part of the path.
        dotted = dotted.replace(/\.proj$/, '');
        const start = lineStart + arrow + 2 + m.index + m[0].length - m[1].length;
        const path = dotted.split('.');
        const segments: Array<{ start: number; end: number }> = [];
        NAME.lastIndex = 0;
        for (let n = NAME.exec(m[1]); n && segments.length < path.length; n = NAME.exec(m[1])) segments.push({ start: start + n.index, end: start + n.index + n[0].length });
        out.push({ path, start, end: start + m[1].length, segments });
      }
    }
    lineStart = lineEnd + 1;
  }
  return out;
}
