// The type catalogue: which attribute types exist in DataJoint 2.x, how they map to SQL,
// and what legacy 0.x / native types should become. Classification follows
// declare.py: match_type (reference §2.1) with one deliberate difference: every pattern is
// anchored at both ends, so `int32 NOT NULL` is reported as unsupported here instead of
// failing later at the server (reference §11.3#4).
import type { TypeRef } from './ast';

export type TypeCategory = 'core' | 'native' | 'codec' | 'unknown';

/**
 * The DataJoint a definition is written for: `2` for 2.x; `0.14` for the 0.14 line most labs
 * still run; `0.13` for 0.12 and 0.13, which declare the same types as 0.14 and also the
 * old-style foreign keys `(new_attr) -> Parent(attr)` (0.14 dropped them).
 */
export type DataJointTarget = '0.13' | '0.14' | '2';

export type CoreTypeName =
  | 'int8' | 'int16' | 'int32' | 'int64' | 'float32' | 'float64' | 'bool' | 'uuid' | 'json' | 'bytes'
  | 'date' | 'datetime' | 'char' | 'varchar' | 'enum' | 'decimal';

export type NativeKind = 'integer' | 'numeric' | 'float' | 'string' | 'temporal' | 'blob' | 'text';

export interface CoreTypeDoc {
  name: CoreTypeName;
  /** How it is written, e.g. `varchar(n)`. */
  syntax: string;
  /** One line for completion and hover. */
  doc: string;
  mysql: string;
  postgresql: string;
}

/** reference §2.2 (adapters/mysql.py, adapters/postgres.py: CORE_TYPE_MAP). */
export const CORE_TYPES: readonly CoreTypeDoc[] = [
  { name: 'int8', syntax: 'int8', doc: '8-bit signed integer, -128 to 127', mysql: 'tinyint', postgresql: 'smallint' },
  { name: 'int16', syntax: 'int16', doc: '16-bit signed integer, -32768 to 32767', mysql: 'smallint', postgresql: 'smallint' },
  { name: 'int32', syntax: 'int32', doc: '32-bit signed integer', mysql: 'int', postgresql: 'integer' },
  { name: 'int64', syntax: 'int64', doc: '64-bit signed integer', mysql: 'bigint', postgresql: 'bigint' },
  { name: 'float32', syntax: 'float32', doc: 'single-precision floating point', mysql: 'float', postgresql: 'real' },
  { name: 'float64', syntax: 'float64', doc: 'double-precision floating point', mysql: 'double', postgresql: 'double precision' },
  { name: 'bool', syntax: 'bool', doc: 'true/false, stored as 0/1 on MySQL', mysql: 'tinyint', postgresql: 'boolean' },
  { name: 'uuid', syntax: 'uuid', doc: 'universally unique identifier, 16 bytes', mysql: 'binary(16)', postgresql: 'uuid' },
  { name: 'json', syntax: 'json', doc: 'JSON document', mysql: 'json', postgresql: 'jsonb' },
  { name: 'bytes', syntax: 'bytes', doc: 'raw bytes, not serialized (use <blob> for objects)', mysql: 'longblob', postgresql: 'bytea' },
  { name: 'date', syntax: 'date', doc: 'calendar date YYYY-MM-DD', mysql: 'date', postgresql: 'date' },
  { name: 'datetime', syntax: 'datetime(n)', doc: 'date and time (UTC by convention), n = 0..6 fractional digits', mysql: 'datetime(n)', postgresql: 'timestamp(n)' },
  { name: 'char', syntax: 'char(n)', doc: 'fixed-length string of n characters', mysql: 'char(n)', postgresql: 'char(n)' },
  { name: 'varchar', syntax: 'varchar(n)', doc: 'variable-length string of at most n characters', mysql: 'varchar(n)', postgresql: 'varchar(n)' },
  { name: 'enum', syntax: "enum('a', 'b')", doc: 'one of the listed values', mysql: "enum('a','b')", postgresql: 'a CREATE TYPE ... AS ENUM' },
  { name: 'decimal', syntax: 'decimal(p, s)', doc: 'exact number with p digits, s of them after the point', mysql: 'decimal(p,s)', postgresql: 'numeric(p,s)' },
];

