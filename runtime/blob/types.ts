// JavaScript stand-ins for the Python/NumPy/MATLAB values a DataJoint blob can hold
// (blob.py). Plain JS values cover most of them (null, boolean, number, bigint, string,
// Buffer, Array, Set, Map, plain objects, Date); the classes here cover the rest, so that
// a blob written by Python decodes to something that re-encodes to the same bytes.

import { BlobError } from './errors';

// --- numeric arrays ----------------------------------------------------------------------

export type DateTimeUnit = 'Y' | 'M' | 'W' | 'D' | 'h' | 'm' | 's' | 'ms' | 'us' | 'ns' | 'ps' | 'fs' | 'as';
export type NumericDType =
  | 'float64'
  | 'float32'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64';
/** NumPy dtypes a blob array can carry: `char` is MATLAB's char (one byte per element). */
export type DType = NumericDType | 'bool' | 'char' | 'object' | `datetime64[${DateTimeUnit}]`;

export type TypedData =
  | Float64Array
  | Float32Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;
export type NDData = TypedData | unknown[];

// blob.py: deserialize_lookup. Ids 0, 1, 2 and 16 (UNKNOWN, CELL, STRUCT, FUNCTION) name
// no element type and cannot occur in a valid array item.
export const DATETIME_UNITS: readonly DateTimeUnit[] = ['Y', 'M', 'W', 'D', 'h', 'm', 's', 'ms', 'us', 'ns', 'ps', 'fs', 'as'];
const DTYPE_IDS: ReadonlyMap<string, number> = new Map<string, number>([
  ['bool', 3],
  ['char', 4],
  ['object', 5],
  ['float64', 6],
  ['float32', 7],
  ['int8', 8],
  ['uint8', 9],
  ['int16', 10],
  ['uint16', 11],
  ['int32', 12],
  ['uint32', 13],
  ['int64', 14],
  ['uint64', 15],
  ...DATETIME_UNITS.map((u, i): [string, number] => [`datetime64[${u}]`, 65536 + i]),
]);
const DTYPE_BY_ID: ReadonlyMap<number, DType> = new Map([...DTYPE_IDS].map(([k, v]) => [v, k as DType]));

export function dtypeId(dtype: DType): number {
  const id = DTYPE_IDS.get(dtype);
  if (id === undefined) throw new BlobError(`unknown array dtype '${String(dtype)}'`);
  return id;
}
export function dtypeFromId(id: number): DType | undefined {
  return DTYPE_BY_ID.get(id);
}

type TypedCtor = { new (n: number): TypedData; readonly BYTES_PER_ELEMENT: number; readonly name: string };
/** The typed-array class that holds elements of a dtype (undefined for `object`). */
export function typedArrayClass(dtype: DType): TypedCtor | undefined {
  switch (dtype) {
    case 'float64':
      return Float64Array;
    case 'float32':
      return Float32Array;
    case 'int8':
      return Int8Array;
    case 'bool':
    case 'char':
    case 'uint8':
      return Uint8Array;
    case 'int16':
      return Int16Array;
    case 'uint16':
      return Uint16Array;
    case 'int32':
      return Int32Array;
    case 'uint32':
      return Uint32Array;
    case 'int64':
      return BigInt64Array;
    case 'uint64':
      return BigUint64Array;
    case 'object':
      return undefined;
    default:
      return BigInt64Array; // datetime64[unit]: int64 ticks
  }
}

/** The dtype a typed array encodes as when passed bare to packBlob (a 1-D array). */
export function dtypeOfTypedArray(a: ArrayBufferView): NumericDType | undefined {
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8ClampedArray) return 'uint8';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof BigUint64Array) return 'uint64';
  return undefined;
}

function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * An n-dimensional NumPy/MATLAB array. `data` holds the elements in column-major
 * (Fortran) order, as the blob stores them (blob.py reshapes with order='F'): element
 * (i, j) of a 2-D array is `data[i + j * shape[0]]`. `imag` holds the imaginary parts of
 * a complex array. A 0-dimensional array (NumPy scalar) has `shape = []` and one element.
 */
export class NDArray {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: NDData;
  readonly imag?: TypedData;

