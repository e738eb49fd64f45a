// Properties of the codec over generated values: unpack(pack(x)) deep-equals x for every
// supported kind, and damaged blobs fail with a BlobError (never another exception, a
// hang or a huge allocation).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BlobError,
  BlobTuple,
  Complex,
  DateTime,
  Decimal,
  LocalDate,
  LocalTime,
  MatCell,
  NDArray,
  Uuid,
  packBlob,
  unpackBlob,
  type DType,
  type TypedData,
} from '../../../runtime/blob/index';

const MIN_MS = Date.UTC(1, 0, 1) - 0; // Python's datetime range: years 1..9999
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const dateTime = fc
  .tuple(fc.integer({ min: MIN_MS, max: MAX_MS }), fc.integer({ min: 0, max: 999 }))
  .map(([ms, extra]) => {
    const d = new Date(ms);
    return new DateTime(ms, d.getUTCMilliseconds() * 1000 + extra);
  });
const localDate = fc.integer({ min: MIN_MS, max: MAX_MS }).map((ms) => {
  const d = new Date(ms);
  return new LocalDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
});
const localTime = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 999999 }))
  .map(([h, m, s, us]) => new LocalTime(h, m, s, us));
const decimal = fc
  .oneof(
    fc.tuple(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.nat({ max: 20 })).map(([a, s]) => {
      const t = (a < 0n ? -a : a).toString().padStart(s + 1, '0');
      return `${a < 0n ? '-' : ''}${s ? `${t.slice(0, -s)}.${t.slice(-s)}` : t}`;
    }),
    fc.constantFrom('NaN', '-Infinity', '1E+3', '-0', '0E-7'),
  )
  .map((t) => new Decimal(t));

const DTYPES: DType[] = ['float64', 'float32', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool', 'char', 'datetime64[ms]'];
function fill(dtype: DType, n: number, seed: number[]): TypedData {
  const pick = (i: number): number => seed[i % Math.max(1, seed.length)] ?? 0;
  switch (dtype) {
    case 'float64':
      return Float64Array.from({ length: n }, (_, i) => pick(i) / 7);
    case 'float32':
      return Float32Array.from({ length: n }, (_, i) => pick(i) / 8);
    case 'int8':
      return Int8Array.from({ length: n }, (_, i) => pick(i));
    case 'bool':
      return Uint8Array.from({ length: n }, (_, i) => pick(i) & 1);
    case 'char':
    case 'uint8':
      return Uint8Array.from({ length: n }, (_, i) => pick(i));
    case 'int16':
      return Int16Array.from({ length: n }, (_, i) => pick(i) * 300);
    case 'uint16':
      return Uint16Array.from({ length: n }, (_, i) => pick(i) * 300);
    case 'int32':
      return Int32Array.from({ length: n }, (_, i) => pick(i) * -70000);
    case 'uint32':
      return Uint32Array.from({ length: n }, (_, i) => pick(i) * 70000);
    case 'uint64':
      return BigUint64Array.from({ length: n }, (_, i) => BigInt(pick(i)) << 56n);
    default:
      return BigInt64Array.from({ length: n }, (_, i) => -(BigInt(pick(i)) << 55n));
  }
}
const ndarray = fc
  .record({
    dtype: fc.constantFrom(...DTYPES),
    shape: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
    seed: fc.array(fc.integer({ min: -128, max: 255 }), { maxLength: 30 }),
    complex: fc.boolean(),
  })
  .filter(({ dtype, shape }) => !(dtype === 'char' && (shape.length === 1 || (shape.length === 2 && shape[0] === 1))))
  .map(({ dtype, shape, seed, complex }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const d = dtype === 'char' ? fill('uint8', n, seed) : fill(dtype, n, seed);
    const canBeComplex = complex && !['bool', 'char'].includes(dtype) && !dtype.startsWith('datetime');
    return new NDArray(dtype, shape, d, canBeComplex ? fill(dtype, n, seed.reverse()) : undefined);
  });

const leaf = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double(),
  fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)),
  fc.tuple(fc.double(), fc.double()).map(([re, im]) => new Complex(re, im)),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => new Uuid(b)),
  decimal,
  dateTime,
  localDate,
  localTime,
  ndarray,
);

const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(tie('value'), { maxLength: 4 }).map((a) => BlobTuple.of(...a)),
    fc.uniqueArray(fc.oneof(fc.string({ maxLength: 5 }), fc.bigInt({ min: -1000n, max: 1000n })), { maxLength: 4 }).map((a) => new Set(a)),
    fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), tie('value'), { maxKeys: 4, noNullPrototype: true }),
    fc
      .uniqueArray(fc.tuple(fc.bigInt({ min: -100n, max: 100n }), tie('value')), { minLength: 1, maxLength: 3, selector: ([k]) => k })
      .map((pairs) => new Map<unknown, unknown>(pairs)),
    fc.array(tie('value'), { minLength: 2, maxLength: 2 }).map((d) => new MatCell([1, 2], d)),
    fc.array(tie('value'), { maxLength: 3 }).map((d) => new NDArray('object', [d.length], d)),
  ),
}));

test('unpack(pack(x)) deep-equals x for every supported kind', () => {
  fc.assert(
    fc.property(value, fc.boolean(), (x, compress) => {
      assert.deepStrictEqual(unpackBlob(packBlob(x, { compress }), { ints: 'bigint' }), x);
    }),
    { numRuns: 400 },
  );
});

test('with the default int mode, safe integers come back as numbers', () => {
  fc.assert(
    fc.property(fc.maxSafeInteger(), (n) => {
      assert.equal(unpackBlob(packBlob(BigInt(n))), n);
    }),
  );
});

test('damaged blobs fail only with BlobError', () => {
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  );
  fc.assert(
    fc.property(value, fc.boolean(), fc.array(mutation, { minLength: 1, maxLength: 4 }), (x, compress, mutations) => {
      let b = Buffer.from(packBlob(x, { compress }));
      for (const m of mutations) {
        const at = b.length === 0 ? 0 : m.at % b.length;
        if (m.kind === 'set') b[at] = m.byte;
        else if (m.kind === 'cut') b = b.subarray(0, at);
        else b = Buffer.concat([b.subarray(0, at), Buffer.from([m.byte]), b.subarray(at)]);
      }
      try {
        unpackBlob(b);
      } catch (e) {
        if (!(e instanceof BlobError)) throw e;
      }
    }),
    { numRuns: 1500 },
  );
});

test('a forged u64 anywhere in a blob cannot force an allocation or a long loop', () => {
  const base = packBlob([new NDArray('float64', [2, 2], new Float64Array(4)), ['a', new Map([[1n, 'b']])], new MatCell([1], [null])], {
    compress: false,
  });
  let refused = 0;
  for (let at = 4; at + 8 <= base.length; at++) {
    const b = Buffer.from(base);
    b.writeBigUInt64LE(0xffff_ffff_ffffn, at);
    try {
      unpackBlob(b); // e.g. a float element overwritten: still a valid blob
    } catch (e) {
      assert.ok(e instanceof BlobError, String(e));
      refused++;
    }
  }
  assert.ok(refused > base.length / 2, `only ${refused} forged blobs refused`);
});
