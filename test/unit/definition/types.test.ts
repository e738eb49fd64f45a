// The type catalogue: classification in the reference's order, SQL mapping, advice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CODECS, CORE_TYPES, LEGACY_TYPES, checkDefinition, classifyType } from '../../../runtime/definition';

test('core types map to SQL for both dialects', () => {
  const cases: Array<[string, string, string, string]> = [
    ['int8', 'int8', 'tinyint', 'smallint'], ['int32', 'int32', 'int', 'integer'], ['float64', 'float64', 'double', 'double precision'],
    ['bool', 'bool', 'tinyint', 'boolean'], ['uuid', 'uuid', 'binary(16)', 'uuid'], ['json', 'json', 'json', 'jsonb'], ['bytes', 'bytes', 'longblob', 'bytea'],
    ['datetime', 'datetime', 'datetime', 'timestamp'], ['datetime(3)', 'datetime', 'datetime(3)', 'timestamp(3)'], ['varchar(64)', 'varchar', 'varchar(64)', 'varchar(64)'],
    ['decimal(5, 2)', 'decimal', 'decimal(5,2)', 'numeric(5,2)'], ["enum('a', 'b')", 'enum', "enum('a', 'b')", 'a CREATE TYPE ... AS ENUM'],
  ];
  for (const [text, core, mysql, pg] of cases) {
    const info = classifyType(text);
    assert.equal(info.category, 'core', text);
    assert.equal(info.core, core, text);
    assert.deepEqual(info.sql, { mysql, postgresql: pg }, text);
  }
  assert.deepEqual(classifyType("enum('a,b', 'it''s', \"x#y\")").enumValues, ['a,b', "it's", 'x#y']);
  assert.equal(classifyType("enum('M', 'F')").category, 'core', 'enum values keep their case');
  assert.equal(classifyType("ENUM('M', 'F')").spelling, "enum('M', 'F')");
  assert.deepEqual(classifyType('decimal(5,2)').digits, { precision: 5, scale: 2 });
  assert.equal(classifyType('datetime (3)').category, 'core', 'datetime (3) works in the reference');
});

test('every core type and codec is documented', () => {
  assert.equal(CORE_TYPES.length, 16);
  for (const t of CORE_TYPES) assert.ok(t.doc && t.mysql && t.postgresql && t.syntax, t.name);
  assert.deepEqual(CODECS.map((c) => c.name), ['blob', 'attach', 'hash', 'object', 'npy', 'filepath']);
  assert.deepEqual(CODECS.filter((c) => c.store === 'required').map((c) => c.name), ['hash', 'object', 'npy', 'filepath']);
});

test('codecs: in-table vs in-store, blob-likeness, custom codecs', () => {
  const blob = classifyType('<blob>');
  assert.equal(blob.category, 'codec');
  assert.equal(blob.isBlobLike, true);
  assert.equal(blob.codec?.inStore, false);
  const stored = classifyType('<blob@>');
  assert.equal(stored.isJson, true);
  assert.equal(stored.codec?.store, '');
  assert.equal(classifyType('<attach@store>').codec?.store, 'store');
  const custom = classifyType('<graph>');
  assert.equal(custom.codec?.builtin, false);
  assert.equal(custom.sql, undefined);
});

test('misspelled core types get their spelling', () => {
  for (const [text, spelling] of [['INT32', 'int32'], ['Date', 'date'], ['VARCHAR(10)', 'varchar(10)'], ['char (3)', 'char(3)'], ['decimal (5,2)', 'decimal(5,2)'], ['jsonb', 'json'], ['JSON', 'json']]) {
    const info = classifyType(text!);
    assert.equal(info.category, 'unknown', text);
    assert.equal(info.spelling, spelling, text);
  }
});

test('native types are accepted with advice; unsigned has no exact replacement', () => {
  const cases: Array<[string, string | undefined, boolean | undefined]> = [
    ['int', 'int32', true], ['INT', 'int32', true], ['int(11)', 'int32', true], ['tinyint', 'int8', true], ['tinyint(1)', 'bool', true], ['smallint', 'int16', true],
    ['bigint', 'int64', true], ['float', 'float32', true], ['double', 'float64', true], ['real', 'float64', true], ['longblob', '<blob>', true], ['mediumblob', '<blob>', true],
    ['int unsigned', 'int64', false], ['smallint unsigned', 'int32', false], ['tinyint unsigned', 'int16', false], ['bigint unsigned', undefined, undefined],
    ['int unsigned auto_increment', undefined, undefined], ['numeric(5,2)', 'decimal(5, 2)', true], ['text', undefined, undefined], ['timestamp', 'datetime', false],
    ['time', undefined, undefined], ['varchar(n)', undefined, undefined],
  ];
  for (const [text, rep, exact] of cases) {
    const info = classifyType(text);
    assert.equal(info.category, 'native', text);
    assert.equal(info.replacements?.[0]?.text, rep, text);
    assert.equal(info.replacements?.[0]?.exact, exact, text);
  }
});

