// A link's model is released once its check has used it (what a large file keeps live
// shrinks by a third); features still get the same model on the record's parse, and an
// index with an external resolver (the language server's catalog) keeps every model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TableIndex } from '../../../runtime/project';

const FILE = 'class Subject(dj.Manual):\n    definition = """\n    subject_id : int32  # who\n    """\n\nclass Session(dj.Manual):\n    definition = """\n    -> Subject\n    session : int32\n    ---\n    note = null : varchar(32)\n    """\n';

function names(index: TableIndex, id: string): unknown {
  const m = index.model(index.table(id)!)!;
  return { attributes: m.attributes.map((a) => [a.name, a.type, a.origin, a.comment ?? null]), primaryKey: m.primaryKey };
}

test('after a check the model features ask for is made again on the record\'s parse, the same as the link\'s', () => {
  const index = new TableIndex();
  index.setFile('/p/lab.py', FILE);
  const t = index.table('/p/lab.py#Session')!;
  const before = names(index, t.id);
  index.check('/p/lab.py');
  assert.equal(t.record!.linked!.model, undefined, 'released by the check');
  assert.deepEqual(names(index, t.id), before);
  const model = index.model(t)!;
  assert.equal(model.foreignKeys[0]!.line, t.record!.ast.lines[0]);
  assert.equal(index.model(t), model, 'made once for the epoch');
});

test('with an external resolver the links keep their models after the check', () => {
  const index = new TableIndex({ external: () => undefined });
  index.setFile('/p/lab.py', FILE);
  const t = index.table('/p/lab.py#Session')!;
  index.check('/p/lab.py');
  const model = t.record!.linked!.model;
  assert.ok(model);
  assert.equal(index.model(t), model);
});
