// Encoder of the DataJoint blob format, byte-compatible with blob.py (Blob.pack).
//
// JS -> blob decisions (reference §8.5, decision 17): `number` is always a Python float
// (0x0D), because JS cannot tell 3 from 3.0; pass a `bigint` for a Python int (0x0A).
// Plain arrays are lists, BlobTuple is a tuple, Set a set, plain objects and Maps dicts,
// Uint8Array/Buffer bytes, other typed arrays 1-D numeric arrays, Date a datetime (UTC).

import { deflateSync } from 'node:zlib';
import { BlobError } from './errors';
import {
  BlobTuple,
  Complex,
  DateTime,
  Decimal,
  LocalDate,
  LocalTime,
  MatCell,
  MatStruct,
  NDArray,
  StructuredArray,
  Uuid,
  dtypeId,
  dtypeOfTypedArray,
  microsecondOf,
  validDate,
  type TypedData,
} from './types';

export const PROTOCOL_MYM = Buffer.from('mYm\0', 'latin1');
export const PROTOCOL_DJ0 = Buffer.from('dj0\0', 'latin1');
export const COMPRESSION_PREFIX = Buffer.from('ZL123\0', 'latin1');
// blob.py: Blob.pack only tries compression above this size.
const COMPRESSION_THRESHOLD = 1000;
// Python ints are written with a u16 byte count (blob.py: pack_int).
const MAX_INT_BYTES = 0xffff;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface PackOptions {
  /** Compress with zlib when the blob exceeds 1000 bytes and compression makes it shorter (the `<blob>` codec always asks for it). Default true. */
  compress?: boolean;
}

/** Serializes a value into DataJoint blob bytes that DataJoint for Python can unpack. */
export function packBlob(value: unknown, options: PackOptions = {}): Buffer {
  const w = new Packer();
  const body = w.item(value, '$');
  const blob = Buffer.concat([w.dj0 ? PROTOCOL_DJ0 : PROTOCOL_MYM, body]);
  if ((options.compress ?? true) && blob.length > COMPRESSION_THRESHOLD) {
    const compressed = Buffer.concat([COMPRESSION_PREFIX, u64(blob.length), deflateSync(blob)]);
    if (compressed.length < blob.length) return compressed;
  }
  return blob;
}

function u64(n: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(n);
  return b;
}
function code(c: number): Buffer {
  return Buffer.from([c]);
}
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object' || typeof v === 'function') {
    const name = (v as { constructor?: { name?: string } }).constructor?.name;
    return name ? name : typeof v;
  }
  return typeof v;
}
// Python's str.encode() refuses lone surrogates; Buffer.from would silently replace them.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
function utf8(s: string, path: string): Buffer {
  if (LONE_SURROGATE.test(s)) throw new BlobError('string contains a lone UTF-16 surrogate and has no UTF-8 encoding', { path });
  return Buffer.from(s, 'utf8');
}
function typedBytes(a: TypedData | Uint8ClampedArray): Buffer {
  if (!LITTLE_ENDIAN) throw new BlobError('blob arrays are little-endian; big-endian hosts are not supported');
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}
function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}
// Values Python can use as dict keys and set members (hashable after decoding).
function isHashable(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (['boolean', 'number', 'bigint', 'string'].includes(typeof v)) return true;
  if (v instanceof BlobTuple) return v.every(isHashable);
  return (
    v instanceof Complex ||
    v instanceof Decimal ||
    v instanceof Uuid ||
    v instanceof Date ||
    v instanceof LocalDate ||
    v instanceof LocalTime ||
    v instanceof Uint8Array
  );
}

class Packer {
  dj0 = false;
  private readonly open = new Set<object>();

  item(v: unknown, path: string): Buffer {
    if (typeof v === 'object' && v !== null) {
      if (this.open.has(v)) throw new BlobError('circular reference: the value contains itself', { path });
      this.open.add(v);
      try {
        return this.objectItem(v, path);
      } finally {
        this.open.delete(v);
      }
    }
    // Everything but numeric/char/bool arrays of ndim >= 1 and MATLAB cells/structs
    // needs the extended protocol (blob.py: pack_blob calls set_dj0).
    this.dj0 = true;
    if (v === null || v === undefined) return code(0xff);
    switch (typeof v) {
      case 'boolean':
        return Buffer.from([0x0b, v ? 1 : 0]);
      case 'bigint':
        return packInt(v, path);
      case 'number': {
        const b = Buffer.allocUnsafe(9);
        b[0] = 0x0d;
        b.writeDoubleLE(v, 1);
        return b;
      }
      case 'string': {
        const s = utf8(v, path);
        return Buffer.concat([code(0x05), u64(s.length), s]);
      }
      default:
        throw new BlobError(`cannot pack a value of type ${typeof v}`, { path });
    }
  }