test('unsupported types, stricter than the reference', () => {
  for (const text of ['int32 NOT NULL', 'intfoo', 'tinyinteger', 'boolean', 'blob', 'binary(16)', 'set(1)', 'decimal(5)', 'double precision', 'uint8', 'nvarchar(3)', '']) {
    assert.equal(classifyType(text).category, 'unknown', text);
  }
  assert.equal(classifyType('boolean').replacements?.[0]?.text, 'bool');
  assert.equal(classifyType('uint32').removed, true);
  assert.equal(classifyType('uint32').replacements?.[0]?.text, 'int64');
  assert.equal(classifyType('uint64').replacements, undefined);
});

test('DataJoint 0.x codec syntax gets the bracketed spelling', () => {
  const text = 'k : int32\n---\na : blob@store\nb : attach@ext\nc : filepath@raw\nd : attach';
  const { ast, diagnostics } = checkDefinition(text);
  assert.deepEqual(diagnostics.map((d) => [d.code, text.slice(d.span.start, d.span.end), d.fixes?.[0]?.edits[0]?.newText]), [
    ['DJ203', 'blob@store', '<blob@store>'], ['DJ203', 'attach@ext', '<attach@ext>'], ['DJ203', 'filepath@raw', '<filepath@raw>'], ['DJ203', 'attach', '<attach>'],
  ]);
  assert.equal((ast.lines[2] as { type?: { name: string } }).type?.name, 'blob');
});

test('native type hints carry machine-applicable fixes on the type span', () => {
  const text = 'a : int\n---\nb : longblob\nc : int unsigned\nd : bigint unsigned';
  const { diagnostics } = checkDefinition(text);
  const hints = diagnostics.filter((d) => d.code === 'DJ214');
  assert.deepEqual(hints.map((d) => text.slice(d.span.start, d.span.end)), ['int', 'longblob', 'int unsigned', 'bigint unsigned']);
  assert.ok(hints.every((d) => d.severity === 'hint' && d.tags?.includes('deprecated')));
  assert.deepEqual(hints.map((d) => d.fixes?.map((f) => [f.edits[0]!.newText, Boolean(f.preferred)])), [
    [['int32', true]], [['<blob>', true], ['bytes', false]], [['int64', false]], undefined,
  ]);
  assert.match(hints[2]!.message, /no exact core type/);
  const fix = hints[0]!.fixes![0]!.edits[0]!;
  assert.equal(text.slice(0, fix.span.start) + fix.newText + text.slice(fix.span.end), text.replace('a : int', 'a : int32'));
});

// One vocabulary of types: what completion offers (CORE_TYPES, CODECS, LEGACY_TYPES) is what
// validation accepts under the matching target, and the TextMate grammar's core types are
// derived from the same catalogue (syntaxes/src/rules.ts).
test('the types completion offers are the types validation accepts, per target', () => {
  const instantiate = (syntax: string): string => syntax.replace('datetime(n)', 'datetime(3)').replace('(n)', '(8)').replace('(p, s)', '(5, 2)').replace('(p,s)', '(5,2)').replace('@store', '@raw').replace(/<(\w+)@>/, '<$1@raw>');
  const errors = (type: string, target: '2' | '0.14' | '0.13'): string[] =>
    checkDefinition(`k : int32\n---\na : ${type}`.replace('int32', target === '2' ? 'int32' : 'int'), { target }).diagnostics.filter((d) => d.severity === 'error').map((d) => `${type}: ${d.message}`);
  for (const t of CORE_TYPES) assert.deepEqual(errors(instantiate(t.syntax), '2'), []);
  for (const c of CODECS) assert.deepEqual(errors(instantiate(c.syntax), '2'), []);
  for (const t of LEGACY_TYPES) {
    assert.deepEqual(errors(instantiate(t.syntax), '0.14'), []);
    if (!t.since014) assert.deepEqual(errors(instantiate(t.syntax), '0.13'), []);
  }
  const grammar = readFileSync(join(__dirname, '../../../syntaxes/datajoint.tmLanguage.json'), 'utf8');
  for (const t of CORE_TYPES.filter((x) => x.syntax === x.name)) assert.ok(grammar.includes(t.name), `the grammar highlights ${t.name}`);
});
