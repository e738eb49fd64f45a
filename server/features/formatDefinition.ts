// Aligns a definition's colons and comments without changing what it declares: only
// the spaces around `=`, `:` and before `#` change, never a name, type, default or
// comment text (declare.py strips them all). Lines the parser could not read are left
// exactly as written, so formatting a half-typed definition cannot corrupt it.
import type { Definition, Line } from '../../runtime/definition/index';
import type { TextEdit } from '../../runtime/definition/index';

interface Row {
  /** Offsets of the line's content (after indentation, before the newline). */
  start: number;
  end: number;
  indent: string;
  /** `name = default` or `-> Parent`: the part before the colon or comment. */
  head: string;
  /** The type after the colon; undefined for lines without one. */
  type?: string;
  /** The comment as written, starting at `#`. */
  comment?: string;
}

function lineBounds(src: string, at: number): { start: number; end: number; indent: string } {
  let s = at;
  while (s > 0 && src[s - 1] !== '\n' && src[s - 1] !== '\r') s--;
  let e = at;
  while (e < src.length && src[e] !== '\n' && src[e] !== '\r') e++;
  const indent = /^[ \t]*/.exec(src.slice(s, e))![0];
  return { start: s + indent.length, end: e, indent };
}

function commentFrom(src: string, commentStart: number, lineEnd: number): string {
  const hash = src.lastIndexOf('#', commentStart);
  return src.slice(hash, lineEnd).trimEnd();
}

function rowOf(src: string, line: Line): Row | undefined {
  const b = lineBounds(src, line.span.start);
  if (line.kind === 'attribute') {
    if (!line.type || !line.name.text) return undefined;
    const def = line.default ? ` = ${src.slice(line.default.span.start, line.default.span.end).trim()}` : '';
    const type = src.slice(line.type.span.start, line.type.span.end).trim();
    if (!type) return undefined;
    const comment = line.comment ? commentFrom(src, line.comment.span.start, b.end) : undefined;
    // Anything between the parts other than `=`, `:` and blanks means the parser saw
    // something we would drop; leave such a line alone.
    const rebuilt = `${line.name.text}${def} : ${type}${comment ? ` ${comment}` : ''}`;
    if (rebuilt.replace(/\s+/g, '') !== src.slice(b.start, b.end).replace(/\s+/g, '')) return undefined;
    return { ...b, head: `${line.name.text}${def}`, type, comment };
  }
  if (line.kind === 'foreignKey' && line.comment) {
    const hash = src.lastIndexOf('#', line.comment.span.start);
    if (hash < b.start) return undefined;
    return { ...b, head: src.slice(b.start, hash).trimEnd(), comment: commentFrom(src, line.comment.span.start, b.end) };
  }
  return undefined;
}

/** Edits (definition offsets) that align the definition; empty when it is already aligned. */
export function formatDefinition(ast: Definition, hasSyntaxErrors: boolean): TextEdit[] {
  if (hasSyntaxErrors) return [];
  const src = ast.source;
  const rows: Row[] = [];
  for (const line of ast.lines) {
    const r = rowOf(src, line);
    if (r) rows.push(r);
  }
  if (!rows.length) return [];
  const headWidth = Math.max(...rows.filter((r) => r.type !== undefined).map((r) => r.indent.length + r.head.length), 0);
  const codeOf = (r: Row): string => (r.type !== undefined ? `${r.head.padEnd(headWidth - r.indent.length)} : ${r.type}` : r.head);
  const codeWidth = Math.max(...rows.filter((r) => r.comment).map((r) => r.indent.length + codeOf(r).length), 0);
  const edits: TextEdit[] = [];
  for (const r of rows) {
    const code = codeOf(r);
    const text = r.comment ? `${code.padEnd(codeWidth - r.indent.length)}  ${r.comment}` : code;
    if (text !== src.slice(r.start, r.end)) edits.push({ span: { start: r.start, end: r.end }, newText: text });
  }
  return edits;
}
