// The runtime writes every statement with `?` placeholders, as MySQL takes them;
// PostgreSQL numbers them ($1, $2, ...). A `?` inside a '…' string, an E'…' string, a "…"
// identifier, a $tag$…$tag$ string or a comment is text, not a placeholder.

/** `?` placeholders → `$1`, `$2`, … (PostgreSQL's standard strings: '' escapes, \ does not). */
export function numberPlaceholders(sql: string): string {
  if (!sql.includes('?')) return sql;
  let out = '';
  let n = 0;
  let i = 0;
  const len = sql.length;
  while (i < len) {
    const c = sql[i]!;
    if (c === "'") {
      const escapes = i > 0 && /[eE]/.test(sql[i - 1]!) && (i < 2 || !/\w/.test(sql[i - 2]!));
      const end = skipQuoted(sql, i, "'", escapes);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '"') {
      const end = skipQuoted(sql, i, '"', false);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      const end = nl < 0 ? len : nl;
      out += sql.slice(i, end);
      i = end;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      const end = close < 0 ? len : close + 2;
      out += sql.slice(i, end);
      i = end;
    } else if (c === '$' && /[A-Za-z_$]/.test(sql[i + 1] ?? '') && !/\w/.test(sql[i - 1] ?? '')) {
      const tag = /^\$([A-Za-z_]\w*)?\$/.exec(sql.slice(i));
      const close = tag ? sql.indexOf(tag[0], i + tag[0].length) : -1;
      const end = tag ? (close < 0 ? len : close + tag[0].length) : i + 1;
      out += sql.slice(i, end);
      i = end;
    } else if (c === '?') {
      out += `$${++n}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The index just past the quoted text that starts at `start`. */
function skipQuoted(sql: string, start: number, q: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (backslashEscapes && c === '\\') {
      i += 2;
      continue;
    }
    if (c === q) {
      if (sql[i + 1] === q) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}
