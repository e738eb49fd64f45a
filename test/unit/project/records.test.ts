// The workspace model's records: one per definition, parsed once, moving through
// parsed → linked → checked under the index's one epoch, kept across versions of their
// file while their text is unchanged; the graph's edges say where each reference is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TableIndex } from '../../../runtime/project';

const SUBJECT = 'class Subject(dj.Manual):\n    definition = """\n    subject_id : int32\n    """\n';
const session = (extra: string): string =>
  `from .subject import Subject\nclass Session(dj.Manual):\n    definition = """\n    -> Subject\n    session : int32\n    ---\n    ${extra}\n    """\n\nclass Note(dj.Manual):\n    definition = """\n    -> Subject\n    note : int32\n    """\n`;

function project(): TableIndex {
  const index = new TableIndex();
  index.setFile('/p/subject.py', SUBJECT);
  index.setFile('/p/session.py', session('a : int32'));
  return index;
}

test('a record moves from scanned to parsed, linked and checked in the current epoch', () => {
  const index = project();
  const t = index.table('/p/session.py#Session')!;
  const record = t.record!;
  assert.equal(record.stateAt(index.epoch), 'scanned');
  assert.equal(record.ast.lines.length > 0, true);
  assert.equal(record.stateAt(index.epoch), 'parsed');
  index.heading(t);
  assert.equal(record.stateAt(index.epoch), 'linked');
  index.check('/p/session.py');
  assert.equal(record.stateAt(index.epoch), 'checked');
  index.setFile('/p/other.py', 'x = 1\n');
  assert.equal(record.stateAt(index.epoch), 'parsed', 'a new file may change what names mean');
});

test('an unchanged definition keeps its record and its parse across edits of its file', () => {
  const index = project();
  const note = index.table('/p/session.py#Note')!.record!;
  const ast = note.ast;
  index.check('/p/session.py');
  index.updateFile('/p/session.py', session('a : int16'));
  const after = index.table('/p/session.py#Note')!.record!;
  assert.equal(after, note);
  assert.equal(after.ast, ast, 'not parsed again');
  assert.notEqual(index.table('/p/session.py#Session')!.record!.text, note.text);
  // Confirmed, not analysed again: what Note resolves (Subject) kept its heading.
  const linked = note.linked;
  index.check('/p/session.py');
  assert.equal(note.linked, linked);
  assert.equal(note.stateAt(index.epoch), 'checked');
});

test('a renamed class takes over the parse of its text', () => {
  const index = project();
  const ast = index.table('/p/session.py#Note')!.record!.ast;
  index.updateFile('/p/session.py', session('a : int32').replace('class Note', 'class Remark'));
  const renamed = index.table('/p/session.py#Remark')!.record!;
  assert.equal(renamed.ast, ast);
  assert.equal(renamed.stateAt(index.epoch), 'parsed');
});

test('the model features use is the record link\'s, on the record\'s parse', () => {
  const index = project();
  const t = index.table('/p/session.py#Session')!;
  const model = index.model(t)!;
  assert.deepEqual(model.primaryKey, ['subject_id', 'session']);
  assert.equal(model.foreignKeys[0]!.line, t.record!.ast.lines[0]);
});

test('edges say where each reference is written, name by name', () => {
  const index = new TableIndex();
  index.setFile('/p/subject.py', SUBJECT);
  index.setFile('/p/session.py', 'from . import subject\nclass Session(dj.Manual):\n    definition = """\n    -> subject . Subject\n    s : int32\n    """\n');
  const t = index.table('/p/session.py#Session')!;
  const [edge] = index.referencesOf(t);
  assert.equal(edge!.parent, '/p/subject.py#Subject');
  const text = t.definition!.text;
  assert.deepEqual(edge!.reference.segments.map((s) => text.slice(s.start, s.end)), ['subject', 'Subject']);
});
