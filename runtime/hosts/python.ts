// Finds DataJoint tables in Python source without a Python parser: a scanner that
// knows strings, comments, brackets and indentation, which is all it takes to see
// `class X(dj.Manual):` headers, nested Part classes, `definition = """..."""` class
// attributes and imports -- and that keeps working on half-typed code.
import type { Span } from '../definition/ast';
import { decodePyString, isPyStringPrefix, scanPyString, type PyString } from './python-strings';
import { tierOfBases } from './tiers';
import type { HostAlias, HostDefinition, HostImport, HostScan, HostTable } from './types';

const enum K {
  Name,
  Op,
  Str,
  Num,
}

interface Tok {
  k: K;
  s: number;
  e: number;
  str?: PyString;
}

interface Frame {
  indent: number;
  /** Absent for functions, whose bodies hold no class attributes. */
  table?: HostTable;
}

const INTERESTING: ReadonlySet<string> = new Set(['class', 'def', 'async', 'import', 'from', 'definition']);

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

const RESYNC = /^[ \t]*(?:class[ \t]|def[ \t]|async[ \t]+def[ \t]|@[A-Za-z_])/;

/** `Name = Other` or `Name = module.Other`, then only a comment on the line. */
const ALIAS = /([A-Za-z_]\w*)[ \t]*=[ \t]*([A-Za-z_]\w*(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)*)[ \t]*(?:#[^\r\n]*)?/y;

export function scanPython(text: string): HostScan {
  const n = text.length;
  const tables: HostTable[] = [];
  const imports: HostImport[] = [];
  const aliases: HostAlias[] = [];
  const frames: Frame[] = [];
  let decorators: Array<{ text: string; start: number }> = [];
  let i = 0;

  while (i < n) {
    // Indentation of the line (tabs to multiples of 8, as CPython's tokenizer).
    let col = 0;
    let j = i;
    for (; j < n; j++) {
      const c = text.charCodeAt(j);
      if (c === 32) col++;
      else if (c === 9) col = (col >> 3) * 8 + 8;
      else if (c === 12) col = 0;
      else break;
    }
    if (j >= n) break;
    const c0 = text.charCodeAt(j);
    if (c0 === 35 /* # */ || c0 === 10 || c0 === 13) {
      i = nextLine(text, j);
      continue;
    }
    let first = '';
    if (isIdentStart(c0)) {
      let k = j + 1;
      while (k < n && isIdentPart(text.charCodeAt(k))) k++;
      first = text.slice(j, k);
    }
    const record = c0 === 64 /* @ */ || INTERESTING.has(first);
    const toks: Tok[] | undefined = record ? [] : undefined;
    const lineEnd = scanLogicalLine(text, j, toks);
    i = lineEnd;
    // `_Merge = Merge` at module level binds another name to a class (spyglass's merge tables).
    if (col === 0 && first && !record) {
      ALIAS.lastIndex = j;
      const m = ALIAS.exec(text);
      if (m && m.index === j && m[0].length >= trimEnd(text, j, lineEnd) - j) {
        aliases.push({ local: m[1]!, target: m[2]!.split(/\s*\.\s*/), span: { start: j, end: j + m[0].length } });
      }
    }

    // Close the classes and functions this line is not inside of.
    while (frames.length && frames[frames.length - 1].indent >= col) frames.pop();
    for (const f of frames) if (f.table) f.table.span.end = Math.max(f.table.span.end, trimEnd(text, j, lineEnd));
    if (!toks || toks.length === 0) {
      decorators = [];
      continue;
    }
    const t0 = toks[0];
    if (t0.k === K.Op && text.charCodeAt(t0.s) === 64) {
      const end = toks[toks.length - 1].e;
      decorators.push({ text: text.slice(toks.length > 1 ? toks[1].s : t0.e, end).trim(), start: t0.s });
      continue;
    }
    if (first === 'class') {
      const top = frames[frames.length - 1];
      const table = classHeader(text, toks, decorators, top?.table);
      decorators = [];
      if (!table) continue;
      tables.push(table);
      frames.push({ indent: col, table });
      const colon = table.bodyTokenIndex;
      if (colon !== undefined && colon < toks.length) bodyStatement(text, toks, colon, table);
      continue;
    }
    decorators = [];
    if (first === 'def' || first === 'async') {
      frames.push({ indent: col });
    } else if (first === 'import' || first === 'from') {
      parseImport(text, toks, imports);
    } else if (first === 'definition') {
      const top = frames[frames.length - 1];
      if (top?.table) bodyStatement(text, toks, 0, top.table);
    }
  }

  const out: HostTable[] = [];
  const definitions: HostDefinition[] = [];
  for (const t of tables as PyTable[]) {
    delete t.bodyTokenIndex;
    if (!t.tier && !t.definition && !t.dynamicDefinition) continue;
    out.push(t);
    if (t.definition) definitions.push(t.definition);
  }
  return { language: 'python', tables: out, definitions, imports, aliases };
}

type PyTable = HostTable & { bodyTokenIndex?: number };

/** Offset after the line break that ends the physical line holding `j`. */
function nextLine(text: string, j: number): number {
  const n = text.length;
  for (let k = j; k < n; k++) {
    const c = text.charCodeAt(k);
    if (c === 10) return k + 1;
    if (c === 13) return text.charCodeAt(k + 1) === 10 ? k + 2 : k + 1;
  }
  return n;
}

function trimEnd(text: string, start: number, end: number): number {
  while (end > start) {
    const c = text.charCodeAt(end - 1);
    if (c === 10 || c === 13 || c === 32 || c === 9) end--;
    else break;
  }
  return end;
}

/**
 * Scans one logical line from `j` (inside brackets it spans physical lines); fills
 * `toks` when given. Returns the offset after the line's newline.
 */
function scanLogicalLine(text: string, j: number, toks: Tok[] | undefined): number {
  const n = text.length;
  let depth = 0;
  let k = j;
  while (k < n) {
    const c = text.charCodeAt(k);
    if (c === 32 || c === 9 || c === 12) {
      k++;
    } else if (c === 10 || c === 13) {
      const after = c === 13 && text.charCodeAt(k + 1) === 10 ? k + 2 : k + 1;
      if (depth === 0) return after;
      // An unclosed bracket while typing would glue the rest of the file to this line;
      // a following `class`/`def`/decorator line ends it instead.
      if (RESYNC.test(text.slice(after, after + 40))) return after;
      k = after;
    } else if (c === 35) {
      while (k < n && text.charCodeAt(k) !== 10 && text.charCodeAt(k) !== 13) k++;
    } else if (c === 92 /* \ */) {
      const d = text.charCodeAt(k + 1);
      k += d === 13 && text.charCodeAt(k + 2) === 10 ? 3 : d === 10 || d === 13 ? 2 : 1;
    } else if (c === 34 || c === 39) {
      const s = scanPyString(text, k, k, definitionValue(text, toks));
      toks?.push({ k: K.Str, s: k, e: s.end, str: s });
      k = s.end;
      // A triple-quoted string cut short while typing ends the line where the next class starts.
      if (!s.terminated && s.quote.length === 3) return k;
    } else if (isIdentStart(c)) {
      let e = k + 1;
      while (e < n && isIdentPart(text.charCodeAt(e))) e++;
      const q = text.charCodeAt(e);
      if ((q === 34 || q === 39) && isPyStringPrefix(text.slice(k, e))) {
        const s = scanPyString(text, k, e, definitionValue(text, toks));
        toks?.push({ k: K.Str, s: k, e: s.end, str: s });
        k = s.end;
        if (!s.terminated && s.quote.length === 3) return k;
        continue;
      }
      toks?.push({ k: K.Name, s: k, e });
      k = e;
    } else if (c >= 48 && c <= 57) {
      let e = k + 1;
      while (e < n && (isIdentPart(text.charCodeAt(e)) || text.charCodeAt(e) === 46)) e++;
      toks?.push({ k: K.Num, s: k, e });
      k = e;
    } else {
      if (c === 40 || c === 91 || c === 123) depth++;
      else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
      toks?.push({ k: K.Op, s: k, e: k + 1 });
      k++;
    }
  }
  return n;
}

/** The tokens so far are `definition =` or `definition: str =`. */
function definitionValue(text: string, toks: Tok[] | undefined): boolean {
  if (!toks || toks.length < 2) return false;
  const first = toks[0];
  const last = toks[toks.length - 1];
  return first.k === K.Name && first.e - first.s === 10 && text.startsWith('definition', first.s) && isOp(text, last, '=');
}

function isOp(text: string, t: Tok | undefined, ch: string): boolean {
  return t !== undefined && t.k === K.Op && text[t.s] === ch;
}

/** `class Name(bases):` — returns the table (any class; filtered at the end). */
function classHeader(
  text: string,
  toks: Tok[],
  decorators: Array<{ text: string; start: number }>,
  enclosing: HostTable | undefined,
): PyTable | undefined {
  const name = toks[1];
  if (!name || name.k !== K.Name) return undefined;
  const bases: string[] = [];
  let k = 2;
  if (isOp(text, toks[k], '(')) {
    k++;
    let depth = 0;
    let from = k;
    for (; k < toks.length; k++) {
      const t = toks[k];
      if (t.k === K.Op) {
        const ch = text[t.s];
        if (ch === '(' || ch === '[' || ch === '{') depth++;
        else if (ch === ')' || ch === ']' || ch === '}') {
          if (depth === 0) break;
          depth--;
        } else if (ch === ',' && depth === 0) {
          pushBase(text, toks, from, k, bases);
          from = k + 1;
        }
      }
    }
    pushBase(text, toks, from, k, bases);
    if (k < toks.length) k++;
  }
  let bodyTokenIndex: number | undefined;
  if (isOp(text, toks[k], ':')) bodyTokenIndex = k + 1;
  const decoratorTexts = decorators.map((d) => d.text);
  const table: PyTable = {
    className: text.slice(name.s, name.e),
    classSpan: { start: name.s, end: name.e },
    span: { start: decorators.length ? decorators[0].start : toks[0].s, end: toks[toks.length - 1].e },
    bases,
    tier: tierOfBases(bases),
    decorators: decoratorTexts,
    dynamicDefinition: false,
    bodyTokenIndex,
  };
  if (enclosing) table.masterName = enclosing.className;
  const schema = decoratorTexts.find((d) => /^[A-Za-z_][\w.]*$/.test(d));
  if (schema) table.schema = schema;
  return table;
}

function pushBase(text: string, toks: Tok[], from: number, to: number, bases: string[]): void {
  if (to <= from) return;
  // Keyword arguments such as metaclass=... are not bases.
  if (toks[from].k === K.Name && isOp(text, toks[from + 1], '=')) return;
  bases.push(text.slice(toks[from].s, toks[to - 1].e).replace(/\s+/g, ''));
}

/** `definition = "..."` (optionally annotated) in a class body, starting at toks[at]. */
function bodyStatement(text: string, toks: Tok[], at: number, table: HostTable): void {
  const name = toks[at];
  if (!name || name.k !== K.Name || text.slice(name.s, name.e) !== 'definition') return;
  let k = at + 1;
  if (isOp(text, toks[k], ':')) {
    // Annotation: skip to the `=` at bracket depth 0.
    let depth = 0;
    for (k++; k < toks.length; k++) {
      const t = toks[k];
      if (t.k !== K.Op) continue;
      const ch = text[t.s];
      if (ch === '(' || ch === '[' || ch === '{') depth++;
      else if (ch === ')' || ch === ']' || ch === '}') depth--;
      else if (ch === '=' && depth === 0) break;
    }
  }
  if (!isOp(text, toks[k], '=')) return;
  // `==` is a comparison, `definition == x` no assignment.
  if (isOp(text, toks[k + 1], '=') && toks[k + 1].s === toks[k].e) return;
  let first = k + 1;
  let last = toks.length - 1;
  while (last > first && isOp(text, toks[first], '(') && isOp(text, toks[last], ')')) {
    first++;
    last--;
  }
  const lit = toks[first];
  if (first !== last || !lit || lit.k !== K.Str || !lit.str || lit.str.dynamic || lit.str.prefix.includes('b')) {
    // Built at run time (f-string, concatenation, a variable...): not ours to check.
    table.dynamicDefinition = toks.length > k + 1;
    table.definition = undefined;
    return;
  }
  const s = lit.str;
  const { text: value, map } = decodePyString(text, s);
  table.dynamicDefinition = false;
  const def: HostDefinition = {
    className: table.className,
    classSpan: table.classSpan,
    bases: table.bases,
    tier: table.tier,
    masterName: table.masterName,
    decorators: table.decorators,
    schema: table.schema,
    text: value,
    literalSpan: { start: s.start, end: s.end },
    contentSpan: { start: s.contentStart, end: s.contentEnd },
    nameSpan: { start: name.s, end: name.e },
    style: { prefix: s.rawPrefix, quote: s.quote, raw: s.prefix.includes('r') },
    terminated: s.terminated,
    map,
  };
  table.definition = def;
}

/** `import a.b as c, d` and `from .m import (x as y, z)` / `from . import *`. */
function parseImport(text: string, toks: Tok[], out: HostImport[]): void {
  const word = (t: Tok | undefined): string | undefined => (t && t.k === K.Name ? text.slice(t.s, t.e) : undefined);
  const span = (a: Tok, b: Tok): Span => ({ start: a.s, end: b.e });
  // Dotted name from toks[k]; returns [name, next index].
  const dotted = (k: number): [string, number] => {
    let s = '';
    while (k < toks.length) {
      const t = toks[k];
      const w = t.k === K.Name ? text.slice(t.s, t.e) : '';
      if (w && w !== 'import' && w !== 'as' && (s === '' || s.endsWith('.'))) s += w;
      else if (isOp(text, t, '.')) s += '.';
      else break;
      k++;
    }
    return [s, k];
  };
  if (word(toks[0]) === 'import') {
    let k = 1;
    while (k < toks.length) {
      const startTok = toks[k];
      const [mod, next] = dotted(k);
      k = next;
      if (!mod) break;
      let local = mod.split('.')[0];
      let module = local;
      if (word(toks[k]) === 'as' && word(toks[k + 1])) {
        local = word(toks[k + 1])!;
        module = mod;
        k += 2;
      }
      out.push({ module, local, span: span(startTok, toks[k - 1]) });
      if (!isOp(text, toks[k], ',')) break;
      k++;
    }
    return;
  }
  const [mod, next] = dotted(1);
  let k = next;
  if (!mod || word(toks[k]) !== 'import') return;
  k++;
  if (isOp(text, toks[k], '(')) k++;
  if (isOp(text, toks[k], '*')) {
    out.push({ module: mod, name: '*', local: '*', span: span(toks[0], toks[k]) });
    return;
  }
  while (k < toks.length) {
    const nameTok = toks[k];
    const name = word(nameTok);
    if (!name) break;
    let local = name;
    let endTok = nameTok;
    if (word(toks[k + 1]) === 'as' && word(toks[k + 2])) {
      local = word(toks[k + 2])!;
      endTok = toks[k + 2];
      k += 2;
    }
    out.push({ module: mod, name, local, span: span(nameTok, endTok) });
    k++;
    if (!isOp(text, toks[k], ',')) break;
    k++;
  }
}
