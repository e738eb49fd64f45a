// The catalog snapshot the VS Code client sends the language server (runtime/catalog:
// catalogSnapshot), on a real server of each backend, and the server's comparison of
// workspace definitions with their declared tables (server/workspace/project.ts, DJ601):
// the example pipeline declared by this runtime, and as DataJoint for Python declares it
// (test/fixtures/ddl/example_pipeline*.sql), compares equal to its definitions written in
// TypeScript and in Python; a changed type, default, comment or key is the expected diff.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Catalog, catalogSnapshot, parseCatalogSnapshot, type CatalogSnapshot, type Connection } from '../../../runtime/index';
import { createPipeline, type Pipeline } from '../../../examples/pipeline/pipeline';
import { HostFile } from '../../../server/documents/hostFile';
import { Project } from '../../../server/workspace/project';
import { loadFixture } from '../../fixtures/ddl/load';
import { connect, dropSchemas, schemaName, testServer } from './helpers';

const ours = schemaName('djt_snap');
const python = schemaName('djt_snap_py');
let conn: Connection;
let pipeline: Pipeline;
let snapshot: CatalogSnapshot;

const CLASSES = ['Subject', 'Method', 'Session', 'RawData', 'ProcessedData'] as const;

/** The example pipeline's definitions (the live classes'), as a TypeScript module bound to `db`. */
function typescriptModule(db: string, edit: (definition: string, cls: string) => string = (d) => d): string {
  const def = (cls: string, d: string) => edit(d, cls).replace(/`/g, '\\`');
  const out = ["import * as dj from 'datajoint';", `const schema = new dj.Schema('${db}');`, ''];
  for (const name of CLASSES) {
    const cls = pipeline[name] as unknown as { definition: string; tier?: string; Trial?: { definition: string } };
    const base = name === 'Method' ? 'dj.Lookup' : name === 'ProcessedData' ? 'dj.Computed' : 'dj.Manual';
    out.push(`export class ${name} extends ${base} {`, `  static definition = \`${def(name, cls.definition)}\`;`);
    if (cls.Trial) out.push(`  static Trial = class extends dj.Part {`, `    static definition = \`${def('ProcessedData.Trial', cls.Trial.definition)}\`;`, '  };');
    out.push('}', '');
  }
  out.push(`schema.register(${CLASSES.join(', ')});`, '');
  return out.join('\n');
}

/** The same definitions in DataJoint-for-Python style: `@schema` classes, a nested part. */
function pythonModule(db: string, edit: (definition: string) => string = (d) => d): string {
  const py = (d: string, indent: string) => edit(d).split('\n').map((l) => (l.trim() ? indent + l.trim() : '')).join('\n');
  const out = ['import datajoint as dj', '', `schema = dj.Schema("${db}")`, ''];
  for (const name of CLASSES) {
    const cls = pipeline[name] as unknown as { definition: string; Trial?: { definition: string } };
    const base = name === 'Method' ? 'dj.Lookup' : name === 'ProcessedData' ? 'dj.Computed' : 'dj.Manual';
    out.push('', '@schema', `class ${name}(${base}):`, '    definition = """', py(cls.definition, '    '), '    """');
    if (cls.Trial) out.push('', '    class Trial(dj.Part):', '        definition = """', py(cls.Trial.definition, '        '), '        """');
    out.push('');
  }
  return out.join('\n');
}

/** DJ601 diagnostics of a file checked by the language server's project against `snap`. */
function differences(path: string, text: string, language: 'typescript' | 'python', snap: CatalogSnapshot | null): Array<{ table: string; lines: string[] }> {
  const project = new Project();
  project.setRoots(['/work/ws']);
  project.setFile(new HostFile(path, language, [{ uri: `file://${path}`, text }]), true);
  project.setCatalog(snap);
  const all = project.check(path);
  // The definitions themselves are clean (apart from the native-type hints nothing here has).
  assert.deepEqual(all.filter((d) => d.severity === 'error' || d.code === 'DJ303').map((d) => `${d.table}: ${d.code} ${d.message}`), []);
  return all.filter((d) => d.code === 'DJ601').map((d) => ({ table: d.table, lines: d.message.split('\n').slice(1) }));
}

before(async () => {
  conn = await connect();
  pipeline = createPipeline(ours, { connection: conn });
  await pipeline.schema.declare();
  await conn.execute(conn.dialect.createSchema(python));
  await loadFixture(conn, conn.backend === 'mysql' ? 'example_pipeline.sql' : 'example_pipeline.pg.sql', python);
  const taken = await catalogSnapshot(new Catalog(conn), { label: 'test', backend: conn.backend, schemas: [ours, python] });
  // What the notification carries: JSON, checked on arrival.
  snapshot = parseCatalogSnapshot(JSON.parse(JSON.stringify(taken)))!;
});
after(async () => {
  await dropSchemas(conn, [ours, python]);
  await conn.close();
  await (await testServer()).stop();
});

describe('catalog snapshot and the declared-table comparison', () => {
  it('the snapshot holds every table of the schemas asked for, on this backend', () => {
    assert.equal(snapshot.backend, conn.backend);
    assert.deepEqual([...snapshot.schemas].sort(), [ours, python].sort());
    const names = (db: string) => snapshot.tables.filter((t) => t.schema === db).map((t) => t.name).sort();
    const expected = ['#method', '__processed_data', '__processed_data__trial', 'raw_data', 'session', 'subject'];
    assert.deepEqual(names(ours), expected);
    assert.deepEqual(names(python), expected);
    const session = snapshot.tables.find((t) => t.schema === ours && t.name === 'session')!;
    assert.deepEqual(session.primaryKey, ['subject_id', 'session_idx']);
    assert.equal(session.attributes.find((a) => a.name === 'session_uuid')?.type, 'uuid');
  });

  for (const which of ['declared by this runtime', 'declared by DataJoint for Python'] as const) {
    const db = () => (which === 'declared by this runtime' ? ours : python);
    it(`${which}: its definitions, in TypeScript and in Python, give no difference`, () => {
      assert.deepEqual(differences('/work/ws/pipeline.ts', typescriptModule(db()), 'typescript', snapshot), []);
      assert.deepEqual(differences('/work/ws/pipeline.py', pythonModule(db()), 'python', snapshot), []);
      // The same tables are found and compared: one change is one diff.
      const changed = (d: string) => d.replace('session_date : date', 'session_date : datetime');
      const expected = [{ table: 'Session', lines: ['- session_date : date', '+ session_date : datetime'] }];
      assert.deepEqual(differences('/work/ws/pipeline.ts', typescriptModule(db(), changed), 'typescript', snapshot), expected);
      assert.deepEqual(differences('/work/ws/pipeline.py', pythonModule(db(), changed), 'python', snapshot), expected);
    });
  }

  it('a changed type, default, comment, key or attribute is the expected diff', () => {
    const edited = typescriptModule(ours, (d, cls) => {
      if (cls === 'Session') return d.replace('session_idx : int16', 'session_idx : int32');
      if (cls === 'Method') return d.replace('threshold = 0.5 : float64', 'threshold = 0.25 : float64');
      if (cls === 'RawData') return d.replace('sampling_rate : float32    # Hz', 'sampling_rate : float32    # hertz').replace('recorded_at', 'recorded_on');
      if (cls === 'ProcessedData.Trial') return d.replace(/trial_idx : int32\n(\s*)---\n/, '---\n$1trial_idx : int32\n');
      return d;
    });
    const found = differences('/work/ws/pipeline.ts', edited, 'typescript', snapshot);
    assert.deepEqual(found, [
      { table: 'Method', lines: ['- threshold = 0.5 : float64', '+ threshold = 0.25 : float64'] },
      { table: 'Session', lines: ['- session_idx : int16', '+ session_idx : int32'] },
      {
        table: 'RawData',
        lines: ['- sampling_rate : float32  # Hz', '+ sampling_rate : float32  # hertz', '+ recorded_on = CURRENT_TIMESTAMP : datetime', '- recorded_at = CURRENT_TIMESTAMP : datetime'],
      },
      {
        table: 'ProcessedData.Trial',
        lines: ['- primary key (subject_id, session_idx, method, trial_idx)', '+ primary key (subject_id, session_idx, method)'],
      },
    ]);
  });

  it('disconnected (no snapshot): no comparison at all', () => {
    assert.deepEqual(differences('/work/ws/pipeline.ts', typescriptModule(ours, (d) => d.replace('int16', 'int32')), 'typescript', null), []);
  });
});