  private objectItem(v: object, path: string): Buffer {
    if (v instanceof MatCell) return this.cell(v, path);
    if (v instanceof MatStruct) return this.struct(v, path);
    if (v instanceof NDArray) return this.array(v, path);
    if (ArrayBuffer.isView(v) && !(v instanceof Uint8Array) && !(v instanceof DataView)) {
      const dtype = dtypeOfTypedArray(v);
      if (dtype !== undefined) return this.array(new NDArray(dtype, [(v as TypedData).length], v as TypedData), path);
    }
    this.dj0 = true;
    if (v instanceof StructuredArray) return this.recarray(v, path);
    if (v instanceof Complex) {
      const b = Buffer.allocUnsafe(17);
      b[0] = 0x0c;
      b.writeDoubleLE(v.re, 1);
      b.writeDoubleLE(v.im, 9);
      return b;
    }
    if (v instanceof Date || v instanceof LocalDate || v instanceof LocalTime) return packTemporal(v, path);
    if (v instanceof Decimal) {
      const s = Buffer.from(v.text, 'latin1');
      return Buffer.concat([code(0x64), u64(s.length), s]);
    }
    if (v instanceof Uuid) return Buffer.concat([code(0x75), Buffer.from(v.bytes)]);
    if (v instanceof Uint8Array) return Buffer.concat([code(0x06), u64(v.length), typedBytes(v)]);
    if (v instanceof ArrayBuffer) return Buffer.concat([code(0x06), u64(v.byteLength), Buffer.from(v)]);
    if (v instanceof BlobTuple) return this.sequence(0x01, v, path);
    if (Array.isArray(v)) return this.sequence(0x02, v, path);
    if (v instanceof Set) {
      for (const e of v) if (!isHashable(e)) throw new BlobError(`a set member of type ${describe(e)} is not hashable in Python`, { path });
      return this.sequence(0x03, [...v], path);
    }
    if (v instanceof Map) {
      const parts: Buffer[] = [code(0x04), u64(v.size)];
      let i = 0;
      for (const [k, val] of v) {
        if (!isHashable(k)) throw new BlobError(`a dict key of type ${describe(k)} is not hashable in Python`, { path });
        parts.push(this.framed(k, `${path}<key ${i}>`), this.framed(val, `${path}.get(${keyLabel(k)})`));
        i++;
      }
      return Buffer.concat(parts);
    }
    if (isPlainObject(v)) {
      const keys = Object.keys(v);
      const parts: Buffer[] = [code(0x04), u64(keys.length)];
      for (const k of keys) parts.push(this.framed(k, path), this.framed(v[k], `${path}${propLabel(k)}`));
      return Buffer.concat(parts);
    }
    throw new BlobError(`cannot pack a value of type ${describe(v)}`, { path });
  }

  // An item preceded by its u64 byte length, as inside lists, dicts, cells, structs.
  private framed(v: unknown, path: string): Buffer {
    const b = this.item(v, path);
    return Buffer.concat([u64(b.length), b]);
  }

  private sequence(c: number, items: readonly unknown[], path: string): Buffer {
    const parts: Buffer[] = [code(c), u64(items.length)];
    items.forEach((e, i) => parts.push(this.framed(e, `${path}[${i}]`)));
    return Buffer.concat(parts);
  }

  private header(prefix: number, a: { shape: readonly number[] }): Buffer[] {
    return [code(prefix), u64(a.shape.length), ...a.shape.map(u64)];
  }

