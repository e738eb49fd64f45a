// Python string literals: finding where one ends (with every prefix, triple quotes,
// f-string replacement fields) and decoding its value with a position map.
// Rules from the Python reference, "Lexical analysis: string and bytes literals".
import { MapBuilder, type PositionMap } from './position-map';

export interface PyString {
  start: number;
  end: number;
  /** Lower-cased prefix letters. */
  prefix: string;
  /** Prefix as written. */
  rawPrefix: string;
  quote: string;
  contentStart: number;
  contentEnd: number;
  terminated: boolean;
  /** An f-string (or t-string) with at least one replacement field. */
  dynamic: boolean;
}

const NL = 10;
const CR = 13;
const BSL = 92;

/** Whether `word` (the letters right before a quote) is a valid string prefix. */
export function isPyStringPrefix(word: string): boolean {
  if (word.length > 2) return false;
  const w = word.toLowerCase();
  return ['r', 'u', 'b', 'f', 't', 'br', 'rb', 'fr', 'rf', 'tr', 'rt'].includes(w);
}

/**
 * Scans a literal whose opening quote is at `quoteAt` (prefix starting at `start`).
 * `guard` (for a `definition = """...` value): while the user types the opening quotes
 * the literal would run to the next class's opening quotes; a line that starts a class,
 * a function or a decorator cannot be part of a definition, so the literal is cut there.
 */
export function scanPyString(text: string, start: number, quoteAt: number, guard = false): PyString {
  const s = scanUpTo(text, start, quoteAt, text.length);
  if (!guard || s.quote.length !== 3) return s;
  // The same as scanning up to the first such line after the opening quotes, and
  // cheaper: only a line inside a literal that ends can cut it, so the search stays
  // within the literal instead of running on to the next class.
  const cut = s.terminated ? recoveryWithin(text, s.contentStart, s.contentEnd) : recoveryCut(text, s.contentStart);
  return cut === undefined ? s : scanUpTo(text, start, quoteAt, cut);
}

