// JS value -> mysql2 query parameter for one attribute (table.py: __make_placeholder,
// reference §2.6). null/undefined -- and NaN or '' for numeric attributes -- become
// SQL_DEFAULT: the caller writes the keyword DEFAULT instead of a placeholder, so nullable
// columns get NULL and defaulted columns their default, as in DataJoint for Python.

import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { BlobError } from '../blob/errors';
import { packBlob } from '../blob/pack';
import { DateTime, Decimal, LocalDate, LocalTime, Uuid } from '../blob/types';
import { AttributeValueError, show } from './errors';
import { kindOf, type AttributeLike, type ValueKind } from './kind';
import { stringifyJson } from './json';
import { formatDate, formatDateTime, hasTimeOfDay, parseDateTime, toDateTime } from './temporal';

/** Marker for "write the SQL keyword DEFAULT here instead of a bound parameter". */
export const SQL_DEFAULT: unique symbol = Symbol('DEFAULT');
export type SqlDefault = typeof SQL_DEFAULT;
export function isSqlDefault(v: unknown): v is SqlDefault {
  return v === SQL_DEFAULT;
}

/** What encodeValue hands to mysql2 as a parameter. */
export type SqlParam = string | number | Buffer | SqlDefault;

/** An `<attach>` value: a file's name and contents (or pass a path to read the file). */
export interface Attachment {
  filename: string;
  data: Uint8Array;
}

const INT_TEXT = /^[+-]?\d+$/;
const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const FLOAT32_MAX = 3.4028234663852886e38;

/** Encodes `value` for `attr` as a mysql2 parameter, or SQL_DEFAULT. */
export function encodeValue(attr: AttributeLike, value: unknown): SqlParam {
  const kind = kindOf(attr);
  if (value === null || value === undefined) return SQL_DEFAULT;
  const numeric = kind.kind === 'int' || kind.kind === 'float' || kind.kind === 'decimal' || kind.kind === 'bool';
  if (numeric && (value === '' || (typeof value === 'number' && Number.isNaN(value)))) return SQL_DEFAULT;
  return encodeKind(kind, value, attr);
}

// A function of the attribute rather than a closure made for every value encoded.
function fail(attr: AttributeLike, problem: string): never {
  throw new AttributeValueError(attr.name, `${problem} for attribute \`${attr.name}\` (${attr.type})`);
}

