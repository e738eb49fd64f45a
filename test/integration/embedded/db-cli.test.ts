// `djx db status|reset|export` on the workspace's embedded database: status tells where it
// is and who serves it without starting anything; export writes SQL that loads into another
// embedded database (whose own export is then the same, statement for statement) and into a
// real PostgreSQL 15 with psql -v ON_ERROR_STOP=1; reset asks for --yes and then drops
// everything, in place while a process serves the database, by removing the data directory
// when none does.
//   node --import tsx --test test/integration/embedded/db-cli.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { Connection } from '../../../runtime/index';
import { createPipeline } from '../../../examples/pipeline/pipeline';
import { seedPipeline } from '../../../examples/pipeline/seed';
import { populate } from '../../../runtime/populate/index';
import { resetSchemas } from '../../../runtime/embedded/reset';
import { testServer } from '../runtime/helpers';
import { cleanEnv, cleanupProjects, clearProcessEnv, djx, pidRuns, projectDir, servingPid, stopServer, waitFor } from './helpers';

interface Status {
  dir: string;
  dataDir: string;
  exists: boolean;
  served: boolean;
  pid?: number;
  host?: string;
  port?: number;
  default: boolean;
}

let project: string;
let dir: string;
let env: NodeJS.ProcessEnv;
let conn: Connection;

before(() => {
  clearProcessEnv();
  project = projectDir();
  dir = join(project, '.datajoint');
  env = cleanEnv({ DJ_EMBEDDED_DIR: dir });
});
after(async () => {
  await conn?.close();
  await cleanupProjects();
});

async function db(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = djx(['db', ...args], env, { full: true });
  const code = await r.done;
  return { code, out: r.stdout(), err: r.stderr() };
}

async function status(): Promise<Status> {
  const r = await db('status', '--json');
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as Status;
}

/** Counts of every table of `schema` on a connection. */
async function tableCounts(c: Connection, schema: string): Promise<Record<string, number>> {
  const tables = await c.query<{ t: string }>('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? ORDER BY 1', [schema]);
  const out: Record<string, number> = {};
  for (const { t } of tables) out[t] = Number((await c.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM "${schema}"."${t.replace(/"/g, '""')}"`))[0]!.n);
  return out;
}

/** The statements of an export, without its header comments (they name the folder and the time). */
const body = (sql: string) => sql.replace(/^(-- .*\n)+/, '');

