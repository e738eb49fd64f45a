// Project.schemaOf for TypeScript tables (the schema a class is bound to, which the
// database catalog's lookups and DJ601 need): remembered per file version, so a check
// after a keystroke neither reads nor analyses files that did not change, and still
// right after an edit of the file that binds the class.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostFile } from '../../../server/documents/hostFile';
import { Project } from '../../../server/workspace/project';
import type { ModuleFiles } from '../../../runtime/project/module-bindings';

const ROOT = '/work/ws';
const SCHEMA = (name: string) => `import * as dj from 'datajoint';\nexport const schema = new dj.Schema('${name}');\n`;
const TABLES = `import * as dj from 'datajoint';\nimport { schema } from './schema';\n@schema\nexport class Session extends dj.Manual {\n  static definition = \`\n  session_id : int32\n  \`;\n}\n`;

/** A disk with files outside the workspace model; reads and version look-ups counted. */
function countingDisk(files: Record<string, string> = {}) {
  const counts = { reads: 0, versions: 0 };
  const disk: ModuleFiles = {
    version: (p) => {
      counts.versions++;
      return p in files ? `v:${files[p]!.length}` : undefined;
    },
    read: (p) => {
      counts.reads++;
      return files[p];
    },
  };
  return { disk, counts, files };
}

const file = (name: string, text: string) => new HostFile(`${ROOT}/${name}`, 'typescript', [{ uri: `file://${ROOT}/${name}`, text }]);
const session = (p: Project) => p.tables.tablesIn(`${ROOT}/tables.ts`).find((t) => t.name === 'Session')!;

test('workspace files: answered from memory, again only after the binding file changed', () => {
  const { disk, counts } = countingDisk();
  const p = new Project(disk);
  p.setRoots([ROOT]);
  p.setFile(file('schema.ts', SCHEMA('lab')), false, true);
  p.setFile(file('tables.ts', TABLES), true, true);
  assert.equal(p.schemaOf(session(p)), 'lab');
  assert.equal(counts.reads, 0, 'workspace files are never read from the disk');
  // Keystrokes elsewhere in tables.ts: a new generation, but schema.ts is not analysed again.
  for (let i = 0; i < 3; i++) {
    p.setFile(file('tables.ts', TABLES + `// ${i}\n`), true);
    assert.equal(p.schemaOf(session(p)), 'lab');
  }
  // The binding file edited (the editor's document): the new schema.
  p.setFile(file('schema.ts', SCHEMA('lab_v2')), true);
  assert.equal(p.schemaOf(session(p)), 'lab_v2');
  // The class's own decorator removed: no schema known.
  p.setFile(file('tables.ts', TABLES.replace('@schema\n', '')), true);
  assert.equal(p.schemaOf(session(p)), undefined);
  p.setFile(file('tables.ts', TABLES), true);
  assert.equal(p.schemaOf(session(p)), 'lab_v2');
  // schema.ts deleted: the import resolves to nothing.
  p.removeFile(`${ROOT}/schema.ts`);
  assert.equal(p.schemaOf(session(p)), undefined);
  assert.equal(counts.reads, 0);
});

test('a file outside the workspace model is read from the disk once while its version holds', () => {
  const { disk, counts, files } = countingDisk({ [`${ROOT}/schema.ts`]: SCHEMA('lab_disk') });
  const p = new Project(disk);
  p.setRoots([ROOT]);
  p.setFile(file('tables.ts', TABLES), true, true);
  assert.equal(p.schemaOf(session(p)), 'lab_disk');
  assert.equal(counts.reads, 1);
  const versions = counts.versions;
  for (let i = 0; i < 5; i++) {
    p.setFile(file('tables.ts', TABLES + `// ${i}\n`), true);
    assert.equal(p.schemaOf(session(p)), 'lab_disk');
    // Within one generation (one check) the disk is asked about a file once.
    assert.equal(p.schemaOf(session(p)), 'lab_disk');
  }
  assert.equal(counts.reads, 1, 'not read again while unchanged');
  // Once per generation for each path the import probed (`./schema`, then `./schema.ts`).
  assert.equal(counts.versions - versions, 5 * 2);
  // Changed on the disk (another version): read again.
  files[`${ROOT}/schema.ts`] = SCHEMA('lab_disk_2');
  p.setFile(file('tables.ts', TABLES), true);
  assert.equal(p.schemaOf(session(p)), 'lab_disk_2');
  assert.equal(counts.reads, 2);
});
