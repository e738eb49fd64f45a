// A pipeline we declare (TypeScript classes: test/fixtures/pipelines/interop-lab.ts) is,
// to DataJoint for Python, the pipeline it declares itself from the same definitions
// (test/fixtures/python/interop_lab.py) on a twin schema: dj.VirtualModule and
// Schema.make_classes (2.x's spawn_missing_classes) see the same tiers, headings and
// codecs, and the server stores the same tables (SHOW CREATE TABLE on MariaDB, pg_dump
// --schema-only on PostgreSQL), `~lineage` rows and Lookup contents; only the schema name
// differs (reference notes §4, §4.9, §11.3). Runs on the backend of DJ_TEST_BACKEND.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as dj from '../../../runtime/index';
import { connect, dropSchemas, schemaName, showCreateTable, testServer } from '../runtime/helpers';
import { createLab } from '../../fixtures/pipelines/interop-lab';
import { dbEnv, pgSchemaDump, pythonInterpreter } from './helpers';
import { labPython, type PyViews } from './interop-lab';

const ours = schemaName('djpy_ours');
const twin = schemaName('djpy_twin');
let conn: dj.Connection;

before(async () => {
  await pythonInterpreter();
  const s = await testServer();
  Object.assign(process.env, dbEnv(s));
  conn = await connect();
  const lab = createLab(ours, { connection: conn });
  await lab.schema.declare();
  assert.deepEqual(await labPython(twin, 'declare-only'), { probes: 2 });
  // The jobs tables, as reserved-jobs populate declares them on either side.
  for (const t of [lab.Session, lab.Summary]) assert.equal((await dj.jobsFor(t).refresh()).added, 0);
  const none = { added: 0, removed: 0, orphaned: 0, re_pended: 0 };
  assert.deepEqual(await labPython(twin, 'jobs'), { Session: none, Summary: none });
});
after(async () => {
  if (conn) {
    await dropSchemas(conn, [ours, twin]);
    await conn.close();
  }
  await (await testServer()).stop();
});

async function tableNames(db: string): Promise<string[]> {
  const rows = await conn.query('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name', [db]);
  return rows.map((r) => String(r.name)).sort();
}

test('Python sees the tables we declared with the tiers, headings and codecs of its own twin', async () => {
  const [theirs, mine] = [await labPython<PyViews>(twin, 'describe', twin), await labPython<PyViews>(ours, 'describe', ours)];
  assert.deepEqual(mine.make_classes, mine.virtual_module, 'make_classes sees what VirtualModule sees');
  assert.deepEqual(theirs.make_classes, theirs.virtual_module);
  const seen = mine.virtual_module;
  assert.deepEqual(Object.fromEntries(Object.entries(seen).map(([name, t]) => [name, `${t.class} (${t.tier})`])), {
    subject: 'Subject (Manual)',
    '#probe': 'Probe (Lookup)',
    sample: 'Sample (Manual)',
    _session: 'Session (Imported)',
    __summary: 'Summary (Computed)',
    __summary__item: 'Summary.Item (Part)',
  });
  assert.deepEqual(
    Object.values(seen)
      .flatMap((t) => t.heading.filter((a) => a.codec !== null).map((a) => `${t.class}.${a.name}: <${a.codec}>`))
      .sort(),
    ['Sample.value: <blob>', 'Summary.Item.echoed: <blob>'],
  );
  assert.equal(
    Object.values(seen).reduce((n, t) => n + t.heading.length, 0),
    30,
    'attributes',
  );
  assert.deepEqual(seen, theirs.virtual_module, 'everything Python sees, table by table');
});

test('the server stores the same tables as for the Python-declared twin (SHOW CREATE TABLE, pg_dump)', async () => {
  const names = await tableNames(ours);
  assert.deepEqual(names, await tableNames(twin));
  assert.deepEqual(names, ['#probe', '_session', '__summary', '__summary__item', '~lineage', '~~session', '~~summary', 'sample', 'subject'].sort());
  if (conn.backend === 'postgresql') {
    // The whole schema as the server stores it: tables, enum types, constraints, indexes, comments.
    const s = await testServer();
    const [mine, theirs] = [await pgSchemaDump(s, ours), await pgSchemaDump(s, twin)];
    assert.match(mine, /CREATE TABLE \{db\}\.__summary__item /);
    assert.match(mine, /COMMENT ON COLUMN/);
    assert.equal(mine, theirs, 'pg_dump --schema-only');
    return;
  }
  for (const t of names) {
    const theirs = (await showCreateTable(conn, twin, t)).replaceAll(twin, '{db}');
    const mine = (await showCreateTable(conn, ours, t)).replaceAll(ours, '{db}');
    assert.equal(mine, theirs, `SHOW CREATE TABLE ${t}`);
  }
});

test('the ~lineage rows and the Lookup contents are those of the twin', async () => {
  const lineage = async (db: string) =>
    (await conn.query(`SELECT table_name, attribute_name, lineage FROM ${conn.dialect.qualified(db, '~lineage')} ORDER BY table_name, attribute_name`)).map(
      (r) => `${String(r.table_name)}.${String(r.attribute_name)} <- ${String(r.lineage).replace(`${db}.`, '{db}.')}`,
    );
  const mine = await lineage(ours);
  assert.deepEqual(mine, await lineage(twin));
  assert.equal(mine.filter((r) => !r.startsWith('~~')).length, 11, 'lineage rows: one per primary-key attribute');
  const probes = async (db: string) => conn.query(`SELECT probe, channels FROM ${conn.dialect.qualified(db, '#probe')} ORDER BY probe`);
  assert.deepEqual(await probes(ours), await probes(twin));
  assert.deepEqual(await probes(ours), [
    { probe: 'neuropixels', channels: 384 },
    { probe: 'tetrode', channels: 4 },
  ]);
});
