// analyzeTable: the resolved heading used by declaration and hover.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTable, checkDefinition, parseDefinition } from '../../../runtime/definition';
import { context, resolve } from './tables';

const model = (text: string, ctx = context()) => analyzeTable(parseDefinition(text).ast, ctx);

test('foreign keys bring the parent key in its order, at the position of the line', () => {
  const m = model('-> Session\nextra : int16\n---\nvalue : float64');
  assert.deepEqual(m.attributes.map((a) => [a.name, a.type, a.inKey, a.origin]), [
    ['subject_id', 'int32', true, 'foreignKey'],
    ['session_idx', 'int16', true, 'foreignKey'],
    ['extra', 'int16', true, 'declared'],
    ['value', 'float64', false, 'declared'],
  ]);
  assert.deepEqual(m.primaryKey, ['subject_id', 'session_idx', 'extra']);
  assert.equal(m.attributes[0]!.foreignKey?.parent.name, 'Session');
  assert.equal(m.attributes[0]!.comment, 'unique id', 'the parent attribute comment comes along');
  assert.equal(m.attributes[0]!.typeInfo.core, 'int32');
  assert.deepEqual(m.foreignKeys[0]!.attributes, [{ name: 'subject_id', parentName: 'subject_id' }, { name: 'session_idx', parentName: 'session_idx' }]);
  assert.equal(m.complete, true);
  assert.equal(m.singleton, false);
});

test('projections rename, several renamed references to one parent are allowed', () => {
  const m = model("-> Subject.proj(a='subject_id')\n-> Subject.proj(b='subject_id')\n---\n-> [nullable] Subject.proj(c='subject_id')");
  assert.deepEqual(m.attributes.map((a) => [a.name, a.inKey, a.nullable]), [['a', true, false], ['b', true, false], ['c', false, true]]);
  assert.deepEqual(m.foreignKeys.map((f) => f.attributes), [
    [{ name: 'a', parentName: 'subject_id' }], [{ name: 'b', parentName: 'subject_id' }], [{ name: 'c', parentName: 'subject_id' }],
  ]);
  assert.deepEqual(m.foreignKeys.map((f) => [f.nullable, f.unique]), [[false, false], [false, false], [true, false]]);
});

test('diamonds share attributes; a later declared duplicate is dropped (first wins) and reported', () => {
  const text = '-> Session\n-> Subject\n---\nsubject_id : int64\nnote : varchar(8)\nnote : varchar(9)';
  const m = model(text);
  assert.deepEqual(m.attributes.map((a) => a.name), ['subject_id', 'session_idx', 'note']);
  assert.equal(m.attributes[0]!.type, 'int32');
  assert.equal(m.attributes[2]!.type, 'varchar(8)');
  assert.deepEqual(m.duplicates.map((d) => d.name), ['subject_id', 'note']);
  const { diagnostics } = checkDefinition(text, context());
  const dups = diagnostics.filter((d) => d.code === 'DJ206');
  assert.equal(dups.length, 2);
  // The duplicate of an FK-brought attribute points at the FK line and at the parent's attribute.
  const fromFk = dups[0]!;
  assert.match(fromFk.message, /by the foreign key to `Session`/);
  assert.equal(text.slice(fromFk.span.start, fromFk.span.end), 'subject_id');
  assert.equal(fromFk.span.start, text.indexOf('subject_id : int64'));
  const [fkLine, parentAttr] = fromFk.related!;
  assert.equal(text.slice(fkLine!.span.start, fkLine!.span.end), 'Session');
  // The span is in the parent's own definition (there, subject_id itself comes from `-> Subject`).
  assert.equal(parentAttr!.table, 'test:Session');
  assert.equal(parentAttr!.message, '`subject_id` in `Session`');
  const session = resolve(['Session'])!;
  assert.deepEqual(parentAttr!.span, session.primaryKey[0]!.span);
  const plain = dups[1]!;
  assert.equal(text.slice(plain.related![0]!.span.start, plain.related![0]!.span.end), 'note');
});

test('a duplicate in the key section stays in the primary key (declare.py)', () => {
  const m = model('a : int32\n---\nb : int32\n');
  assert.deepEqual(m.primaryKey, ['a']);
  const m2 = model('---\nb : int32\n');
  assert.equal(m2.singleton, true);
});

test('unresolved references leave the heading incomplete, without guessing', () => {
  const m = model('-> Nowhere\na : int32\nindex(nowhere_id)');
  assert.equal(m.complete, false);
  assert.deepEqual(m.attributes.map((a) => a.name), ['a']);
  assert.equal(m.singleton, false);
  const { diagnostics } = checkDefinition('-> Nowhere\na : int32\nindex(nowhere_id)', context());
  assert.deepEqual(diagnostics.map((d) => d.code), ['DJ303'], 'no DJ401 while a foreign key is unresolved');
});

test('without a resolver, references are not checked', () => {
  const { diagnostics } = checkDefinition('-> Anything\n---\nx : int32');
  assert.deepEqual(diagnostics, []);
});

test('master resolves to the master table in a part', () => {
  const m = model('-> master\nunit : int16', context({ tier: 'Part', masterName: 'Master' }));
  assert.deepEqual(m.attributes.map((a) => a.name), ['subject_id', 'session_idx', 'unit']);
  assert.equal(m.foreignKeys[0]!.parent?.name, 'Master');
});

test('master falls back to the master class name for resolvers that do not know the word', () => {
  const m = model('-> master\nunit : int16', { tier: 'Part', masterName: 'Master', resolve });
  assert.equal(m.foreignKeys[0]!.parent?.name, 'Master');
  assert.equal(model('-> master', { tier: 'Part', resolve }).foreignKeys[0]!.parent, undefined);
});

test('declared attributes carry default, comment, nullability and type classification', () => {
  const m = model("k : int32\n---\nd = null : <blob@store>  # data\nn = 'x' : varchar(4)");
  const [, d, n] = m.attributes;
  assert.equal(d!.nullable, true);
  assert.equal(d!.default?.kind, 'null');
  assert.equal(d!.comment, 'data');
  assert.equal(d!.typeInfo.category, 'codec');
  assert.equal(d!.typeInfo.codec?.store, 'store');
  assert.deepEqual(d!.typeInfo.sql, { mysql: 'json', postgresql: 'jsonb' });
  assert.equal(n!.default?.value, 'x');
  assert.equal(n!.nullable, false);
});

test('indexes list their attribute columns', () => {
  const m = model('a : int32\n---\nj : json\nunique index(a, j.x:int32, (a + 1))');
  assert.deepEqual(m.indexes.map((i) => [i.unique, i.columns]), [[true, ['a', 'j']]]);
});