/** What DataJoint 0.14 (and 0.12/0.13) pipelines write, for completion under a 0.x target. */
export interface LegacyTypeDoc {
  syntax: string;
  doc: string;
  /** The snippet body, when the type takes arguments. */
  snippet?: string;
  /** Not in 0.13 (0.14 added JSON). */
  since014?: boolean;
}

/** datajoint 0.14.9 declare.py: TYPE_PATTERN, its common spellings. */
export const LEGACY_TYPES: readonly LegacyTypeDoc[] = [
  { syntax: 'int', doc: '32-bit integer (MySQL int)' },
  { syntax: 'int unsigned', doc: 'unsigned 32-bit integer' },
  { syntax: 'smallint', doc: '16-bit integer' },
  { syntax: 'tinyint', doc: '8-bit integer' },
  { syntax: 'tinyint unsigned', doc: 'unsigned 8-bit integer' },
  { syntax: 'bigint', doc: '64-bit integer' },
  { syntax: 'float', doc: 'single-precision floating point' },
  { syntax: 'double', doc: 'double-precision floating point' },
  { syntax: 'decimal(p,s)', doc: 'exact number with p digits, s after the point', snippet: 'decimal(${1:p},${2:s})' },
  { syntax: 'varchar(n)', doc: 'string of at most n characters', snippet: 'varchar(${1:n})' },
  { syntax: 'char(n)', doc: 'string of n characters', snippet: 'char(${1:n})' },
  { syntax: "enum('a', 'b')", doc: 'one of the listed values', snippet: 'enum(${1})' },
  { syntax: 'bool', doc: 'true/false (MySQL tinyint(1))' },
  { syntax: 'date', doc: 'calendar date' },
  { syntax: 'datetime', doc: 'date and time' },
  { syntax: 'timestamp', doc: 'date and time, converted to the server time zone' },
  { syntax: 'time', doc: 'time of day or duration' },
  { syntax: 'json', doc: 'JSON document', since014: true },
  { syntax: 'uuid', doc: 'universally unique identifier (binary(16))' },
  { syntax: 'longblob', doc: 'serialized object (numpy arrays, dicts, ...) in the table' },
  { syntax: 'blob@store', doc: 'serialized object in an external store', snippet: 'blob@${1:store}' },
  { syntax: 'attach', doc: 'file attachment in the table' },
  { syntax: 'attach@store', doc: 'file attachment in an external store', snippet: 'attach@${1:store}' },
  { syntax: 'filepath@store', doc: 'a file inside a store (needs DJ_SUPPORT_FILEPATH_MANAGEMENT=TRUE)', snippet: 'filepath@${1:store}' },
];

export type StoreRule = 'optional' | 'required';

export interface CodecDoc {
  name: string;
  syntax: string;
  doc: string;
  /** `optional`: in-table without `@`, in a store with it; `required`: store only. */
  store: StoreRule;
}

/** reference §2.4 (builtin_codecs/*.py). */
export const CODECS: readonly CodecDoc[] = [
  { name: 'blob', syntax: '<blob>', doc: 'serialized object (arrays, dicts, ...) in the table; <blob@store> puts it in an object store', store: 'optional' },
  { name: 'attach', syntax: '<attach>', doc: 'file attachment (name and content) in the table; <attach@store> puts it in an object store', store: 'optional' },
  { name: 'hash', syntax: '<hash@>', doc: 'raw bytes in hash-addressed (deduplicated) store storage', store: 'required' },
  { name: 'object', syntax: '<object@>', doc: 'file or folder in schema-addressed store storage, fetched as a handle', store: 'required' },
  { name: 'npy', syntax: '<npy@>', doc: 'NumPy array as a .npy file in store storage, loaded lazily', store: 'required' },
  { name: 'filepath', syntax: '<filepath@store>', doc: 'reference to an existing file inside a store', store: 'required' },
];

const codecByName = new Map(CODECS.map((c) => [c.name, c]));

/** A suggested replacement for a legacy or unsupported type. */
export interface TypeReplacement {
  text: string;
  /** False when the replacement changes the range or meaning (e.g. unsigned -> wider signed). */
  exact: boolean;
  note?: string;
}

