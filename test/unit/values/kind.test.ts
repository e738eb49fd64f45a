import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kindOf, kindOfType, parseEnumValues } from '../../../runtime/values/index';

test('core types', () => {
  assert.deepEqual(kindOfType('int8'), { kind: 'int', bits: 8, unsigned: false });
  assert.deepEqual(kindOfType('int64'), { kind: 'int', bits: 64, unsigned: false });
  assert.deepEqual(kindOfType('float32'), { kind: 'float', bits: 32 });
  assert.deepEqual(kindOfType('float64'), { kind: 'float', bits: 64 });
  assert.deepEqual(kindOfType('bool'), { kind: 'bool' });
  assert.deepEqual(kindOfType('uuid'), { kind: 'uuid' });
  assert.deepEqual(kindOfType('json'), { kind: 'json' });
  assert.deepEqual(kindOfType('bytes'), { kind: 'bytes' });
  assert.deepEqual(kindOfType('date'), { kind: 'date' });
  assert.deepEqual(kindOfType('datetime'), { kind: 'datetime', precision: 0 });
  assert.deepEqual(kindOfType('datetime(3)'), { kind: 'datetime', precision: 3 });
  assert.deepEqual(kindOfType('char(3)'), { kind: 'string', maxLength: 3 });
  assert.deepEqual(kindOfType('varchar(255)'), { kind: 'string', maxLength: 255 });
  assert.deepEqual(kindOfType("enum('pending', 'reserved')"), { kind: 'enum', values: ['pending', 'reserved'] });
  assert.deepEqual(kindOfType('decimal(5,2)'), { kind: 'decimal', precision: 5, scale: 2 });
});

test('native types, as declared and as MariaDB reports them', () => {
  assert.deepEqual(kindOfType('int unsigned'), { kind: 'int', bits: 32, unsigned: true });
  assert.deepEqual(kindOfType('int(10) unsigned'), { kind: 'int', bits: 32, unsigned: true });
  assert.deepEqual(kindOfType('tinyint(1)'), { kind: 'int', bits: 8, unsigned: false });
  assert.deepEqual(kindOfType('mediumint'), { kind: 'int', bits: 24, unsigned: false });
  assert.deepEqual(kindOfType('bigint unsigned auto_increment'), { kind: 'int', bits: 64, unsigned: true });
  assert.deepEqual(kindOfType('serial'), { kind: 'int', bits: 64, unsigned: true });
  assert.deepEqual(kindOfType('double'), { kind: 'float', bits: 64 });
  assert.deepEqual(kindOfType('float'), { kind: 'float', bits: 32 });
  assert.deepEqual(kindOfType('float(30)'), { kind: 'float', bits: 64 });
  assert.deepEqual(kindOfType('numeric(8)'), { kind: 'decimal', precision: 8, scale: 0 });
  assert.deepEqual(kindOfType('timestamp(3)'), { kind: 'datetime', precision: 3 });
  assert.deepEqual(kindOfType('time'), { kind: 'time' });
  assert.deepEqual(kindOfType('year'), { kind: 'year' });
  assert.deepEqual(kindOfType('longblob'), { kind: 'bytes' });
  assert.deepEqual(kindOfType('binary(16)'), { kind: 'bytes' });
  assert.deepEqual(kindOfType('mediumtext'), { kind: 'string' });
  assert.deepEqual(kindOfType('longtext'), { kind: 'string' });
});

test('codecs: in-table <blob> and <attach>; in-store and custom codecs are reported, not guessed', () => {
  assert.deepEqual(kindOfType('<blob>'), { kind: 'blob' });
  assert.deepEqual(kindOfType('<attach>'), { kind: 'attach' });
  const inStore = kindOfType('<blob@cold>');
  assert.equal(inStore?.kind, 'unsupported');
  assert.match((inStore as { reason: string }).reason, /in-store codec <blob@cold> needs object storage/);
  assert.match((kindOfType('<graph>') as { reason: string }).reason, /codec <graph> is not available/);
});

test('the DataJoint type wins; the SQL type covers markers we do not know', () => {
  assert.deepEqual(kindOf({ name: 'x', type: 'uuid', sqlType: 'binary(16)', nullable: false }), { kind: 'uuid' });
  assert.deepEqual(kindOf({ name: 'x', type: 'json', sqlType: 'longtext', nullable: false }), { kind: 'json' });
  // a 0.x marker read back from an old schema
  assert.deepEqual(kindOf({ name: 'x', type: 'uint32', sqlType: 'int unsigned', nullable: false }), { kind: 'int', bits: 32, unsigned: true });
  assert.equal(kindOf({ name: 'x', type: 'wat', nullable: false }).kind, 'unsupported');
  // the reference's INTEGER pattern is unanchored ('int32 NOT NULL' is INTEGER); ours is not
  assert.equal(kindOfType('int32 NOT NULL'), undefined);
});

test('enum values with quotes, commas and escapes', () => {
  assert.deepEqual(parseEnumValues("'a','b,c', 'it''s', 'back\\'slash'"), ['a', 'b,c', "it's", "back'slash"]);
  assert.deepEqual(parseEnumValues("'M','F','U'"), ['M', 'F', 'U']);
});

test("PostgreSQL's own spellings of native types, as information_schema reports them", () => {
  assert.deepEqual(kindOfType('timestamp(3) without time zone'), { kind: 'datetime', precision: 3 });
  assert.deepEqual(kindOfType('time without time zone'), { kind: 'time' });
  assert.deepEqual(kindOfType('character varying(64)'), { kind: 'string', maxLength: 64 });
  assert.deepEqual(kindOfType('character varying'), { kind: 'string' });
  assert.deepEqual(kindOfType('boolean'), { kind: 'bool' });
  assert.deepEqual(kindOfType('bytea'), { kind: 'bytes' });
});

test('REAL is a double: MySQL reads REAL as DOUBLE (unless sql_mode REAL_AS_FLOAT)', () => {
  // A PostgreSQL `real` column is 4 bytes, but its kind comes from the dialect's reverse map
  // (dialect/postgres.ts: real → float32, as adapters/postgres.py) or the column's marker, not from here.
  assert.deepEqual(kindOfType('real'), { kind: 'float', bits: 64 });
  assert.deepEqual(kindOfType('REAL'), { kind: 'float', bits: 64 });
  assert.deepEqual(kindOfType('real(10,2)'), { kind: 'float', bits: 64 });
  assert.deepEqual(kindOfType('double precision'), { kind: 'float', bits: 64 });
  assert.deepEqual(kindOfType('float(24)'), { kind: 'float', bits: 32 });
});
