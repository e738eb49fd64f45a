// The stand-alone source.datajoint grammar (what the `datajoint` language id uses).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { has, registry, scopesOf, tokenize } from './textmate';

test('stand-alone grammar: table comment only on the first line, then the usual lines', async () => {
  const src = '# Subjects\nid : int32  # key\n---\n-> [nullable] lab.Rig\n# plain\nunique index (id)\n';
  const lines = await tokenize(registry('real'), 'source.datajoint', src);
  has(scopesOf(lines, '# Subjects', 'Subjects'), 'comment.block.documentation.table.datajoint', 'table comment');
  has(scopesOf(lines, 'id : int32', 'int32'), 'support.type.core.datajoint', 'type');
  has(scopesOf(lines, 'id : int32', 'key'), 'comment.line.number-sign.datajoint', 'comment');
  has(scopesOf(lines, '---', '---'), 'keyword.control.divider.datajoint', 'divider');
  has(scopesOf(lines, 'lab.Rig', 'lab'), 'entity.name.namespace.datajoint', 'module');
  has(scopesOf(lines, '# plain', 'plain'), 'comment.line.number-sign.datajoint', 'later comment');
  has(scopesOf(lines, 'unique index', 'index'), 'keyword.other.index.datajoint', 'index');
});

test('line classification follows DataJoint: an arrow after a quote is not a foreign key', async () => {
  const lines = await tokenize(registry('real'), 'source.datajoint', "a = '->' : varchar(2)\nb -> Parent\nindex : int32\n");
  has(scopesOf(lines, "a = '->'", '->'), 'string.quoted.single.datajoint', 'quoted arrow');
  has(scopesOf(lines, 'b -> Parent', 'b'), 'invalid.illegal.text-before-arrow.datajoint', 'text before an arrow');
  has(scopesOf(lines, 'index : int32', 'index'), 'variable.other.attribute.datajoint', 'attribute called index');
});

test('types: core spelled exactly, natives in any case, unsupported 0.x spellings flagged', async () => {
  const lines = await tokenize(registry('real'), 'source.datajoint', 'a : INT unsigned\nb : INT32\nc : uint32\nd : <npy@>\ne : datetime (3)\n');
  has(scopesOf(lines, 'a : INT', 'INT'), 'support.type.native.datajoint', 'upper-case native');
  assert.ok(!scopesOf(lines, 'b : INT32', 'INT32').includes('support.type.core.datajoint'), 'INT32 is not a core type');
  has(scopesOf(lines, 'c : uint32', 'uint32'), 'invalid.deprecated.type.legacy.datajoint', 'uint32');
  has(scopesOf(lines, 'd : <npy@>', 'npy'), 'support.type.codec.datajoint', 'codec with default store');
  has(scopesOf(lines, 'e : datetime', 'datetime'), 'support.type.core.datajoint', 'datetime (3)');
});

test('stand-alone grammar: a comment after other lines is never the table comment', async () => {
  const lines = await tokenize(registry('real'), 'source.datajoint', 'a : int32\n# second\n\n# third\n');
  for (const text of ['second', 'third']) {
    const scopes = scopesOf(lines, `# ${text}`, text);
    has(scopes, 'comment.line.number-sign.datajoint', text);
    assert.ok(!scopes.includes('comment.block.documentation.table.datajoint'), `${text} is not the table comment`);
  }
});