function encodeKind(kind: ValueKind, value: unknown, attr: AttributeLike): SqlParam {
  switch (kind.kind) {
    case 'int':
      return encodeInt(kind, value, attr);
    case 'float':
      return encodeFloat(kind.bits, value, attr);
    case 'decimal':
      return encodeDecimal(kind.precision, kind.scale, value, attr);
    case 'bool':
      if (value === true || value === 1 || value === 1n || value === '1') return 1;
      if (value === false || value === 0 || value === 0n || value === '0') return 0;
      return fail(attr, `expected a boolean (or 0/1), got ${show(value)}`);
    case 'uuid': {
      // table.py: uuid.UUID(value) -> 16 bytes
      const u =
        value instanceof Uuid
          ? value
          : typeof value === 'string'
            ? Uuid.parse(value)
            : value instanceof Uint8Array && value.length === 16
              ? new Uuid(value)
              : undefined;
      if (u === undefined) return fail(attr, `badly formed UUID value ${show(value)}`);
      // A PostgreSQL uuid column takes the text form; MySQL's binary(16) the 16 bytes.
      if (attr.sqlType !== undefined && /^uuid$/i.test(attr.sqlType.trim())) return u.toString();
      return Buffer.from(u.bytes);
    }
    case 'json':
      return encodeJson(value, attr);
    case 'bytes':
      if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      if (value instanceof ArrayBuffer) return Buffer.from(value);
      return fail(attr, `expected bytes (a Buffer or Uint8Array), got ${show(value)}`);
    case 'date':
      return encodeDate(value, attr);
    case 'datetime':
      return encodeDateTime(value, attr);
    case 'time':
      if (value instanceof LocalTime) return value.toString();
      if (typeof value === 'string' && /^-?\d{1,3}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?$/.test(value.trim())) return value.trim();
      return fail(attr, `expected a time of day ('HH:MM:SS[.ffffff]' or a LocalTime), got ${show(value)}`);
    case 'year': {
      const y = typeof value === 'string' && INT_TEXT.test(value) ? Number(value) : value;
      if (typeof y === 'number' && Number.isInteger(y) && (y === 0 || (y >= 1901 && y <= 2155))) return y;
      return fail(attr, `expected a year between 1901 and 2155, got ${show(value)}`);
    }
    case 'string':
      if (typeof value !== 'string') return fail(attr, `expected a string, got ${show(value)}`);
      if (kind.maxLength !== undefined) {
        const n = [...value].length;
        if (n > kind.maxLength) return fail(attr, `string of ${n} characters is longer than ${kind.maxLength}`);
      }
      return value;
    case 'enum': {
      if (typeof value !== 'string') return fail(attr, `expected one of ${kind.values.map((v) => `'${v}'`).join(', ')}, got ${show(value)}`);
      if (kind.values.includes(value)) return value;
      // MySQL matches enum labels case-insensitively and stores the declared label.
      const folded = kind.values.find((v) => v.toLowerCase() === value.toLowerCase());
      if (folded !== undefined) return folded;
      return fail(attr, `value ${show(value)} is not one of ${kind.values.map((v) => `'${v}'`).join(', ')}`);
    }
    case 'blob':
      try {
        // builtin_codecs/blob.py: blob.pack(value, compress=True)
        return packBlob(value, { compress: true });
      } catch (e) {
        if (e instanceof BlobError) throw new AttributeValueError(attr.name, `cannot store value in <blob> attribute \`${attr.name}\`: ${e.message}`, { cause: e });
        throw e;
      }
    case 'attach':
      return encodeAttachment(value, attr);
    case 'unsupported':
      return fail(attr, `cannot encode a value: ${kind.reason}`);
  }
}

function intRange(bits: number, unsigned: boolean): [bigint, bigint] {
  return unsigned ? [0n, (1n << BigInt(bits)) - 1n] : [-(1n << BigInt(bits - 1)), (1n << BigInt(bits - 1)) - 1n];
}

function encodeInt(kind: { bits: number; unsigned: boolean }, value: unknown, attr: AttributeLike): string | number {
  let v: bigint;
  if (typeof value === 'bigint') v = value;
  else if (typeof value === 'boolean') v = value ? 1n : 0n; // table.py: str(int(True))
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) return fail(attr, `${value} is not an integer`);
    if (!Number.isInteger(value)) return fail(attr, `${value} is not an integer`);
    if (!Number.isSafeInteger(value)) return fail(attr, `${value} is beyond 2^53 and has lost precision; pass a bigint`);
    v = BigInt(value);
  } else if (typeof value === 'string' && INT_TEXT.test(value.trim())) v = BigInt(value.trim());
  else return fail(attr, `expected an integer, got ${show(value)}`);
  const [lo, hi] = intRange(kind.bits, kind.unsigned);
  if (v < lo || v > hi) return fail(attr, `${v} is out of range ${lo}..${hi}`);
  // Beyond 32 bits the value travels as text so it never passes through a double.
  return kind.bits > 32 ? v.toString() : Number(v);
}

function encodeFloat(bits: 32 | 64, value: unknown, attr: AttributeLike): number {
  let v: number;
  if (typeof value === 'number') v = value;
  else if (typeof value === 'bigint') v = Number(value);
  else if (typeof value === 'string' && NUMBER_TEXT.test(value.trim())) v = Number(value.trim());
  else return fail(attr, `expected a number, got ${show(value)}`);
  if (!Number.isFinite(v)) return fail(attr, `${show(value)} is not finite; MySQL stores no infinities`);
  if (bits === 32 && Math.abs(v) > FLOAT32_MAX) return fail(attr, `${show(value)} is out of float32 range`);
  return v;
}

