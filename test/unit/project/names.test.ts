// The names the index resolves for editors (navigation, hover, completion): modules as
// well as tables, and the names visible after `->` in a definition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TableIndex } from '../../../runtime/project';

const cls = (name: string, base: string, body: string, indent = ''): string =>
  `${indent}class ${name}(${base}):\n${indent}    definition = """\n${indent}    ${body}\n${indent}    """\n`;

function project(): TableIndex {
  const index = new TableIndex({ roots: ['/w'] });
  index.setFile('/w/pipeline/__init__.py', '');
  index.setFile('/w/pipeline/acq.py', 'import datajoint as dj\n' + cls('Session', 'dj.Manual', 's : int32') + cls('Trial', 'dj.Part', '-> master\n    t : int32', '    ') + cls('Rig', 'dj.Lookup', 'rig : int32'));
  index.setFile('/w/pipeline/subject.py', 'import datajoint as dj\n' + cls('Subject', 'dj.Manual', 'subject_id : int32'));
  index.setFile('/w/shared/units.py', 'import datajoint as dj\n' + cls('Unit', 'dj.Lookup', 'unit : varchar(8)'));
  index.setFile(
    '/w/analysis.py',
    'import datajoint as dj\nfrom pipeline import acq\nimport pipeline.subject\nfrom pipeline.acq import Session as S\nfrom shared.units import *\nimport shared\n' +
      cls('Stats', 'dj.Computed', '-> acq.Session\n    ---\n    n : int32') +
      cls('Summary', 'dj.Computed', '-> Stats\n    ---\n    m : int32'),
  );
  index.setFile('/w/web/models.ts', "import * as acq from '../pipeline-ts/acq';\nimport { Rig } from '../pipeline-ts/acq.js';\nclass Report extends Computed {\n  static definition = `\n  -> acq.Session\n  `;\n}\n");
  index.setFile('/w/pipeline-ts/acq.ts', 'export class Session extends Manual {\n  static definition = `\n  s : int32\n  `;\n}\nexport class Rig extends Lookup {\n  static definition = `\n  rig : int32\n  `;\n}\n');
  return index;
}

test('resolveEntity: tables, parts, `master`, modules and package folders', () => {
  const index = project();
  const at = (path: string, from: string | undefined, names: string): string => {
    const e = index.resolveEntity(path, from, names.split('.'));
    return !e ? 'none' : e.kind === 'table' ? e.table.id : ['module', e.path, e.dir].filter(Boolean).join(' ');
  };
  assert.equal(at('/w/analysis.py', 'Stats', 'acq'), 'module /w/pipeline/acq.py');
  assert.equal(at('/w/analysis.py', 'Stats', 'acq.Session'), '/w/pipeline/acq.py#Session');
  assert.equal(at('/w/analysis.py', 'Stats', 'acq.Session.Trial'), '/w/pipeline/acq.py#Session.Trial');
  assert.equal(at('/w/analysis.py', 'Stats', 'S'), '/w/pipeline/acq.py#Session');
  assert.equal(at('/w/analysis.py', 'Stats', 'pipeline'), 'module /w/pipeline/__init__.py /w/pipeline');
  assert.equal(at('/w/analysis.py', 'Stats', 'pipeline.subject.Subject'), '/w/pipeline/subject.py#Subject');
  assert.equal(at('/w/analysis.py', 'Stats', 'shared'), 'module /w/shared', 'a folder without __init__.py is a namespace package');
  assert.equal(at('/w/analysis.py', 'Stats', 'Unit'), '/w/shared/units.py#Unit');
  assert.equal(at('/w/pipeline/acq.py', 'Session.Trial', 'master'), '/w/pipeline/acq.py#Session');
  assert.equal(at('/w/pipeline/acq.py', 'Session', 'master'), 'none', '`master` means something only in a part');
  assert.equal(at('/w/web/models.ts', 'Report', 'acq'), 'module /w/pipeline-ts/acq.ts');
  assert.equal(at('/w/web/models.ts', 'Report', 'Rig'), '/w/pipeline-ts/acq.ts#Rig', 'a .js specifier names the .ts source');
  assert.equal(at('/w/analysis.py', 'Stats', 'dj'), 'none', 'a package outside the index');
  assert.equal(at('/w/analysis.py', 'Stats', 'acq.Nothing'), 'none');
  assert.equal(at('/w/missing.py', undefined, 'acq'), 'none');
});

test('visibleNames: own tables, imports, modules and their parts, never the table itself', () => {
  const index = project();
  const names = index.visibleNames('/w/analysis.py', 'Summary').map((v) => `${v.name}=${v.table.id.split('/').pop()}`);
  assert.deepEqual(names.sort(), [
    'S.Trial=acq.py#Session.Trial',
    'S=acq.py#Session',
    'Stats=analysis.py#Stats',
    'Unit=units.py#Unit',
    'acq.Rig=acq.py#Rig',
    'acq.Session.Trial=acq.py#Session.Trial',
    'acq.Session=acq.py#Session',
  ]);
  assert.ok(index.visibleNames('/w/pipeline/acq.py', 'Session.Trial').some((v) => v.name === 'master'));
  assert.deepEqual(index.visibleNames('/w/web/models.ts', 'Report').map((v) => v.name).sort(), ['Rig', 'acq.Rig', 'acq.Session']);
  assert.deepEqual(index.visibleNames('/w/nowhere.py'), []);
});

test('membersOf: the parts of a table, the top-level tables of a module', () => {
  const index = project();
  const acq = index.resolveEntity('/w/analysis.py', 'Stats', ['acq'])!;
  assert.deepEqual(index.membersOf(acq).map((t) => t.name), ['Session', 'Rig']);
  const session = index.resolveEntity('/w/analysis.py', 'Stats', ['S'])!;
  assert.deepEqual(index.membersOf(session).map((t) => t.name), ['Session.Trial']);
  assert.deepEqual(index.membersOf(index.resolveEntity('/w/analysis.py', 'Stats', ['shared'])!), []);
});
