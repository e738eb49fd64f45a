// The test vectors of reference §8.4 ([verified] by running DataJoint for Python), checked
// in both directions: the bytes decode to the expected JS value, and packing that value
// yields exactly the same bytes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import {
  BlobTuple,
  Complex,
  DateTime,
  Decimal,
  LocalDate,
  LocalTime,
  NDArray,
  StructuredArray,
  Uuid,
  packBlob,
  unpackBlob,
} from '../../../runtime/blob/index';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

interface Vector {
  name: string;
  bytes: string;
  value: unknown;
  /** Decode with Python ints as bigint (so the value re-encodes as an int). */
  bigint?: boolean;
}

const VECTORS: Vector[] = [
  { name: 'None', bytes: '646a3000 ff', value: null },
  { name: 'True', bytes: '646a3000 0b01', value: true },
  { name: 'False', bytes: '646a3000 0b00', value: false },
  { name: '0', bytes: '646a3000 0a 0100 00', value: 0n, bigint: true },
  { name: '1', bytes: '646a3000 0a 0100 01', value: 1n, bigint: true },
  { name: '-1', bytes: '646a3000 0a 0100 ff', value: -1n, bigint: true },
  { name: '255', bytes: '646a3000 0a 0200 ff00', value: 255n, bigint: true },
  { name: '2**70', bytes: '646a3000 0a 0900 000000000000000040', value: 2n ** 70n },
  { name: '1.5', bytes: '646a3000 0d 000000000000f83f', value: 1.5 },
  { name: '1+2j', bytes: '646a3000 0c 000000000000f03f 0000000000000040', value: new Complex(1, 2) },
  { name: '"abc"', bytes: '646a3000 05 0300000000000000 616263', value: 'abc' },
  { name: '"é"', bytes: '646a3000 05 0200000000000000 c3a9', value: 'é' },
  { name: 'b"\\x00\\x01"', bytes: '646a3000 06 0200000000000000 0001', value: Buffer.from([0, 1]) },
  {
    name: '[1, "a"]',
    bytes: '646a3000 02 0200000000000000 0400000000000000 0a010001 0a00000000000000 05010000000000000061',
    value: [1n, 'a'],
    bigint: true,
  },
  {
    name: '(1, 2)',
    bytes: '646a3000 01 0200000000000000 0400000000000000 0a010001 0400000000000000 0a010002',
    value: BlobTuple.of(1n, 2n),
    bigint: true,
  },
  {
    name: '{"a": 1}',
    bytes: '646a3000 04 0100000000000000 0a00000000000000 05010000000000000061 0400000000000000 0a010001',
    value: { a: 1n },
    bigint: true,
  },
  { name: '{7}', bytes: '646a3000 03 0100000000000000 0400000000000000 0a010007', value: new Set([7n]), bigint: true },
  { name: '[]', bytes: '646a3000 02 0000000000000000', value: [] },
  {
    name: 'np.int64(5)',
    bytes: '646a3000 41 0000000000000000 0e000000 00000000 0500000000000000',
    value: new NDArray('int64', [], BigInt64Array.of(5n)),
  },
  {
    name: 'np.float64(2.5)',
    bytes: '646a3000 41 0000000000000000 06000000 00000000 0000000000000440',
    value: new NDArray('float64', [], Float64Array.of(2.5)),
  },
  {
    name: 'np.bool_(True)',
    bytes: '646a3000 41 0000000000000000 03000000 00000000 01',
    value: new NDArray('bool', [], Uint8Array.of(1)),
  },
  {
    name: 'np.array([1,2,3], int64)',
    bytes: '6d596d00 41 0100000000000000 0300000000000000 0e000000 00000000 010000000000000002000000000000000300000000000000',
    value: new NDArray('int64', [3], BigInt64Array.of(1n, 2n, 3n)),
  },
  {
    name: 'np.array([[1.,2.],[3.,4.]])',
    bytes:
      '6d596d00 41 0200000000000000 0200000000000000 0200000000000000 06000000 00000000 000000000000f03f 0000000000000840 0000000000000040 0000000000001040',
    value: NDArray.fromRowMajor('float64', [2, 2], Float64Array.of(1, 2, 3, 4)),
  },
  {
    name: 'np.array([1], float32)',
    bytes: '6d596d00 41 0100000000000000 0100000000000000 07000000 00000000 0000803f',
    value: new NDArray('float32', [1], Float32Array.of(1)),
  },
  {
    name: 'np.array([1,2], uint8)',
    bytes: '6d596d00 41 0100000000000000 0200000000000000 09000000 00000000 0102',
    value: new NDArray('uint8', [2], Uint8Array.of(1, 2)),
  },
  {
    name: 'np.array([True, False])',
    bytes: '6d596d00 41 0100000000000000 0200000000000000 03000000 00000000 0100',
    value: new NDArray('bool', [2], Uint8Array.of(1, 0)),
  },
  {
    name: 'np.array([1+2j])',
    bytes: '6d596d00 41 0100000000000000 0100000000000000 06000000 01000000 000000000000f03f 0000000000000040',
    value: new NDArray('float64', [1], Float64Array.of(1), Float64Array.of(2)),
  },
  {
    name: 'np.array(["ab","c"])',
    bytes:
      '646a3000 41 0100000000000000 0200000000000000 05000000 00000000 0b00000000000000 05 0200000000000000 6162 0a00000000000000 05 0100000000000000 63',
    value: new NDArray('object', [2], ['ab', 'c']),
  },
  { name: 'date(2024,1,2)', bytes: '646a3000 74 e6d63401 ffffffffffffffff', value: new LocalDate(2024, 1, 2) },
  {
    name: 'datetime(2024,1,2,3,4,5,6)',
    bytes: '646a3000 74 e6d63401 467b471407000000',
    value: DateTime.fromParts(2024, 1, 2, 3, 4, 5, 6),
  },
  { name: 'time(3,4,5)', bytes: '646a3000 74 ffffffff 407b471407000000', value: new LocalTime(3, 4, 5) },
  {
    name: "UUID('12345678-1234-5678-1234-567812345678')",
    bytes: '646a3000 75 12345678123456781234567812345678',
    value: Uuid.parse('12345678-1234-5678-1234-567812345678'),
  },
  { name: "Decimal('1.25')", bytes: '646a3000 64 0400000000000000 312e3235', value: new Decimal('1.25') },
  {
    name: 'recarray [(1, 2.0)] a:i8 b:f8',
    bytes:
      '646a3000 46 02000000 61006200 41 0100000000000000 0100000000000000 0e000000 00000000 0100000000000000 41 0100000000000000 0100000000000000 06000000 00000000 0000000000000040',
    value: new StructuredArray(
      ['a', 'b'],
      [new NDArray('int64', [1], BigInt64Array.of(1n)), new NDArray('float64', [1], Float64Array.of(2))],
    ),
  },
];

