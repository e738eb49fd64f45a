import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TableIndex } from '../../../runtime/project';

const subject = (key: string): string => `class Subject(dj.Manual):\n    definition = """\n    ${key}\n    """\n`;
const SESSION = 'from .subject import Subject\nclass Session(dj.Manual):\n    definition = """\n    -> Subject\n    session : int32\n    """\n';
const STATS = 'from . import session\nclass Stats(dj.Computed):\n    definition = """\n    -> session.Session\n    ---\n    n : int32\n    """\n';

function project(): TableIndex {
  const index = new TableIndex();
  index.setFile('/p/subject.py', subject('subject_id : int32'));
  index.setFile('/p/session.py', SESSION);
  index.setFile('/p/stats.py', STATS);
  index.setFile('/p/unrelated.py', 'class Other(dj.Lookup):\n    definition = "o : int32"\n');
  return index;
}

const keyOf = (index: TableIndex, id: string): string[] => index.heading(index.table(id)!)!.primaryKey.map((a) => a.name);

test('reverse dependencies are transitive and leave unrelated files alone', () => {
  const index = project();
  assert.deepEqual(index.dependentFiles('/p/subject.py').sort(), ['/p/session.py', '/p/stats.py']);
  assert.deepEqual(index.dependentFiles('/p/session.py'), ['/p/stats.py']);
  assert.deepEqual(index.dependentFiles('/p/stats.py'), []);
  const subjectTable = index.table('/p/subject.py#Subject')!;
  assert.deepEqual(index.referencingTables(subjectTable).map((t) => t.name), ['Session']);
  assert.deepEqual(index.referencedTables(index.table('/p/stats.py#Stats')!).map((r) => [r.table.id, r.path.join('.')]), [['/p/session.py#Session', 'session.Session']]);
});

test('an edit to a definition updates the headings downstream and names the files to re-check', () => {
  const index = project();
  assert.deepEqual(keyOf(index, '/p/stats.py#Stats'), ['subject_id', 'session']);
  const affected = index.updateFile('/p/subject.py', subject('animal : varchar(16)'));
  assert.deepEqual(affected.sort(), ['/p/session.py', '/p/stats.py']);
  assert.deepEqual(keyOf(index, '/p/stats.py#Stats'), ['animal', 'session']);
  // An edit outside every definition changes no table: nothing else to re-check.
  assert.deepEqual(index.updateFile('/p/subject.py', '# owner: lab\n' + subject('animal : varchar(16)')), []);
  assert.equal(index.updateFile('/p/subject.py', '# owner: lab\n' + subject('animal : varchar(16)')).length, 0, 'same text');
});

test('removing and re-adding a file turns references unresolved and back', () => {
  const index = project();
  assert.deepEqual(index.check('/p/session.py'), []);
  assert.deepEqual(index.removeFile('/p/subject.py').sort(), ['/p/session.py', '/p/stats.py']);
  assert.deepEqual(index.check('/p/session.py').map((d) => d.code), ['DJ303']);
  assert.ok(!index.hasFile('/p/subject.py'));
  // The new file declares a name that an unresolved reference was waiting for.
  const affected = index.updateFile('/p/subject.py', subject('subject_id : int32'));
  assert.ok(affected.includes('/p/session.py'), JSON.stringify(affected));
  assert.deepEqual(index.check('/p/session.py'), []);
  assert.deepEqual(keyOf(index, '/p/stats.py#Stats'), ['subject_id', 'session']);
});

test('tableAt finds the table under a host offset (class or definition)', () => {
  const index = project();
  const text = SESSION;
  assert.equal(index.tableAt('/p/session.py', text.indexOf('session : int32'))?.name, 'Session');
  assert.equal(index.tableAt('/p/session.py', text.indexOf('class Session'))?.name, 'Session');
  assert.equal(index.tableAt('/p/session.py', 0), undefined);
});

