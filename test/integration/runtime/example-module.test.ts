// The example pipeline module as the CLI loads it (by path, with its own copy of the
// runtime through tsx): schema from DJ_PIPELINE_SCHEMA, tables found by the populate
// loader, populate filling ProcessedData through the example's make().
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as dj from '../../../runtime/index';
import { autoPopulatedTables, loadPipelineModule, populateTarget, targetFromTable } from '../../../runtime/populate/index';
import { backendEnv, connect, dropSchemas, schemaName, testServer } from './helpers';

const db = schemaName('djt_example');
let conn: dj.Connection;
let mod: Record<string, unknown>;

before(async () => {
  const s = await testServer();
  Object.assign(process.env, { DJ_HOST: s.host, DJ_PORT: String(s.port), DJ_USER: s.user, DJ_PASS: s.password, DJ_IGNORE_CONFIG_FILE: 'true', DJ_PIPELINE_SCHEMA: db, ...backendEnv(s) });
  conn = await connect();
  mod = await loadPipelineModule(join(__dirname, '../../../examples/pipeline/index.ts'));
});
after(async () => {
  const schema = mod?.schema as dj.Schema | undefined;
  if (schema) await (await schema.connection()).close();
  await dropSchemas(conn, [db]);
  await conn.close();
  await (await testServer()).stop();
});

describe('example pipeline module', () => {
  it('binds its tables to DJ_PIPELINE_SCHEMA and exposes ProcessedData to the loader', async () => {
    const schema = mod.schema as dj.Schema;
    assert.equal(schema.name, db);
    assert.deepEqual(autoPopulatedTables(mod).map((t) => t.name), ['ProcessedData']);
    await (mod.seedPipeline as (p: unknown, o: object) => Promise<unknown>)(mod.pipeline, { subjects: 2, sessionsPerSubject: 2, samplesPerSession: 4 });
    // Tables are declared on first use: seeding needed only these.
    assert.deepEqual((await new dj.Catalog(conn).listTables(db)).map((t) => t.name), ['subject', 'session', 'raw_data']);
    await schema.declare();
    assert.deepEqual((await new dj.Catalog(conn).listTables(db)).map((t) => t.name), ['#method', 'subject', 'session', 'raw_data', '__processed_data', '__processed_data__trial']);
  });

  it('populates through its make()', async () => {
    const ProcessedData = (mod.pipeline as { ProcessedData: Parameters<typeof targetFromTable>[0] }).ProcessedData;
    const result = await populateTarget(await targetFromTable(ProcessedData), [], {});
    assert.equal(result.successCount, 8);
    assert.deepEqual(result.errorList, []);
    const rows = await conn.query(`SELECT COUNT(*) AS n FROM ${conn.dialect.qualified(db, '__processed_data__trial')}`);
    assert.equal(Number(rows[0].n), 32);
  });
});
