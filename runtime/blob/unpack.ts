// Decoder of the DataJoint blob format (blob.py: Blob.unpack), for blobs written by
// DataJoint for Python or MATLAB (mYm) and by packBlob.
//
// Hostile input: every length and count is checked against the bytes that remain before
// anything is allocated, nesting is bounded, and the decompressed size is bounded by the
// size the header declares; every failure is a BlobError with the byte offset.

import { inflateSync } from 'node:zlib';
import { constants as bufferConstants } from 'node:buffer';
import { BlobError } from './errors';
import { COMPRESSION_PREFIX, PROTOCOL_DJ0, PROTOCOL_MYM } from './pack';
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
  dtypeFromId,
  typedArrayClass,
  validDate,
  validTime,
  type TypedData,
} from './types';

export interface UnpackOptions {
  /**
   * How Python ints (0x0A) come back: `auto` (default) gives a number when it is a safe
   * integer and a bigint otherwise; `bigint` always gives a bigint.
   */
  ints?: 'auto' | 'bigint';
  /**
   * Read lengths, counts and dimensions as u32 instead of u64, for blobs written by the
   * 32-bit MATLAB mYm library (blob.py: use_32bit_dims). Default false.
   */
  dims32?: boolean;
}

// Deep enough for any real data; shallow enough that a forged blob of nested list
// headers cannot overflow the JS stack.
const MAX_DEPTH = 512;

/** Deserializes DataJoint blob bytes (optionally zlib-compressed) into a JS value. */
export function unpackBlob(input: Uint8Array, options: UnpackOptions = {}): unknown {
  let buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const width = options.dims32 ? 4 : 8;
  if (startsWith(buf, COMPRESSION_PREFIX)) buf = decompress(buf, width);
  if (buf.length < 4) throw new BlobError('blob is too short to hold a protocol header', { offset: buf.length });
  const protocol = buf.subarray(0, 4);
  if (!protocol.equals(PROTOCOL_DJ0) && !protocol.equals(PROTOCOL_MYM)) {
    // blob.py returns None for an unknown protocol; we refuse (reference §11.3 decision 18).
    throw new BlobError(`unknown blob protocol ${JSON.stringify(protocol.toString('latin1'))} (expected "dj0" or "mYm")`, {
      offset: 0,
    });
  }
  const r = new Reader(buf, 4, options.ints ?? 'auto', width);
  const value = r.item(0);
  if (r.pos !== buf.length) {
    throw new BlobError(`blob has ${buf.length - r.pos} trailing bytes after its value`, { offset: r.pos });
  }
  return value;
}

function startsWith(buf: Buffer, prefix: Buffer): boolean {
  return buf.length >= prefix.length && buf.subarray(0, prefix.length).equals(prefix);
}

