// One-line summaries of `<blob>` values for the rows grid: what it is (dtype and shape of
// an array, the size of a list or dict) and its first values. The grid reads only the
// first PREFIX_BYTES of each blob (page.ts); a blob that fits is decoded whole
// (runtime/blob unpackBlob), a longer one is summarised from its header, read here from
// the prefix (decompressed as far as it goes), so a page never transfers or decodes
// whole large blobs. The layout read is blob.py's (Blob.read_array and the type codes).
import { inflateSync } from 'node:zlib';
import { unpackBlob } from '../blob/unpack';
import { COMPRESSION_PREFIX, PROTOCOL_DJ0, PROTOCOL_MYM } from '../blob/pack';
import { BlobTuple, Complex, Decimal, LocalDate, LocalTime, MatCell, MatStruct, NDArray, StructuredArray, Uuid, dtypeFromId, typedArrayClass, type DType } from '../blob/types';

/** How much of each blob a page reads. */
export const PREFIX_BYTES = 8192;
/** Values listed after the type. */
const FIRST_VALUES = 6;
/** The longest summary. */
const MAX_SUMMARY = 160;
/** The most a truncated compressed prefix is inflated to. */
const MAX_PEEK_OUTPUT = 65536;

export interface BlobSummary {
  /** `float64 1000×3: 0.12, 0.5, …` */
  text: string;
  /** A longer description (size in bytes, compression, protocol). */
  title: string;
  /** The bytes could not be read as a blob. */
  error?: boolean;
}

const TYPE_NAMES: Record<number, string> = {
  0xff: 'None',
  0x0b: 'bool',
  0x0a: 'int',
  0x0d: 'float',
  0x0c: 'complex',
  0x05: 'string',
  0x06: 'bytes',
  0x01: 'tuple',
  0x02: 'list',
  0x03: 'set',
  0x04: 'dict',
  0x64: 'decimal',
  0x74: 'datetime',
  0x75: 'uuid',
  0x41: 'array',
  0x46: 'structured array',
  0x53: 'struct',
  0x43: 'cell array',
};