function encodeDecimal(precision: number, scale: number, value: unknown, attr: AttributeLike): string {
  let text: string;
  if (typeof value === 'string') text = value.trim();
  else if (value instanceof Decimal) text = value.text;
  else if (typeof value === 'bigint') text = value.toString();
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) return fail(attr, `${value} is not a finite decimal`);
    text = String(value);
  } else return fail(attr, `expected a decimal number (string, number or bigint), got ${show(value)}`);
  if (!NUMBER_TEXT.test(text)) return fail(attr, `${show(value)} is not a decimal number`);
  // Check the integer digits against decimal(p, s); extra fraction digits are rounded by the server.
  const m = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text)!;
  const exp = Number(m[3] ?? 0);
  const digits = (m[1] ?? '') + (m[2] ?? '');
  const intDigits = (m[1] ?? '').length + exp;
  const significant = digits.replace(/^0+/, '');
  const effectiveIntDigits = significant.length === 0 ? 0 : intDigits - (digits.length - significant.length);
  if (effectiveIntDigits > precision - scale) {
    return fail(attr, `${show(value)} has more than ${precision - scale} digits before the decimal point (decimal(${precision},${scale}))`);
  }
  return text;
}

// table.py: json.dumps(value). Unlike JSON.stringify, refuse what would be silently
// dropped or rewritten (NaN -> null, Map -> {}), and write bigints as exact digits.
function encodeJson(value: unknown, attr: AttributeLike): string {
  try {
    return stringifyJson(value);
  } catch (e) {
    return fail(attr, `value is not JSON-serializable: ${(e as Error).message}`);
  }
}

function encodeDate(value: unknown, attr: AttributeLike): string {
  if (value instanceof LocalDate) return value.toString();
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return fail(attr, 'invalid Date');
    // A date is a calendar day; a Date with a time of day is ambiguous across time zones.
    if (value.getTime() % 86_400_000 !== 0 || (value instanceof DateTime && value.microsecond !== 0)) {
      return fail(attr, `${show(value)} has a time of day; pass a Date at UTC midnight (Date.UTC(y, m, d)) or 'YYYY-MM-DD'`);
    }
    return formatDate(value);
  }
  if (typeof value === 'string') {
    const p = parseDateTime(value);
    if (p === undefined || hasTimeOfDay(value)) return fail(attr, `expected a date 'YYYY-MM-DD', got ${show(value)}`);
    return formatDate(toDateTime(p));
  }
  return fail(attr, `expected a date ('YYYY-MM-DD', a LocalDate or a Date at UTC midnight), got ${show(value)}`);
}

function encodeDateTime(value: unknown, attr: AttributeLike): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return fail(attr, 'invalid Date');
    const y = value.getUTCFullYear();
    if (y < 1 || y > 9999) return fail(attr, `year ${y} is out of range`);
    return formatDateTime(value);
  }
  if (value instanceof LocalDate) return `${value.toString()} 00:00:00`;
  if (typeof value === 'string') {
    const p = parseDateTime(value);
    if (p === undefined) return fail(attr, `expected a UTC datetime 'YYYY-MM-DD HH:MM:SS[.ffffff]', got ${show(value)}`);
    return formatDateTime(toDateTime(p));
  }
  return fail(attr, `expected a datetime (a Date, or 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC), got ${show(value)}`);
}

// builtin_codecs/attach.py: utf8(filename) + 0x00 + contents
function encodeAttachment(value: unknown, attr: AttributeLike): Buffer {
  let filename: string;
  let data: Uint8Array;
  if (typeof value === 'string') {
    let isFile = false;
    try {
      isFile = statSync(value).isFile();
    } catch {
      return fail(attr, `attachment file not found: ${value}`);
    }
    if (!isFile) return fail(attr, `<attach> takes a file, not a directory: ${value}`);
    filename = basename(value);
    data = readFileSync(value);
  } else if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Attachment).filename === 'string' &&
    (value as Attachment).data instanceof Uint8Array
  ) {
    ({ filename, data } = value as Attachment);
  } else {
    return fail(attr, `expected a file path or { filename, data }, got ${show(value)}`);
  }
  if (filename.length === 0 || filename.includes('\0') || /[\\/]/.test(filename)) {
    return fail(attr, `attachment file name ${show(filename)} must be a plain, non-empty name`);
  }
  return Buffer.concat([Buffer.from(filename, 'utf8'), Buffer.from([0]), data]);
}