const TRIPLE_DQ_OR_BSL = /\\|"""/g;
const TRIPLE_SQ_OR_BSL = /\\|'''/g;

/** Scans a literal, stopping at `limit` (a guard's cut) if it has not ended before. */
function scanUpTo(text: string, start: number, quoteAt: number, limit: number): PyString {
  const rawPrefix = text.slice(start, quoteAt);
  const prefix = rawPrefix.toLowerCase();
  const q = text.charCodeAt(quoteAt);
  const n = text.length;
  const triple = text.charCodeAt(quoteAt + 1) === q && text.charCodeAt(quoteAt + 2) === q;
  const isF = prefix.includes('f') || prefix.includes('t');
  const contentStart = quoteAt + (triple ? 3 : 1);
  const quote = text.slice(quoteAt, contentStart);
  let dynamic = false;
  let i = contentStart;
  if (triple && !isF) {
    // A definition is a long triple-quoted literal: its end found natively, not a character
    // at a time, unless a backslash comes first (it may escape a quote).
    const next = q === 34 ? TRIPLE_DQ_OR_BSL : TRIPLE_SQ_OR_BSL;
    next.lastIndex = i;
    const m = next.exec(text);
    const at = m ? m.index : n;
    if (at < limit && text.charCodeAt(at) !== BSL) return done(at, at + 3, true);
    i = Math.min(at, limit);
  }
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (c === BSL) {
      i += text.charCodeAt(i + 1) === CR && text.charCodeAt(i + 2) === NL ? 3 : 2;
      continue;
    }
    if (c === q) {
      if (!triple) return done(i, i + 1, true);
      if (text.charCodeAt(i + 1) === q && text.charCodeAt(i + 2) === q) return done(i, i + 3, true);
    } else if ((c === NL || c === CR) && !triple) {
      return done(i, i, false);
    } else if (isF && c === 123 /* { */) {
      if (text.charCodeAt(i + 1) === 123) {
        i += 2;
        continue;
      }
      dynamic = true;
      i = skipReplacementField(text, i + 1, triple);
      continue;
    }
    i++;
  }
  // Unterminated: a triple-quoted string being typed would swallow the rest of the
  // file; stop it where the next class or function starts so those stay visible.
  const cut = limit < n ? limit : triple ? recoveryCut(text, contentStart) : n;
  return done(cut, cut, false);

  function done(contentEnd: number, end: number, terminated: boolean): PyString {
    return { start, end, prefix, rawPrefix, quote, contentStart, contentEnd, terminated, dynamic };
  }
}

const RECOVERY = /\n[ \t]*(?:class[ \t]|def[ \t]|async[ \t]+def[ \t]|@[A-Za-z_])/g;

function recoveryCut(text: string, from: number): number {
  RECOVERY.lastIndex = from;
  const m = RECOVERY.exec(text);
  return m ? m.index + 1 : text.length;
}

const RECOVERY_LINE = /\n[ \t]*(?:class[ \t]|def[ \t]|async[ \t]+def[ \t]|@[A-Za-z_])/;

/** Where a class, function or decorator line inside [from, to) cuts a literal. */
function recoveryWithin(text: string, from: number, to: number): number | undefined {
  const m = RECOVERY_LINE.exec(text.slice(from, to));
  return m ? from + m.index + 1 : undefined;
}

/** Skips an f-string `{expression!r:spec}`; returns the offset after its `}`. */
function skipReplacementField(text: string, i: number, triple: boolean): number {
  const n = text.length;
  let depth = 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) {
      if (--depth === 0) return i + 1;
    } else if (c === 34 || c === 39) {
      const s = scanPyString(text, i, i);
      if (!s.terminated) return s.end;
      i = s.end;
      continue;
    } else if ((c === NL || c === CR) && !triple) {
      return i;
    }
    i++;
  }
  return n;
}

const SIMPLE: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** What decodes to something other than itself (a backslash, a CR; in f-strings braces). */
const SPECIAL = /[\\\r]/;
const F_SPECIAL = /[\\\r{}]/;

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Decodes the literal's value as Python would, with the map back to the host. */
export function decodePyString(text: string, s: PyString): { text: string; map: PositionMap } {
  const raw = s.prefix.includes('r');
  const isF = s.prefix.includes('f') || s.prefix.includes('t');
  const isBytes = s.prefix.includes('b');
  const b = new MapBuilder(text);
  let run = s.contentStart;
  let i = s.contentStart;
  const end = s.contentEnd;
  // Up to the first character that can decode to something else, the value is the source
  // (searched in the content alone: a search of the host would run on to the file's end).
  const special = (isF ? F_SPECIAL : SPECIAL).exec(text.slice(i, end));
  i = special ? i + special.index : end;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === CR) {
      // Python reads source with universal newlines: CRLF and CR become LF.
      b.verbatim(run, i);
      const len = text.charCodeAt(i + 1) === NL ? 2 : 1;
      b.escape(i, i + len, '\n');
      i += len;
      run = i;
      continue;
    }
    if (isF && (c === 123 || c === 125) && text.charCodeAt(i + 1) === c) {
      b.verbatim(run, i);
      b.escape(i, i + 2, text[i]);
      i += 2;
      run = i;
      continue;
    }
    if (c !== BSL) {
      i++;
      continue;
    }
    if (raw) {
      // r"\"" keeps both characters; the backslash only protects the next one from ending the string.
      i += 2;
      continue;
    }
    const d = text[i + 1];
    let len = 0;
    let value = '';
    if (d === '\n') len = 2;
    else if (d === '\r') len = text.charCodeAt(i + 2) === NL ? 3 : 2;
    else if (d !== undefined && d in SIMPLE) {
      len = 2;
      value = SIMPLE[d];
    } else if (d >= '0' && d <= '7') {
      len = 2;
      while (len < 4 && text[i + len] >= '0' && text[i + len] <= '7') len++;
      value = String.fromCharCode(parseInt(text.slice(i + 1, i + len), 8));
    } else if (d === 'x' || (!isBytes && (d === 'u' || d === 'U'))) {
      const digits = d === 'x' ? 2 : d === 'u' ? 4 : 8;
      let ok = i + 2 + digits <= end;
      for (let k = 0; ok && k < digits; k++) ok = isHex(text.charCodeAt(i + 2 + k));
      const cp = ok ? parseInt(text.slice(i + 2, i + 2 + digits), 16) : NaN;
      if (ok && cp <= 0x10ffff) {
        len = 2 + digits;
        value = String.fromCodePoint(cp);
      }
    } else if (d === 'N' && !isBytes && text[i + 2] === '{') {
      const close = text.indexOf('}', i + 3);
      if (close > 0 && close < end) {
        // Unicode names need the whole name table; the replacement character keeps the length honest.
        len = close + 1 - i;
        value = '\uFFFD';
      }
    }
    if (len === 0) {
      // Unknown escape: Python keeps the backslash and the character.
      i++;
      continue;
    }
    b.verbatim(run, i);
    b.escape(i, i + len, value);
    i += len;
    run = i;
  }
  b.verbatim(run, end);
  return b.build(s.contentStart, s.contentEnd);
}
