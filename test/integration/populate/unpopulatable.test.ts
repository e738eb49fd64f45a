// A Computed table populate cannot run (no make, no definition) is refused before anything
// touches the database: `djx populate` exits 2 with one line naming the class and the file,
// populate() rejects, and the schema holds no such table afterwards.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, schemaName, testServer } from '../runtime/helpers';
import type { Connection } from '../../../runtime/index';

const repo = join(__dirname, '..', '..', '..');
const CLI = join(repo, 'dist', 'cli.js');
const schema = schemaName('djpop_unpop');
let dir: string;
let module: string;
let conn: Connection;
let env: NodeJS.ProcessEnv;

before(async () => {
  const s = await testServer();
  conn = await connect();
  env = { ...process.env, DJ_HOST: s.host, DJ_PORT: String(s.port), DJ_USER: s.user, DJ_PASS: s.password, DJ_USE_TLS: 'false', DJ_PIPELINE_SCHEMA: schema };
  dir = mkdtempSync(join(tmpdir(), 'dj-unpop-'));
  module = join(dir, 'pipeline.ts');
  writeFileSync(
    module,
    [
      `import * as dj from ${JSON.stringify(join(repo, 'runtime', 'index'))};`,
      `export const schema = new dj.Schema(process.env.DJ_PIPELINE_SCHEMA!, { createSchema: true });`,
      `export class Source extends dj.Manual { static override definition = 'source_id : int32'; }`,
      `export class NoMake extends dj.Computed { static override definition = '-> Source\\n---\\nv : int32'; }`,
      `export class NoDefinition extends dj.Computed { static override async make(): Promise<void> {} }`,
      `schema.register(Source, NoMake, NoDefinition);`,
      '',
    ].join('\n'),
  );
});
after(async () => {
  await conn.execute(conn.dialect.dropSchema(schema));
  await conn.close();
  rmSync(dir, { recursive: true, force: true });
  await (await testServer()).stop();
});

function dj(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, ...out })));
}

async function tablesOfSchema(): Promise<string[]> {
  const rows = await conn.query<{ t: string }>('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ?', [schema]);
  return rows.map((r) => String(r.t));
}

test('djx populate of a Computed table without make(): exit 2, one line naming the class and file, nothing declared', async () => {
  const r = await dj(['populate', module, 'NoMake']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr, `djx: Cannot populate NoMake of ${module}: NoMake defines no make(key) (nor makeFetch, makeCompute and makeInsert).\n`);
  assert.deepEqual(await tablesOfSchema(), []);
});

test('djx populate of a Computed table without a definition: exit 2, nothing declared', async () => {
  const r = await dj(['populate', module, 'NoDefinition']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr, `djx: Cannot populate NoDefinition of ${module}: NoDefinition has no definition: give it a static definition string.\n`);
  assert.deepEqual(await tablesOfSchema(), []);
});

test('populate() from the API refuses the same class before declaring it', async () => {
  const { populate, Schema, Manual, Computed } = await import('../../../runtime/index');
  const s = new Schema(schema, { connection: conn, createSchema: true });
  class Source extends Manual {
    static override definition = 'source_id : int32';
  }
  class NoMake extends Computed {
    static override definition = '-> Source\n---\nv : int32';
  }
  s.register(Source, NoMake);
  await assert.rejects(populate(NoMake), /NoMake defines no make\(key\)/);
  assert.ok(!(await tablesOfSchema()).includes('__no_make'));
});