export interface TypeInfo {
  category: TypeCategory;
  /** The type as written, trimmed. */
  text: string;
  core?: CoreTypeName;
  native?: NativeKind;
  codec?: { name: string; store?: string; builtin: boolean; inStore: boolean; rule?: StoreRule };
  /** Resolved SQL, when known (custom codecs: unknown). */
  sql?: { mysql: string; postgresql: string };
  /** Resolved SQL is a blob (declare.py: the default-must-be-null rule) or bytea. */
  isBlobLike: boolean;
  isJson: boolean;
  isNumeric: boolean;
  isInteger: boolean;
  isString: boolean;
  /** date, datetime, timestamp, time, year. */
  temporal?: 'date' | 'datetime' | 'timestamp' | 'time' | 'year';
  /** datetime(n) / timestamp(n). */
  precision?: number;
  /** char(n), varchar(n). */
  length?: number;
  /** decimal(p,s). */
  digits?: { precision: number; scale: number };
  enumValues?: string[];
  unsigned?: boolean;
  autoIncrement?: boolean;
  /** Legacy/native types and some unsupported ones: what to write instead, best first. */
  replacements?: TypeReplacement[];
  /** Why a core-looking type is not accepted (wrong case, space before `(`, jsonb). */
  spelling?: string;
  /** Removed unsigned core types (uint8..uint64). */
  removed?: boolean;
  /**
   * Target 0.14 only. `legacy`: a type 0.14 declares that 2.x refuses or reads differently
   * (`blob`, `longblob`, `attach`, `blob@store`, `boolean`, ...), with `migration` its 2.x form;
   * `newer`: a 2.x type 0.14 cannot declare (`int32`, `<blob>`), with `replacements` its 0.14 form.
   */
  era?: 'legacy' | 'newer';
  /** Target 0.14, `era: 'legacy'`: what DataJoint 2 writes instead, best first. */
  migration?: TypeReplacement[];
}

function base(text: string, category: TypeCategory): TypeInfo {
  return { category, text, isBlobLike: false, isJson: false, isNumeric: false, isInteger: false, isString: false };
}

// ---- core ----------------------------------------------------------------------------

const SIMPLE_CORE: Record<string, CoreTypeName> = {
  float32: 'float32', float64: 'float64', int64: 'int64', int32: 'int32', int16: 'int16', int8: 'int8',
  bool: 'bool', uuid: 'uuid', json: 'json', bytes: 'bytes', date: 'date', datetime: 'datetime',
};
const CORE_SQL = new Map(CORE_TYPES.map((t) => [t.name, t]));

// declare.py: TYPE_PATTERN, case-insensitive, here anchored at both ends.
const CORE_PATTERNS: Array<[CoreTypeName, RegExp]> = [
  ['datetime', /^datetime\s*\((\d+)\)$/i],
  ['char', /^char\s*\((\d+)\)$/i],
  ['varchar', /^varchar\s*\((\d+)\)$/i],
  ['enum', /^enum\s*\((.+)\)$/is],
  ['decimal', /^decimal\s*\((\d+)\s*,\s*(\d+)\)$/i],
];

function splitEnumValues(inner: string): string[] | undefined {
  const values: string[] = [];
  let i = 0;
  const n = inner.length;
  while (i < n) {
    while (i < n && /\s/.test(inner[i]!)) i++;
    const q = inner[i];
    if (q !== "'" && q !== '"') return undefined;
    let v = '';
    i++;
    let closed = false;
    while (i < n) {
      const c = inner[i]!;
      if (c === '\\' && i + 1 < n) { v += inner[i + 1]; i += 2; continue; }
      if (c === q) {
        if (inner[i + 1] === q) { v += q; i += 2; continue; }
        closed = true;
        i++;
        break;
      }
      v += c;
      i++;
    }
    if (!closed) return undefined;
    values.push(v);
    while (i < n && /\s/.test(inner[i]!)) i++;
    if (i < n) {
      if (inner[i] !== ',') return undefined;
      i++;
    }
  }
  return values;
}

