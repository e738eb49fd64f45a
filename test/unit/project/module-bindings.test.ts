// ModuleBindings: the module-binding analysis over files that change, as the language
// server runs it on every check while connected. A file is read (and an answer worked
// out) again only when a version it depended on moved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { ModuleBindings, type ModuleFiles } from '../../../runtime/project/module-bindings';

/** In-memory files whose reads and version look-ups are counted; `set` bumps the version. */
function memoryFiles(initial: Record<string, string>) {
  const texts = new Map<string, string>();
  const versions = new Map<string, number>();
  const reads: string[] = [];
  let next = 1;
  const set = (name: string, text: string) => {
    texts.set(resolve('/ws', name), text);
    versions.set(resolve('/ws', name), next++);
  };
  const remove = (name: string) => {
    texts.delete(resolve('/ws', name));
    versions.delete(resolve('/ws', name));
  };
  for (const [name, text] of Object.entries(initial)) set(name, text);
  const files: ModuleFiles = {
    version: (p) => versions.get(p),
    read: (p) => {
      reads.push(p.slice(resolve('/ws').length + 1));
      return texts.get(p);
    },
  };
  return { files, reads, set, remove, path: (name: string) => resolve('/ws', name) };
}

const SCHEMA = (name: string) => `import * as dj from 'datajoint';\nexport const schema = new dj.Schema('${name}');\n`;
const TABLES = `import * as dj from 'datajoint';\nimport { schema } from './schema';\n@schema\nexport class Session extends dj.Manual {}\n@schema\nexport class Trial extends dj.Computed {}\n`;

test('an unchanged file is not read again; an answer holds while nothing it read changed', () => {
  const m = memoryFiles({ 'schema.ts': SCHEMA('lab'), 'tables.ts': TABLES });
  const b = new ModuleBindings(m.files, {});
  assert.deepEqual(b.binding(m.path('tables.ts'), 'Session'), { exported: true, schema: 'lab' });
  assert.deepEqual(m.reads.sort(), ['schema.ts', 'tables.ts']);
  m.reads.length = 0;
  for (let i = 0; i < 5; i++) assert.equal(b.binding(m.path('tables.ts'), 'Session').schema, 'lab');
  // Another class of the same files: worked out, but from the texts already held.
  assert.equal(b.binding(m.path('tables.ts'), 'Trial').schema, 'lab');
  assert.deepEqual(m.reads, []);
});

test('an edit of the file that binds the class is seen; only the edited file is read again', () => {
  const m = memoryFiles({ 'schema.ts': SCHEMA('lab'), 'tables.ts': TABLES });
  const b = new ModuleBindings(m.files, {});
  assert.equal(b.binding(m.path('tables.ts'), 'Session').schema, 'lab');
  m.reads.length = 0;
  m.set('schema.ts', SCHEMA('lab_v2'));
  assert.equal(b.binding(m.path('tables.ts'), 'Session').schema, 'lab_v2');
  assert.deepEqual(m.reads, ['schema.ts']);
  // The class's own file: the decorator removed, then back.
  m.reads.length = 0;
  m.set('tables.ts', TABLES.replace('@schema\nexport class Session', 'export class Session'));
  assert.equal(b.binding(m.path('tables.ts'), 'Session').schema, undefined);
  assert.equal(b.binding(m.path('tables.ts'), 'Trial').schema, 'lab_v2');
  assert.deepEqual(m.reads, ['tables.ts']);
  m.set('tables.ts', TABLES);
  assert.equal(b.binding(m.path('tables.ts'), 'Session').schema, 'lab_v2');
});

test('a module that appears where an import looked, or goes away, changes the answer', () => {
  const m = memoryFiles({ 'tables.ts': TABLES });
  const b = new ModuleBindings(m.files, {});
  assert.equal(b.binding(m.path('tables.ts'), 'Session').schema, undefined);
  m.set('schema.ts', SCHEMA('lab'));
  assert.equal(b.binding(m.path('tables.ts'), 'Session').schema, 'lab');
  m.remove('schema.ts');
  assert.equal(b.binding(m.path('tables.ts'), 'Session').schema, undefined);
  // A file `./schema` resolves to before schema.ts (./schema/index.ts comes after it).
  m.set('schema/index.ts', SCHEMA('lab_dir'));
  assert.equal(b.binding(m.path('tables.ts'), 'Session').schema, 'lab_dir');
});

test('re-exports are followed through the cache too; forget() drops a file\'s text', () => {
  const m = memoryFiles({ 'schema.ts': SCHEMA('lab'), 'tables.ts': TABLES, 'index.ts': "export * from './tables';\n" });
  const b = new ModuleBindings(m.files, {});
  assert.deepEqual(b.binding(m.path('index.ts'), 'Trial'), { exported: true, schema: 'lab' });
  assert.equal(b.binding(m.path('index.ts'), 'Nope').exported, false);
  m.reads.length = 0;
  assert.equal(b.binding(m.path('index.ts'), 'Trial').schema, 'lab');
  assert.deepEqual(m.reads, []);
  b.forget(m.path('tables.ts'));
  // index.ts's answer still holds (no version moved); a new question reads tables.ts again.
  assert.equal(b.binding(m.path('index.ts'), 'Trial').schema, 'lab');
  assert.deepEqual(m.reads, []);
  assert.equal(b.binding(m.path('tables.ts'), 'Session').schema, 'lab');
  assert.deepEqual(m.reads, ['tables.ts']);
});

test('renaming a class while typing keeps no answer per intermediate name', () => {
  const m = memoryFiles({ 'schema.ts': SCHEMA('lab'), 'tables.ts': TABLES });
  const b = new ModuleBindings(m.files, {});
  for (const name of ['S', 'Se', 'Ses', 'Sess', 'Sessi', 'Session2']) {
    m.set('tables.ts', TABLES.replace('class Session ', `class ${name} `));
    assert.deepEqual(b.binding(m.path('tables.ts'), name), { exported: true, schema: 'lab' });
  }
  assert.equal(b.size, 1, 'the answers about the older versions of tables.ts are gone');
});
