// encodeValue: JS value -> mysql2 parameter, per DataJoint type (reference §2.6).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttributeValueError,
  DateTime,
  Decimal,
  LocalDate,
  LocalTime,
  SQL_DEFAULT,
  Uuid,
  encodeValue,
  isSqlDefault,
} from '../../../runtime/values/index';
import { BlobError, packBlob, unpackBlob } from '../../../runtime/blob/index';
import { DataJointError, ValueError } from '../../../runtime/errors/index';

const attr = (type: string, sqlType?: string) => ({ name: 'x', type, nullable: true, ...(sqlType ? { sqlType } : {}) });
const enc = (type: string, value: unknown, sqlType?: string) => encodeValue(attr(type, sqlType), value);
function rejects(type: string, value: unknown, message: RegExp): void {
  assert.throws(
    () => enc(type, value),
    (e: unknown) => e instanceof AttributeValueError && e.attribute === 'x' && message.test(e.message),
    `${type} ${String(value)} should fail with ${message}`,
  );
}

test('null and undefined become DEFAULT for every type; NaN and "" too for numeric types', () => {
  for (const t of ['int32', 'varchar(8)', 'uuid', 'json', '<blob>', 'datetime', 'bool']) {
    assert.equal(enc(t, null), SQL_DEFAULT);
    assert.equal(enc(t, undefined), SQL_DEFAULT);
  }
  for (const t of ['int32', 'float64', 'decimal(5,2)', 'bool', 'int unsigned']) {
    assert.ok(isSqlDefault(enc(t, NaN)));
    assert.ok(isSqlDefault(enc(t, '')));
  }
  assert.equal(enc('varchar(8)', ''), '');
});

test('integers: ranges per type, int64 as exact text, integer strings and booleans accepted', () => {
  assert.equal(enc('int8', -128), -128);
  assert.equal(enc('int8', 127n), 127);
  assert.equal(enc('int16', '-32768'), -32768);
  assert.equal(enc('int32', true), 1);
  assert.equal(enc('int64', 2n ** 63n - 1n), '9223372036854775807');
  assert.equal(enc('int64', -5), '-5');
  assert.equal(enc('bigint unsigned', 2n ** 64n - 1n), '18446744073709551615');
  assert.equal(enc('tinyint unsigned', 255), 255);
  rejects('int8', 128, /128 is out of range -128\.\.127 for attribute `x` \(int8\)/);
  rejects('int unsigned', -1, /out of range 0\.\.4294967295/);
  rejects('int32', 1.5, /1\.5 is not an integer/);
  rejects('int64', 2 ** 60, /beyond 2\^53.*pass a bigint/);
  rejects('int32', Infinity, /not an integer/);
  rejects('int32', 'seven', /expected an integer, got "seven"/);
});

test('floats: numbers and numeric strings; no infinities; float32 range', () => {
  assert.equal(enc('float64', 0.1), 0.1);
  assert.equal(enc('float32', '1.5e3'), 1500);
  assert.equal(enc('double', 3n), 3);
  rejects('float64', Infinity, /not finite/);
  rejects('float32', 1e39, /out of float32 range/);
  rejects('float64', 'abc', /expected a number/);
});

test('decimal: exact text, integer digits checked against precision and scale', () => {
  assert.equal(enc('decimal(5,2)', '123.45'), '123.45');
  assert.equal(enc('decimal(5,2)', 1.5), '1.5');
  assert.equal(enc('decimal(5,2)', new Decimal('-0.005')), '-0.005');
  assert.equal(enc('decimal(20,0)', 12345678901234567890n), '12345678901234567890');
  assert.equal(enc('decimal(5,2)', '0001.5'), '0001.5');
  assert.equal(enc('decimal(5,2)', '9.99e2'), '9.99e2');
  rejects('decimal(5,2)', '1234.5', /more than 3 digits before the decimal point/);
  rejects('decimal(5,2)', '1e3', /more than 3 digits/);
  rejects('decimal(5,2)', '1,5', /not a decimal number/);
  rejects('decimal(5,2)', Infinity, /not a finite decimal/);
});

