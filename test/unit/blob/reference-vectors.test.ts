// More vectors beyond §8.4, produced by running DataJoint for Python's blob.py itself
// (test/fixtures/blob/generate_reference_vectors.py). Every one must decode and re-encode
// to the very same bytes; the ones listed in EXPECTED must also decode to that JS value.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
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
  errorStackText,
  packBlob,
  packErrorStack,
  readErrorStack,
  unpackBlob,
} from '../../../runtime/blob/index';

const fixture = JSON.parse(readFileSync(join(__dirname, '../../fixtures/blob/reference-vectors.json'), 'utf8')) as {
  uncompressed: Record<string, string>;
  compressed: Record<string, string>;
};

const TRACEBACK =
  'Traceback (most recent call last):\n' +
  '  File "/pipeline/analysis.py", line 42, in make\n' +
  "    raise ValueError('bad trace')\n" +
  'ValueError: bad trace\n';

// Values as decoded with { ints: 'bigint' }.
const EXPECTED: Record<string, unknown> = {
  'int -128': -128n,
  'int -129': -129n,
  'int 128': 128n,
  'int 2**63': 2n ** 63n,
  'int -2**63': -(2n ** 63n),
  'float -0.0': -0,
  'float nan': NaN,
  'float -inf': -Infinity,
  'str emoji': 'a\u{1F600}b',
  'bytes empty': Buffer.alloc(0),
  'list nested': [null, [true, 2.5], { k: 'v' }],
  'dict empty': {},
  'dict int keys': new Map<unknown, unknown>([
    [1n, 'a'],
    [2n, 'b'],
  ]),
  'dict nested': { a: { b: [1n, 2n] }, c: null },
  'set empty': new Set(),
  'tuple empty': BlobTuple.of(),
  'datetime us': DateTime.fromParts(1999, 12, 31, 23, 59, 58, 123456),
  'date 1970': new LocalDate(1970, 1, 1),
  'time us': new LocalTime(0, 0, 0, 1),
  'decimal 1E+3': new Decimal('1E+3'),
  'uuid nil': new Uuid(new Uint8Array(16)),
  'complex -1.5-0j': new Complex(-1.5, -0),
  'np uint64 array': new NDArray('uint64', [2], BigUint64Array.of(1n, 2n ** 64n - 1n)),
  'np float32 2x3': NDArray.fromRowMajor('float32', [2, 3], Float32Array.of(1, 2, 3, 4, 5, 6)),
  'np float64 2x2x2': NDArray.fromRowMajor('float64', [2, 2, 2], Float64Array.of(0, 1, 2, 3, 4, 5, 6, 7)),
  'np empty 2x0': new NDArray('float64', [2, 0], new Float64Array(0)),
  'np complex64': new NDArray('float32', [2], Float32Array.of(1, 3), Float32Array.of(2, -4)),
  'np uint8 scalar': new NDArray('uint8', [], Uint8Array.of(200)),
  'np datetime64 s array': new NDArray('datetime64[s]', [2], BigInt64Array.of(1704164645n, 0n)),
  'np datetime64 D scalar': new NDArray('datetime64[D]', [], BigInt64Array.of(19724n)),
  'np object array': new NDArray('object', [3], [1n, 'a', null]),
  'np bool 2x2': NDArray.fromRowMajor('bool', [2, 2], Uint8Array.of(1, 0, 0, 1)),
  // blob.py writes char arrays in C order but reads every array in Fortran order, so
  // Python's [[a, b], [c, d]] comes back transposed, in Python as here.
  'np char 2x2': new NDArray('char', [2, 2], Uint8Array.from(Buffer.from('abcd'))),
  'matlab struct 1x2': new MatStruct(
    [1, 2],
    ['a', 'b'],
    [
      { a: 1.5, b: 'x' },
      { a: new NDArray('float64', [2], Float64Array.of(1, 2)), b: null },
    ],
  ),
  'matlab cell 2x1': new MatCell(
    [2, 1],
    [new NDArray('float64', [1], Float64Array.of(1)), NDArray.fromRowMajor('int32', [2, 2], Int32Array.of(1, 2, 3, 4))],
  ),
  'recarray nested': new StructuredArray(
    ['outer'],
    [
      new StructuredArray(
        ['a', 'b'],
        [new NDArray('int64', [1], BigInt64Array.of(1n)), new NDArray('float64', [1], Float64Array.of(2))],
      ),
    ],
  ),
  'error_stack traceback': TRACEBACK,
  'error_stack list of lines': TRACEBACK.split('\n').slice(0, -1),
};

