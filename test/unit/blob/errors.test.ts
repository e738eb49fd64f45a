// Clear, located errors: damaged input names the byte offset, unsupported values name
// the path inside the packed structure.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { BlobError, BlobTuple, NDArray, packBlob, unpackBlob } from '../../../runtime/blob/index';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
function refuses(bytes: Buffer, message: RegExp, offset?: number): void {
  assert.throws(
    () => unpackBlob(bytes),
    (e: unknown) => {
      assert.ok(e instanceof BlobError, `not a BlobError: ${String(e)}`);
      assert.match(e.message, message);
      if (offset !== undefined) assert.equal(e.offset, offset);
      return true;
    },
  );
}

test('unknown protocol, empty and truncated input', () => {
  refuses(hex(''), /too short/);
  refuses(hex('78797a00 ff'), /unknown blob protocol "xyz\\u0000"/, 0);
  refuses(hex('646a3000'), /truncated blob/, 4);
  refuses(hex('646a3000 05 0500000000000000 6162'), /string length of 5 exceeds the 2 bytes that remain/, 5);
});

test('unknown item codes, sparse arrays and trailing bytes', () => {
  refuses(hex('646a3000 99'), /unknown data structure code 0x99/, 4);
  refuses(hex('646a3000 50'), /sparse arrays are not supported/, 4);
  refuses(hex('646a3000 ff ff'), /1 trailing bytes/, 5);
});

test('a forged element count is refused before any allocation or loop', () => {
  refuses(hex('646a3000 02 ffffffffffffff3f'), /item count of 4611686018427387903 exceeds/, 5);
  refuses(hex('646a3000 04 0000000000000010'), /dict size .* exceeds/, 5);
  // 2^40 x 2^40 float64 elements
  refuses(
    hex('6d596d00 41 0200000000000000 0000000000010000 0000000000010000 06000000 00000000'),
    /array of shape \[1099511627776, 1099511627776\] needs more than/,
    4,
  );
  refuses(hex('646a3000 41 ffffffffffffffff'), /array dimension count .* exceeds/, 5);
  refuses(hex('646a3000 43 0100000000000000 ffffffffff000000'), /needs more than/, 4);
});

test('a framed item whose length disagrees with its content', () => {
  refuses(hex('646a3000 02 0100000000000000 0200000000000000 ff ff'), /item length 2 does not match the 1 bytes/, 13);
});

test('invalid UTF-8, dates and times, and array type ids', () => {
  refuses(hex('646a3000 05 0100000000000000 ff'), /not valid UTF-8/, 13);
  refuses(hex('646a3000 74 95db3401 ffffffffffffffff'), /invalid date 20241301/, 4);
  refuses(hex('646a3000 74 ffffffff 004429353a000000'), /invalid time 250000000000/, 4); // 25:00:00
  refuses(hex('646a3000 41 0000000000000000 10000000 00000000'), /unsupported array element type id 16/, 4);
  refuses(hex('646a3000 41 0000000000000000 03000000 01000000 01'), /cannot be complex/, 4);
});

test('nesting is bounded so a blob of nested list headers cannot overflow the stack', () => {
  const depth = 100_000;
  const parts: Buffer[] = [hex('646a3000')];
  // each level: a list of one element whose framed length we never reach
  for (let i = 0; i < depth; i++) parts.push(hex('02 0100000000000000 0900000000000000'));
  parts.push(hex('ff'));
  refuses(Buffer.concat(parts), /nests deeper than 512 levels/);
});

test('compressed blobs: corrupt stream, size mismatch and a stream larger than declared', () => {
  const inner = packBlob('x'.repeat(5000), { compress: false });
  const good = packBlob('x'.repeat(5000));
  assert.equal(unpackBlob(good), 'x'.repeat(5000));
  const broken = Buffer.from(good);
  broken[20] ^= 0xff;
  refuses(broken, /corrupt compressed blob/, 14);
  const header = (n: number): Buffer => {
    const b = Buffer.alloc(14);
    b.write('ZL123\0', 'latin1');
    b.writeBigUInt64LE(BigInt(n), 6);
    return b;
  };
  refuses(Buffer.concat([header(inner.length + 10), deflateSync(inner)]), /size mismatch: expected 5023, got 5013/, 6);
  refuses(Buffer.concat([header(100), deflateSync(inner)]), /inflates to more than the declared 100 bytes/, 14);
  refuses(Buffer.concat([header(2 ** 52), deflateSync(inner)]), /impossible size/, 6);
  refuses(header(5).subarray(0, 10), /too short to hold its size/);
});

