// Names in definitions resolve as Python binds them in the module's namespace, one rule per
// folder of test/fixtures/resolution (its README): own classes, `import x as y`,
// `from x import T [as U]`, `from . import m`, `from x import *` (not `_names`), parts of
// masters, `master` in a part, `module.T` through that module's imports, module-level
// aliases; never a class of a file the module does not import. A name that does not resolve
// is a warning (DJ303) and nothing is derived from a guessed table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { TableIndex, type IndexedTable } from '../../../runtime/project/index';

const ROOT = path.resolve(__dirname, '../../fixtures/resolution');

function pyFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? pyFiles(p) : n.endsWith('.py') ? [p] : [];
  });
}

const rules = readdirSync(ROOT).filter((n) => statSync(path.join(ROOT, n)).isDirectory()).sort();

test('every rule of the issue has its folder', () => {
  assert.deepEqual(rules, [
    'alias', 'from-import', 'from-import-as', 'import-as', 'imported-module-unbound', 'master-in-part', 'master-part',
    'module-reexport', 'not-imported', 'own-class', 'relative-module', 'star-import', 'star-private',
  ]);
});

for (const rule of rules) {
  test(`resolution: ${rule}`, () => {
    const dir = path.join(ROOT, rule);
    const index = new TableIndex({ roots: [dir] });
    const files = pyFiles(dir);
    for (const f of files) index.setFile(f, readFileSync(f, 'utf8'));
    const withExpectation = files.filter((f) => readFileSync(f, 'utf8').startsWith('# expect: '));
    assert.equal(withExpectation.length, 1, `${rule}: one file says what to expect`);
    const file = withExpectation[0]!;
    const expect = /^# expect: (\S+)/.exec(readFileSync(file, 'utf8'))![1]!;
    const probe = index.tablesIn(file).find((t: IndexedTable) => t.className === 'Probe');
    assert.ok(probe, `${rule}: the Probe table`);
    const refs = index.referencedTables(probe);
    const diagnostics = index.check(file).filter((d) => d.tableId === probe.id);
    if (expect === 'unresolved') {
      assert.deepEqual(refs, [], `${rule}: nothing resolves`);
      assert.deepEqual(diagnostics.filter((d) => d.severity === 'error').map((d) => d.code), [], `${rule}: no error from a guessed table`);
      assert.deepEqual(diagnostics.filter((d) => d.code.startsWith('DJ3')).map((d) => `${d.code} ${d.severity}`), ['DJ303 warning']);
      return;
    }
    assert.equal(refs.length, 1, `${rule}: the reference resolves`);
    const [where, name] = expect.split('#') as [string, string];
    assert.equal(refs[0]!.table.path, path.join(dir, where), rule);
    assert.equal(refs[0]!.table.name, name, rule);
    assert.deepEqual(diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning').map((d) => d.code), [], `${rule}: clean`);
  });
}