test('every reference vector has been generated', () => {
  assert.ok(Object.keys(fixture.uncompressed).length >= 50);
  for (const name of Object.keys(EXPECTED)) assert.ok(name in fixture.uncompressed, name);
});

for (const [name, hex] of Object.entries(fixture.uncompressed)) {
  test(`reference vector ${name}: decodes and re-encodes to the same bytes`, () => {
    const value = unpackBlob(Buffer.from(hex, 'hex'), { ints: 'bigint' });
    if (name in EXPECTED) assert.deepStrictEqual(value, EXPECTED[name]);
    assert.equal(packBlob(value, { compress: false }).toString('hex'), hex);
  });
}

// Node's zlib (a Chromium build) may choose a different but equally valid deflate stream
// than CPython's, so compressed bytes are compared after inflating.
for (const [name, hex] of Object.entries(fixture.compressed)) {
  test(`reference vector ${name}: compressed blob reads back and re-encodes to the same payload`, () => {
    const bytes = Buffer.from(hex, 'hex');
    const value = unpackBlob(bytes, { ints: 'bigint' });
    const ours = packBlob(value);
    assert.equal(ours.subarray(0, 14).toString('hex'), bytes.subarray(0, 14).toString('hex'));
    assert.deepEqual(inflateSync(ours.subarray(14)), inflateSync(bytes.subarray(14)));
    assert.deepStrictEqual(unpackBlob(ours, { ints: 'bigint' }), value);
  });
}

test('error_stack: a stack trace is packed as Python writes it (dj0, 0x05 string) and reads back', () => {
  assert.equal(packErrorStack(TRACEBACK).toString('hex'), fixture.uncompressed['error_stack traceback']);
  const long = TRACEBACK.repeat(20);
  const packed = packErrorStack(long);
  assert.equal(packed.subarray(0, 14).toString('hex'), Buffer.from(fixture.compressed['compressed long traceback']!, 'hex').subarray(0, 14).toString('hex'));
  assert.equal(unpackBlob(Buffer.from(fixture.compressed['compressed long traceback']!, 'hex')), long);
  assert.equal(errorStackText(unpackBlob(packed)), long);
});

test('error_stack: a list of lines written by another client reads as text', () => {
  const lines = unpackBlob(Buffer.from(fixture.uncompressed['error_stack list of lines']!, 'hex'));
  assert.equal(errorStackText(lines), TRACEBACK.trimEnd());
  assert.equal(errorStackText(null), '');
  assert.equal(errorStackText({ a: 1n }), '{"a":"1"}');
});

test('readErrorStack: text of a stored stack from any writer; undefined for NULL or damaged bytes', () => {
  assert.equal(readErrorStack(Buffer.from(fixture.compressed['compressed long traceback']!, 'hex')), TRACEBACK.repeat(20));
  assert.equal(readErrorStack(Buffer.from(fixture.uncompressed['error_stack list of lines']!, 'hex')), TRACEBACK.trimEnd());
  assert.equal(readErrorStack(packErrorStack('Error: x\n    at f')), 'Error: x\n    at f');
  assert.equal(readErrorStack(null), undefined);
  assert.equal(readErrorStack(Buffer.from('not a blob')), undefined);
  assert.equal(readErrorStack(packErrorStack(TRACEBACK.repeat(20)).subarray(0, 40)), undefined);
});
