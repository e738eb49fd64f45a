import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TableIndex } from '../../../runtime/project';

const py = (...lines: string[]): string => lines.join('\n') + '\n';

function pythonProject(): TableIndex {
  const index = new TableIndex({ roots: ['/repo'] });
  index.setFile('/repo/pipeline/__init__.py', '');
  index.setFile(
    '/repo/pipeline/subject.py',
    py(
      'import datajoint as dj',
      'schema = dj.Schema("s")',
      '@schema',
      'class Subject(dj.Manual):',
      '    definition = """',
      '    subject_id : int32',
      '    ---',
      '    name : varchar(32)',
      '    """',
      'class Base(dj.Computed):',
      '    pass',
    ),
  );
  index.setFile(
    '/repo/pipeline/acquisition.py',
    py(
      'import datajoint as dj',
      'from . import subject',
      '@schema',
      'class Session(dj.Manual):',
      '    definition = """',
      '    -> subject.Subject',
      '    session_idx : int16',
      '    """',
      '    class Trial(dj.Part):',
      '        definition = """',
      '        -> master',
      '        trial : int32',
      '        """',
    ),
  );
  index.setFile(
    '/repo/pipeline/processing.py',
    py(
      'import datajoint as dj',
      'from .acquisition import Session as Sess',
      'import pipeline.subject as subj',
      'from pipeline import acquisition',
      'from .subject import *',
      'class TrialStats(Base):',
      '    definition = """',
      '    -> Sess.Trial',
      '    ---',
      '    -> subj.Subject.proj(handler="subject_id")',
      '    mean : float64',
      '    """',
      'class SessionStats(dj.Computed):',
      '    definition = """',
      '    -> acquisition.Session',
      '    ---',
      '    -> [nullable] Subject.proj(owner="subject_id")',
      '    """',
    ),
  );
  return index;
}

test('python: module names from package folders, parts named through their master', () => {
  const index = pythonProject();
  assert.deepEqual(
    index.tables().map((t) => [t.module, t.name, t.tier, t.master ?? '']),
    [
      ['pipeline.subject', 'Subject', 'Manual', ''],
      ['pipeline.subject', 'Base', 'Computed', ''],
      ['pipeline.acquisition', 'Session', 'Manual', ''],
      ['pipeline.acquisition', 'Session.Trial', 'Part', 'Session'],
      ['pipeline.processing', 'TrialStats', 'Computed', ''],
      ['pipeline.processing', 'SessionStats', 'Computed', ''],
    ],
  );
  const session = index.table('/repo/pipeline/acquisition.py#Session')!;
  assert.deepEqual(session.parts, ['Session.Trial']);
});

// The master of a part is the class of its name that encloses it, looked up by name
// (buildFile), among many classes with parts of the same name and a class defined twice.
test('python: a part goes with the enclosing class of its master\'s name, among many and a redefined one', () => {
  const index = new TableIndex({ roots: ['/repo'] });
  const masters = Array.from({ length: 50 }, (_, i) => [
    `class M${i}(dj.Manual):`, '    definition = """', `    m${i} : int32`, '    """',
    '    class Item(dj.Part):', '        definition = """', '        -> master', '        item : int32', '        """',
  ]).flat();
  index.setFile('/repo/many.py', py(
    'import datajoint as dj',
    ...masters,
    'class M7(dj.Lookup):', '    definition = """', '    again : int32', '    """',
    '    class Other(dj.Part):', '        definition = """', '        -> master', '        """',
  ));
  const parts = index.tables().filter((t) => t.tier === 'Part');
  assert.equal(parts.length, 51);
  assert.deepEqual(parts.slice(0, 3).map((t) => [t.id, t.master]), [['/repo/many.py#M0.Item', 'M0'], ['/repo/many.py#M1.Item', 'M1'], ['/repo/many.py#M2.Item', 'M2']]);
  const other = index.table('/repo/many.py#M7.Other')!;
  assert.equal(other.master, 'M7');
  assert.equal(index.table('/repo/many.py#M7.Item')!.master, 'M7');
  assert.deepEqual(index.table('/repo/many.py#M48')!.parts, ['M48.Item']);
  assert.deepEqual(index.resolve('/repo/many.py', 'M7.Other', ['master'])?.primaryKey.map((a) => a.name), ['again']);
  assert.deepEqual(index.resolve('/repo/many.py', 'M49.Item', ['master'])?.primaryKey.map((a) => a.name), ['m49']);
});

