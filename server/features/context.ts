// What the cursor is on inside a definition, read from the text of its line up to the
// cursor. Completion works on half-typed lines that the parser can only partly read, so
// the context comes from the characters, not the syntax tree; the rules follow the
// line classification of declare.py (reference §1.2): `->` makes a foreign-key line,
// `index(` an index line, and otherwise `name [= default] : type # comment`.
export type CursorContext =
  /** After `->`: a table name; `qualifier` is the dotted prefix already typed (`module.`, `Master.`). */
  | { kind: 'table'; qualifier: string[]; prefix: string; replaceFrom: number }
  /** Inside `[...]` of a foreign key. */
  | { kind: 'fkOption'; written: string[]; prefix: string; replaceFrom: number }
  /** Inside `.proj(...)`: attributes of `reference`. */
  | { kind: 'projection'; reference: string[]; prefix: string; replaceFrom: number }
  /** Inside `index(...)`. */
  | { kind: 'indexAttribute'; written: string[]; prefix: string; replaceFrom: number }
  /** After the colon. */
  | { kind: 'type'; prefix: string; replaceFrom: number }
  /** Inside `<` of a codec type. */
  | { kind: 'codec'; prefix: string; replaceFrom: number }
  /** After `=` and before the colon. */
  | { kind: 'default'; prefix: string; replaceFrom: number }
  | { kind: 'none' };

function wordBefore(line: string): string {
  return /[A-Za-z_][A-Za-z0-9_]*$/.exec(line)?.[0] ?? '';
}

function insideComment(line: string): boolean {
  // A `#` outside quotes starts a comment (declare.py splits on the first unquoted `#`).
  let q = '';
  for (const c of line) {
    if (q) {
      if (c === q) q = '';
    } else if (c === "'" || c === '"') q = c;
    else if (c === '#') return true;
  }
  return false;
}

export function cursorContext(source: string, offset: number): CursorContext {
  let ls = offset;
  while (ls > 0 && source[ls - 1] !== '\n' && source[ls - 1] !== '\r') ls--;
  const before = source.slice(ls, offset);
  const trimmed = before.trimStart();
  if (insideComment(before)) return { kind: 'none' };
  const prefix = wordBefore(before);
  const replaceFrom = offset - prefix.length;

  const arrow = before.indexOf('->');
  if (arrow >= 0) {
    const after = before.slice(arrow + 2);
    const open = after.lastIndexOf('[');
    if (open >= 0 && after.indexOf(']', open) < 0) {
      const written = after.slice(open + 1).split(',').map((s) => s.trim()).filter((s) => s && s !== prefix);
      return { kind: 'fkOption', written, prefix, replaceFrom };
    }
    const proj = /^(.*?)\.\s*proj\s*\(([^)]*)$/.exec(after);
    if (proj) {
      const refText = proj[1].replace(/\[[^\]]*\]/, '').trim();
      const args = proj[2];
      // Only the name being written is completed: after `=` comes the quoted parent attribute.
      const inArg = args.slice(Math.max(args.lastIndexOf(','), -1) + 1);
      if (/=\s*['"]?[A-Za-z0-9_]*$/.test(inArg) || /^\s*['"]?[A-Za-z0-9_]*$/.test(inArg)) {
        const reference = refText.split('.').map((s) => s.trim()).filter(Boolean);
        return { kind: 'projection', reference, prefix, replaceFrom };
      }
      return { kind: 'none' };
    }
    const ref = after.replace(/\[[^\]]*\]/, '').trimStart();
    const m = /^((?:[A-Za-z_][A-Za-z0-9_]*\s*\.\s*)*)([A-Za-z_][A-Za-z0-9_]*)?$/.exec(ref);
    if (!m) return { kind: 'none' };
    const qualifier = m[1].split('.').map((s) => s.trim()).filter(Boolean);
    return { kind: 'table', qualifier, prefix, replaceFrom };
  }
  const idx = /^(?:unique\s+)?index\s*\(([^)]*)$/i.exec(trimmed);
  if (idx) {
    const written = idx[1].split(',').map((s) => s.trim()).filter((s) => s && s !== prefix);
    return { kind: 'indexAttribute', written, prefix, replaceFrom };
  }
  if (trimmed.startsWith('#') || trimmed.startsWith('---')) return { kind: 'none' };
  const colon = before.indexOf(':');
  if (colon >= 0) {
    const type = before.slice(colon + 1);
    const lt = type.lastIndexOf('<');
    if (lt >= 0 && type.indexOf('>', lt) < 0) {
      const p = /[A-Za-z0-9_]*$/.exec(type)![0];
      return { kind: 'codec', prefix: p, replaceFrom: offset - p.length };
    }
    // A type is one leading word; once arguments are closed or a space follows, it is written.
    if (/^\s*[A-Za-z_0-9]*$/.test(type)) return { kind: 'type', prefix, replaceFrom };
    return { kind: 'none' };
  }
  const eq = before.indexOf('=');
  if (eq >= 0 && /^\s*[A-Za-z_0-9]*$/.test(before.slice(eq + 1))) return { kind: 'default', prefix, replaceFrom };
  return { kind: 'none' };
}
