// The rows grid's value summaries (runtime/rows): blob summaries from whole blobs and
// from a prefix (plain and compressed, header only), cells by DataJoint type (NULL, dates
// as the server's text, attachments, bytes, in-store metadata, long text), Open value's
// JSON-like text and its cut, and the restriction box's rules (as populate's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packBlob } from '../../../runtime/blob/pack';
import { Complex, Decimal, MatStruct, NDArray } from '../../../runtime/blob/types';
import { byteSize, describeValue, summarizeBlob, PREFIX_BYTES } from '../../../runtime/rows/blob-summary';
import { cellOf, MAX_CELL_TEXT } from '../../../runtime/rows/cells';
import { valueText } from '../../../runtime/rows/value-text';
import { parseRowsRestriction, RestrictionError } from '../../../runtime/rows/restriction';
import { restrictionProblem } from '../../../client/populate/restrictionInput';

const attr = (type: string, sqlType = type) => ({ name: 'a', type, sqlType, nullable: true });
const prefixOf = (b: Buffer) => ({ prefix: b.subarray(0, PREFIX_BYTES), length: b.length });

test('byte sizes read as people write them', () => {
  assert.equal(byteSize(1), '1 byte');
  assert.equal(byteSize(512), '512 bytes');
  assert.equal(byteSize(8192), '8.0 KiB');
  assert.equal(byteSize(5 * 1024 * 1024), '5.0 MiB');
  assert.equal(byteSize(300 * 1024 * 1024), '300 MiB');
});

test('a whole blob is decoded and described: dtype, shape, first values in row-major order', () => {
  assert.equal(summarizeBlob(packBlob(Float64Array.of(0.5, 1.25, 3)), 35).text, 'float64 3: 0.5, 1.25, 3');
  const m = NDArray.fromRowMajor('int16', [2, 3], Int16Array.of(1, 2, 3, 4, 5, 6));
  const b = packBlob(m);
  assert.equal(summarizeBlob(b, b.length).text, 'int16 2×3: 1, 2, 3, 4, 5, 6');
  assert.equal(describeValue(NDArray.fromRowMajor('float64', [3, 3], Float64Array.from({ length: 9 }, (_, i) => i / 3))), 'float64 3×3: 0, 0.333333, 0.666667, 1, 1.33333, 1.66667, …');
  assert.equal(describeValue([1, 'two', [3]]), 'list of 3: 1, "two", list of 1');
  assert.equal(describeValue({ gain: 2, mode: 'x' }), 'dict of 2 entries (gain, mode)');
  assert.equal(describeValue(new Map([[1, 2]])), 'dict of 1 entries');
  assert.equal(describeValue(null), 'None');
  assert.equal(describeValue(new Complex(1, -2)), '1-2j');
  assert.equal(describeValue(new Decimal('1.50')), '1.50');
  assert.equal(describeValue(new MatStruct([1, 1], ['x', 'y'], [{ x: 1, y: 2 }])), 'struct 1×1 (x, y)');
  assert.equal(describeValue('s'.repeat(100)).length, 62);
  assert.equal(describeValue(new NDArray('float64', [0], new Float64Array(0))), 'float64 0 (empty)');
  assert.ok(describeValue(Array.from({ length: 100 }, () => 'x'.repeat(50))).length <= 160);
});