  constructor(dtype: DType, shape: readonly number[], data: NDData, imag?: TypedData) {
    if (!DTYPE_IDS.has(dtype)) throw new BlobError(`unknown array dtype '${String(dtype)}'`);
    for (const d of shape) {
      if (!Number.isSafeInteger(d) || d < 0) throw new BlobError(`array shape [${shape.join(', ')}] has an invalid dimension`);
    }
    const n = product(shape);
    const ctor = typedArrayClass(dtype);
    if (ctor === undefined) {
      if (!Array.isArray(data)) throw new BlobError(`an 'object' array needs a plain Array of elements`);
    } else if (!(data instanceof ctor)) {
      throw new BlobError(`a '${dtype}' array needs its elements in a ${ctor.name}`);
    }
    if (data.length !== n) {
      throw new BlobError(`array of shape [${shape.join(', ')}] needs ${n} elements, got ${data.length}`);
    }
    if (imag !== undefined) {
      if (ctor === undefined || dtype === 'bool' || dtype === 'char' || dtype.startsWith('datetime64')) {
        throw new BlobError(`a '${dtype}' array cannot be complex`);
      }
      if (!(imag instanceof ctor) || imag.length !== n) {
        throw new BlobError(`imaginary parts of a '${dtype}' array need a ${ctor.name} of ${n} elements`);
      }
    }
    this.dtype = dtype;
    this.shape = Object.freeze([...shape]);
    this.data = data;
    if (imag !== undefined) this.imag = imag;
  }

  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    return this.data.length;
  }

  /** A 1-D array from a typed array (the dtype follows the class; Uint8Array means uint8). */
  static from(data: TypedData, dtype?: DType): NDArray {
    const d = dtype ?? (data instanceof Uint8Array ? 'uint8' : dtypeOfTypedArray(data));
    if (d === undefined) throw new BlobError(`no dtype for ${data.constructor.name}`);
    return new NDArray(d, [data.length], data);
  }

  /** Builds an array from elements listed in row-major (C) order, the usual JS nesting order. */
  static fromRowMajor(dtype: DType, shape: readonly number[], rowMajor: NDData, imag?: TypedData): NDArray {
    return new NDArray(dtype, shape, reorder(rowMajor, shape, true), imag && (reorder(imag, shape, true) as TypedData));
  }

  /** The elements in row-major (C) order. */
  toRowMajor(): NDData {
    return reorder(this.data, this.shape, false);
  }

  /**
   * The elements as nested JS arrays, outermost index first (`a[i][j]` is element (i, j)),
   * as NumPy's tolist() gives them; a 0-dimensional array gives its one element.
   */
  toNested(): unknown {
    const rowMajor = this.toRowMajor();
    let pos = 0;
    const build = (axis: number): unknown => {
      if (axis === this.shape.length) return rowMajor[pos++];
      return Array.from({ length: this.shape[axis]! }, () => build(axis + 1));
    };
    return build(0);
  }

  /** Element at a multi-index (column-major addressing). */
  at(...index: number[]): unknown {
    if (index.length !== this.shape.length) throw new BlobError(`index needs ${this.shape.length} coordinates`);
    let flat = 0;
    let stride = 1;
    for (let k = 0; k < index.length; k++) {
      const i = index[k]!;
      if (!Number.isInteger(i) || i < 0 || i >= this.shape[k]!) throw new BlobError(`index ${i} out of range for axis ${k}`);
      flat += i * stride;
      stride *= this.shape[k]!;
    }
    return this.data[flat];
  }
}

// Converts between row-major and column-major element orders.
function reorder(src: NDData, shape: readonly number[], toColumnMajor: boolean): NDData {
  const n = src.length;
  const out: NDData = Array.isArray(src) ? new Array<unknown>(n) : new (src.constructor as TypedCtor)(n);
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  for (let c = 0; c < n; c++) {
    // idx is the multi-index of row-major position c
    let f = 0;
    let stride = 1;
    for (let k = 0; k < nd; k++) {
      f += idx[k]! * stride;
      stride *= shape[k]!;
    }
    if (toColumnMajor) (out as unknown[])[f] = (src as unknown[])[c];
    else (out as unknown[])[c] = (src as unknown[])[f];
    for (let k = nd - 1; k >= 0; k--) {
      if (++idx[k]! < shape[k]!) break;
      idx[k] = 0;
    }
  }
  return out;
}

