// Finds DataJoint tables in TypeScript and JavaScript: a tokenizer that knows strings,
// template literals (with nested `${}`), comments and regular expressions, then a pass
// over the tokens that follows braces to see class bodies and their fields:
//   class Session extends dj.Manual { static definition = `...` }
//   static Trial = class extends Part { ... }        (a part as a static field)
//   class Trial extends Part { static master = Session; ... }
// It never throws and keeps going on half-typed code.
import type { Span } from '../definition/ast';
import { decodeJsString, scanJsQuoted, scanJsTemplate, type JsString } from './js-strings';
import { tierOfBases, tierOfWord } from './tiers';
import type { HostDefinition, HostImport, HostLanguage, HostScan, HostTable } from './types';

const enum K {
  Name,
  Op,
  Str,
  Num,
  Regex,
}

interface Tok {
  k: K;
  s: number;
  e: number;
  /** A line break precedes the token. */
  nl: boolean;
  str?: JsString;
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c === 35 || c >= 128;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

const REGEX_AFTER_WORD: ReadonlySet<string> = new Set([
  'return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await',
]);

/** Skips a `${...}` substitution from just after `${`; returns the offset after its `}`. */
function skipSubstitution(text: string, i: number): number {
  const n = text.length;
  let depth = 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 123) depth++;
    else if (c === 125) {
      if (--depth === 0) return i + 1;
    } else if (c === 39 || c === 34) {
      i = scanJsQuoted(text, i).end;
      continue;
    } else if (c === 96) {
      i = scanJsTemplate(text, i, skipSubstitution).end;
      continue;
    } else if (c === 47 && text.charCodeAt(i + 1) === 47) {
      while (i < n && text.charCodeAt(i) !== 10) i++;
      continue;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      continue;
    }
    i++;
  }
  return n;
}

function tokenize(text: string): Tok[] {
  const toks: Tok[] = [];
  const n = text.length;
  let nl = false;
  let i = 0;
  const push = (k: K, s: number, e: number, str?: JsString): void => {
    toks.push(str ? { k, s, e, nl, str } : { k, s, e, nl });
    nl = false;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) {
      nl = true;
      i++;
    } else if (c === 32 || c === 9 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff) {
      i++;
    } else if (c === 47 /* / */) {
      const d = text.charCodeAt(i + 1);
      if (d === 47) {
        while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
      } else if (d === 42) {
        const close = text.indexOf('*/', i + 2);
        const end = close < 0 ? n : close + 2;
        if (/[\n\r]/.test(text.slice(i, end))) nl = true;
        i = end;
      } else if (regexAllowed(text, toks[toks.length - 1])) {
        const end = scanRegex(text, i);
        push(K.Regex, i, end);
        i = end;
      } else {
        push(K.Op, i, i + 1);
        i++;
      }
    } else if (c === 39 || c === 34) {
      const s = scanJsQuoted(text, i);
      push(K.Str, i, s.end, s);
      i = s.end;
    } else if (c === 96) {
      const s = scanJsTemplate(text, i, skipSubstitution, definitionValue(text, toks));
      push(K.Str, i, s.end, s);
      i = s.end;
      // Cut short while typing: the cut is at a line start.
      if (!s.terminated) nl = true;
    } else if (isIdentStart(c)) {
      let e = i + 1;
      while (e < n && isIdentPart(text.charCodeAt(e))) e++;
      push(K.Name, i, e);
      i = e;
    } else if (c >= 48 && c <= 57) {
      let e = i + 1;
      while (e < n && (isIdentPart(text.charCodeAt(e)) || text.charCodeAt(e) === 46)) e++;
      push(K.Num, i, e);
      i = e;
    } else {
      push(K.Op, i, i + 1);
      i++;
    }
  }
  return toks;

  function regexAllowed(t: string, prev: Tok | undefined): boolean {
    if (!prev) return true;
    if (prev.k === K.Op) {
      const ch = t[prev.s];
      return ch !== ')' && ch !== ']';
    }
    if (prev.k === K.Name) return REGEX_AFTER_WORD.has(t.slice(prev.s, prev.e));
    return false;
  }
}