for (const v of VECTORS) {
  test(`§8.4 ${v.name}: decodes to the expected value`, () => {
    assert.deepStrictEqual(unpackBlob(hex(v.bytes), { ints: v.bigint ? 'bigint' : 'auto' }), v.value);
  });
  test(`§8.4 ${v.name}: encodes to the reference bytes`, () => {
    assert.equal(packBlob(v.value, { compress: false }).toString('hex'), hex(v.bytes).toString('hex'));
  });
}

test('§8.4 char array b"hi" decodes to the joined string, and a char NDArray encodes to those bytes', () => {
  const bytes = hex('6d596d00 41 0100000000000000 0200000000000000 04000000 00000000 6800 6900');
  assert.equal(unpackBlob(bytes), 'hi');
  assert.deepEqual(packBlob(new NDArray('char', [2], Uint8Array.of(0x68, 0x69)), { compress: false }), bytes);
});

test('Python ints decode to numbers by default, to bigint beyond 2**53', () => {
  assert.equal(unpackBlob(hex('646a3000 0a 0200 ff00')), 255);
  assert.equal(unpackBlob(hex('646a3000 0a 0900 000000000000000040')), 2n ** 70n);
  assert.deepEqual(unpackBlob(hex('646a3000 04 0100000000000000 0a00000000000000 05010000000000000061 0400000000000000 0a010001')), {
    a: 1,
  });
});

test('a JS number is always a Python float (decision 17), a bigint a Python int', () => {
  assert.equal(packBlob(3, { compress: false }).toString('hex'), '646a30000d0000000000000840');
  assert.equal(packBlob(3n, { compress: false }).toString('hex'), '646a30000a010003');
});

test('a datetime decodes to a Date (UTC) that keeps its microseconds', () => {
  const d = unpackBlob(hex('646a3000 74 e6d63401 467b471407000000'));
  assert.ok(d instanceof Date && d instanceof DateTime);
  assert.equal(d.toISOString(), '2024-01-02T03:04:05.000Z');
  assert.equal(d.microsecond, 6);
  // a plain Date packs with its milliseconds as microseconds
  const plain = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 7));
  assert.equal(packBlob(plain, { compress: false }).toString('hex'), '646a300074e6d63401' + '9896471407000000');
});

test('np.zeros(1000): compressed as ZL123 + u64 length + zlib, 60 bytes, and reads back', () => {
  const zeros = new NDArray('float64', [1000], new Float64Array(1000));
  const packed = packBlob(zeros);
  assert.equal(packed.length, 60);
  assert.equal(packed.subarray(0, 14).toString('hex'), '5a4c313233005d1f000000000000');
  assert.equal(packed.subarray(14, 16).toString('hex'), '789c');
  assert.equal(inflateSync(packed.subarray(14)).length, 8029);
  assert.deepStrictEqual(unpackBlob(packed), zeros);
  // compress: false keeps the plain mYm blob
  assert.equal(packBlob(zeros, { compress: false }).length, 8029);
});

test('compression is used only above 1000 bytes and only when it is shorter', () => {
  const below = 'x'.repeat(900); // compressible, but the blob stays under 1000 bytes
  assert.equal(packBlob(below).subarray(0, 4).toString('latin1'), 'dj0\0');
  assert.equal(packBlob('x'.repeat(2000)).subarray(0, 6).toString('latin1'), 'ZL123\0');
  // hash-chain bytes do not compress: the plain blob is kept
  const noise: Buffer[] = [createHash('sha256').update('seed').digest()];
  while (noise.length < 64) noise.push(createHash('sha256').update(noise[noise.length - 1]!).digest());
  const packed = packBlob(Buffer.concat(noise));
  assert.equal(packed.subarray(0, 4).toString('latin1'), 'dj0\0');
  assert.equal(packed.length, 4 + 1 + 8 + 2048);
});