// --- NumPy structured arrays and MATLAB containers ------------------------------------------

/** A NumPy structured array / recarray (`F` item): one array per field, all of one shape. */
export class StructuredArray {
  readonly names: readonly string[];
  readonly fields: readonly (NDArray | StructuredArray)[];
  constructor(names: readonly string[], fields: readonly (NDArray | StructuredArray)[]) {
    if (names.length === 0 || names.length !== fields.length) {
      throw new BlobError('a structured array needs one or more named fields, one array per name');
    }
    for (const n of names) {
      if (n.includes('\0')) throw new BlobError(`field name ${JSON.stringify(n)} contains a NUL character`);
    }
    this.names = Object.freeze([...names]);
    this.fields = Object.freeze([...fields]);
  }
  field(name: string): NDArray | StructuredArray | undefined {
    const i = this.names.indexOf(name);
    return i < 0 ? undefined : this.fields[i];
  }
}

/** A MATLAB cell array (`C` item); `data` in column-major order. */
export class MatCell {
  readonly shape: readonly number[];
  readonly data: readonly unknown[];
  constructor(shape: readonly number[], data: readonly unknown[]) {
    if (product(shape) !== data.length) throw new BlobError(`cell array of shape [${shape.join(', ')}] needs ${product(shape)} elements`);
    this.shape = Object.freeze([...shape]);
    this.data = data;
  }
}

/** A MATLAB struct array (`S` item); `elements` in column-major order, one record per element. */
export class MatStruct {
  readonly shape: readonly number[];
  readonly fieldNames: readonly string[];
  readonly elements: readonly Readonly<Record<string, unknown>>[];
  constructor(shape: readonly number[], fieldNames: readonly string[], elements: readonly Readonly<Record<string, unknown>>[]) {
    if (fieldNames.length === 0) throw new BlobError('a struct array needs at least one field');
    if (product(shape) !== elements.length) throw new BlobError(`struct array of shape [${shape.join(', ')}] needs ${product(shape)} elements`);
    for (const n of fieldNames) {
      if (n.includes('\0')) throw new BlobError(`field name ${JSON.stringify(n)} contains a NUL character`);
    }
    this.shape = Object.freeze([...shape]);
    this.fieldNames = Object.freeze([...fieldNames]);
    this.elements = elements;
  }
}

// --- Python scalars without a JS equivalent -------------------------------------------------

/** Python `tuple` (`0x01`). Plain JS arrays encode as lists (`0x02`). */
export class BlobTuple<T = unknown> extends Array<T> {
  static override of<T>(...items: T[]): BlobTuple<T> {
    return BlobTuple.fromItems(items);
  }
  /** A tuple of the items of an array (any length: no argument spreading). */
  static fromItems<T>(items: readonly T[]): BlobTuple<T> {
    const t = new BlobTuple<T>();
    for (const item of items) t.push(item);
    return t;
  }
}

/** Python `complex` (`0x0C`). */
export class Complex {
  constructor(
    readonly re: number,
    readonly im: number,
  ) {}
}

// Python's Decimal string syntax (decimal.py: _parser), which is what str(Decimal) yields.
const DECIMAL_TEXT = /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|Inf(?:inity)?|s?NaN\d*)$/i;

