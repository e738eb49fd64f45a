import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDefinition, type AttributeLine, type ForeignKeyLine, type IndexLine } from '../../../runtime/definition';

const at = (text: string, span: { start: number; end: number }) => text.slice(span.start, span.end);

test('line classification follows the reference (§1.2)', () => {
  const text = [
    '# table comment',
    'index_value : int32',
    'index : int32',
    "a = '->' : varchar(8)",
    'b : int32 # -> not a foreign key',
    '-> Parent',
    'index(a, b)',
    'unique index (b)',
    '---------',
    '# comment',
  ].join('\n');
  const { ast, diagnostics } = parseDefinition(text);
  assert.deepEqual(diagnostics, []);
  assert.equal(ast.tableComment?.text, 'table comment');
  assert.deepEqual(ast.lines.map((l) => l.kind), ['attribute', 'attribute', 'attribute', 'attribute', 'foreignKey', 'index', 'index', 'divider', 'comment']);
  assert.deepEqual(ast.lines.map((l) => l.inKey), [true, true, true, true, true, true, true, true, false]);
});

test('attribute parts and spans', () => {
  const text = "  name = 'x:y#z' : varchar(64)  # nick \"name\"  ";
  const { ast, diagnostics } = parseDefinition(text);
  assert.deepEqual(diagnostics, []);
  const line = ast.lines[0] as AttributeLine;
  assert.equal(at(text, line.span), "name = 'x:y#z' : varchar(64)  # nick \"name\"");
  assert.equal(at(text, line.name.span), 'name');
  assert.equal(line.default?.kind, 'string');
  assert.equal(line.default?.value, 'x:y#z');
  assert.equal(at(text, line.default!.span), "'x:y#z'");
  assert.equal(line.type?.name, 'varchar');
  assert.equal(at(text, line.type!.span), 'varchar(64)');
  assert.deepEqual(line.type?.args?.map((a) => a.text), ['64']);
  assert.equal(line.comment?.text, 'nick "name"');
});

test('foreign key with options, module path and projection', () => {
  const text = "-> [nullable, UNIQUE] acq.Session.proj(s='session_id', other=\"pk2\") # why";
  const { ast, diagnostics } = parseDefinition(text);
  assert.deepEqual(diagnostics, []);
  const fk = ast.lines[0] as ForeignKeyLine;
  assert.deepEqual(fk.options.map((o) => o.text), ['nullable', 'UNIQUE']);
  assert.deepEqual(fk.reference?.path.map((p) => p.text), ['acq', 'Session']);
  const items = fk.reference!.projection!.items;
  assert.deepEqual(items.map((i) => [i.target?.text, i.source?.text]), [['s', 'session_id'], ['other', 'pk2']]);
  assert.equal(at(text, items[0]!.source!.span), "'session_id'");
  assert.equal(fk.comment?.text, 'why');
});

test('index arguments: attributes, json paths, nested expressions', () => {
  const text = 'unique index(a, (YEAR(d)), j.name:varchar(30)) # idx';
  const { ast, diagnostics } = parseDefinition(text);
  assert.deepEqual(diagnostics, []);
  const ix = ast.lines[0] as IndexLine;
  assert.equal(ix.unique, true);
  assert.deepEqual(ix.args.map((a) => [a.kind, a.text, a.name?.text]), [
    ['attribute', 'a', 'a'], ['expression', '(YEAR(d))', undefined], ['jsonPath', 'j.name:varchar(30)', 'j'],
  ]);
});
