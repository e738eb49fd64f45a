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
  const p = new Packer();
  p.w.bytes(PROTOCOL_MYM); // replaced by dj0 below when anything needs it
  p.item(value, '$');
  const blob = p.w.finish();
  if (p.dj0) PROTOCOL_DJ0.copy(blob, 0);
  if ((options.compress ?? true) && blob.length > COMPRESSION_THRESHOLD) {
    const size = Buffer.allocUnsafe(8);
    size.writeBigUInt64LE(BigInt(blob.length));
    const compressed = Buffer.concat([COMPRESSION_PREFIX, size, deflateSync(blob)]);
    if (compressed.length < blob.length) return compressed;
  }
  return blob;
}

// One growing buffer; lengths of nested items are reserved and patched afterwards, so
// packing a long list does not allocate a buffer per element.
class Writer {
  private buf = Buffer.allocUnsafe(256);
  len = 0;
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  byte(c: number): void {
    this.ensure(1);
    this.buf[this.len++] = c;
  }
  u16(n: number): void {
    this.ensure(2);
    this.len = this.buf.writeUInt16LE(n, this.len);
  }
  u32(n: number): void {
    this.ensure(4);
    this.len = this.buf.writeUInt32LE(n, this.len);
  }
  i32(n: number): void {
    this.ensure(4);
    this.len = this.buf.writeInt32LE(n, this.len);
  }
  u64(n: number | bigint): void {
    this.ensure(8);
    this.len = this.buf.writeBigUInt64LE(BigInt(n), this.len);
  }
  i64(n: bigint): void {
    this.ensure(8);
    this.len = this.buf.writeBigInt64LE(n, this.len);
  }
  f64(x: number): void {
    this.ensure(8);
    this.len = this.buf.writeDoubleLE(x, this.len);
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  /** Reserves a u64 length field; returns its position for patch(). */
  reserve(): number {
    this.ensure(8);
    this.len += 8;
    return this.len - 8;
  }
  patch(at: number): void {
    this.buf.writeBigUInt64LE(BigInt(this.len - at - 8), at);
  }
  finish(): Buffer {
    // Give back a large unused tail rather than keep it alive with the blob.
    const spare = this.buf.length - this.len;
    return spare > 65536 && spare > this.len / 4 ? Buffer.from(this.buf.subarray(0, this.len)) : this.buf.subarray(0, this.len);
  }
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
function typedBytes(a: TypedData | Uint8ClampedArray): Uint8Array {
  if (!LITTLE_ENDIAN) throw new BlobError('blob arrays are little-endian; big-endian hosts are not supported');
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
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
  readonly w = new Writer();
  dj0 = false;
  private readonly open = new Set<object>();

  item(v: unknown, path: string): void {
    if (typeof v === 'object' && v !== null) {
      if (this.open.has(v)) throw new BlobError('circular reference: the value contains itself', { path });
      this.open.add(v);
      try {
        this.objectItem(v, path);
      } finally {
        this.open.delete(v);
      }
      return;
    }
    // Everything but numeric/char/bool arrays of ndim >= 1 and MATLAB cells/structs
    // needs the extended protocol (blob.py: pack_blob calls set_dj0).
    this.dj0 = true;
    const w = this.w;
    if (v === null || v === undefined) return w.byte(0xff);
    switch (typeof v) {
      case 'boolean':
        w.byte(0x0b);
        return w.byte(v ? 1 : 0);
      case 'bigint':
        return this.int(v, path);
      case 'number':
        w.byte(0x0d);
        return w.f64(v);
      case 'string': {
        const s = utf8(v, path);
        w.byte(0x05);
        w.u64(s.length);
        return w.bytes(s);
      }
      default:
        throw new BlobError(`cannot pack a value of type ${typeof v}`, { path });
    }
  }

  private objectItem(v: object, path: string): void {
    const w = this.w;
    if (v instanceof MatCell) return this.cell(v, path);
    if (v instanceof MatStruct) return this.struct(v, path);
    if (v instanceof NDArray) return this.array(v, path);
    if (ArrayBuffer.isView(v) && !(v instanceof Uint8Array) && !(v instanceof DataView)) {
      const dtype = dtypeOfTypedArray(v);
      if (dtype !== undefined) {
        const data = v instanceof Uint8ClampedArray ? new Uint8Array(v.buffer, v.byteOffset, v.length) : (v as TypedData);
        return this.array(new NDArray(dtype, [data.length], data), path);
      }
    }
    this.dj0 = true;
    if (v instanceof StructuredArray) return this.recarray(v, path);
    if (v instanceof Complex) {
      w.byte(0x0c);
      w.f64(v.re);
      return w.f64(v.im);
    }
    if (v instanceof Date || v instanceof LocalDate || v instanceof LocalTime) return this.temporal(v, path);
    if (v instanceof Decimal) {
      const s = Buffer.from(v.text, 'latin1');
      w.byte(0x64);
      w.u64(s.length);
      return w.bytes(s);
    }
    if (v instanceof Uuid) {
      w.byte(0x75);
      return w.bytes(v.bytes);
    }
    if (v instanceof Uint8Array || v instanceof ArrayBuffer) {
      const b = v instanceof ArrayBuffer ? new Uint8Array(v) : v;
      w.byte(0x06);
      w.u64(b.length);
      return w.bytes(b);
    }
    if (v instanceof BlobTuple) return this.sequence(0x01, v, path);
    if (Array.isArray(v)) return this.sequence(0x02, v, path);
    if (v instanceof Set) {
      for (const e of v) if (!isHashable(e)) throw new BlobError(`a set member of type ${describe(e)} is not hashable in Python`, { path });
      return this.sequence(0x03, [...v], path);
    }
    if (v instanceof Map) {
      w.byte(0x04);
      w.u64(v.size);
      let i = 0;
      for (const [k, val] of v) {
        if (!isHashable(k)) throw new BlobError(`a dict key of type ${describe(k)} is not hashable in Python`, { path });
        this.framed(k, `${path}<key ${i}>`);
        this.framed(val, `${path}.get(${keyLabel(k)})`);
        i++;
      }
      return;
    }
    if (isPlainObject(v)) {
      const keys = Object.keys(v);
      w.byte(0x04);
      w.u64(keys.length);
      for (const k of keys) {
        this.framed(k, path);
        this.framed(v[k], `${path}${propLabel(k)}`);
      }
      return;
    }
    throw new BlobError(`cannot pack a value of type ${describe(v)}`, { path });
  }

  // An item preceded by its u64 byte length, as inside lists, dicts, cells, structs.
  private framed(v: unknown, path: string): void {
    const at = this.w.reserve();
    this.item(v, path);
    this.w.patch(at);
  }

  private sequence(c: number, items: readonly unknown[], path: string): void {
    this.w.byte(c);
    this.w.u64(items.length);
    for (let i = 0; i < items.length; i++) this.framed(items[i], `${path}[${i}]`);
  }

  private header(c: number, shape: readonly number[]): void {
    this.w.byte(c);
    this.w.u64(shape.length);
    for (const d of shape) this.w.u64(d);
  }

  // blob.py: pack_array
  private array(a: NDArray, path: string): void {
    const w = this.w;
    this.header(0x41, a.shape);
    w.u32(dtypeId(a.dtype));
    w.u32(a.imag ? 1 : 0);
    if (a.dtype === 'object') {
      this.dj0 = true;
      (a.data as unknown[]).forEach((e, i) => this.framed(e, `${path}.data[${i}]`));
    } else if (a.dtype === 'char') {
      // MATLAB chars are 16-bit: each byte widened to a u16.
      for (const c of a.data as Uint8Array) w.u16(c);
    } else {
      if (a.ndim === 0 || a.dtype.startsWith('datetime64')) this.dj0 = true;
      w.bytes(typedBytes(a.data as TypedData));
      if (a.imag) w.bytes(typedBytes(a.imag));
    }
  }

  // blob.py: pack_recarray -- field arrays follow without length prefixes.
  private recarray(r: StructuredArray, path: string): void {
    this.w.byte(0x46);
    this.w.u32(r.names.length);
    this.w.bytes(Buffer.from(r.names.join('\0') + '\0', 'utf8'));
    r.fields.forEach((f, i) => {
      const p = `${path}.${r.names[i]}`;
      if (f instanceof StructuredArray) this.recarray(f, p);
      else this.array(f, p);
    });
  }

  // blob.py: pack_cell_array
  private cell(c: MatCell, path: string): void {
    this.header(0x43, c.shape);
    c.data.forEach((e, i) => this.framed(e, `${path}{${i}}`));
  }

  // blob.py: pack_struct
  private struct(s: MatStruct, path: string): void {
    this.header(0x53, s.shape);
    this.w.u32(s.fieldNames.length);
    this.w.bytes(Buffer.from(s.fieldNames.join('\0') + '\0', 'utf8'));
    s.elements.forEach((el, i) => {
      for (const f of s.fieldNames) this.framed(Object.hasOwn(el, f) ? el[f] : null, `${path}(${i}).${f}`);
    });
  }

  // blob.py: pack_int -- n = bit_length(|v|) // 8 + 1 bytes of two's complement.
  private int(v: bigint, path: string): void {
    const abs = v < 0n ? -v : v;
    const bitLength = abs === 0n ? 0 : abs.toString(2).length;
    const n = Math.floor(bitLength / 8) + 1;
    if (n > MAX_INT_BYTES) throw new BlobError(`integers are limited to ${MAX_INT_BYTES} bytes`, { path });
    let x = v < 0n ? (1n << BigInt(8 * n)) + v : v;
    this.w.byte(0x0a);
    this.w.u16(n);
    for (let i = 0; i < n; i++) {
      this.w.byte(Number(x & 0xffn));
      x >>= 8n;
    }
  }

  // blob.py: pack_datetime -- date as YYYYMMDD (i32), time as HHMMSS * 1e6 + µs (i64), -1 when absent.
  private temporal(v: Date | LocalDate | LocalTime, path: string): void {
    let date = -1;
    let time = -1n;
    if (v instanceof Date) {
      if (Number.isNaN(v.getTime())) throw new BlobError('cannot pack an invalid Date', { path });
      const y = v.getUTCFullYear();
      if (!validDate(y, v.getUTCMonth() + 1, v.getUTCDate())) throw new BlobError(`year ${y} is outside Python's 1..9999`, { path });
      date = (y * 100 + v.getUTCMonth() + 1) * 100 + v.getUTCDate();
      const hms = (v.getUTCHours() * 100 + v.getUTCMinutes()) * 100 + v.getUTCSeconds();
      time = BigInt(hms) * 1_000_000n + BigInt(microsecondOf(v));
    } else if (v instanceof LocalDate) {
      date = (v.year * 100 + v.month) * 100 + v.day;
    } else {
      time = BigInt((v.hour * 100 + v.minute) * 100 + v.second) * 1_000_000n + BigInt(v.microsecond);
    }
    this.w.byte(0x74);
    this.w.i32(date);
    this.w.i64(time);
  }
}

function propLabel(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
}
function keyLabel(k: unknown): string {
  return typeof k === 'string' ? JSON.stringify(k) : typeof k === 'bigint' ? `${k}n` : String(k);
}
