// The PostgreSQL test server (scripts/postgres.mjs, or the test script's in DJ_TEST_PG_*),
// checked with node-postgres directly, not the runtime: password login (scram-sha-256)
// over loopback, a wrong password refused, schemas made and dropped, PostgreSQL 15 or
// later, sessions enough for the suites, and the password in no process's arguments.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { backends, schemaName, testServer, type TestServer } from './helpers';

const skip = !backends().includes('postgresql') && 'DJ_TEST_BACKENDS leaves PostgreSQL out';

function client(s: TestServer, password = s.password): pg.Client {
  return new pg.Client({ host: s.host, port: s.port, user: s.user, password, database: s.database, connectionTimeoutMillis: 10_000 });
}

async function withClient<T>(s: TestServer, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = client(s);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const ps = (args: string[]) => execFileSync('ps', args, { encoding: 'utf8' });

/** The postmaster's pid: the parent of the backend serving a session (read while it is open). */
function postmasterPid(s: TestServer): Promise<number> {
  return withClient(s, async (c) => {
    const backend = Number((await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
    return Number(ps(['-o', 'ppid=', '-p', String(backend)]).trim());
  });
}

describe('PostgreSQL test server', { skip }, () => {
  let s: TestServer;
  before(async () => {
    s = await testServer('postgresql');
  });
  after(async () => {
    if (s) await s.stop();
  });

  it('gives a loopback address, user dj and a generated password', () => {
    assert.equal(s.backend, 'postgresql');
    assert.equal(s.host, '127.0.0.1');
    assert.ok(Number.isInteger(s.port) && s.port > 0);
    assert.equal(s.user, 'dj');
    assert.equal(s.database, 'postgres');
    assert.match(s.password, /^[0-9a-f]{16,}$/);
  });

  it('logs in with the password: a superuser on PostgreSQL 15 or later, with sessions enough', async () => {
    await withClient(s, async (c) => {
      const version = Number((await c.query<{ server_version_num: string }>('SHOW server_version_num')).rows[0]!.server_version_num);
      assert.ok(version >= 150000, `server_version_num ${version}`);
      const me = (await c.query<{ user: string; super: boolean }>('SELECT current_user AS user, rolsuper AS super FROM pg_roles WHERE rolname = current_user')).rows[0]!;
      assert.deepEqual(me, { user: 'dj', super: true });
      const maxConnections = Number((await c.query<{ max_connections: string }>('SHOW max_connections')).rows[0]!.max_connections);
      assert.ok(maxConnections >= 300, `max_connections ${maxConnections}`);
      const stored = (await c.query<{ scram: boolean }>("SELECT rolpassword LIKE 'SCRAM-SHA-256$%' AS scram FROM pg_authid WHERE rolname = 'dj'")).rows[0]!;
      assert.equal(stored.scram, true);
      const tcp = (await c.query<{ address: string; auth_method: string }>("SELECT address, auth_method FROM pg_hba_file_rules WHERE type = 'host'")).rows;
      assert.deepEqual(tcp, [{ address: '127.0.0.1', auth_method: 'scram-sha-256' }]);
    });
  });

  it('refuses a wrong password', async () => {
    const c = client(s, `${s.password}x`);
    await assert.rejects(c.connect(), (e: unknown) => {
      assert.equal((e as { code?: string }).code, '28P01', String(e)); // invalid_password
      return true;
    });
    await c.end().catch(() => undefined);
  });

  it('creates and drops a schema', async () => {
    const name = schemaName('djt_pg');
    await withClient(s, async (c) => {
      const exists = async () => (await c.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [name])).rowCount === 1;
      await c.query(`CREATE SCHEMA "${name}"`);
      await c.query(`CREATE TABLE "${name}".t (id int PRIMARY KEY, label text NOT NULL)`);
      await c.query(`INSERT INTO "${name}".t VALUES ($1, $2), ($3, $4)`, [1, 'a', 2, 'b']);
      assert.equal((await c.query(`SELECT count(*)::int AS n FROM "${name}".t`)).rows[0].n, 2);
      assert.equal(await exists(), true);
      await c.query(`DROP SCHEMA "${name}" CASCADE`);
      assert.equal(await exists(), false);
    });
  });

  it('shows the password in no process arguments, the server\'s included', async () => {
    const pid = await postmasterPid(s);
    if (s.pid !== undefined) assert.equal(pid, s.pid);
    const args = ps(['-o', 'args=', '-p', String(pid)]);
    assert.match(args, /postgres/);
    assert.ok(!args.includes(s.password), 'the password is in the server\'s arguments');
    assert.ok(!ps(['-eo', 'args']).includes(s.password), 'the password is in some process\'s arguments');
    // Nor in the server's environment, where it can be read (root, or the same user).
    let environ: string | undefined;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      /* another user's process */
    }
    if (environ !== undefined) assert.ok(!environ.includes(s.password), 'the password is in the server\'s environment');
  });
});

describe('scripts/postgres.mjs', { skip }, () => {
  it('starts a durable server in a temporary directory, as postgres under root, and stops it by its pid', async () => {
    // @ts-expect-error: plain ESM script without type declarations
    const { startPostgres } = (await import('../../../scripts/postgres.mjs')) as { startPostgres(o?: { durable?: boolean }): Promise<TestServer & { dir: string; pid: number }> };
    const s = await startPostgres({ durable: true });
    let stopped = false;
    try {
      assert.ok(s.dir.startsWith(tmpdir()), s.dir);
      assert.ok(existsSync(s.dir));
      const owner = ps(['-o', 'user=', '-p', String(s.pid)]).trim();
      if (process.getuid?.() === 0) assert.equal(owner, 'postgres');
      const settings = await withClient(s, async (c) => (await c.query<{ name: string; setting: string }>("SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'listen_addresses') ORDER BY name")).rows);
      assert.deepEqual(settings, [
        { name: 'fsync', setting: 'on' },
        { name: 'listen_addresses', setting: '127.0.0.1' },
        { name: 'synchronous_commit', setting: 'on' },
      ]);
      // An open session does not hold up the stop (fast shutdown).
      const idle = client(s);
      await idle.connect();
      idle.on('error', () => undefined);
      await s.stop();
      stopped = true;
      await idle.end().catch(() => undefined);
      assert.equal(existsSync(s.dir), false);
      assert.throws(() => process.kill(s.pid, 0), { code: 'ESRCH' });
    } finally {
      if (!stopped) await s.stop();
    }
  });
});