/** The last tokens are `definition =` or `definition: string =`. */
function definitionValue(text: string, toks: Tok[]): boolean {
  const n = toks.length;
  const last = toks[n - 1];
  if (!last || last.k !== K.Op || text[last.s] !== '=') return false;
  for (let p = n - 2; p >= Math.max(0, n - 8); p--) {
    const t = toks[p];
    if (t.k === K.Name && t.e - t.s === 10 && text.startsWith('definition', t.s)) return true;
    if (t.k === K.Op && (text[t.s] === ';' || text[t.s] === '{' || text[t.s] === '}')) return false;
  }
  return false;
}

function scanRegex(text: string, i: number): number {
  const n = text.length;
  let inClass = false;
  for (i++; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 10 || c === 13) return i;
    else if (c === 91) inClass = true;
    else if (c === 93) inClass = false;
    else if (c === 47 && !inClass) {
      i++;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      return i;
    }
  }
  return n;
}

const MODIFIERS: ReadonlySet<string> = new Set([
  'static', 'readonly', 'public', 'private', 'protected', 'override', 'declare', 'accessor', 'abstract',
]);
const CLASS_PREFIX: ReadonlySet<string> = new Set(['export', 'default', 'abstract', 'declare']);

interface Frame {
  table?: HostTable;
  /** Open ( and [ inside this brace level: members are only at depth 0. */
  paren: number;
}