/** Python `decimal.Decimal` (`d`), kept as its exact text. */
export class Decimal {
  readonly text: string;
  constructor(text: string) {
    if (!DECIMAL_TEXT.test(text)) throw new BlobError(`invalid decimal literal ${JSON.stringify(text)}`);
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

/** Python `uuid.UUID` (`u`): 16 bytes in RFC 4122 order. */
export class Uuid {
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    if (bytes.length !== 16) throw new BlobError(`a UUID has 16 bytes, got ${bytes.length}`);
    this.bytes = Uint8Array.from(bytes);
  }
  /**
   * Parses the forms Python's `uuid.UUID(str)` accepts: 32 hex digits, with or without
   * hyphens, braces or a `urn:uuid:` prefix. Returns undefined when malformed.
   */
  static parse(text: string): Uuid | undefined {
    const hex = text.replace('urn:', '').replace('uuid:', '').replace(/^[{}]+|[{}]+$/g, '').replaceAll('-', '');
    if (!/^[0-9a-fA-F]{32}$/.test(hex)) return undefined;
    return new Uuid(Buffer.from(hex, 'hex'));
  }
  toString(): string {
    const h = Buffer.from(this.bytes).toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}

/** Python `datetime.date` (`t` with no time part). */
export class LocalDate {
  constructor(
    readonly year: number,
    readonly month: number,
    readonly day: number,
  ) {
    if (!validDate(year, month, day)) throw new BlobError(`invalid date ${year}-${month}-${day}`);
  }
  toString(): string {
    return `${pad(this.year, 4)}-${pad(this.month, 2)}-${pad(this.day, 2)}`;
  }
}

/** Python `datetime.time` (`t` with no date part). */
export class LocalTime {
  constructor(
    readonly hour: number,
    readonly minute: number,
    readonly second: number,
    readonly microsecond = 0,
  ) {
    if (!validTime(hour, minute, second, microsecond)) {
      throw new BlobError(`invalid time ${hour}:${minute}:${second}.${microsecond}`);
    }
  }
  toString(): string {
    return `${pad(this.hour, 2)}:${pad(this.minute, 2)}:${pad(this.second, 2)}.${pad(this.microsecond, 6)}`;
  }
}

/**
 * A `Date` that also keeps the microseconds a JS Date cannot hold, so that Python
 * datetimes and MySQL `datetime(6)` values survive a round trip. It is a Date in every
 * other respect (UTC by the DataJoint convention). `microsecond` is the full fraction of
 * the second, 0..999999; its milliseconds agree with `getUTCMilliseconds()`.
 */
export class DateTime extends Date {
  readonly microsecond: number;
  constructor(epochMs: number, microsecond?: number) {
    super(epochMs);
    const ms = this.getUTCMilliseconds();
    const us = microsecond ?? ms * 1000;
    if (!Number.isInteger(us) || Math.floor(us / 1000) !== ms) {
      throw new BlobError(`microsecond ${us} disagrees with the millisecond ${ms} of the date`);
    }
    this.microsecond = us;
  }
  static fromParts(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, microsecond = 0): DateTime {
    if (!validDate(year, month, day) || !validTime(hour, minute, second, microsecond)) {
      throw new BlobError(`invalid datetime ${year}-${month}-${day} ${hour}:${minute}:${second}.${microsecond}`);
    }
    const d = new Date(0);
    d.setUTCFullYear(year, month - 1, day);
    d.setUTCHours(hour, minute, second, Math.floor(microsecond / 1000));
    return new DateTime(d.getTime(), microsecond);
  }
  /** `YYYY-MM-DD HH:MM:SS.ffffff` in UTC. */
  toIsoMicro(): string {
    return `${pad(this.getUTCFullYear(), 4)}-${pad(this.getUTCMonth() + 1, 2)}-${pad(this.getUTCDate(), 2)} ${pad(
      this.getUTCHours(),
      2,
    )}:${pad(this.getUTCMinutes(), 2)}:${pad(this.getUTCSeconds(), 2)}.${pad(this.microsecond, 6)}`;
  }
}

/** Microseconds of the second of any Date (a DateTime keeps its sub-millisecond digits). */
export function microsecondOf(d: Date): number {
  return d instanceof DateTime ? d.microsecond : d.getUTCMilliseconds() * 1000;
}

export function validDate(y: number, m: number, d: number): boolean {
  if (![y, m, d].every(Number.isInteger) || y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[m - 1]!;
}
export function validTime(h: number, mi: number, s: number, us: number): boolean {
  return [h, mi, s, us].every(Number.isInteger) && h >= 0 && h < 24 && mi >= 0 && mi < 60 && s >= 0 && s < 60 && us >= 0 && us < 1e6;
}
function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}