describe('djx db', () => {
  it('status before first use: not created, not served, used by default', async () => {
    const s = await status();
    assert.deepEqual({ dir: s.dir, exists: s.exists, served: s.served, default: s.default }, { dir, exists: false, served: false, default: true });
    assert.equal(existsSync(join(dir, 'server.json')), false, 'a status starts no server');
  });

  it('status of a served database names the serving process and its port', async () => {
    conn = await Connection.connect({ env: { DJ_EMBEDDED_DIR: dir, DJ_EMBEDDED_IDLE_MS: '20000' } });
    const p = createPipeline('emb_export', { connection: conn });
    await p.schema.declare();
    await seedPipeline(p, { subjects: 4, sessionsPerSubject: 2, samplesPerSession: 6 });
    await populate(p.ProcessedData);
    const s = await status();
    assert.equal(s.served, true);
    assert.equal(s.exists, true);
    assert.equal(s.pid, conn.embedded?.serverPid);
    assert.equal(s.port, conn.settings.database.port);
    const text = await db('status');
    assert.match(text.out, new RegExp(`served by process ${s.pid} on 127\\.0\\.0\\.1:${s.port}`));
    assert.match(text.out, /work across machines needs a database server/);
    // How a DataJoint for Python worker connects: the password read from its file by the shell, never printed.
    const secret = readFileSync(join(dir, 'password'), 'utf8');
    const vars = `DJ_BACKEND=postgresql DJ_HOST=127.0.0.1 DJ_PORT=${s.port} DJ_USER=postgres DJ_PASS="$(cat ${join(dir, 'password')})" DJ_USE_TLS=false`;
    assert.ok(text.out.includes(vars), text.out);
    const json = await db('status', '--json');
    assert.equal((JSON.parse(json.out) as { python?: string }).python, vars);
    assert.ok(!text.out.includes(secret) && !json.out.includes(secret), 'the secret itself is not printed');
    // What a shell makes of the line: a worker's environment with the folder's password in it.
    const sh = spawn('sh', ['-c', `${vars} node -e 'process.stdout.write(process.env.DJ_PASS)'`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let got = '';
    sh.stdout.on('data', (d: Buffer) => (got += d.toString()));
    await new Promise((r) => sh.on('close', r));
    assert.equal(got, secret);
  });

  let exported = '';
  it('export writes SQL that another embedded database loads, and exports back the same', async () => {
    const file = join(project, 'dump.sql');
    const r = await db('export', file);
    assert.equal(r.code, 0, r.err);
    exported = readFileSync(file, 'utf8');
    assert.match(exported, /^-- DataJoint: local database — this workspace/);
    assert.match(exported, /CREATE SCHEMA "emb_export";/);
    assert.match(exported, /CREATE TYPE "emb_export"\."[^"]+" AS ENUM \('m', 'f', 'u'\);/);
    assert.match(exported, /COMMENT ON TABLE "emb_export"\."subject" IS /);
    assert.match(exported, /ADD CONSTRAINT "[^"]+" FOREIGN KEY/);
    assert.doesNotMatch(exported, /pg_attver|OWNER TO/, 'nothing a stock PostgreSQL rejects');
    const stdout = await db('export');
    assert.equal(body(stdout.out), body(exported), 'stdout gets the same SQL');

    const other = join(projectDir(), '.datajoint');
    const copy = await Connection.connect({ env: { DJ_EMBEDDED_DIR: other, DJ_EMBEDDED_IDLE_MS: '20000' } });
    try {
      // The whole file as one simple query, as psql -f sends it statement by statement.
      const raw = new pg.Client({ host: copy.settings.database.host, port: copy.settings.database.port, user: 'postgres', password: copy.settings.database.password!, database: 'postgres' });
      await raw.connect();
      try {
        await raw.query(exported);
      } finally {
        await raw.end();
      }
      assert.deepEqual(await tableCounts(copy, 'emb_export'), await tableCounts(conn, 'emb_export'));
      const again = djx(['db', 'export'], cleanEnv({ DJ_EMBEDDED_DIR: other }), { full: true });
      assert.equal(await again.done, 0, again.stderr());
      assert.equal(body(again.stdout()), body(exported), 'the copy exports to the same statements');
    } finally {
      await copy.close();
      await stopServer(other);
    }
  });

  it('the export loads into PostgreSQL 15 with ON_ERROR_STOP', async () => {
    const server = await testServer('postgresql');
    const name = `emb_load_${randomBytes(4).toString('hex')}`;
    const admin = await Connection.connect({ backend: 'postgresql', host: server.host, port: server.port, user: server.user, password: server.password, ignoreConfigFile: true, env: {} });
    try {
      await admin.execute(`CREATE DATABASE ${name}`);
      const psql = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', server.host, '-p', String(server.port), '-U', server.user, '-d', name, '-f', join(project, 'dump.sql')], {
        env: { ...process.env, PGPASSWORD: server.password },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      psql.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number>((r) => psql.on('close', (c) => r(c ?? 1)));
      assert.equal(code, 0, err);
      assert.equal(err.trim(), '', 'no error nor warning');
      const loaded = await Connection.connect({ backend: 'postgresql', host: server.host, port: server.port, user: server.user, password: server.password, ignoreConfigFile: true, env: {}, overrides: { database: { name } } });
      try {
        assert.deepEqual(await tableCounts(loaded, 'emb_export'), await tableCounts(conn, 'emb_export'));
        const [row] = await loaded.query<{ subject_name: string; sex: string }>('SELECT subject_name, sex FROM "emb_export"."subject" WHERE subject_id = 3');
        assert.deepEqual(row, { subject_name: 'subject 3', sex: 'u' });
      } finally {
        await loaded.close();
      }
    } finally {
      await admin.execute(`DROP DATABASE IF EXISTS ${name}`).catch(() => undefined);
      await admin.close();
      await server.stop();
    }
  });

  it('reset asks for --yes, then drops every schema in place while the database is served', async () => {
    const refused = await db('reset');
    assert.equal(refused.code, 2);
    assert.match(refused.err, /--yes/);
    assert.ok((await tableCounts(conn, 'emb_export')).subject! > 0, 'nothing dropped without --yes');
    const r = await db('reset', '--yes');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /dropped 1 schema\(s\): emb_export/);
    assert.deepEqual(await conn.query("SELECT nspname FROM pg_namespace WHERE nspname = 'emb_export'"), []);
  });

  it('a reset told which schemas go drops nothing when another has appeared since (the extension asks first)', async () => {
    await conn.execute('CREATE SCHEMA "emb_asked"');
    await conn.execute('CREATE SCHEMA "emb_new"');
    await assert.rejects(resetSchemas(conn, { expected: ['emb_asked'] }), (e: unknown) => {
      assert.match(String((e as Error).message), /created since the question was asked: emb_new; nothing was dropped/);
      return true;
    });
    assert.equal((await conn.query("SELECT nspname FROM pg_namespace WHERE nspname IN ('emb_asked', 'emb_new')")).length, 2);
    assert.deepEqual(await resetSchemas(conn, { expected: ['emb_asked', 'emb_new'] }), ['emb_asked', 'emb_new']);
    assert.deepEqual(await conn.query("SELECT nspname FROM pg_namespace WHERE nspname IN ('emb_asked', 'emb_new', 'public') ORDER BY 1"), [{ nspname: 'public' }]);
  });

  it('reset --yes of a database nobody serves removes its data directory', async () => {
    const pid = servingPid(dir)!;
    await conn.close();
    await stopServer(dir);
    await waitFor('the server to be gone', () => !pidRuns(pid), dir);
    const r = await db('reset', '--yes');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /removed; an empty database is created on first use/);
    assert.equal(existsSync(join(dir, 'pgdata')), false);
    assert.equal((await status()).exists, false);
  });
});