test('an edit inside one definition re-checks only that table and the tables downstream of it', () => {
  // Every class name carries an underscore (DJ508), so every table has a diagnostic
  // whose object shows whether its check was reused.
  const cls = (name: string, body: string): string => `class ${name}(dj.Manual):\n    definition = """\n    ${body}\n    """\n`;
  const file = (rootType: string): string =>
    cls('Root_T', `root_id : ${rootType}`) + cls('Child_T', '-> Root_T\n    child : int32') + cls('Grand_T', '-> Child_T\n    g : int32') + cls('Other_T', 'o : int32');
  const index = new TableIndex();
  index.setFile('/p/m.py', file('int32'));
  index.setFile('/p/far.py', 'from .m import Child_T\n' + cls('Far_T', '-> Child_T\n    f : int32'));
  const byTable = (path: string): Map<string, object> => new Map(index.check(path).filter((d) => d.code === 'DJ508').map((d) => [d.table, d.diagnostic]));
  const before = byTable('/p/m.py');
  const farBefore = byTable('/p/far.py');
  assert.equal(before.size, 4);
  assert.deepEqual(index.updateFile('/p/m.py', file('int16')), ['/p/far.py']);
  const after = byTable('/p/m.py');
  assert.equal(after.get('Other_T'), before.get('Other_T'), 'an unrelated table keeps its check');
  for (const t of ['Root_T', 'Child_T', 'Grand_T']) assert.notEqual(after.get(t), before.get(t), `${t} is checked again`);
  assert.notEqual(byTable('/p/far.py').get('Far_T'), farBefore.get('Far_T'), 'a dependent in another file is checked again');
  // Inherited key types follow the edit.
  assert.equal(index.heading(index.table('/p/far.py#Far_T')!)!.primaryKey[0].type, 'int16');
});

test('an edit outside every definition keeps the tables, their tiers and their checks, at new positions', () => {
  const text = 'import datajoint as dj\nclass Session_T(dj.Manual):\n    definition = """\n    s : int32\n    """\n';
  const index = new TableIndex();
  index.setFile('/p/s.py', text);
  const [before] = index.check('/p/s.py');
  assert.deepEqual(index.updateFile('/p/s.py', '# a comment\n' + text), []);
  assert.deepEqual(index.tablesIn('/p/s.py').map((t) => [t.name, t.tier]), [['Session_T', 'Manual']]);
  const [after] = index.check('/p/s.py');
  assert.equal(after.diagnostic, before.diagnostic);
  assert.equal(after.start, before.start + '# a comment\n'.length);
});

test('a table whose inherited heading stays the same keeps its check, however far downstream', () => {
  const cls = (name: string, body: string): string => `class ${name}(dj.Manual):\n    definition = """\n    ${body}\n    """\n`;
  const file = (note: string): string =>
    cls('Root_T', `root_id : int32\n    ---\n    note : ${note}`) + cls('Child_T', '-> Root_T\n    child : int32') + cls('Grand_T', '-> Child_T\n    g : int32');
  const index = new TableIndex();
  index.setFile('/p/m.py', file('int32'));
  const byTable = (): Map<string, object> => new Map(index.check('/p/m.py').filter((d) => d.code === 'DJ508').map((d) => [d.table, d.diagnostic]));
  const before = byTable();
  // A secondary attribute of Root: Child inherits only Root's key, so its heading is the
  // same and Grand, which sees only Child's heading, is not checked again.
  index.updateFile('/p/m.py', file('varchar(8)'));
  const after = byTable();
  assert.notEqual(after.get('Root_T'), before.get('Root_T'));
  assert.notEqual(after.get('Child_T'), before.get('Child_T'), 'a direct child is checked again (it may use any attribute)');
  assert.equal(after.get('Grand_T'), before.get('Grand_T'));
  assert.equal(index.heading(index.table('/p/m.py#Root_T')!)!.attributes.find((a) => a.name === 'note')!.type, 'varchar(8)');
  // And back: results follow the text, not the history.
  index.updateFile('/p/m.py', file('int32'));
  assert.deepEqual(index.check('/p/m.py').map((d) => [d.code, d.start]), (() => {
    const fresh = new TableIndex();
    fresh.setFile('/p/m.py', file('int32'));
    return fresh.check('/p/m.py').map((d) => [d.code, d.start]);
  })());
});

test('a reference cycle is an error while it lasts: removing its other table turns it back into "cannot resolve"', () => {
  const index = new TableIndex();
  const a = 'from .b import B\nclass A(dj.Manual):\n    definition = """\n    -> B\n    a : int32\n    """\n';
  index.setFile('/c/a.py', a);
  index.setFile('/c/b.py', 'from .a import A\nclass B(dj.Manual):\n    definition = """\n    -> A\n    b : int32\n    """\n');
  assert.deepEqual(index.check('/c/a.py').map((d) => [d.code, d.severity]), [['DJ313', 'error']]);
  index.removeFile('/c/b.py');
  assert.deepEqual(index.check('/c/a.py').map((d) => [d.code, d.severity]), [['DJ303', 'warning']]);
  index.setFile('/c/b.py', 'from .a import A\nclass B(dj.Manual):\n    definition = """\n    b : int32\n    """\n');
  assert.deepEqual(index.check('/c/a.py'), []);
});