test('a blob longer than the prefix is summarised from its header, compressed or not', () => {
  const compressible = packBlob(Float64Array.from({ length: 100_000 }, (_, i) => i));
  assert.equal(compressible.subarray(0, 5).toString('latin1'), 'ZL123');
  const s = summarizeBlob(compressible.subarray(0, PREFIX_BYTES), compressible.length);
  assert.equal(s.text, 'float64 100000: 0, 1, 2, 3, 4, 5, …');
  assert.match(s.title, /compressed; summarised from its first 8\.0 KiB/);
  let seed = 1;
  const noisy = packBlob(Float64Array.from({ length: 5000 }, () => (seed = (seed * 48271) % 2147483647)));
  const n = summarizeBlob(noisy.subarray(0, 1024), noisy.length);
  assert.match(n.text, /^float64 5000: \d+, \d+/);
  // A matrix stored column-major: the second row-major element lies past a short prefix.
  const matrix = packBlob(NDArray.fromRowMajor('float64', [1000, 2], Float64Array.from({ length: 2000 }, (_, i) => i)), { compress: false });
  assert.equal(summarizeBlob(matrix.subarray(0, 1024), matrix.length).text, 'float64 1000×2: 0, …');
  const list = packBlob(Array.from({ length: 2000 }, (_, i) => i), { compress: false });
  assert.equal(summarizeBlob(list.subarray(0, 100), list.length).text, 'list of 2000 items');
  const text = packBlob('hello '.repeat(2000), { compress: false });
  assert.match(summarizeBlob(text.subarray(0, 100), text.length).text, /^string of 12000 bytes: "hello hello/);
});

test('bytes that are no blob are said to be unreadable, never thrown', () => {
  const junk = Buffer.from('not a blob at all');
  assert.deepEqual({ ...summarizeBlob(junk, junk.length), title: '' }, { text: 'unreadable blob (17 bytes)', title: '', error: true });
  assert.equal(summarizeBlob(junk, 100_000).text, 'unreadable blob (97.7 KiB)');
  assert.deepEqual(cellOf(attr('<blob>', 'longblob'), prefixOf(junk)).kind, 'error');
});

test('cells by type: NULL distinct, numbers, dates as the server gives them, uuids, long text capped', () => {
  assert.deepEqual(cellOf(attr('int32', 'int'), null), { kind: 'null', text: 'NULL' });
  assert.deepEqual(cellOf(attr('varchar(8)'), ''), { kind: 'text', text: '' });
  assert.deepEqual(cellOf(attr('int64', 'bigint'), '9007199254740993'), { kind: 'number', text: '9007199254740993' });
  assert.deepEqual(cellOf(attr('float32', 'float'), 0.10000000149011612), { kind: 'number', text: '0.1' });
  assert.deepEqual(cellOf(attr('decimal(5,2)'), '1.50'), { kind: 'number', text: '1.50' });
  assert.deepEqual(cellOf(attr('bool', 'tinyint'), 1), { kind: 'bool', text: 'true' });
  // No time-zone conversion: the server's text as it is.
  assert.deepEqual(cellOf(attr('datetime(3)'), '2024-03-31 02:30:00.250'), { kind: 'date', text: '2024-03-31 02:30:00.250' });
  assert.deepEqual(cellOf(attr('date'), '2024-03-31'), { kind: 'date', text: '2024-03-31' });
  assert.deepEqual(cellOf(attr('uuid', 'binary(16)'), Buffer.from('00112233445566778899aabbccddeeff', 'hex')), { kind: 'uuid', text: '00112233-4455-6677-8899-aabbccddeeff' });
  const long = cellOf(attr('varchar(4000)'), 'x'.repeat(1000));
  assert.equal(long.text.length, MAX_CELL_TEXT);
  assert.ok(long.text.endsWith('…'));
  assert.equal(long.openable, true);
  assert.deepEqual(cellOf(attr('json'), '{"a": 1}'), { kind: 'json', text: '{"a": 1}' });
  assert.equal(cellOf(attr('int32', 'int'), 'oops').kind, 'error');
});

test('attachments are their name and size, bytes their size and first bytes, in-store values their path', () => {
  const attachment = Buffer.concat([Buffer.from('scan.tif\0'), Buffer.alloc(20_000)]);
  assert.deepEqual(cellOf(attr('<attach>', 'longblob'), prefixOf(attachment)), { kind: 'attach', text: 'scan.tif (19.5 KiB)', title: 'attachment "scan.tif", 19.5 KiB' });
  assert.deepEqual(cellOf(attr('bytes', 'longblob'), { prefix: Buffer.from('0102', 'hex'), length: 2 }), { kind: 'bytes', text: '2 bytes: 0102' });
  const fp = cellOf(attr('<filepath@raw>', 'json'), '{"path": "subject1/session1.bin", "store": "raw", "size": 2048, "timestamp": "2024-01-01T00:00:00"}');
  assert.equal(fp.kind, 'filepath');
  assert.equal(fp.text, 'subject1/session1.bin (2.0 KiB)');
  assert.match(fp.title ?? '', /in store raw/);
  assert.equal(cellOf(attr('<blob@raw>', 'json'), '{"hash": "abc", "store": "raw", "size": 10}').text, 'abc (10 bytes)');
});

test("Open value's text: arrays as dtype, shape and nested rows; scalars JSON can't write; the cut", () => {
  assert.equal(valueText(NDArray.fromRowMajor('float64', [2, 2], Float64Array.of(1, NaN, Infinity, -0.5))), '{\n  "dtype": "float64",\n  "shape": [2, 2],\n  "data": [\n    [1, NaN],\n    [Infinity, -0.5]\n  ]\n}');
  assert.equal(valueText({ n: 12345678901234567890n, s: 'q"', b: Buffer.from('ab') }), '{\n  "n": 12345678901234567890,\n  "s": "q\\"",\n  "b": "<bytes 2 bytes: 6162>"\n}');
  assert.equal(valueText([]), '[]');
  const cut = valueText(Array.from({ length: 10 }, (_, i) => i), 4);
  assert.equal(cut, '[0, 1, 2, 3, …]\n\n// 6 more elements not shown (the first 4 are)');
  assert.equal(valueText(new Set([1])), '{\n  "set": [1]\n}');
});

test('the restriction box takes what populate takes, refused with the same located messages', () => {
  const known = ['subject_id', 'name'];
  for (const text of ['subject_id < 10', '{"subject_id": 3}', '[{"subject_id": 3}, "name = \'x\'"]', '  ']) {
    assert.doesNotThrow(() => parseRowsRestriction(text, known), text);
    assert.equal(restrictionProblem(text, known), undefined, text);
  }
  assert.equal(parseRowsRestriction('', known), undefined);
  assert.deepEqual(parseRowsRestriction('{"subject_id": 3}', known), { subject_id: 3 });
  for (const text of ['subject_id < 10; DROP TABLE x', '(subject_id < 10', 'subject_id < 10 # all', '{"subjectid": 3}', '{bad json', '[1]', "name = 'x"]) {
    const expected = restrictionProblem(text, known);
    assert.ok(expected, text);
    assert.throws(() => parseRowsRestriction(text, known, 'the key source'), (e: unknown) => e instanceof RestrictionError && e.message === expected, text);
  }
  assert.throws(() => parseRowsRestriction('a = 1; b', known), /at character 6/);
});