  // blob.py: pack_array
  private array(a: NDArray, path: string): Buffer {
    const parts = this.header(0x41, a);
    parts.push(u32(dtypeId(a.dtype)), u32(a.imag ? 1 : 0));
    if (a.dtype === 'object') {
      this.dj0 = true;
      (a.data as unknown[]).forEach((e, i) => parts.push(this.framed(e, `${path}.data[${i}]`)));
    } else if (a.dtype === 'char') {
      // MATLAB chars are 16-bit: each byte widened to a u16.
      const src = a.data as Uint8Array;
      const b = Buffer.alloc(src.length * 2);
      src.forEach((c, i) => (b[2 * i] = c));
      parts.push(b);
    } else {
      if (a.ndim === 0 || a.dtype.startsWith('datetime64')) this.dj0 = true;
      parts.push(typedBytes(a.data as TypedData));
      if (a.imag) parts.push(typedBytes(a.imag));
    }
    return Buffer.concat(parts);
  }

  // blob.py: pack_recarray -- field arrays follow without length prefixes.
  private recarray(r: StructuredArray, path: string): Buffer {
    const parts: Buffer[] = [code(0x46), u32(r.names.length), Buffer.from(r.names.join('\0') + '\0', 'utf8')];
    r.fields.forEach((f, i) => {
      const p = `${path}.${r.names[i]}`;
      parts.push(f instanceof StructuredArray ? this.recarray(f, p) : this.array(f, p));
    });
    return Buffer.concat(parts);
  }

  // blob.py: pack_cell_array
  private cell(c: MatCell, path: string): Buffer {
    const parts = this.header(0x43, c);
    c.data.forEach((e, i) => parts.push(this.framed(e, `${path}{${i}}`)));
    return Buffer.concat(parts);
  }

  // blob.py: pack_struct
  private struct(s: MatStruct, path: string): Buffer {
    const parts = this.header(0x53, s);
    parts.push(u32(s.fieldNames.length), Buffer.from(s.fieldNames.join('\0') + '\0', 'utf8'));
    s.elements.forEach((el, i) => {
      for (const f of s.fieldNames) parts.push(this.framed(Object.hasOwn(el, f) ? el[f] : null, `${path}(${i}).${f}`));
    });
    return Buffer.concat(parts);
  }
}

function propLabel(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
}
function keyLabel(k: unknown): string {
  return typeof k === 'string' ? JSON.stringify(k) : typeof k === 'bigint' ? `${k}n` : String(k);
}

// blob.py: pack_int -- n = bit_length(|v|) // 8 + 1 bytes of two's complement.
function packInt(v: bigint, path: string): Buffer {
  const abs = v < 0n ? -v : v;
  const bitLength = abs === 0n ? 0 : abs.toString(2).length;
  const n = Math.floor(bitLength / 8) + 1;
  if (n > MAX_INT_BYTES) throw new BlobError(`integers are limited to ${MAX_INT_BYTES} bytes`, { path });
  let x = v < 0n ? (1n << BigInt(8 * n)) + v : v;
  const b = Buffer.alloc(3 + n);
  b[0] = 0x0a;
  b.writeUInt16LE(n, 1);
  for (let i = 0; i < n; i++) {
    b[3 + i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return b;
}

// blob.py: pack_datetime -- date as YYYYMMDD (i32), time as HHMMSS * 1e6 + µs (i64), -1 when absent.
function packTemporal(v: Date | LocalDate | LocalTime, path: string): Buffer {
  let date = -1;
  let time = -1n;
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new BlobError('cannot pack an invalid Date', { path });
    const y = v.getUTCFullYear();
    if (!validDate(y, v.getUTCMonth() + 1, v.getUTCDate())) throw new BlobError(`year ${y} is outside Python's 1..9999`, { path });
    date = (y * 100 + v.getUTCMonth() + 1) * 100 + v.getUTCDate();
    const hms = (v.getUTCHours() * 100 + v.getUTCMinutes()) * 100 + v.getUTCSeconds();
    time = BigInt(hms) * 1_000_000n + BigInt(v instanceof DateTime ? v.microsecond : microsecondOf(v));
  } else if (v instanceof LocalDate) {
    date = (v.year * 100 + v.month) * 100 + v.day;
  } else {
    time = BigInt((v.hour * 100 + v.minute) * 100 + v.second) * 1_000_000n + BigInt(v.microsecond);
  }
  const b = Buffer.alloc(13);
  b[0] = 0x74;
  b.writeInt32LE(date, 1);
  b.writeBigInt64LE(time, 5);
  return b;
}