test('bool: true/false and 0/1 become 1/0', () => {
  assert.equal(enc('bool', true), 1);
  assert.equal(enc('bool', false), 0);
  assert.equal(enc('bool', 1), 1);
  assert.equal(enc('bool', '0'), 0);
  rejects('bool', 2, /expected a boolean \(or 0\/1\), got 2/);
  rejects('bool', 'yes', /expected a boolean/);
});

test('uuid: the forms Python accepts become 16 bytes; others fail as in the reference', () => {
  const bytes = Buffer.from('12345678123456781234567812345678', 'hex');
  for (const form of [
    '12345678-1234-5678-1234-567812345678',
    '12345678123456781234567812345678',
    '{12345678-1234-5678-1234-567812345678}',
    'urn:uuid:12345678-1234-5678-1234-567812345678',
    '12345678-1234-5678-1234-567812345678'.toUpperCase(),
  ]) {
    assert.deepEqual(enc('uuid', form), bytes, form);
  }
  assert.deepEqual(enc('uuid', new Uuid(bytes)), bytes);
  assert.deepEqual(enc('uuid', Uint8Array.from(bytes)), bytes);
  rejects('uuid', 'not-a-uuid', /^badly formed UUID value "not-a-uuid" for attribute `x` \(uuid\)$/);
  rejects('uuid', 42, /badly formed UUID value 42/);
});

test('json: JSON text as json.dumps writes it; bigints exact; values JSON cannot hold are refused', () => {
  assert.equal(enc('json', { a: [1, 'b', null], c: true }), '{"a":[1,"b",null],"c":true}');
  assert.equal(enc('json', 'text'), '"text"');
  assert.equal(enc('json', 0), '0');
  assert.equal(enc('json', { id: 2n ** 64n }), '{"id":18446744073709551616}');
  assert.equal(enc('json', { d: new Date(Date.UTC(2024, 0, 1)), skip: undefined }), '{"d":"2024-01-01T00:00:00.000Z"}');
  rejects('json', [NaN], /\$\[0\] is NaN/);
  rejects('json', { m: new Map() }, /\$\.m is a Map/);
  rejects('json', { f: () => 1 }, /\$\.f is a function/);
  rejects('json', () => 1, /is a function/);
  const loop: Record<string, unknown> = {};
  loop.self = loop;
  rejects('json', loop, /\$\.self refers to itself/);
});

test('bytes: Buffers and Uint8Arrays pass through', () => {
  assert.deepEqual(enc('bytes', Uint8Array.of(1, 2)), Buffer.from([1, 2]));
  assert.deepEqual(enc('longblob', Buffer.from('ab')), Buffer.from('ab'));
  rejects('bytes', 'ab', /expected bytes/);
});

test('date: a calendar day as YYYY-MM-DD; a Date must be at UTC midnight', () => {
  assert.equal(enc('date', '2024-02-29'), '2024-02-29');
  assert.equal(enc('date', new Date(Date.UTC(2024, 1, 29))), '2024-02-29');
  assert.equal(enc('date', new LocalDate(1, 1, 1)), '0001-01-01');
  rejects('date', new Date(Date.UTC(2024, 1, 29, 5)), /has a time of day; pass a Date at UTC midnight/);
  rejects('date', '2023-02-29', /expected a date 'YYYY-MM-DD', got "2023-02-29"/);
  rejects('date', '2024-01-02 03:04:05', /expected a date/);
  rejects('date', new Date(NaN), /invalid Date/);
});

test('datetime: UTC text, microseconds only when present (as PyMySQL writes them)', () => {
  assert.equal(enc('datetime', new Date(Date.UTC(2024, 0, 2, 3, 4, 5))), '2024-01-02 03:04:05');
  assert.equal(enc('datetime(3)', new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678))), '2024-01-02 03:04:05.678000');
  assert.equal(enc('datetime(6)', DateTime.fromParts(2024, 1, 2, 3, 4, 5, 678901)), '2024-01-02 03:04:05.678901');
  assert.equal(enc('datetime(6)', '2024-01-02T03:04:05.5Z'), '2024-01-02 03:04:05.500000');
  assert.equal(enc('datetime', '2024-01-02 03:04'), '2024-01-02 03:04:00');
  assert.equal(enc('timestamp', '2024-01-02'), '2024-01-02 00:00:00');
  rejects('datetime', '2024-01-02T03:04:05+02:00', /expected a UTC datetime/);
  rejects('datetime', '2024-13-02 03:04:05', /expected a UTC datetime/);
  rejects('datetime', 1700000000000, /expected a datetime/);
});

