// Authentication of the embedded database server (runtime/embedded/secret.ts, server.ts): every
// client proves the embedded folder's password with SCRAM-SHA-256 before anything of it reaches
// PGlite; a wrong or missing password is refused with FATAL 28P01 and the connection closed;
// the password file is private (0600, folder 0700), made once (concurrent first uses agree on
// one secret) and kept across servers, and is never in the discovery file, the server's log or
// the detached server's command line; Connection.connect gives the real password and endpoint
// in its settings (what a DataJoint for Python worker is given).
//   node --import tsx --test test/integration/embedded/auth.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import pg from 'pg';
import { Connection } from '../../../runtime/index';
import { embeddedLocation, embeddedPassword, serveEmbedded, startEmbeddedServer, type EmbeddedServer } from '../../../runtime/embedded/index';
import { ensurePassword } from '../../../runtime/embedded/secret';
import { cleanupProjects, pidRuns, projectDir, ROOT, stopServer } from './helpers';
import { errorFields, query, rows, scramLogin, startWire } from './wire';

after(() => cleanupProjects());

const mode = (path: string) => statSync(path).mode & 0o777;

async function pgConnect(config: pg.ClientConfig): Promise<pg.Client> {
  const c = new pg.Client(config);
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/** What a failed pg connect rejects with: its SQLSTATE and severity, or its message. */
async function refusal(config: pg.ClientConfig): Promise<{ code?: string; severity?: string; message: string }> {
  const c = new pg.Client(config);
  c.on('error', () => undefined);
  try {
    await c.connect();
  } catch (e) {
    const err = e as { code?: string; severity?: string; message: string };
    return { code: err.code, severity: err.severity, message: err.message };
  } finally {
    await c.end().catch(() => undefined);
  }
  throw new Error('connected');
}

/** A PasswordMessage with the password in clear (what a client answering AuthenticationCleartextPassword sends). */
function cleartextPassword(password: string): Buffer {
  const body = Buffer.concat([Buffer.from(password), Buffer.from([0])]);
  const head = Buffer.alloc(5);
  head.write('p', 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

describe('embedded server: every client proves the password (SCRAM-SHA-256)', () => {
  let dir: string;
  let server: EmbeddedServer;
  let observer: pg.Client;
  before(async () => {
    // A folder that does not exist yet: the server makes it.
    dir = join(projectDir(), '.datajoint');
    server = await serveEmbedded({ dataDir: join(dir, 'pgdata') });
    observer = await pgConnect(server.connection);
    await observer.query('CREATE TABLE t (id int PRIMARY KEY)');
  });
  after(async () => {
    await observer.end();
    await server.close();
  });

  it('keeps the password in <folder>/password, readable by its owner only, in a private folder', () => {
    const file = join(dir, 'password');
    assert.equal(readFileSync(file, 'utf8'), server.connection.password);
    assert.match(server.connection.password, /^[A-Za-z0-9_-]{32}$/, '24 random bytes, base64url');
    assert.equal(mode(file), 0o600);
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(join(dir, 'server.json')), 0o600);
    assert.equal(mode(join(dir, 'pgdata')), 0o700);
    // The folder keeps itself out of the project's git repository.
    assert.match(readFileSync(join(dir, '.gitignore'), 'utf8'), /^\*$/m);
    assert.ok(!readFileSync(join(dir, 'server.json'), 'utf8').includes(server.connection.password), 'the discovery file does not hold it');
  });

  it('lets node-postgres in with the right password', async () => {
    const c = await pgConnect({ ...server.connection });
    try {
      assert.deepEqual((await c.query('SELECT 6 * 7 AS n')).rows, [{ n: 42 }]);
    } finally {
      await c.end();
    }
  });

  it('refuses a wrong password with FATAL 28P01 and closes the connection', async () => {
    const r = await refusal({ ...server.connection, password: `${server.connection.password}x` });
    assert.deepEqual(r, { code: '28P01', severity: 'FATAL', message: 'password authentication failed for user "postgres"' });
    // The same on the wire, with a SCRAM client of the test's own.
    const w = await startWire(server.port);
    const gone = once(server, 'disconnect');
    const [answer] = await scramLogin(w, 'not the password');
    assert.deepEqual(errorFields(answer!), { severity: 'FATAL', code: '28P01', message: 'password authentication failed for user "postgres"' });
    assert.equal(await w.next(), null, 'nothing follows the error');
    await w.closed;
    await gone;
  });

  it('refuses a client that gives no password, and nothing it sent reaches the database', async () => {
    const none = await refusal({ ...server.connection, password: undefined });
    assert.match(none.message, /password/, 'node-postgres itself gives up: it has no password to prove');
    // A client that answers the password request with SQL instead (sent at once, unasked).
    const w = await startWire(server.port);
    w.send(query('INSERT INTO t VALUES (1)'), query('CREATE TABLE leaked (id int)'));
    const ask = await w.next();
    assert.equal(ask?.type, 'R');
    assert.equal(ask!.body.readInt32BE(0), 10, 'AuthenticationSASL');
    const err = await w.next();
    assert.equal(err?.type, 'E');
    assert.deepEqual(errorFields(err!), { severity: 'FATAL', code: '28P01', message: 'password authentication failed for user "postgres"' });
    assert.equal(await w.next(), null);
    await w.closed;
    assert.deepEqual((await observer.query('SELECT count(*)::int AS n FROM t')).rows, [{ n: 0 }]);
    assert.deepEqual((await observer.query("SELECT to_regclass('leaked') AS r")).rows, [{ r: null }]);
  });

  it('refuses the password sent in clear text (only SCRAM is accepted)', async () => {
    const w = await startWire(server.port);
    const ask = await w.next();
    assert.equal(ask!.body.readInt32BE(0), 10);
    w.send(cleartextPassword(server.connection.password));
    const err = await w.next();
    assert.equal(errorFields(err!).code, '28P01');
    await w.closed;
  });

  it('closes a client that announces a large packet before proving the password, holding no buffer for it', async () => {
    const w = await startWire(server.port);
    const ask = await w.next();
    assert.equal(ask!.body.readInt32BE(0), 10, 'AuthenticationSASL');
    const gone = once(server, 'disconnect');
    // A SASLInitialResponse announcing 10 MB: refused on its header, before any of it comes.
    const head = Buffer.alloc(5);
    head.write('p', 0, 'latin1');
    head.writeInt32BE(10 * 1024 * 1024, 1);
    w.send(head);
    await w.closed;
    await gone;
    // The server goes on serving those who know the password.
    assert.deepEqual((await observer.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
  });

  it('checks the server too: the SCRAM exchange ends with the server proving it knows the password', async () => {
    const w = await startWire(server.port);
    // scramLogin checks the server's signature; the startup reply follows, then queries run.
    const after = await scramLogin(w, server.connection.password);
    assert.deepEqual(after.map((m) => m.type).filter((t) => t === 'R' || t === 'Z'), ['R', 'R', 'Z'], 'SASLFinal, AuthenticationOk, ReadyForQuery');
    w.send(query('SELECT 1'));
    assert.deepEqual(rows(await w.until()), [['1']]);
    w.socket.end();
    await w.closed;
  });

  it('authenticates a client at once while another holds a transaction', async () => {
    await observer.query('BEGIN');
    await observer.query('INSERT INTO t VALUES (7)');
    try {
      const c = await pgConnect(server.connection);
      await c.end();
    } finally {
      await observer.query('ROLLBACK');
    }
  });

  it('keeps the password across a restart: a client holding it connects to the next server', async () => {
    const before = server.connection.password;
    await observer.end();
    await server.close();
    server = await serveEmbedded({ dataDir: join(dir, 'pgdata') });
    assert.equal(server.connection.password, before);
    observer = await pgConnect({ host: server.host, port: server.port, user: 'postgres', database: 'postgres', password: before });
    assert.deepEqual((await observer.query('SELECT count(*)::int AS n FROM t')).rows, [{ n: 0 }]);
  });

  it('takes a password file made anew (removed by hand) without a restart', async () => {
    const file = join(dir, 'password');
    const old = readFileSync(file, 'utf8');
    unlinkSync(file);
    const fresh = embeddedPassword(dir);
    assert.notEqual(fresh, old);
    const c = await pgConnect({ ...server.connection, password: fresh });
    await c.end();
    assert.equal((await refusal({ ...server.connection, password: old })).code, '28P01');
  });
});

describe('embedded password file: made once', () => {
  it('gives a .datajoint folder made before (without a .gitignore) one, and leaves a folder of another name alone', () => {
    const old = join(projectDir(), '.datajoint');
    mkdirSync(old, { mode: 0o700 });
    ensurePassword(join(old, 'password'));
    assert.match(readFileSync(join(old, '.gitignore'), 'utf8'), /^\*$/m);
    const mine = join(projectDir(), 'my-db');
    mkdirSync(mine, { mode: 0o700 });
    ensurePassword(join(mine, 'password'));
    assert.equal(existsSync(join(mine, '.gitignore')), false);
  });

  it('gives one secret to several processes making it at once', async () => {
    const dir = join(projectDir(), '.datajoint');
    const script = `
const { ensurePassword } = require(${JSON.stringify(join(ROOT, 'runtime/embedded/secret.ts'))});
process.stdout.write('ready\\n');
process.stdin.once('data', () => process.stdout.write(ensurePassword(process.argv[1]) + '\\n'));
`;
    const procs = Array.from({ length: 6 }, () => spawn(process.execPath, ['--import', 'tsx', '-e', script, join(dir, 'password')], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] }));
    const outputs = procs.map((p) => {
      let out = '';
      p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      return { ready: new Promise<void>((r) => p.stdout!.on('data', () => out.startsWith('ready\n') && r())), done: once(p, 'close').then(() => out) };
    });
    // Every process loaded and waiting; then all at once.
    await Promise.all(outputs.map((o) => o.ready));
    for (const p of procs) p.stdin!.end('go\n');
    const secrets = (await Promise.all(outputs.map((o) => o.done))).map((o) => o.slice('ready\n'.length).trim());
    assert.equal(new Set(secrets).size, 1, secrets.join(' '));
    assert.equal(secrets[0], readFileSync(join(dir, 'password'), 'utf8'));
    assert.equal(mode(join(dir, 'password')), 0o600);
    assert.equal(mode(dir), 0o700);
  });
});

describe('embedded password: the detached server (locate.ts) and Connection', () => {
  it('is not in server.json, server.log or the server\'s command line, and survives the server', async () => {
    const dir = join(projectDir(), '.datajoint');
    const location = embeddedLocation(dir);
    const first = await startEmbeddedServer(location, { idleExitMs: 20_000 });
    const secret = readFileSync(location.passwordFile, 'utf8');
    assert.equal(first.password, secret);
    // A right and a wrong password, so that the log has whatever the server would say of them.
    const c = await pgConnect(first);
    assert.equal((await refusal({ ...first, password: 'wrong' })).code, '28P01');
    if (existsSync(`/proc/${first.pid}/cmdline`)) {
      const argv = readFileSync(`/proc/${first.pid}/cmdline`, 'utf8').split('\0');
      assert.ok(argv.some((a) => a.endsWith('main.ts')), argv.join(' '));
      assert.ok(!argv.some((a) => a.includes(secret)), 'not on the command line');
      assert.ok(!readFileSync(`/proc/${first.pid}/environ`, 'utf8').includes(secret), 'nor in its environment');
    }
    assert.ok(!readFileSync(location.discoveryFile, 'utf8').includes(secret), 'not in server.json');
    assert.ok(!readFileSync(location.logFile, 'utf8').includes(secret), 'not in server.log');
    assert.equal(mode(location.logFile), 0o600);
    assert.equal(mode(location.discoveryFile), 0o600);
    await c.end();

    // A worker holding the password (DJ_PASS) reconnects after the serving process changed.
    await stopServer(dir);
    assert.equal(pidRuns(first.pid), false);
    const second = await startEmbeddedServer(location, { idleExitMs: 20_000 });
    assert.notEqual(second.pid, first.pid);
    assert.equal(second.password, secret);
    const again = await pgConnect({ host: second.host, port: second.port, user: 'postgres', database: 'postgres', password: secret });
    await again.end();
    await stopServer(dir);
  });

  it('Connection.connect holds the real password and the endpoint in its settings, and shows neither password', async () => {
    const project = projectDir();
    const conn = await Connection.connect({ cwd: project, env: { DJ_EMBEDDED_IDLE_MS: '20000' } });
    try {
      const db = conn.settings.database;
      const secret = readFileSync(join(project, '.datajoint', 'password'), 'utf8');
      const record = JSON.parse(readFileSync(join(project, '.datajoint', 'server.json'), 'utf8')) as { host: string; port: number };
      assert.deepEqual({ host: db.host, port: db.port, user: db.user, password: db.password }, { host: record.host, port: record.port, user: 'postgres', password: secret });
      assert.ok(!JSON.stringify(conn).includes(secret) && !inspect(conn).includes(secret), 'toJSON and inspect leave it out');
      // What the extension hands a Python worker (DJ_HOST, DJ_PORT, DJ_USER, DJ_PASS) connects.
      const worker = await pgConnect({ host: db.host, port: db.port, user: db.user!, password: db.password!, database: 'postgres' });
      await worker.end();
    } finally {
      await conn.close();
      await stopServer(join(project, '.datajoint'));
    }
  });
});
