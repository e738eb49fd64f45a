// JavaScript/TypeScript string and template literals: where one ends and its cooked
// value with a position map (ECMA-262 "String Literals" and "Template Literal Lexical
// Components"; template line terminators are normalised to LF).
import { MapBuilder, type PositionMap } from './position-map';

export interface JsString {
  start: number;
  end: number;
  quote: string;
  contentStart: number;
  contentEnd: number;
  terminated: boolean;
  /** A template literal with `${...}` substitutions. */
  dynamic: boolean;
}

const SIMPLE: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v' };

/** `'...'` / `"..."` starting at `start`: ends at the closing quote or the end of the line. */
export function scanJsQuoted(text: string, start: number): JsString {
  const q = text.charCodeAt(start);
  const n = text.length;
  let i = start + 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 92) {
      i += text.charCodeAt(i + 1) === 13 && text.charCodeAt(i + 2) === 10 ? 3 : 2;
      continue;
    }
    if (c === q) return { start, end: i + 1, quote: text[start], contentStart: start + 1, contentEnd: i, terminated: true, dynamic: false };
    if (c === 10 || c === 13) break;
    i++;
  }
  i = Math.min(i, n);
  return { start, end: i, quote: text[start], contentStart: start + 1, contentEnd: i, terminated: false, dynamic: false };
}

/**
 * A template literal from its backtick. `skipExpression(text, i)` skips a `${...}`
 * substitution starting after `${` and returns the offset after its `}` (the caller's
 * tokenizer knows how, including nested templates).
 */
export function scanJsTemplate(
  text: string,
  start: number,
  skipExpression: (text: string, i: number) => number,
  guard = false,
): JsString {
  const n = text.length;
  let i = start + 1;
  let dynamic = false;
  // `guard` (a `definition = ` value): a line that starts a member, a class or closes
  // the class cannot be part of a definition; cut there rather than run into the next
  // definition's opening backtick while the user types.
  const limit = guard ? recoveryCut(text, start + 1) : n;
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (c === 92) {
      i += 2;
      continue;
    }
    if (c === 96) return { start, end: i + 1, quote: '`', contentStart: start + 1, contentEnd: i, terminated: true, dynamic };
    if (c === 36 && text.charCodeAt(i + 1) === 123) {
      dynamic = true;
      i = skipExpression(text, i + 2);
      continue;
    }
    i++;
  }
  // Unterminated while typing: stop before the next member or class so they stay visible.
  const cut = limit < n ? limit : recoveryCut(text, start + 1);
  return { start, end: cut, quote: '`', contentStart: start + 1, contentEnd: cut, terminated: false, dynamic };
}

const RECOVERY = /\n[ \t]*(?:(?:export|class|static|public|private|protected|readonly|import)\b|\}|@[A-Za-z_])/g;

function recoveryCut(text: string, from: number): number {
  RECOVERY.lastIndex = from;
  const m = RECOVERY.exec(text);
  return m ? m.index + 1 : text.length;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function hexRun(text: string, at: number, count: number, end: number): boolean {
  if (at + count > end) return false;
  for (let k = 0; k < count; k++) if (!isHex(text.charCodeAt(at + k))) return false;
  return true;
}

/** The cooked value (what `definition` holds at run time) with its map. */
export function decodeJsString(text: string, s: JsString): { text: string; map: PositionMap } {
  const template = s.quote === '`';
  const b = new MapBuilder(text);
  const end = s.contentEnd;
  let run = s.contentStart;
  let i = s.contentStart;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 13 && template) {
      b.verbatim(run, i);
      const len = text.charCodeAt(i + 1) === 10 ? 2 : 1;
      b.escape(i, i + len, '\n');
      i += len;
      run = i;
      continue;
    }
    if (c !== 92) {
      i++;
      continue;
    }
    const d = text[i + 1];
    let len = 2;
    let value: string;
    if (d === undefined || i + 1 >= end) {
      i++;
      continue;
    } else if (d === '\n' || d === '\u2028' || d === '\u2029') value = '';
    else if (d === '\r') {
      value = '';
      if (text.charCodeAt(i + 2) === 10) len = 3;
    } else if (d in SIMPLE) value = SIMPLE[d];
    else if (d === '0' && !(text[i + 2] >= '0' && text[i + 2] <= '9')) value = '\0';
    else if (d === 'x' && hexRun(text, i + 2, 2, end)) {
      len = 4;
      value = String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16));
    } else if (d === 'u' && text[i + 2] === '{') {
      const close = text.indexOf('}', i + 3);
      const cp = close > 0 && close < end ? parseInt(text.slice(i + 3, close), 16) : NaN;
      if (Number.isNaN(cp) || cp > 0x10ffff) value = d;
      else {
        len = close + 1 - i;
        value = String.fromCodePoint(cp);
      }
    } else if (d === 'u' && hexRun(text, i + 2, 4, end)) {
      len = 6;
      value = String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
    } else if (!template && d >= '0' && d <= '7') {
      // Legacy octal escapes (sloppy-mode strings).
      while (len < 4 && text[i + len] >= '0' && text[i + len] <= '7') len++;
      value = String.fromCharCode(parseInt(text.slice(i + 1, i + len), 8) & 0xff);
    } else value = d; // `\``, `\$`, `\'`, `\\`, and any other character stand for themselves.
    b.verbatim(run, i);
    b.escape(i, i + len, value);
    i += len;
    run = i;
  }
  b.verbatim(run, end);
  return b.build(s.contentStart, s.contentEnd);
}