function decompress(buf: Buffer, width: 4 | 8): Buffer {
  const at = COMPRESSION_PREFIX.length;
  if (buf.length < at + width) throw new BlobError('compressed blob is too short to hold its size', { offset: buf.length });
  const declared = width === 8 ? buf.readBigUInt64LE(at) : BigInt(buf.readUInt32LE(at));
  if (declared > BigInt(bufferConstants.MAX_LENGTH)) {
    throw new BlobError(`compressed blob declares an impossible size of ${declared} bytes`, { offset: at });
  }
  const size = Number(declared);
  let out: Buffer;
  try {
    // Never inflate past the declared size: a forged stream cannot make us allocate more.
    out = inflateSync(buf.subarray(at + width), { maxOutputLength: Math.max(1, size) });
  } catch (e) {
    const why = e instanceof RangeError ? `inflates to more than the declared ${size} bytes` : (e as Error).message;
    throw new BlobError(`corrupt compressed blob: ${why}`, { offset: at + width });
  }
  if (out.length !== size) throw new BlobError(`blob size mismatch: expected ${size}, got ${out.length}`, { offset: at });
  return out;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

class Reader {
  constructor(
    private readonly buf: Buffer,
    public pos: number,
    private readonly ints: 'auto' | 'bigint',
    /** Width of lengths, counts and dimensions: 8, or 4 for 32-bit mYm blobs. */
    private readonly w: 4 | 8,
  ) {}

  private get remaining(): number {
    return this.buf.length - this.pos;
  }
  private fail(message: string, offset = this.pos): never {
    throw new BlobError(message, { offset });
  }
  private need(n: number, what: string): void {
    if (n > this.remaining) this.fail(`truncated blob: ${what} needs ${n} bytes, ${this.remaining} remain`);
  }
  private u8(): number {
    this.need(1, 'a byte');
    return this.buf[this.pos++]!;
  }
  private u16(): number {
    this.need(2, 'a u16');
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }
  private u32(): number {
    this.need(4, 'a u32');
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  private i32(): number {
    this.need(4, 'an i32');
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  private i64(): bigint {
    this.need(8, 'an i64');
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return v;
  }
  private f64(): number {
    this.need(8, 'a float64');
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }
  /**
   * A u64 length or count. `unit` is the fewest bytes each counted thing occupies, so a
   * forged count larger than the rest of the blob could hold is refused before looping.
   */
  private size(what: string, unit: number): number {
    const at = this.pos;
    this.need(this.w, what);
    const v = this.w === 8 ? this.buf.readBigUInt64LE(this.pos) : BigInt(this.buf.readUInt32LE(this.pos));
    this.pos += this.w;
    if (v * BigInt(unit) > BigInt(this.remaining)) {
      this.fail(`${what} of ${v} exceeds the ${this.remaining} bytes that remain`, at);
    }
    return Number(v);
  }
  private bytes(n: number): Buffer {
    this.need(n, 'data');
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  private utf8(n: number): string {
    const at = this.pos;
    try {
      return utf8Decoder.decode(this.bytes(n));
    } catch (e) {
      if (e instanceof BlobError) throw e;
      return this.fail('string is not valid UTF-8', at);
    }
  }
  private zeroTerminated(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) this.fail('unterminated field name');
    const at = this.pos;
    this.pos = end + 1;
    try {
      return utf8Decoder.decode(this.buf.subarray(at, end));
    } catch {
      return this.fail('field name is not valid UTF-8', at);
    }
  }

  /** One item; `depth` bounds recursion. */
  item(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`blob nests deeper than ${MAX_DEPTH} levels`);
    const at = this.pos;
    const c = this.u8();
    switch (c) {
      case 0xff:
        return null;
      case 0x0b:
        return this.u8() !== 0;
      case 0x0a:
        return this.int();
      case 0x0d:
        return this.f64();
      case 0x0c: {
        const re = this.f64();
        return new Complex(re, this.f64());
      }
      case 0x05:
        return this.utf8(this.size('string length', 1));
      case 0x06:
        return Buffer.from(this.bytes(this.size('bytes length', 1)));
      case 0x01:
        return BlobTuple.fromItems(this.framedItems(depth));
      case 0x02:
        return this.framedItems(depth);
      case 0x03:
        return new Set(this.framedItems(depth));
      case 0x04:
        return this.dict(depth);
      case 0x64: {
        const text = this.bytes(this.size('decimal length', 1)).toString('latin1');
        try {
          return new Decimal(text);
        } catch {
          return this.fail(`invalid decimal ${JSON.stringify(text)}`, at);
        }
      }
      case 0x74:
        return this.temporal(at);
      case 0x75:
        return new Uuid(this.bytes(16));
      case 0x41:
        return this.array(depth);
      case 0x46:
        return this.recarray(depth);
      case 0x53:
        return this.struct(depth);
      case 0x43:
        return this.cell(depth);
      case 0x50:
        return this.fail('MATLAB sparse arrays are not supported', at);
      default:
        return this.fail(`unknown data structure code 0x${c.toString(16).padStart(2, '0')}`, at);
    }
  }

  // An item preceded by its u64 length, which must match what the item consumes
  // (blob.py: read_blob(n_bytes) -> "Blob length check failed").
  private framed(depth: number): unknown {
    const at = this.pos;
    const n = this.size('item length', 1);
    const start = this.pos;
    const v = this.item(depth + 1);
    if (this.pos - start !== n) this.fail(`item length ${n} does not match the ${this.pos - start} bytes its value used`, at);
    return v;
  }
  private framedItems(depth: number): unknown[] {
    const n = this.size('item count', this.w + 1);
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(this.framed(depth));
    return out;
  }

  private int(): number | bigint {
    const n = this.u16();
    const b = this.bytes(n);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (n > 0 && b[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
    if (this.ints === 'auto' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
    return v;
  }

  // Plain object when every key is a string (the common case), else a Map.
  private dict(depth: number): Record<string, unknown> | Map<unknown, unknown> {
    const n = this.size('dict size', 2 * (this.w + 1));
    const pairs: [unknown, unknown][] = [];
    for (let i = 0; i < n; i++) {
      const k = this.framed(depth);
      pairs.push([k, this.framed(depth)]);
    }
    if (!pairs.every(([k]) => typeof k === 'string')) return new Map(pairs);
    const o: Record<string, unknown> = {};
    for (const [k, v] of pairs) Object.defineProperty(o, k as string, { value: v, enumerable: true, writable: true, configurable: true });
    return o;
  }

  // blob.py: read_datetime -- a negative field means "absent".
  private temporal(at: number): DateTime | LocalDate | LocalTime | null {
    const date = this.i32();
    const time = this.i64();
    let d: [number, number, number] | undefined;
    let t: [number, number, number, number] | undefined;
    if (date >= 0) {
      d = [Math.floor(date / 10000), Math.floor(date / 100) % 100, date % 100];
      if (!validDate(...d)) this.fail(`invalid date ${date}`, at);
    }
    if (time >= 0n) {
      const us = Number(time % 1_000_000n);
      const hms = time / 1_000_000n;
      t = [Number((hms / 10000n) % 100n), Number((hms / 100n) % 100n), Number(hms % 100n), us];
      if (hms >= 1_000_000n || !validTime(...t)) this.fail(`invalid time ${time}`, at);
    }
    if (d && t) return DateTime.fromParts(...d, ...t);
    if (d) return new LocalDate(...d);
    if (t) return new LocalTime(...t);
    return null; // blob.py yields None when both parts are absent
  }

  private shape(what: string): number[] {
    const ndim = this.size(`${what} dimension count`, this.w);
    const shape: number[] = [];
    for (let i = 0; i < ndim; i++) {
      const at = this.pos;
      this.need(this.w, 'a dimension');
      const d = this.w === 8 ? this.buf.readBigUInt64LE(this.pos) : BigInt(this.buf.readUInt32LE(this.pos));
      this.pos += this.w;
      if (d > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} dimension ${d} is too large`, at);
      shape.push(Number(d));
    }
    return shape;
  }
  // Number of elements, refused when the rest of the blob cannot hold them.
  private elementCount(shape: readonly number[], bytesEach: number, at: number): number {
    let n = 1n;
    for (const d of shape) n *= BigInt(d);
    if (n * BigInt(bytesEach) > BigInt(this.remaining)) {
      this.fail(`array of shape [${shape.join(', ')}] needs more than the ${this.remaining} bytes that remain`, at);
    }
    return Number(n);
  }

  // blob.py: read_array
  private array(depth: number): NDArray | string {
    const at = this.pos - 1;
    const shape = this.shape('array');
    const typeId = this.u32();
    const isComplex = this.u32() !== 0;
    const dtype = dtypeFromId(typeId);
    if (dtype === undefined) this.fail(`unsupported array element type id ${typeId}`, at);
    if (isComplex && (dtype === 'bool' || dtype === 'char' || dtype === 'object' || dtype.startsWith('datetime64'))) {
      this.fail(`a '${dtype}' array cannot be complex`, at);
    }
    if (dtype === 'object') {
      const n = this.elementCount(shape, this.w + 1, at);
      const data: unknown[] = [];
      for (let i = 0; i < n; i++) data.push(this.framed(depth));
      return new NDArray('object', shape, data);
    }
    if (dtype === 'char') {
      // MATLAB chars are u16; blob.py keeps the low byte of each.
      const n = this.elementCount(shape, 2, at);
      const raw = this.bytes(2 * n);
      const data = new Uint8Array(n);
      for (let i = 0; i < n; i++) data[i] = raw[2 * i]!;
      // blob.py joins a row of characters into one string.
      if (shape.length === 1 || (shape.length === 2 && shape[0] === 1)) return Buffer.from(data).toString('latin1');
      return new NDArray('char', shape, data);
    }
    const Ctor = typedArrayClass(dtype)!;
    const n = this.elementCount(shape, Ctor.BYTES_PER_ELEMENT * (isComplex ? 2 : 1), at);
    const data = this.typed(Ctor, n);
    const imag = isComplex ? this.typed(Ctor, n) : undefined;
    return new NDArray(dtype, shape, data, imag);
  }
  private typed(Ctor: { new (n: number): TypedData; readonly BYTES_PER_ELEMENT: number }, n: number): TypedData {
    const out = new Ctor(n);
    // Copy into the fresh (aligned) buffer; the blob's offsets are not aligned.
    new Uint8Array(out.buffer).set(this.bytes(n * Ctor.BYTES_PER_ELEMENT));
    return out;
  }

  // blob.py: read_recarray -- field arrays follow without length prefixes.
  private recarray(depth: number): StructuredArray | null {
    const at = this.pos - 1;
    const nFields = this.u32();
    if (nFields === 0) return null; // blob.py: an empty structured array reads as None
    if (nFields > this.remaining) this.fail(`structured array declares ${nFields} fields`, at);
    const names: string[] = [];
    for (let i = 0; i < nFields; i++) names.push(this.zeroTerminated());
    const fields: (NDArray | StructuredArray)[] = [];
    for (let i = 0; i < nFields; i++) {
      const fieldAt = this.pos;
      const f = this.item(depth + 1);
      if (!(f instanceof NDArray || f instanceof StructuredArray)) this.fail('a structured array field must be an array', fieldAt);
      fields.push(f);
    }
    return new StructuredArray(names, fields);
  }

  // blob.py: read_struct -- elements in column-major order, each a framed item per field.
  private struct(depth: number): MatStruct | null {
    const at = this.pos - 1;
    const shape = this.shape('struct');
    const nFields = this.u32();
    if (nFields === 0) return null; // blob.py returns an empty array and reads no elements
    if (nFields > this.remaining) this.fail(`struct declares ${nFields} fields`, at);
    const names: string[] = [];
    for (let i = 0; i < nFields; i++) names.push(this.zeroTerminated());
    const n = this.elementCount(shape, (this.w + 1) * nFields, at);
    const elements: Record<string, unknown>[] = [];
    for (let i = 0; i < n; i++) {
      const el: Record<string, unknown> = {};
      for (const name of names) {
        Object.defineProperty(el, name, { value: this.framed(depth), enumerable: true, writable: true, configurable: true });
      }
      elements.push(el);
    }
    return new MatStruct(shape, names, elements);
  }

  // blob.py: read_cell_array
  private cell(depth: number): MatCell {
    const at = this.pos - 1;
    const shape = this.shape('cell');
    const n = this.elementCount(shape, this.w + 1, at);
    const data: unknown[] = [];
    for (let i = 0; i < n; i++) data.push(this.framed(depth));
    return new MatCell(shape, data);
  }
}