function coreInfo(text: string, core: CoreTypeName, m: RegExpMatchArray | null): TypeInfo {
  const info = base(text, 'core');
  info.core = core;
  const doc = CORE_SQL.get(core)!;
  let mysql = doc.mysql;
  let pg = doc.postgresql;
  switch (core) {
    case 'int8': case 'int16': case 'int32': case 'int64':
      info.isNumeric = info.isInteger = true;
      break;
    case 'bool':
      info.isNumeric = info.isInteger = true;
      break;
    case 'float32': case 'float64':
      info.isNumeric = true;
      break;
    case 'decimal': {
      info.isNumeric = true;
      info.digits = { precision: Number(m![1]), scale: Number(m![2]) };
      mysql = `decimal(${m![1]},${m![2]})`;
      pg = `numeric(${m![1]},${m![2]})`;
      break;
    }
    case 'json':
      info.isJson = true;
      break;
    case 'bytes':
      info.isBlobLike = true;
      break;
    case 'date':
      info.temporal = 'date';
      break;
    case 'datetime':
      info.temporal = 'datetime';
      if (m) {
        info.precision = Number(m[1]);
        mysql = `datetime(${info.precision})`;
        pg = `timestamp(${info.precision})`;
      } else {
        mysql = 'datetime';
        pg = 'timestamp';
      }
      break;
    case 'char': case 'varchar':
      info.isString = true;
      info.length = Number(m![1]);
      mysql = pg = `${core}(${info.length})`;
      break;
    case 'enum': {
      info.isString = true;
      const values = splitEnumValues(m![1]!);
      if (values) info.enumValues = values;
      mysql = text;
      break;
    }
    case 'uuid':
      break;
  }
  info.sql = { mysql, postgresql: pg };
  return info;
}

