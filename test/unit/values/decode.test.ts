// decodeValue: what mysql2 returns (with MYSQL2_TYPE_OPTIONS) -> JS value, per type. The
// raw values below are the ones mysql2 3.x gives for MariaDB 10.11 columns of each type
// with those options, in both the text (query) and binary (execute) protocols.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttributeValueError,
  DateTime,
  MYSQL2_TYPE_OPTIONS,
  decodeValue,
  encodeValue,
} from '../../../runtime/values/index';
import { packBlob } from '../../../runtime/blob/index';

const attr = (type: string, sqlType?: string) => ({ name: 'x', type, nullable: true, ...(sqlType ? { sqlType } : {}) });
const dec = (type: string, raw: unknown, sqlType?: string) => decodeValue(attr(type, sqlType), raw);
function rejects(type: string, raw: unknown, message: RegExp): void {
  assert.throws(
    () => dec(type, raw),
    (e: unknown) => e instanceof AttributeValueError && e.attribute === 'x' && message.test(e.message),
    String(message),
  );
}

test('the connection options decodeValue relies on', () => {
  assert.deepEqual(
    { ...MYSQL2_TYPE_OPTIONS },
    { supportBigNumbers: true, bigNumberStrings: true, decimalNumbers: false, dateStrings: true, jsonStrings: true, timezone: 'Z' },
  );
  assert.ok(Object.isFrozen(MYSQL2_TYPE_OPTIONS));
});

test('NULL is null for every type', () => {
  for (const t of ['int64', 'uuid', '<blob>', 'date', 'json']) assert.equal(dec(t, null), null);
});

test('integers: numbers, and bigint for 64-bit types whatever the magnitude', () => {
  assert.equal(dec('int8', -128), -128);
  assert.equal(dec('int32', -2147483648), -2147483648);
  assert.equal(dec('int unsigned', 4294967295), 4294967295);
  assert.equal(dec('int64', '-9223372036854775808'), -(2n ** 63n));
  assert.equal(dec('int64', '5'), 5n);
  assert.equal(dec('bigint unsigned', '18446744073709551615'), 2n ** 64n - 1n);
  assert.equal(dec('int16', '12'), 12);
  rejects('int32', 'x', /cannot read attribute `x` \(int32\): expected an integer from the server, got "x"/);
});

test('floats: float32 reads the same from both protocols', () => {
  assert.equal(dec('float32', 0.1), 0.1); // text protocol
  assert.equal(dec('float32', 0.10000000149011612), 0.1); // binary protocol
  assert.equal(dec('float32', 3.4028234663852886e38), 3.4028235e38);
  assert.equal(dec('float32', -0), -0);
  assert.equal(dec('float64', 0.1), 0.1);
  assert.equal(dec('double', '2.5'), 2.5);
  rejects('float64', 'abc', /expected a number/);
});

test('decimal: exact strings', () => {
  assert.equal(dec('decimal(20,10)', '1234567890.0123456789'), '1234567890.0123456789');
  assert.equal(dec('decimal(5,2)', 1.5), '1.5');
});

test('bool: 0/1 to false/true', () => {
  assert.equal(dec('bool', 1), true);
  assert.equal(dec('bool', 0), false);
  assert.equal(dec('bool', '1'), true);
  rejects('bool', 'yes', /expected 0 or 1/);
});

test('uuid: 16 bytes to the canonical lowercase string', () => {
  const raw = Buffer.from('12345678123456781234567812345678', 'hex');
  assert.equal(dec('uuid', raw), '12345678-1234-5678-1234-567812345678');
  assert.equal(dec('uuid', 'ABCDEF00-0000-0000-0000-000000000001'), 'abcdef00-0000-0000-0000-000000000001');
  rejects('uuid', Buffer.alloc(3), /expected 16 bytes of UUID/);
});

test('json: text parsed, already-parsed values passed through', () => {
  assert.deepEqual(dec('json', '{"a":[1,"x",null],"b":1.5}', 'longtext'), { a: [1, 'x', null], b: 1.5 });
  assert.deepEqual(dec('json', { a: 1 }), { a: 1 });
  assert.equal(dec('json', '"s"'), 's');
  rejects('json', '{bad', /stored text is not valid JSON/);
});

test('bytes: Buffers', () => {
  assert.deepEqual(dec('bytes', Buffer.from([0, 1, 2])), Buffer.from([0, 1, 2]));
  assert.deepEqual(dec('longblob', Uint8Array.of(7)), Buffer.from([7]));
  rejects('bytes', 'text', /expected bytes from the server/);
});

test('date: a Date at UTC midnight; zero dates are null', () => {
  assert.deepEqual(dec('date', '2024-02-29'), new Date(Date.UTC(2024, 1, 29)));
  assert.equal(dec('date', '0000-00-00'), null);
  rejects('date', '2024-02-30', /malformed date\/time "2024-02-30"/);
});

test('datetime and timestamp: a UTC DateTime that keeps microseconds', () => {
  const d = dec('datetime(6)', '2024-01-02 03:04:05.678901');
  assert.ok(d instanceof DateTime);
  assert.equal(d.toISOString(), '2024-01-02T03:04:05.678Z');
  assert.equal(d.microsecond, 678901);
  assert.equal((dec('datetime', '2024-01-02 03:04:05') as Date).toISOString(), '2024-01-02T03:04:05.000Z');
  assert.equal((dec('datetime(3)', '2024-01-02 03:04:05.678') as DateTime).microsecond, 678000);
  assert.equal((dec('timestamp(3)', '1970-01-01 00:00:00.001') as Date).getTime(), 1);
  assert.equal(dec('datetime', '0000-00-00 00:00:00'), null);
});

test('datetime values survive encode -> server text -> decode unchanged', () => {
  const a = attr('datetime(6)');
  const v = DateTime.fromParts(1999, 12, 31, 23, 59, 59, 999999);
  assert.deepStrictEqual(decodeValue(a, encodeValue(a, v)), v);
  const b = attr('date');
  const day = new Date(Date.UTC(2000, 0, 1));
  assert.deepStrictEqual(decodeValue(b, encodeValue(b, day)), day);
});

test('strings, enums, time and year', () => {
  assert.equal(dec('varchar(10)', 'héllo'), 'héllo');
  assert.equal(dec('char(3)', Buffer.from('abc')), 'abc');
  assert.equal(dec("enum('M','F')", 'F'), 'F');
  assert.equal(dec('time', '12:34:56'), '12:34:56');
  assert.equal(dec('year', 2024), 2024);
  assert.equal(dec('text', 'long'), 'long');
});

test('<blob>: unpacked; a damaged blob names the attribute and the byte offset', () => {
  assert.deepStrictEqual(dec('<blob>', packBlob({ a: [1.5], s: 'x' })), { a: [1.5], s: 'x' });
  assert.equal(dec('<blob>', Buffer.from('646a3000050300000000000000616263', 'hex')), 'abc');
  rejects('<blob>', Buffer.from('646a300005ff', 'hex'), /cannot read attribute `x` \(<blob>\): truncated blob.*\(at byte 5\)/);
});

test('<attach>: { filename, data }', () => {
  const raw = Buffer.concat([Buffer.from('notes.txt'), Buffer.from([0]), Buffer.from('he\0llo')]);
  assert.deepEqual(dec('<attach>', raw), { filename: 'notes.txt', data: Buffer.from('he\0llo') });
  rejects('<attach>', Buffer.from('no-nul'), /stored attachment has no file name/);
});

test('in-store codecs cannot be read yet and say why', () => {
  rejects('<blob@cold>', '{"hash":"x"}', /needs object storage/);
});
