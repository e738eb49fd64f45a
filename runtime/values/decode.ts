// Raw mysql2 value (as returned with MYSQL2_TYPE_OPTIONS) -> JS value for one attribute
// (codecs.py: decode_attribute). The JS types per kind:
//   int8..int32 and smaller native ints -> number; int64 / bigint / serial -> bigint (always,
//   so the type does not depend on the magnitude); float -> number; decimal -> string
//   (exact); bool -> boolean; uuid -> 'xxxxxxxx-xxxx-...' string; json -> parsed value (integers
//   beyond 2^53 as bigint);
//   bytes -> Buffer; date -> Date at UTC midnight; datetime / timestamp -> DateTime (a UTC
//   Date that keeps microseconds); time -> 'HH:MM:SS[.ffffff]'; year -> number;
//   char / varchar / text / enum -> string; <blob> -> unpacked value; <attach> ->
//   { filename, data }. MySQL's zero dates ('0000-00-00') read as null.

import { BlobError } from '../blob/errors';
import { unpackBlob } from '../blob/unpack';
import { Uuid } from '../blob/types';
import { AttributeValueError, show } from './errors';
import type { Attachment } from './encode';
import { kindOf, type AttributeLike } from './kind';
import { parseJson } from './json';
import { hasTimeOfDay, parseDateTime, toDateTime } from './temporal';

// A function of the attribute rather than a closure made for every value read.
function fail(attr: AttributeLike, problem: string, cause?: unknown): never {
  throw new AttributeValueError(attr.name, `cannot read attribute \`${attr.name}\` (${attr.type}): ${problem}`, cause !== undefined ? { cause } : undefined);
}

export function decodeValue(attr: AttributeLike, raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  const kind = kindOf(attr);
  switch (kind.kind) {
    case 'int': {
      const big = kind.bits === 64;
      if (typeof raw === 'number') return big ? BigInt(raw) : raw;
      if (typeof raw === 'bigint') return big ? raw : Number(raw);
      if (typeof raw === 'string' && /^[+-]?\d+$/.test(raw)) return big ? BigInt(raw) : Number(raw);
      return fail(attr, `expected an integer from the server, got ${show(raw)}`);
    }
    case 'float': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (Number.isNaN(n)) return fail(attr, `expected a number from the server, got ${show(raw)}`);
      return kind.bits === 32 ? shortestFloat32(n) : n;
    }
    case 'decimal':
      if (typeof raw === 'string') return raw;
      if (typeof raw === 'number' || typeof raw === 'bigint') return String(raw);
      return fail(attr, `expected a decimal from the server, got ${show(raw)}`);
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'number') return raw !== 0;
      if (typeof raw === 'string' && /^[+-]?\d+$/.test(raw)) return Number(raw) !== 0;
      return fail(attr, `expected 0 or 1 from the server, got ${show(raw)}`);
    case 'uuid': {
      const u = raw instanceof Uint8Array && raw.length === 16 ? new Uuid(raw) : typeof raw === 'string' ? Uuid.parse(raw) : undefined;
      if (u === undefined) return fail(attr, `expected 16 bytes of UUID from the server, got ${show(raw)}`);
      return u.toString();
    }
    case 'json': {
      const text = typeof raw === 'string' ? raw : raw instanceof Uint8Array ? Buffer.from(raw).toString('utf8') : undefined;
      if (text === undefined) return raw; // already parsed by the driver
      try {
        return parseJson(text);
      } catch (e) {
        return fail(attr, `stored text is not valid JSON`, e);
      }
    }
    case 'bytes':
    case 'blob':
    case 'attach': {
      if (!(raw instanceof Uint8Array)) return fail(attr, `expected bytes from the server, got ${show(raw)}`);
      const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      if (kind.kind === 'bytes') return bytes;
      if (kind.kind === 'blob') {
        try {
          return unpackBlob(bytes);
        } catch (e) {
          if (e instanceof BlobError) return fail(attr, e.message, e);
          throw e;
        }
      }
      const nul = bytes.indexOf(0);
      if (nul <= 0) return fail(attr, 'stored attachment has no file name');
      const attachment: Attachment = { filename: bytes.subarray(0, nul).toString('utf8'), data: Buffer.from(bytes.subarray(nul + 1)) };
      return attachment;
    }
    case 'date':
    case 'datetime': {
      if (raw instanceof Date) return raw;
      if (typeof raw !== 'string') return fail(attr, `expected a date string from the server, got ${show(raw)}`);
      if (/^0000-00-00/.test(raw)) return null;
      const p = parseDateTime(raw);
      if (p === undefined) return fail(attr, `malformed date/time ${show(raw)} from the server`);
      if (kind.kind === 'date' && hasTimeOfDay(raw) && (p.hour || p.minute || p.second || p.microsecond)) {
        return fail(attr, `date ${show(raw)} has a time of day`);
      }
      const d = toDateTime(p);
      return kind.kind === 'date' ? new Date(d.getTime()) : d;
    }
    case 'time':
    case 'string':
    case 'enum':
      if (typeof raw === 'string') return raw;
      if (raw instanceof Uint8Array) return Buffer.from(raw).toString('utf8');
      if (typeof raw === 'number' || typeof raw === 'bigint') return String(raw);
      return fail(attr, `expected text from the server, got ${show(raw)}`);
    case 'year':
      if (typeof raw === 'number') return raw;
      if (typeof raw === 'string' && /^\d+$/.test(raw)) return Number(raw);
      return fail(attr, `expected a year from the server, got ${show(raw)}`);
    case 'unsupported':
      return fail(attr, kind.reason);
  }
}

/**
 * The shortest decimal that rounds to the same float32: the text protocol sends FLOAT
 * columns as such text (0.1), the binary protocol as the widened double
 * (0.10000000149011612); both read as 0.1 here, as in DataJoint for Python.
 */
export function shortestFloat32(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const f = Math.fround(x);
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
}