test('python: relative, absolute, aliased and star imports resolve; keys are inherited through the chain', () => {
  const index = pythonProject();
  const keys = (file: string, table: string, path: string[]): string[] | undefined =>
    index.resolve(file, table, path)?.primaryKey.map((a) => a.name);
  const proc = '/repo/pipeline/processing.py';
  assert.deepEqual(keys('/repo/pipeline/acquisition.py', 'Session', ['subject', 'Subject']), ['subject_id']);
  assert.deepEqual(keys('/repo/pipeline/acquisition.py', 'Session.Trial', ['master']), ['subject_id', 'session_idx']);
  assert.deepEqual(keys(proc, 'TrialStats', ['Sess', 'Trial']), ['subject_id', 'session_idx', 'trial']);
  assert.deepEqual(keys(proc, 'TrialStats', ['subj', 'Subject']), ['subject_id']);
  assert.deepEqual(keys(proc, 'SessionStats', ['acquisition', 'Session', 'Trial']), ['subject_id', 'session_idx', 'trial']);
  assert.deepEqual(keys(proc, 'SessionStats', ['Subject']), ['subject_id'], 'star import');
  assert.equal(index.resolve(proc, 'SessionStats', ['master']), undefined, 'master only inside a part');
  assert.equal(index.resolveTable(proc, 'SessionStats', ['Nope']), undefined);
  const stats = index.table(`${proc}#TrialStats`)!;
  const heading = index.heading(stats)!;
  assert.equal(heading.tier, 'Computed', 'tier inherited from a project base class');
  assert.deepEqual(
    heading.attributes.map((a) => a.name),
    ['subject_id', 'session_idx', 'trial', 'handler', 'mean'],
  );
  assert.deepEqual(index.check(proc), []);
  assert.deepEqual(index.check('/repo/pipeline/acquisition.py'), []);
});

test('python: diagnostics are placed at host positions, escapes included', () => {
  const index = pythonProject();
  const src = py(
    'from . import subject',
    'class Bad(dj.Manual):',
    '    definition = "-> subject.Subjekt\\nx : int32\\ny : int32\\nx : int64"',
  );
  index.setFile('/repo/pipeline/bad.py', src);
  const diags = index.check('/repo/pipeline/bad.py');
  const unresolved = diags.find((d) => d.code === 'DJ303')!;
  assert.equal(unresolved.severity, 'warning');
  assert.equal(src.slice(unresolved.start, unresolved.end), 'subject.Subjekt');
  assert.deepEqual(unresolved.range, { start: { line: 2, character: 21 }, end: { line: 2, character: 36 } });
  const dup = diags.find((d) => d.code === 'DJ206')!;
  assert.equal(src.slice(dup.start, dup.end), 'x');
  assert.equal(dup.start, src.lastIndexOf('x : int64'));
  assert.equal(dup.related?.[0]?.start, src.indexOf('x : int32'));
});

test('python: references on a cycle do not resolve, in whatever order tables are checked', () => {
  const src = py('class A(dj.Manual):', '    definition = "-> B\\na : int32"', 'class B(dj.Manual):', '    definition = "-> A\\nb : int32"', 'class S(dj.Manual):', '    definition = "-> S\\ns : int32"', 'class C(dj.Manual):', '    definition = "-> A\\nc : int32"');
  for (const order of [['A', 'B', 'C'], ['C', 'B', 'A']]) {
    const index = new TableIndex();
    index.setFile('/c/a.py', src);
    const keys = order.map((n) => index.heading(index.table(`/c/a.py#${n}`)!)!.primaryKey.map((x) => x.name));
    assert.deepEqual(Object.fromEntries(order.map((n, k) => [n, keys[k]])), { A: ['a'], B: ['b'], C: ['a', 'c'] });
    const diags = index.check('/c/a.py');
    // Errors, not "cannot resolve" warnings: DataJoint cannot declare a cycle (reference §3.4).
    assert.deepEqual(diags.map((d) => [d.table, d.code, d.severity]), [['A', 'DJ313', 'error'], ['B', 'DJ313', 'error'], ['S', 'DJ312', 'error']]);
    assert.match(diags[0].message, /`B` references `A` in turn \(a reference cycle\)/);
    assert.match(diags[2].message, /`S` is this table itself/);
  }
});

test('fixes are mapped to the host and encoded for its literal: applying them fixes the definition', () => {
  const sources = [
    'class A(dj.Manual):\n    definition = "a : int32  # tab\\there\\n---\\ndone = true : bool\\nx = 1 : INT32"\n',
    "class A(dj.Manual):\n    definition = '''\n    a : int32  # it\\'s \\\\ here\n    ---\n    done = true : bool\n    x = 1 : INT32\n    '''\n",
    'class A(dj.Manual):\n    definition = r"""\n    a : int32  # \\d+\n    ---\n    done = true : bool\n    """\n',
  ];
  for (const src of sources) {
    const index = new TableIndex();
    index.setFile('/f/a.py', src);
    const diags = index.check('/f/a.py');
    const withFixes = diags.filter((d) => d.fixes?.length);
    assert.ok(withFixes.length >= 1, src);
    for (const d of withFixes) {
      const hostEdit = d.fixes![0].edits[0];
      const defEdit = d.diagnostic.fixes![0].edits[0];
      const fixedHost = src.slice(0, hostEdit.start) + hostEdit.newText + src.slice(hostEdit.end);
      const before = index.scan('/f/a.py')!.definitions[0].text;
      const expected = before.slice(0, defEdit.span.start) + defEdit.newText + before.slice(defEdit.span.end);
      const after = new TableIndex();
      after.setFile('/f/a.py', fixedHost);
      assert.equal(after.scan('/f/a.py')!.definitions[0].text, expected);
      assert.ok(!after.check('/f/a.py').some((x) => x.code === d.code && x.start === hostEdit.start), `${d.code} fixed`);
    }
  }
});