test('time and year (native types)', () => {
  assert.equal(enc('time', '12:34:56'), '12:34:56');
  assert.equal(enc('time', '-838:59:59'), '-838:59:59');
  assert.equal(enc('time', new LocalTime(1, 2, 3, 4)), '01:02:03.000004');
  rejects('time', '1234', /expected a time of day/);
  assert.equal(enc('year', 2024), 2024);
  assert.equal(enc('year', '1999'), 1999);
  rejects('year', 1800, /between 1901 and 2155/);
});

test('char/varchar: strings within the declared length, counted in characters', () => {
  assert.equal(enc('varchar(5)', 'héllo'), 'héllo');
  assert.equal(enc('char(2)', '😀😀'), '😀😀');
  assert.equal(enc('text', 'x'.repeat(10000)), 'x'.repeat(10000));
  rejects('varchar(5)', 'héllo!', /string of 6 characters is longer than 5 for attribute `x` \(varchar\(5\)\)/);
  rejects('varchar(5)', 5, /expected a string, got 5/);
});

test('enum: one of the declared labels; case folded to the declared label as MySQL does', () => {
  const t = "enum('pending','reserved','error')";
  assert.equal(enc(t, 'error'), 'error');
  assert.equal(enc(t, 'ERROR'), 'error');
  rejects(t, 'done', /value "done" is not one of 'pending', 'reserved', 'error'/);
  rejects(t, 1, /expected one of/);
});

test('<blob>: blob bytes, compressed as the codec does; unsupported content names the attribute', () => {
  const value = { trace: [1.5, 2.5], label: 'a' };
  const out = enc('<blob>', value) as Buffer;
  assert.deepEqual(out, packBlob(value, { compress: true }));
  assert.deepStrictEqual(unpackBlob(out), value);
  const big = enc('<blob>', 'x'.repeat(5000)) as Buffer;
  assert.equal(big.subarray(0, 6).toString('latin1'), 'ZL123\0');
  rejects('<blob>', { f: () => 1 }, /cannot store value in <blob> attribute `x`: cannot pack a value of type function \(at \$\.f\)/);
});

test('<attach>: file name, NUL, contents; from a path or from { filename, data }', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dj-attach-'));
  try {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'hello');
    const expected = Buffer.concat([Buffer.from('notes.txt'), Buffer.from([0]), Buffer.from('hello')]);
    assert.deepEqual(enc('<attach>', file), expected);
    assert.deepEqual(enc('<attach>', { filename: 'notes.txt', data: Buffer.from('hello') }), expected);
    rejects('<attach>', join(dir, 'missing.bin'), /attachment file not found: .*missing\.bin/);
    rejects('<attach>', dir, /takes a file, not a directory/);
    rejects('<attach>', { filename: 'a/b', data: Buffer.alloc(0) }, /must be a plain, non-empty name/);
    rejects('<attach>', 7, /expected a file path or \{ filename, data \}/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('codecs needing object storage and unknown types fail with the reason', () => {
  rejects('<blob@cold>', [1], /needs object storage/);
  rejects('<graph>', 1, /codec <graph> is not available/);
  rejects('nonsense', 1, /type 'nonsense' is not a DataJoint or SQL type/);
});

test('value and codec errors are ValueErrors, printed by the CLI as one-line user errors', () => {
  try {
    enc('int8', 1000);
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof ValueError && e instanceof DataJointError);
    assert.equal((e as DataJointError).code, 'value');
    assert.equal((e as DataJointError).toOneLine(), 'AttributeValueError: 1000 is out of range -128..127 for attribute `x` (int8)');
  }
  try {
    packBlob(Symbol('s'));
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof BlobError && e instanceof ValueError);
    assert.equal((e as BlobError).toOneLine(), 'BlobError: cannot pack a value of type symbol (at $)');
  }
});