test('packing unsupported values names the type and the path', () => {
  const cases: [unknown, RegExp][] = [
    [{ a: [1, () => 1] }, /cannot pack a value of type function \(at \$\.a\[1\]\)/],
    [{ 'odd key': Symbol('s') }, /type symbol \(at \$\["odd key"\]\)/],
    [[new (class Widget {})()], /type Widget \(at \$\[0\]\)/],
    [new Map([[[1], 2]]), /dict key of type Array is not hashable/],
    [new Set([{}]), /set member of type Object is not hashable/],
    [{ d: new Date(NaN) }, /invalid Date \(at \$\.d\)/],
    [new Date(Date.UTC(10000, 0, 1)), /year 10000 is outside/],
    ['\ud800', /lone UTF-16 surrogate/],
    [2n ** (8n * 65535n), /limited to 65535 bytes/],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => packBlob(value), (e: unknown) => e instanceof BlobError && message.test(e.message), String(message));
  }
});

test('a circular structure is refused, a shared (acyclic) one is packed twice', () => {
  const loop: unknown[] = [];
  loop.push({ back: loop });
  assert.throws(() => packBlob(loop), /circular reference.*\(at \$\[0\]\.back\)/);
  const shared = { x: 1 };
  assert.deepStrictEqual(unpackBlob(packBlob([shared, shared])), [{ x: 1 }, { x: 1 }]);
});

test('NDArray validates its shape, element type and length', () => {
  assert.throws(() => new NDArray('float64', [2, 2], new Float64Array(3)), /needs 4 elements, got 3/);
  assert.throws(() => new NDArray('int32', [1], new Float64Array(1)), /needs its elements in a Int32Array/);
  assert.throws(() => new NDArray('bool', [1], Uint8Array.of(1), Uint8Array.of(1)), /cannot be complex/);
  assert.throws(() => new NDArray('float64', [-1], new Float64Array(0)), /invalid dimension/);
});

test('typed arrays pack as 1-D numeric arrays under the mYm protocol; Uint8Array as bytes', () => {
  const f = packBlob(Float32Array.of(1), { compress: false });
  assert.equal(f.toString('hex'), '6d596d00410100000000000000010000000000000007000000000000000000803f');
  assert.deepStrictEqual(unpackBlob(f), new NDArray('float32', [1], Float32Array.of(1)));
  assert.equal(packBlob(Uint8Array.of(1, 2), { compress: false }).toString('hex'), '646a3000' + '06' + '0200000000000000' + '0102');
  assert.deepStrictEqual(NDArray.from(Int16Array.of(1, 2)).toRowMajor(), Int16Array.of(1, 2));
  assert.equal(NDArray.fromRowMajor('float64', [2, 3], Float64Array.of(1, 2, 3, 4, 5, 6)).at(1, 2), 6);
});

test('32-bit mYm blobs (dims32) read lengths and dimensions as u32', () => {
  // MATLAB 32-bit mYm: [1 2; 3 4] as double, a cell {'ab'} (char row)
  const matrix = hex('6d596d00 41 02000000 02000000 02000000 06000000 00000000 000000000000f03f 0000000000000840 0000000000000040 0000000000001040');
  assert.deepStrictEqual(unpackBlob(matrix, { dims32: true }), NDArray.fromRowMajor('float64', [2, 2], Float64Array.of(1, 2, 3, 4)));
  const cell = hex('6d596d00 43 02000000 01000000 01000000 19000000 41 02000000 01000000 02000000 04000000 00000000 6100 6200');
  const decoded = unpackBlob(cell, { dims32: true }) as { data: unknown[] };
  assert.deepEqual(decoded.data, ['ab']);
  // the same bytes are not a valid 64-bit blob
  assert.throws(() => unpackBlob(matrix), BlobError);
});

test('NDArray.toNested gives nested arrays in index order', () => {
  const a = NDArray.fromRowMajor('float64', [2, 3], Float64Array.of(1, 2, 3, 4, 5, 6));
  assert.deepEqual(a.toNested(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.equal(new NDArray('int64', [], BigInt64Array.of(5n)).toNested(), 5n);
  assert.deepEqual(new NDArray('float64', [2, 0], new Float64Array(0)).toNested(), [[], []]);
});

test('a tuple of a million elements decodes (no argument spreading)', () => {
  const t = BlobTuple.fromItems(new Array<null>(1_000_000).fill(null));
  const back = unpackBlob(packBlob(t)) as unknown[];
  assert.ok(back instanceof BlobTuple);
  assert.equal(back.length, 1_000_000);
});