export function scanTypeScript(text: string, language: HostLanguage = 'typescript'): HostScan {
  const toks = tokenize(text);
  const tables: HostTable[] = [];
  const imports: HostImport[] = [];
  const frames: Frame[] = [{ paren: 0 }];
  let decorators: string[] = [];
  let decoratorStart = -1;
  let decoratorEnd = -1;
  let pending: HostTable | undefined;
  /** Token index of the pending class's body brace (type arguments may hold braces too). */
  let pendingAt = -1;

  const op = (k: number, ch: string): boolean => {
    const t = toks[k];
    return t !== undefined && t.k === K.Op && text.charCodeAt(t.s) === ch.charCodeAt(0);
  };
  const word = (k: number): string | undefined => {
    const t = toks[k];
    return t && t.k === K.Name ? text.slice(t.s, t.e) : undefined;
  };

  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    const top = frames[frames.length - 1];
    if (t.k === K.Op) {
      const ch = text[t.s];
      if (ch === '{') {
        if (pending && k === pendingAt) {
          frames.push({ table: pending, paren: 0 });
          pending = undefined;
        } else frames.push({ paren: 0 });
      } else if (ch === '}') {
        if (frames.length > 1) {
          const f = frames.pop()!;
          if (f.table) f.table.span.end = t.e;
        }
      } else if (ch === '(' || ch === '[') top.paren++;
      else if ((ch === ')' || ch === ']') && top.paren > 0) top.paren--;
      else if (ch === '@' && toks[k + 1]?.k === K.Name) {
        const end = decoratorExpressionEnd(k + 1);
        if (decoratorEnd !== k - 1) {
          decorators = [];
          decoratorStart = t.s;
        }
        decorators.push(text.slice(toks[k + 1].s, toks[end].e).replace(/\s+/g, ''));
        decoratorEnd = end;
        k = end;
      }
      continue;
    }
    if (t.k !== K.Name) continue;
    const w = text.slice(t.s, t.e);
    if (k > 0 && op(k - 1, '.')) continue;
    if (w === 'class') {
      // A class keyword directly in a class body cannot be valid: the previous class
      // is unterminated (the user is typing), so close it.
      if (top.table && !op(k - 1, '=') && frames.length > 1) {
        while (frames.length > 1 && frames[frames.length - 1].table) frames.pop();
      }
      const header = classHeader(k);
      if (header) {
        tables.push(header.table);
        pending = header.table;
        pendingAt = header.body;
      }
      continue;
    }
    if ((w === 'import' || w === 'export') && frames.length > 1 && top.paren === 0 && t.nl) {
      // Module-level statements cannot be inside braces: unclosed braces while typing.
      frames.length = 1;
    }
    if (w === 'import' && !op(k + 1, '(') && !op(k + 1, '.')) parseImport(k);
    else if (w === 'export') parseReexport(k);
    else if (w === 'require' && op(k + 1, '(') && toks[k + 2]?.k === K.Str) parseRequire(k);
    else if (top.table && top.paren === 0 && (w === 'definition' || w === 'master' || w === 'tier') && memberStart(k)) {
      field(k, w, top.table);
    }
  }

  const out: HostTable[] = [];
  const definitions: HostDefinition[] = [];
  for (const t of tables) {
    if (!t.tier && !t.definition && !t.dynamicDefinition) continue;
    out.push(t);
    if (t.definition) {
      // The master and tier may be declared after the definition.
      Object.assign(t.definition, { tier: t.tier, masterName: t.masterName });
      if (t.masterName === undefined) delete t.definition.masterName;
      if (t.tier === undefined) delete t.definition.tier;
      definitions.push(t.definition);
    }
  }
  return { language, tables: out, definitions, imports };

  function decoratorExpressionEnd(k: number): number {
    while (op(k + 1, '.') && toks[k + 2]?.k === K.Name) k += 2;
    if (op(k + 1, '(')) k = matching(k + 1);
    return Math.min(k, toks.length - 1);
  }

  /** Index of the bracket closing the one at k (or the last token). */
  function matching(k: number): number {
    let depth = 0;
    for (; k < toks.length; k++) {
      const t = toks[k];
      if (t.k !== K.Op) continue;
      const ch = text[t.s];
      if (ch === '(' || ch === '[' || ch === '{') depth++;
      else if (ch === ')' || ch === ']' || ch === '}') {
        if (--depth === 0) return k;
      }
    }
    return toks.length - 1;
  }

  /** The name at k starts a class member: after `{`, `;`, `}` or a line break, modifiers allowed. */
  function memberStart(k: number): boolean {
    let p = k - 1;
    while (p >= 0 && MODIFIERS.has(word(p) ?? '')) p--;
    if (p < 0) return true;
    return op(p, '{') || op(p, ';') || op(p, '}') || toks[p + 1].nl;
  }

  function classHeader(k: number): { table: HostTable; body: number } | undefined {
    const classTok = toks[k];
    let j = k + 1;
    let nameTok: Tok | undefined;
    let masterName: string | undefined;
    const w = word(j);
    if (w && w !== 'extends' && w !== 'implements') {
      nameTok = toks[j];
      j++;
    }
    let start = classTok.s;
    // `static Trial = class ...` / `const Subject = class ...`: the binding names the table.
    if (op(k - 1, '=') && toks[k - 2]?.k === K.Name) {
      nameTok = toks[k - 2];
      start = nameTok.s;
      const enclosing = frames[frames.length - 1].table;
      if (enclosing) masterName = enclosing.className;
    }
    if (!nameTok) return undefined;
    if (op(j, '<')) j = skipAngles(j);
    const bases: string[] = [];
    if (word(j) === 'extends') {
      const from = j + 1;
      let depth = 0;
      for (j = from; j < toks.length; j++) {
        const t = toks[j];
        if (t.k === K.Op) {
          const ch = text[t.s];
          if (ch === '(' || ch === '[' || ch === '<') depth++;
          else if (ch === ')' || ch === ']' || ch === '>') depth--;
          else if (ch === '{' && depth <= 0) break;
        } else if (depth <= 0 && word(j) === 'implements') break;
      }
      if (j > from) bases.push(text.slice(toks[from].s, toks[j - 1].e).replace(/\s+/g, ''));
    }
    while (j < toks.length && !op(j, '{')) {
      if (op(j, ';') || word(j) === 'class') return undefined;
      j++;
    }
    if (j >= toks.length) return undefined;
    let decos: string[] = [];
    if (decoratorEnd >= 0 && decoratorEnd < k) {
      let p = decoratorEnd + 1;
      while (p < k && CLASS_PREFIX.has(word(p) ?? '')) p++;
      if (p === k) {
        decos = decorators;
        start = Math.min(start, decoratorStart);
      }
    }
    const table: HostTable = {
      className: text.slice(nameTok.s, nameTok.e),
      classSpan: { start: nameTok.s, end: nameTok.e },
      span: { start, end: toks[toks.length - 1].e },
      bases,
      decorators: decos,
      dynamicDefinition: false,
    };
    const tier = tierOfBases(bases);
    if (tier) table.tier = tier;
    if (masterName) table.masterName = masterName;
    const schema = decos.find((d) => /^[A-Za-z_$][\w$]*(\.[\w$]+)*(\(.*\))?$/.test(d));
    if (schema) table.schema = schema.replace(/\..*$|\(.*$/, '');
    return { table, body: j };
  }

  function skipAngles(j: number): number {
    let depth = 0;
    for (; j < toks.length; j++) {
      if (op(j, '<')) depth++;
      else if (op(j, '>') && --depth === 0) return j + 1;
      else if (op(j, '{') && depth === 0) return j;
    }
    return j;
  }

  /** Does the value expression end right after toks[j]? (`;`, `}`, a new member, `as const`.) */
  function endsAfter(j: number): boolean {
    const next = toks[j + 1];
    if (!next) return true;
    if (op(j + 1, ';') || op(j + 1, '}')) return true;
    const w = word(j + 1);
    if (w === 'as' || w === 'satisfies') return true;
    return next.nl && (next.k === K.Name || op(j + 1, '@'));
  }

  function field(k: number, name: string, table: HostTable): void {
    let j = k + 1;
    if (op(j, '?') || op(j, '!')) j++;
    if (op(j, ':')) {
      let depth = 0;
      for (j++; j < toks.length; j++) {
        const t = toks[j];
        if (t.k !== K.Op) continue;
        const ch = text[t.s];
        if (ch === '(' || ch === '[' || ch === '{' || ch === '<') depth++;
        else if (ch === ')' || ch === ']' || ch === '}' || ch === '>') depth--;
        else if ((ch === '=' && depth === 0) || ch === ';') break;
        if (depth < 0) return;
      }
    }
    if (!op(j, '=')) return;
    const after = toks[j + 1];
    if (!after || after.s === toks[j].e && after.k === K.Op && (text[after.s] === '=' || text[after.s] === '>')) return;
    const v = j + 1;
    if (name === 'master') {
      let e = v;
      while (toks[e]?.k === K.Name && op(e + 1, '.') && toks[e + 2]?.k === K.Name) e += 2;
      if (toks[e]?.k === K.Name && endsAfter(e)) table.masterName = text.slice(toks[v].s, toks[e].e);
      return;
    }
    const lit = toks[v];
    if (name === 'tier') {
      if (lit?.k === K.Str && lit.str && !lit.str.dynamic) {
        const tier = tierOfWord(text.slice(lit.str.contentStart, lit.str.contentEnd));
        if (tier) table.tier = tier;
      }
      return;
    }
    if (!lit || lit.k !== K.Str || !lit.str || lit.str.dynamic || !endsAfter(v)) {
      table.dynamicDefinition = true;
      delete table.definition;
      return;
    }
    const s = lit.str;
    const { text: value, map } = decodeJsString(text, s);
    table.dynamicDefinition = false;
    table.definition = {
      className: table.className,
      classSpan: table.classSpan,
      bases: table.bases,
      decorators: table.decorators,
      ...(table.schema ? { schema: table.schema } : {}),
      text: value,
      literalSpan: { start: s.start, end: s.end },
      contentSpan: { start: s.contentStart, end: s.contentEnd },
      nameSpan: { start: toks[k].s, end: toks[k].e },
      style: { prefix: '', quote: s.quote, raw: false },
      terminated: s.terminated,
      map,
    };
  }

  function moduleOf(k: number): string | undefined {
    const t = toks[k];
    return t?.k === K.Str && t.str ? text.slice(t.str.contentStart, t.str.contentEnd) : undefined;
  }

  function span(a: number, b: number): Span {
    return { start: toks[a].s, end: toks[Math.min(b, toks.length - 1)].e };
  }

  /** `{ a, b as c, type d }` from the `{` at k; returns [specifiers, index after `}`]. */
  function specifiers(k: number, renameWord: 'as' | ':'): [Array<{ name: string; local: string; at: number; end: number }>, number] {
    const out: Array<{ name: string; local: string; at: number; end: number }> = [];
    let j = k + 1;
    while (j < toks.length && !op(j, '}')) {
      if (word(j) === 'type' && toks[j + 1]?.k === K.Name && word(j + 1) !== 'as') j++;
      const name = word(j) ?? moduleOf(j);
      if (name === undefined) {
        j++;
        continue;
      }
      const at = j;
      let local = name;
      const isRename = renameWord === 'as' ? word(j + 1) === 'as' : op(j + 1, ':');
      if (isRename && word(j + 2)) {
        local = word(j + 2)!;
        j += 2;
      }
      out.push({ name, local, at, end: j });
      j++;
      if (op(j, ',')) j++;
      else if (!op(j, '}')) break;
    }
    return [out, j + 1];
  }

  function parseImport(k: number): void {
    let j = k + 1;
    if (word(j) === 'type' && !op(j + 1, ',') && word(j + 1) !== 'from') j++;
    const mod = moduleOf(j);
    if (mod !== undefined) return; // side-effect import
    const found: Array<{ name?: string; local: string; at: number; end: number }> = [];
    const def = word(j);
    if (def && def !== 'from') {
      // `import X = require('m')` (TS)
      if (op(j + 1, '=') && word(j + 2) === 'require') return;
      found.push({ name: 'default', local: def, at: j, end: j });
      j++;
      if (op(j, ',')) j++;
    }
    if (op(j, '*') && word(j + 1) === 'as' && word(j + 2)) {
      found.push({ local: word(j + 2)!, at: j, end: j + 2 });
      j += 3;
    } else if (op(j, '{')) {
      const [specs, next] = specifiers(j, 'as');
      found.push(...specs);
      j = next;
    }
    if (word(j) !== 'from') return;
    const module = moduleOf(j + 1);
    if (module === undefined) return;
    for (const f of found) {
      imports.push({ module, ...(f.name !== undefined ? { name: f.name } : {}), local: f.local, span: span(f.at, f.end) });
    }
  }

  function parseReexport(k: number): void {
    let j = k + 1;
    if (word(j) === 'type') j++;
    if (op(j, '*')) {
      let local = '*';
      let end = j;
      if (word(j + 1) === 'as' && word(j + 2)) {
        local = word(j + 2)!;
        end = j + 2;
        j += 2;
      }
      if (word(j + 1) !== 'from') return;
      const module = moduleOf(j + 2);
      if (module === undefined) return;
      imports.push(local === '*' ? { module, name: '*', local, span: span(k, end), reexport: true } : { module, local, span: span(k, end), reexport: true });
      return;
    }
    if (!op(j, '{')) return;
    const [specs, next] = specifiers(j, 'as');
    if (word(next) !== 'from') return;
    const module = moduleOf(next + 1);
    if (module === undefined) return;
    for (const s of specs) imports.push({ module, name: s.name, local: s.local, span: span(s.at, s.end), reexport: true });
  }

  /** `const m = require('./m')`, `const { A, B: C } = require('./x')`, `import m = require(...)`. */
  function parseRequire(k: number): void {
    const module = moduleOf(k + 2);
    if (module === undefined || !op(k - 1, '=')) return;
    if (toks[k - 2]?.k === K.Name) {
      imports.push({ module, local: word(k - 2)!, span: span(k - 2, k + 3) });
      return;
    }
    if (!op(k - 2, '}')) return;
    let open = k - 2;
    while (open >= 0 && !op(open, '{')) open--;
    if (open < 0) return;
    const [specs] = specifiers(open, ':');
    for (const s of specs) imports.push({ module, name: s.name, local: s.local, span: span(s.at, s.end) });
  }
}