/** The canonical spelling of a core type written in another case or with a space before `(`; arguments (enum values) keep their case. */
function canonicalCore(text: string): string {
  const m = /^([A-Za-z0-9]+)\s*\(/.exec(text);
  return m ? m[1]!.toLowerCase() + text.slice(m[0].length - 1) : text.toLowerCase();
}

// ---- native ----------------------------------------------------------------------------

const NATIVE_PATTERNS: Array<[NativeKind, RegExp]> = [
  ['integer', /^(?:((?:tiny|small|medium|big|)int|integer)(\s*\((.+)\))?(\s+unsigned)?(\s+auto_increment)?|(serial))$/i],
  ['numeric', /^numeric(\s*\((.+)\))?(\s+unsigned)?$/i],
  ['float', /^(double|float|real)(\s*\((.+)\))?(\s+unsigned)?$/i],
  ['string', /^(var)?char\s*\((.+)\)$/i],
  ['temporal', /^(time|timestamp|year)(\s*\((.+)\))?$/i],
  ['blob', /^(tiny|small|medium|long)blob$/i],
  ['text', /^(tiny|small|medium|long)?text$/i],
];

const INT_SIGNED: Record<string, string> = { tinyint: 'int8', smallint: 'int16', mediumint: 'int32', int: 'int32', integer: 'int32', bigint: 'int64' };
const INT_UNSIGNED: Record<string, string | undefined> = { tinyint: 'int16', smallint: 'int32', mediumint: 'int32', int: 'int64', integer: 'int64', bigint: undefined };

function nativeInfo(text: string, kind: NativeKind, m: RegExpMatchArray): TypeInfo {
  const info = base(text, 'native');
  info.native = kind;
  info.sql = { mysql: text, postgresql: text };
  const rep: TypeReplacement[] = [];
  switch (kind) {
    case 'integer': {
      info.isNumeric = info.isInteger = true;
      if (m[6]) {
        info.autoIncrement = true;
        info.unsigned = true;
        break;
      }
      const name = m[1]!.toLowerCase();
      const width = m[3]?.trim();
      info.unsigned = Boolean(m[4]);
      info.autoIncrement = Boolean(m[5]);
      if (info.autoIncrement) break; // no core type carries auto_increment
      if (name === 'tinyint' && width === '1' && !info.unsigned) {
        rep.push({ text: 'bool', exact: true, note: 'tinyint(1) is MySQL\'s boolean' });
        rep.push({ text: 'int8', exact: true });
      } else if (info.unsigned) {
        const wider = INT_UNSIGNED[name];
        if (wider) rep.push({ text: wider, exact: false, note: 'unsigned integers have no core type; the next wider signed type holds every value' });
      } else {
        rep.push({ text: INT_SIGNED[name]!, exact: true });
      }
      break;
    }
    case 'numeric': {
      info.isNumeric = true;
      const args = m[2]?.split(',').map((s) => s.trim());
      if (args?.length === 2 && args.every((a) => /^\d+$/.test(a))) rep.push({ text: `decimal(${args[0]}, ${args[1]})`, exact: !m[3] });
      break;
    }
    case 'float': {
      info.isNumeric = true;
      if (!m[2]) {
        const name = m[1]!.toLowerCase();
        rep.push({ text: name === 'float' ? 'float32' : 'float64', exact: !m[4] });
      }
      break;
    }
    case 'string':
      info.isString = true;
      break;
    case 'temporal': {
      const name = m[1]!.toLowerCase() as 'time' | 'timestamp' | 'year';
      info.temporal = name;
      if (m[3] && /^\d+$/.test(m[3].trim())) info.precision = Number(m[3].trim());
      if (name === 'timestamp') rep.push({ text: m[2] ? `datetime(${m[3]!.trim()})` : 'datetime', exact: false, note: 'datetime does not convert time zones; store UTC' });
      break;
    }
    case 'blob':
      info.isBlobLike = true;
      // 0.x serialized longblob values; 2.x needs <blob> for that, bytes keeps raw bytes.
      rep.push({ text: '<blob>', exact: true, note: 'DataJoint 0.x serialized objects in blob columns; 2.x does that only for <blob>' });
      rep.push({ text: 'bytes', exact: true, note: 'raw bytes, not serialized' });
      break;
    case 'text':
      info.isString = true;
      info.isBlobLike = false;
      break;
  }
  if (rep.length) info.replacements = rep;
  return info;
}

// ---- codecs ------------------------------------------------------------------------------

function codecInfo(text: string, name: string, store: string | undefined): TypeInfo {
  const info = base(text, 'codec');
  const doc = codecByName.get(name);
  const inStore = store !== undefined;
  info.codec = { name, builtin: Boolean(doc), inStore, ...(store !== undefined ? { store } : {}), ...(doc ? { rule: doc.store } : {}) };
  if (!doc) return info;
  // builtin_codecs: get_dtype — in-table blob/attach are bytes; everything in a store is json metadata.
  if (inStore || doc.store === 'required') {
    info.isJson = true;
    info.sql = { mysql: 'json', postgresql: 'jsonb' };
  } else {
    info.isBlobLike = true;
    info.sql = { mysql: 'longblob', postgresql: 'bytea' };
  }
  return info;
}

// ---- unsupported, with advice -----------------------------------------------------------

const REMOVED_UNSIGNED: Record<string, string | undefined> = { uint8: 'int16', uint16: 'int32', uint32: 'int64', uint64: undefined };

function unsupportedAdvice(lower: string): TypeReplacement[] | undefined {
  if (lower === 'boolean') return [{ text: 'bool', exact: true }];
  if (lower === 'attach') return [{ text: '<attach>', exact: true, note: 'DataJoint 0.x syntax' }];
  if (lower === 'blob') return [{ text: '<blob>', exact: true, note: 'serialized objects' }, { text: 'bytes', exact: true, note: 'raw bytes' }];
  if (lower === 'double precision') return [{ text: 'float64', exact: true }];
  if (lower === 'text') return undefined;
  if (lower === 'varchar' || lower === 'char') return [{ text: `${lower}(255)`, exact: false, note: 'give the maximum length' }];
  if (lower === 'decimal' || lower === 'numeric') return [{ text: 'decimal(10, 2)', exact: false, note: 'give precision and scale' }];
  if (/^varbinary\s*\(/.test(lower) || /^binary\s*\(/.test(lower)) return [{ text: 'bytes', exact: false }];
  if (lower === 'string' || lower === 'str') return [{ text: 'varchar(255)', exact: false }];
  if (lower === 'integer unsigned') return [{ text: 'int64', exact: false }];
  if (lower === 'float16') return [{ text: 'float32', exact: false }];
  if (lower === 'timestamptz' || lower === 'datetime64') return [{ text: 'datetime', exact: false }];
  const unsignedDecimal = /^decimal\s*\(\s*(\d+)\s*,\s*(\d+)\s*\) unsigned$/.exec(lower);
  // MySQL 8 deprecates unsigned decimals; the signed one holds every value they held.
  if (unsignedDecimal) return [{ text: `decimal(${unsignedDecimal[1]}, ${unsignedDecimal[2]})`, exact: true, note: 'unsigned only forbade negative values' }];
  if (/^decimal\s*\(\s*\d+\s*\)$/.test(lower)) return [{ text: lower.replace(/\)\s*$/, ', 0)'), exact: true }];
  return undefined;
}

/**
 * Classifies a type as written (a TypeRef from the parser, or text such as `int32`,
 * `<blob@store>`, `varchar(64)`), in the order of declare.py: match_type.
 */
/**
 * Classified types by target and text: a project writes few distinct types thousands of
 * times, and the model, the checks and the target's evidence all ask. The objects are
 * shared, so nothing outside this module changes them.
 */
// One map per target, keyed by the text itself: a key made of target and text was a new
// string to hash on every one of the tens of thousands of calls a large file makes.
const classified = new Map<DataJointTarget, Map<string, TypeInfo>>();
const CLASSIFIED_MAX = 4096;

export function classifyType(type: TypeRef | string, target: DataJointTarget = '2'): TypeInfo {
  const text = (typeof type === 'string' ? type : type.text).trim();
  let ofTarget = classified.get(target);
  if (!ofTarget) classified.set(target, (ofTarget = new Map()));
  let info = ofTarget.get(text);
  if (!info) {
    // 0.12 and 0.13 declare the types of 0.14 but json (declare.py: TYPE_PATTERN, 0.14 added JSON).
    info = target === '2' ? classify2(text) : classify014(text, target);
    if (ofTarget.size >= CLASSIFIED_MAX) ofTarget.clear();
    ofTarget.set(text, info);
  }
  return info;
}

function classify2(text: string): TypeInfo {
  if (text.startsWith('<')) {
    const inner = text.slice(1, text.endsWith('>') ? -1 : undefined);
    const at = inner.indexOf('@');
    const name = (at < 0 ? inner : inner.slice(0, at)).trim();
    const store = at < 0 ? undefined : inner.slice(at + 1).trim();
    if (!text.endsWith('>') || name === '') return base(text, 'unknown');
    return codecInfo(text, name, store);
  }
  const lower = text.toLowerCase();
  const legacy = /^([A-Za-z]\w*)@([\w-]*)$/.exec(text);
  if (legacy) {
    // DataJoint 0.x wrote codecs without brackets; 2.x needs `<name@store>`.
    const info = base(text, 'unknown');
    info.replacements = [{ text: `<${legacy[1]}@${legacy[2]}>`, exact: true, note: 'DataJoint 0.x syntax' }];
    return info;
  }
  const simple = SIMPLE_CORE[lower];
  if (simple) {
    if (lower === text) return coreInfo(text, simple, null);
    const info = coreInfo(text, simple, null);
    info.category = 'unknown';
    info.spelling = lower;
    return info;
  }
  if (lower === 'jsonb') {
    const info = coreInfo(text, 'json', null);
    info.category = 'unknown';
    info.spelling = 'json';
    return info;
  }
  for (const [core, re] of CORE_PATTERNS) {
    const m = text.match(re);
    if (!m) continue;
    const info = coreInfo(text, core, m);
    const canonical = canonicalCore(text);
    // adapters: core_type_to_sql looks names up case-sensitively and expects `name(`
    // with no space; only datetime (3) happens to work (reference §1.9).
    if (canonical !== text && !(core === 'datetime' && text.toLowerCase() === text)) {
      info.category = 'unknown';
      info.spelling = canonical;
    }
    return info;
  }
  if (lower in REMOVED_UNSIGNED) {
    const info = base(text, 'unknown');
    info.removed = true;
    info.isNumeric = info.isInteger = true;
    const wider = REMOVED_UNSIGNED[lower];
    if (wider) info.replacements = [{ text: wider, exact: false, note: 'the next wider signed type holds every value' }];
    return info;
  }
  for (const [kind, re] of NATIVE_PATTERNS) {
    const m = text.match(re);
    if (m) return nativeInfo(text, kind, m);
  }
  const info = base(text, 'unknown');
  const advice = unsupportedAdvice(lower.replace(/\s+/g, ' '));
  if (advice) info.replacements = advice;
  return info;
}

export function coreTypeDoc(name: CoreTypeName): CoreTypeDoc {
  return CORE_SQL.get(name)!;
}

export function codecDoc(name: string): CodecDoc | undefined {
  return codecByName.get(name);
}

// ---- DataJoint 0.14 ------------------------------------------------------------------------

// datajoint 0.14.9 declare.py: TYPE_PATTERN, case-insensitive, in its order. Anchored at both
// ends as the 2.x patterns are here (0.14 matches INTEGER as a prefix, so `int32` reaches the
// server and fails there with a syntax error; we say so at the type instead).
type Category014 =
  | 'INTEGER' | 'DECIMAL' | 'FLOAT' | 'STRING' | 'JSON' | 'ENUM' | 'BOOL' | 'TEMPORAL' | 'INTERNAL_BLOB'
  | 'EXTERNAL_BLOB' | 'INTERNAL_ATTACH' | 'EXTERNAL_ATTACH' | 'FILEPATH' | 'UUID' | 'ADAPTED';
const PATTERNS_014: Array<[Category014, RegExp]> = [
  // MySQL's `zerofill` too: 0.14 passes whatever follows an integer type to the server.
  ['INTEGER', /^(?:((?:tiny|small|medium|big|)int|integer)(\s*\(.+\))?(\s+unsigned)?(\s+zerofill)?(\s+auto_increment)?|serial)$/i],
  ['DECIMAL', /^(decimal|numeric)(\s*\((.+)\))?(\s+unsigned)?$/i],
  ['FLOAT', /^(double|float|real)(\s*\(.+\))?(\s+unsigned)?$/i],
  ['STRING', /^(var)?char\s*\(.+\)$/i],
  ['JSON', /^json$/i],
  ['ENUM', /^enum\s*\((.+)\)$/is],
  ['BOOL', /^bool(ean)?$/i],
  ['TEMPORAL', /^(date|datetime|time|timestamp|year)(\s*\((.+)\))?$/i],
  ['INTERNAL_BLOB', /^(tiny|small|medium|long|)blob$/i],
  ['EXTERNAL_BLOB', /^blob@([a-z][-\w]*)$/i],
  ['INTERNAL_ATTACH', /^attach$/i],
  ['EXTERNAL_ATTACH', /^attach@([a-z][-\w]*)$/i],
  ['FILEPATH', /^filepath@([a-z][-\w]*)$/i],
  ['UUID', /^uuid$/i],
  ['ADAPTED', /^<.+>$/],
];

/** The 0.14 spelling of a 2.x type, for a definition that targets 0.14. */
const CORE_AS_014: Partial<Record<CoreTypeName, string>> = {
  int8: 'tinyint', int16: 'smallint', int32: 'int', int64: 'bigint', float32: 'float', float64: 'double', bytes: 'longblob',
};

function newerType(text: string, info2: TypeInfo): TypeInfo {
  const info = base(text, 'unknown');
  info.era = 'newer';
  let rep: string | undefined;
  if (info2.category === 'core' && info2.core) rep = CORE_AS_014[info2.core];
  else if (info2.category === 'codec' && info2.codec?.builtin) {
    const { name, store } = info2.codec;
    if (name === 'blob') rep = store !== undefined && store !== '' ? `blob@${store}` : 'longblob';
    else if (name === 'attach') rep = store !== undefined && store !== '' ? `attach@${store}` : 'attach';
    else if (name === 'filepath' && store) rep = `filepath@${store}`;
  }
  if (rep) info.replacements = [{ text: rep, exact: true, note: 'the DataJoint 0.14 type' }];
  return info;
}

/** What 2.x writes for a type 0.14 declares, when 2.x refuses it or reads it differently. */
function migrationOf(text: string, category: Category014, m: RegExpMatchArray, info2: TypeInfo): TypeReplacement[] | undefined {
  switch (category) {
    case 'INTERNAL_BLOB':
      // 0.14 serialized every blob column; 2.x does so only for <blob> (raw bytes otherwise).
      return [{ text: '<blob>', exact: true, note: 'DataJoint 0.14 serialized objects in blob columns; 2.x does so only for <blob>' }];
    case 'EXTERNAL_BLOB':
      return [{ text: `<blob@${m[1]}>`, exact: true, note: 'the store keeps its name; its files are read through the 2.x store configuration' }];
    case 'INTERNAL_ATTACH':
      return [{ text: '<attach>', exact: true }];
    case 'EXTERNAL_ATTACH':
      return [{ text: `<attach@${m[1]}>`, exact: true }];
    case 'FILEPATH':
      return [{ text: `<filepath@${m[1]}>`, exact: true }];
    case 'ADAPTED':
      return undefined;
    default:
      break;
  }
  if (info2.category === 'unknown') {
    if (info2.spelling) return [{ text: info2.spelling, exact: true }];
    return info2.replacements;
  }
  if (info2.category === 'native' && text.toLowerCase() === 'tinyint(1)') return info2.replacements;
  return undefined;
}

function classify014(text: string, target: DataJointTarget): TypeInfo {
  const info2 = classify2(text);
  for (const [category, re] of PATTERNS_014) {
    const m = text.match(re);
    if (!m) continue;
    if (category === 'JSON' && target === '0.13') return newerType(text, info2);
    let info: TypeInfo;
    switch (category) {
      case 'INTERNAL_BLOB': case 'INTERNAL_ATTACH':
        info = base(text, 'native');
        info.isBlobLike = true;
        info.sql = { mysql: category === 'INTERNAL_ATTACH' ? 'longblob' : text.toLowerCase(), postgresql: 'bytea' };
        break;
      case 'EXTERNAL_BLOB': case 'EXTERNAL_ATTACH':
        // A uuid into ~external_<store> (declare.py: substitute_special_type), serialized: the default can only be null.
        info = base(text, 'native');
        info.isBlobLike = true;
        info.sql = { mysql: 'binary(16)', postgresql: 'uuid' };
        break;
      case 'FILEPATH':
        info = base(text, 'native');
        info.sql = { mysql: 'binary(16)', postgresql: 'uuid' };
        break;
      case 'BOOL':
        info = coreInfo(text, 'bool', null);
        info.category = 'native';
        info.sql = { mysql: 'tinyint', postgresql: 'boolean' };
        break;
      case 'ADAPTED': {
        // An AttributeAdapter from the schema's context (0.14's <adapter>): only the 2.x codecs are known not to be one.
        const name = text.slice(1, -1).split('@')[0]!.trim();
        if (codecByName.has(name)) return newerType(text, info2);
        info = base(text, 'codec');
        info.codec = { name, builtin: false, inStore: false };
        return info;
      }
      default: {
        // Numbers, strings, dates, json, uuid: what 2.x infers about the same text, case and spacing aside.
        const probe = info2.category === 'unknown' && info2.spelling ? classify2(info2.spelling) : info2;
        info = probe.category === 'unknown' ? base(text, 'native') : { ...probe, text };
        info.category = 'native';
        delete info.replacements;
        delete info.spelling;
        if (category === 'DECIMAL' || category === 'FLOAT' || category === 'INTEGER') info.isNumeric = true;
        if (category === 'INTEGER') info.isInteger = true;
        if (category === 'STRING' || category === 'ENUM') info.isString = true;
        if (category === 'ENUM' && !info.enumValues) {
          const values = splitEnumValues(m[1]!);
          if (values) info.enumValues = values;
        }
        if (category === 'TEMPORAL' && !info.temporal) info.temporal = m[1]!.toLowerCase() as NonNullable<TypeInfo['temporal']>;
        if (category === 'JSON') info.isJson = true;
        info.sql ??= { mysql: text, postgresql: text };
        break;
      }
    }
    const migration = migrationOf(text, category, m, info2);
    if (migration?.length) {
      info.era = 'legacy';
      info.migration = migration;
    }
    return info;
  }
  if (info2.category === 'core' || info2.category === 'codec') return newerType(text, info2);
  const info = base(text, 'unknown');
  const external = /^external(?:-([a-z][-\w]*))?$/i.exec(text);
  // DataJoint 0.11's external blobs; 0.12 renamed them (the store `external` for the bare type).
  if (external) info.replacements = [{ text: `blob@${external[1] ?? 'external'}`, exact: true, note: 'DataJoint 0.11 syntax' }];
  return info;
}