/** `12.3 MB`, `512 bytes`. */
export function byteSize(n: number): string {
  if (n < 1024) return `${n} byte${n === 1 ? '' : 's'}`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

function cap(text: string, max = MAX_SUMMARY): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The summary of a blob of `total` bytes of which `prefix` are the first (all of them
 * when `prefix.length === total`).
 */
export function summarizeBlob(prefix: Uint8Array, total: number): BlobSummary {
  const bytes = Buffer.from(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const size = byteSize(total);
  if (bytes.length >= total) {
    try {
      const value = unpackBlob(bytes);
      return { text: describeValue(value), title: `<blob> of ${size}${startsWith(bytes, COMPRESSION_PREFIX) ? ', compressed' : ''}` };
    } catch (e) {
      return { text: `unreadable blob (${size})`, title: (e as Error).message, error: true };
    }
  }
  const peeked = peekHeader(bytes);
  if (peeked === undefined) return { text: `unreadable blob (${size})`, title: 'The blob does not start with a DataJoint blob header (mYm or dj0).', error: true };
  return { text: cap(peeked), title: `<blob> of ${size}${startsWith(bytes, COMPRESSION_PREFIX) ? ', compressed' : ''}; summarised from its first ${byteSize(bytes.length)} ("Open value" decodes it all)` };
}

function startsWith(buf: Buffer, prefix: Buffer): boolean {
  return buf.length >= prefix.length && buf.subarray(0, prefix.length).equals(prefix);
}

/**
 * The start of a blob's serialized form: the prefix itself, or for a compressed blob
 * (`ZL123\0`, u64 size, zlib stream) as much as its first bytes inflate to. A sync
 * inflate refuses output over its cap instead of truncating it, so input is halved
 * until what it inflates to fits.
 */
function serializedStart(bytes: Buffer): Buffer | undefined {
  if (!startsWith(bytes, COMPRESSION_PREFIX)) return bytes;
  const stream = bytes.subarray(COMPRESSION_PREFIX.length + 8);
  for (let n = stream.length; n >= 16; n = Math.floor(n / 2)) {
    try {
      // Z_SYNC_FLUSH: a stream cut short gives what it has instead of an error.
      return inflateSync(stream.subarray(0, n), { finishFlush: 2, maxOutputLength: MAX_PEEK_OUTPUT });
    } catch (e) {
      if (!(e instanceof RangeError)) return undefined;
    }
  }
  return undefined;
}

/** What the top item of a truncated blob is, from its first bytes; undefined when it is no blob. */
function peekHeader(bytes: Buffer): string | undefined {
  const buf = serializedStart(bytes);
  if (!buf || buf.length < 5) return undefined;
  const protocol = buf.subarray(0, 4);
  if (!protocol.equals(PROTOCOL_DJ0) && !protocol.equals(PROTOCOL_MYM)) return undefined;
  const code = buf[4]!;
  const name = TYPE_NAMES[code];
  if (name === undefined) return undefined;
  let pos = 5;
  const u64 = (): number | undefined => {
    if (pos + 8 > buf.length) return undefined;
    const v = buf.readBigUInt64LE(pos);
    pos += 8;
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(v);
  };
  if (code === 0x41) {
    const ndim = u64();
    if (ndim === undefined || ndim > 64) return name;
    const shape: number[] = [];
    for (let i = 0; i < ndim; i++) {
      const d = u64();
      if (d === undefined) return name;
      shape.push(d);
    }
    if (pos + 8 > buf.length) return `array ${shapeText(shape)}`;
    const dtype = dtypeFromId(buf.readUInt32LE(pos));
    const complex = buf.readUInt32LE(pos + 4) !== 0;
    pos += 8;
    if (dtype === undefined) return `array ${shapeText(shape)}`;
    const head = `${dtype}${complex ? ' complex' : ''} ${shapeText(shape)}`;
    const first = firstStoredValues(buf, pos, dtype, shape);
    return first.length ? `${head}: ${first.join(', ')}, …` : head;
  }
  if (code === 0x01 || code === 0x02 || code === 0x03 || code === 0x04) {
    const n = u64();
    return n === undefined ? name : `${name} of ${n} ${code === 0x04 ? 'entries' : 'items'}`;
  }
  if (code === 0x05) {
    const n = u64();
    if (n === undefined) return name;
    return `string of ${n} bytes: ${JSON.stringify(buf.subarray(pos, Math.min(buf.length, pos + 60)).toString('utf8'))}…`;
  }
  if (code === 0x06) {
    const n = u64();
    return n === undefined ? name : `bytes (${byteSize(n)})`;
  }
  return name;
}

/**
 * The first elements in row-major order (as NumPy prints them) that the prefix holds:
 * elements are stored column-major, so beyond a vector the next row-major element may
 * lie past the prefix, where the list stops.
 */
function firstStoredValues(buf: Buffer, at: number, dtype: DType, shape: readonly number[]): string[] {
  const Ctor = typedArrayClass(dtype);
  if (!Ctor || dtype === 'char' || dtype === 'object') return [];
  const each = Ctor.BYTES_PER_ELEMENT;
  const count = shape.reduce((a, b) => a * b, 1);
  const out: string[] = [];
  for (let i = 0; i < Math.min(count, FIRST_VALUES); i++) {
    const offset = at + columnMajorIndex(i, shape) * each;
    if (offset + each > buf.length) break;
    const one = new Ctor(1);
    new Uint8Array(one.buffer).set(buf.subarray(offset, offset + each));
    out.push(elementText(one[0], dtype));
  }
  return out;
}

/** The column-major position of the row-major element `i`. */
function columnMajorIndex(i: number, shape: readonly number[]): number {
  let rest = i;
  const index: number[] = new Array<number>(shape.length).fill(0);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const d = shape[axis]!;
    index[axis] = d === 0 ? 0 : rest % d;
    rest = d === 0 ? 0 : Math.floor(rest / d);
  }
  let pos = 0;
  let stride = 1;
  for (let axis = 0; axis < shape.length; axis++) {
    pos += index[axis]! * stride;
    stride *= shape[axis]!;
  }
  return pos;
}

function shapeText(shape: readonly number[]): string {
  return shape.length === 0 ? 'scalar' : shape.join('×');
}

function elementText(v: unknown, dtype: DType): string {
  if (dtype === 'bool') return v ? 'True' : 'False';
  if (typeof v === 'number') return numberText(v);
  return String(v);
}

function numberText(n: number): string {
  if (Number.isInteger(n) || !Number.isFinite(n)) return String(n);
  const short = Number(n.toPrecision(6));
  return String(short);
}

/** A one-line description of a decoded blob value: its type, shape or size, and first values. */
export function describeValue(value: unknown): string {
  return cap(describe(value, 0));
}

function describe(v: unknown, depth: number): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return numberText(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 59)}…` : v);
  if (v instanceof NDArray) {
    const head = `${v.dtype}${v.imag ? ' complex' : ''} ${shapeText(v.shape)}`;
    if (v.size === 0) return `${head} (empty)`;
    if (v.dtype === 'object') return `${head}: ${(v.toRowMajor() as unknown[]).slice(0, FIRST_VALUES).map((x) => describe(x, depth + 1)).join(', ')}${v.size > FIRST_VALUES ? ', …' : ''}`;
    const first = Array.from(v.toRowMajor().slice(0, FIRST_VALUES) as ArrayLike<unknown>, (x) => elementText(x, v.dtype));
    return `${head}: ${first.join(', ')}${v.size > FIRST_VALUES ? ', …' : ''}`;
  }
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `bytes (${byteSize(v.byteLength)})`;
  if (v instanceof StructuredArray) return `structured array (${v.names.join(', ')})`;
  if (v instanceof MatStruct) return `struct ${shapeText(v.shape)} (${v.fieldNames.join(', ')})`;
  if (v instanceof MatCell) return `cell array ${shapeText(v.shape)}`;
  if (v instanceof Complex || v instanceof Decimal || v instanceof Uuid || v instanceof LocalDate || v instanceof LocalTime) return scalarText(v);
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Set) return `set of ${v.size} items`;
  if (v instanceof Map) return `dict of ${v.size} entries`;
  if (Array.isArray(v)) {
    const kind = v instanceof BlobTuple ? 'tuple' : 'list';
    if (depth > 0) return `${kind} of ${v.length}`;
    const first = v.slice(0, 3).map((x) => describe(x, depth + 1));
    return `${kind} of ${v.length}${first.length ? `: ${first.join(', ')}${v.length > 3 ? ', …' : ''}` : ''}`;
  }
  if (typeof v === 'object') {
    const keys = Object.keys(v);
    return `dict of ${keys.length} entries${keys.length ? ` (${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''})` : ''}`;
  }
  return String(v);
}

function scalarText(v: Complex | Decimal | Uuid | LocalDate | LocalTime): string {
  if (v instanceof Complex) return `${numberText(v.re)}${v.im < 0 ? '-' : '+'}${numberText(Math.abs(v.im))}j`;
  return v.toString();
}
