// The embedded database server (runtime/embedded): PGlite served over the wire protocol on
// loopback to several clients at once, each unit of work (statement, extended-protocol
// sequence, transaction, COPY) with the backend to itself; a client that goes away mid-unit
// leaves nothing of it; what was committed survives close, SIGKILL and a new server; psycopg2
// (the driver of DataJoint for Python) works through it; the discovery file locks the data
// directory and tells other processes where it is served.
//   node --import tsx --test test/integration/embedded/server.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import {
  DiscoveryError,
  EmbeddedServerBusyError,
  ensureEmbeddedServer,
  findEmbeddedServer,
  serveEmbedded,
  type EmbeddedServer,
  type ServerRecord,
} from '../../../runtime/embedded/index';
import { bind, connectWire, execute, parse, query, rows, status, sync } from './wire';
import { pythonInterpreter } from '../python/helpers';

const ROOT = resolve(__dirname, '../../..');
const MAIN = join(ROOT, 'runtime/embedded/main.ts');
// The real DataJoint for Python's environment, made if missing (scripts/python-env.mjs), as
// every Python suite gets it: these tests never pass by being skipped.
let PYTHON = '';
before(async () => {
  PYTHON = await pythonInterpreter();
});

const temps: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'dj-embedded-'));
  temps.push(d);
  return d;
}
after(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

async function client(server: { connection: pg.ClientConfig } | pg.ClientConfig): Promise<pg.Client> {
  const c = new pg.Client('connection' in server ? server.connection : server);
  c.on('error', () => undefined); // a client the test kills reports its end through its query
  await c.connect();
  return c;
}

const count = async (c: pg.Client, sql: string): Promise<number> => Number((await c.query<{ n: string }>(sql)).rows[0]!.n);

/** Starts runtime/embedded/main.ts on `dataDir` and reads the line it prints once reachable. */
async function child(dataDir: string): Promise<{ proc: ChildProcess; info: { port: number; pid: number; served: boolean } }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout! });
  const [line] = (await Promise.race([once(lines, 'line'), once(proc, 'exit').then(([code]) => Promise.reject(new Error(`main.ts exited ${code}`)))])) as [string];
  return { proc, info: JSON.parse(line) as { port: number; pid: number; served: boolean } };
}

/** A pid no process has any more: that of a child that has exited. */
async function deadPid(): Promise<number> {
  const p = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(p, 'exit');
  return p.pid!;
}

function python(script: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((res, rej) =>
    // Asynchronously: the server answering the script runs in this process's event loop.
    execFile(PYTHON, ['-c', script, ...args], { encoding: 'utf8', env }, (err, stdout, stderr) => (err ? rej(new Error(`${err.message}\n${stderr}`)) : res(stdout))),
  );
}

describe('embedded server: clients take turns by unit of work', () => {
  let dir: string;
  let server: EmbeddedServer;
  before(async () => {
    dir = tempDir();
    server = await serveEmbedded({ dataDir: join(dir, 'pgdata') });
    const c = await client(server);
    await c.query('CREATE TABLE t (id int PRIMARY KEY, who text)');
    await c.end();
  });
  after(() => server.close());

  it('publishes a loopback port in the discovery file', () => {
    const r = JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8')) as ServerRecord;
    assert.equal(r.state, 'ready');
    assert.equal(r.port, server.port);
    assert.equal(r.pid, process.pid);
    assert.equal(r.host, '127.0.0.1');
    assert.equal(r.dataDir, join(dir, 'pgdata'));
    assert.ok(!('password' in r));
  });

  it('refuses to listen beyond loopback', async () => {
    await assert.rejects(serveEmbedded({ dataDir: join(tempDir(), 'pgdata'), host: '0.0.0.0' }), /loopback/);
  });

  it('gives each concurrent transaction only its own uncommitted rows', async () => {
    const a = await client(server);
    const b = await client(server);
    try {
      await a.query('BEGIN');
      await a.query("INSERT INTO t VALUES (1, 'a')");
      // B's transaction starts while A's is open: it waits for A's to end.
      const waited = once(server, 'wait');
      const bTx = (async () => {
        await b.query('BEGIN');
        await b.query("INSERT INTO t VALUES (2, 'b')");
        const seen = (await b.query<{ who: string }>('SELECT who FROM t ORDER BY id')).rows.map((r) => r.who);
        await b.query('ROLLBACK');
        return seen;
      })();
      await waited;
      assert.deepEqual((await a.query('SELECT who FROM t ORDER BY id')).rows, [{ who: 'a' }], 'A sees only its own row');
      assert.equal(server.stats().waiting, 1);
      await a.query('COMMIT');
      assert.deepEqual(await bTx, ['a', 'b'], "B sees A's committed row and its own");
      assert.deepEqual((await a.query('SELECT who FROM t ORDER BY id')).rows, [{ who: 'a' }], "B's rollback undid only B's row");
    } finally {
      await a.query('DELETE FROM t');
      await a.end();
      await b.end();
    }
  });

  it("lets a client connect while another's transaction holds the database", async () => {
    const held = once(server, 'connect');
    const a = await client(server);
    const [aId] = await held;
    try {
      await a.query('BEGIN');
      await a.query("INSERT INTO t VALUES (1, 'a')");
      const b = await client(server); // would wait for A's COMMIT if connecting needed the backend
      assert.equal(server.stats().holder, aId, "connected during A's transaction");
      const waited = once(server, 'wait');
      const seen = count(b, 'SELECT count(*) AS n FROM t');
      await waited;
      await a.query('ROLLBACK');
      assert.equal(await seen, 0);
      await b.end();
    } finally {
      await a.end();
    }
  });

  it('serialises FOR UPDATE SKIP LOCKED claims (one transaction at a time)', async () => {
    const a = await client(server);
    const b = await client(server);
    try {
      await a.query("INSERT INTO t VALUES (1, 'job'), (2, 'job')");
      const claimSql = "SELECT id FROM t WHERE who = 'job' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED";
      await a.query('BEGIN');
      const aGot = (await a.query<{ id: number }>(claimSql)).rows[0]!.id;
      const waited = once(server, 'wait');
      const bClaim = (async () => {
        await b.query('BEGIN');
        const id = (await b.query<{ id: number }>(claimSql)).rows[0]!.id;
        await b.query("UPDATE t SET who = 'done-b' WHERE id = $1", [id]);
        await b.query('COMMIT');
        return id;
      })();
      await waited;
      await a.query("UPDATE t SET who = 'done-a' WHERE id = $1", [aGot]);
      await a.query('COMMIT');
      const bGot = await bClaim;
      assert.equal(aGot, 1);
      assert.equal(bGot, 2, 'B, run after A committed, claims the other row');
    } finally {
      await a.query('DELETE FROM t');
      await a.end();
      await b.end();
    }
  });

  it('loses no update of concurrent read-modify-write transactions', async () => {
    const clients = await Promise.all([1, 2, 3, 4].map(() => client(server)));
    try {
      await clients[0]!.query("INSERT INTO t VALUES (0, '0')");
      await Promise.all(
        clients.map(async (c) => {
          for (let i = 0; i < 25; i++) {
            await c.query('BEGIN');
            const n = Number((await c.query<{ who: string }>('SELECT who FROM t WHERE id = 0')).rows[0]!.who);
            await c.query('UPDATE t SET who = $1 WHERE id = 0', [String(n + 1)]);
            await c.query('COMMIT');
          }
        }),
      );
      assert.equal((await clients[0]!.query<{ who: string }>('SELECT who FROM t WHERE id = 0')).rows[0]!.who, '100');
    } finally {
      await clients[0]!.query('DELETE FROM t');
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  it("keeps another client's messages out of an extended-protocol sequence", async () => {
    // The case pglite-socket's server gets wrong: A's Bind bound B's unnamed statement.
    const a = await connectWire(server.port, server.connection.password);
    const b = await connectWire(server.port, server.connection.password);
    try {
      a.send(parse("SELECT 'from A'"));
      await a.until('1'); // ParseComplete: A now holds the backend
      const waited = once(server, 'wait');
      b.send(parse("SELECT 'from B'"), bind(), execute(), sync());
      await waited;
      a.send(bind(), execute(), sync());
      assert.deepEqual(rows(await a.until()), [['from A']]);
      assert.deepEqual(rows(await b.until()), [['from B']]);
    } finally {
      a.socket.destroy();
      b.socket.destroy();
    }
  });

  it('answers parameterised queries of many clients at once correctly', async () => {
    const clients = await Promise.all([1, 2, 3, 4].map(() => client(server)));
    try {
      // Four clients at once, each one query after the other (as a pg pool uses its sessions).
      const results = await Promise.all(
        clients.map(async (c, k) => {
          const got: { v: number; s: string }[] = [];
          for (let i = k * 50; i < k * 50 + 50; i++) got.push((await c.query<{ v: number; s: string }>('SELECT $1::int AS v, $2::text AS s', [i, `s${i}`])).rows[0]!);
          return got;
        }),
      );
      results.flat().forEach((r, i) => assert.deepEqual(r, { v: i, s: `s${i}` }));
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  it('has one backend and one session for every client (pg_backend_pid, pg_stat_activity, SET)', async () => {
    // What README.md tells clients not to rely on: holder checks cannot tell clients apart
    // through the backend pid, and a session setting of one client is every client's.
    const a = await client(server);
    const b = await client({ ...server.connection, options: '-c search_path=pg_catalog' });
    try {
      const pa = (await a.query<{ p: number }>('SELECT pg_backend_pid() AS p')).rows[0]!.p;
      const pb = (await b.query<{ p: number }>('SELECT pg_backend_pid() AS p')).rows[0]!.p;
      assert.equal(pa, pb);
      const activity = (await a.query<{ pid: number }>('SELECT pid FROM pg_stat_activity')).rows;
      assert.deepEqual(activity.map((r) => r.pid), [pa]);
      assert.equal((await b.query<{ search_path: string }>('SHOW search_path')).rows[0]!.search_path, 'public', 'startup options are ignored');
      await a.query("SET application_name = 'set by a'");
      assert.equal((await b.query<{ application_name: string }>('SHOW application_name')).rows[0]!.application_name, 'set by a');
      await a.query('RESET application_name');
    } finally {
      await a.end();
      await b.end();
    }
  });
});

describe('embedded server: a client that goes away mid-unit leaves nothing of it', () => {
  let server: EmbeddedServer;
  let observer: pg.Client;
  before(async () => {
    server = await serveEmbedded({ dataDir: join(tempDir(), 'pgdata') });
    observer = await client(server);
    await observer.query('CREATE TABLE k (id int PRIMARY KEY)');
  });
  after(async () => {
    await observer.end();
    await server.close();
  });

  /** Waits for the server to retire `id` and says whether it rolled back an open unit. */
  const disconnected = (id: number) =>
    new Promise<boolean>((res) => {
      const on = (who: number, rolledBack: boolean) => {
        if (who !== id) return;
        server.off('disconnect', on);
        res(rolledBack);
      };
      server.on('disconnect', on);
    });
  const nextId = () => new Promise<number>((res) => server.once('connect', res));

  it('rolls back the open transaction of a client whose socket is destroyed', async () => {
    const idP = nextId();
    const victim = await client(server);
    const id = await idP;
    await victim.query('BEGIN');
    await victim.query('INSERT INTO k VALUES (1), (2)');
    // Another client waits behind the open transaction, and runs once it is rolled back.
    const waited = once(server, 'wait');
    const seen = count(observer, 'SELECT count(*) AS n FROM k');
    await waited;
    const gone = disconnected(id);
    (victim as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    assert.equal(await gone, true);
    assert.equal(await seen, 0);
  });

  it('rolls back a failed transaction (status E) of a vanished client', async () => {
    const w = await connectWire(server.port, server.connection.password);
    w.send(query('BEGIN; INSERT INTO k VALUES (3)'));
    assert.equal(status(await w.until()), 'T');
    w.send(query('SELECT 1/0'));
    assert.equal(status(await w.until()), 'E');
    const gone = once(server, 'disconnect');
    w.socket.destroy();
    assert.equal((await gone)[1], true);
    assert.equal(await count(observer, 'SELECT count(*) AS n FROM k'), 0);
  });

  it('does not commit an extended-protocol sequence cut before its Sync', async () => {
    // A Sync sent on the client's behalf would commit the INSERT; the server must not.
    const w = await connectWire(server.port, server.connection.password);
    w.send(parse('INSERT INTO k VALUES (4)'), bind(), execute());
    await w.until('C'); // CommandComplete: executed, not yet synced
    const gone = once(server, 'disconnect');
    w.socket.destroy();
    assert.equal((await gone)[1], true);
    assert.equal(await count(observer, 'SELECT count(*) AS n FROM k'), 0);
  });

  it('refuses COPY FROM STDIN (it would end PGlite) as a failed statement, and serves COPY TO STDOUT', async () => {
    const w = await connectWire(server.port, server.connection.password);
    try {
      w.send(query('BEGIN; INSERT INTO k VALUES (5)'));
      assert.equal(status(await w.until()), 'T');
      w.send(query('COPY k FROM STDIN'));
      const refused = await w.until();
      assert.match(refused.find((m) => m.type === 'E')!.body.toString(), /COPY FROM STDIN is not supported/);
      assert.equal(status(refused), 'E', 'the transaction is aborted as by any error');
      w.send(query('ROLLBACK'));
      assert.equal(status(await w.until()), 'I');
      w.send(parse('COPY k (id) FROM stdin WITH (FORMAT csv)'), bind(), execute(), sync());
      const refusedExtended = await w.until();
      assert.ok(refusedExtended.some((m) => m.type === 'E'));
      assert.equal(status(refusedExtended), 'I');
      w.send(query('INSERT INTO k VALUES (8), (9); COPY k TO STDOUT'));
      const out = await w.until();
      assert.deepEqual(out.filter((m) => m.type === 'd').map((m) => m.body.toString()), ['8\n', '9\n']);
      w.send(query('DELETE FROM k'));
      await w.until();
    } finally {
      w.socket.destroy();
    }
    assert.equal(await count(observer, 'SELECT count(*) AS n FROM k'), 0);
  });

  it('runs what a client committed before it went away', async () => {
    const w = await connectWire(server.port, server.connection.password);
    w.send(query('BEGIN; INSERT INTO k VALUES (7); COMMIT'));
    assert.equal(status(await w.until()), 'I');
    const gone = once(server, 'disconnect');
    w.socket.destroy();
    assert.equal((await gone)[1], false);
    assert.equal(await count(observer, 'SELECT count(*) AS n FROM k'), 1);
  });
});

describe('embedded server: what was committed survives the server', () => {
  it('survives close() and a new server on the same directory; close() rolls back the open transaction', async () => {
    const dataDir = join(tempDir(), 'pgdata');
    let server = await serveEmbedded({ dataDir });
    const a = await client(server);
    await a.query('CREATE TABLE s (id int PRIMARY KEY, v bytea)');
    await a.query('INSERT INTO s VALUES (1, $1)', [Buffer.from([0, 1, 2, 255])]);
    await a.query('BEGIN');
    await a.query('INSERT INTO s VALUES (2, NULL)');
    const gone = once(server, 'disconnect');
    await server.close();
    assert.equal((await gone)[1], true, "close() rolls back the client's open transaction");
    await assert.rejects(a.query('COMMIT'), 'and its connection is gone');
    assert.equal(existsSync(server.discoveryFile), false, 'close() removes the discovery file');

    server = await serveEmbedded({ dataDir });
    const b = await client(server);
    try {
      const r = await b.query<{ id: number; v: Buffer | null }>('SELECT id, v FROM s ORDER BY id');
      assert.deepEqual(r.rows, [{ id: 1, v: Buffer.from([0, 1, 2, 255]) }]);
    } finally {
      await b.end();
      await server.close();
    }
  });

  it('survives SIGKILL of the serving process; the next one replaces its stale discovery file', async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'pgdata');
    const { proc, info } = await child(dataDir);
    assert.equal(info.served, true);
    const a = await client({ host: '127.0.0.1', port: info.port, user: 'postgres', password: readFileSync(join(dir, 'password'), 'utf8'), database: 'postgres' });
    await a.query('CREATE TABLE s (id int PRIMARY KEY)');
    await a.query('INSERT INTO s VALUES (1), (2)');
    await a.query('BEGIN');
    await a.query('INSERT INTO s VALUES (3)');
    const exited = once(proc, 'exit');
    proc.kill('SIGKILL');
    await exited;
    await assert.rejects(a.query('COMMIT'), 'the open transaction never commits');
    const stale = JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8')) as ServerRecord;
    assert.equal(stale.pid, info.pid, 'SIGKILL leaves the record behind');
    assert.equal(await findEmbeddedServer(dataDir), null, 'and it is seen to be stale');

    const { server } = await ensureEmbeddedServer({ dataDir });
    assert.ok(server, 'this process serves the directory now');
    const b = await client(server);
    try {
      assert.deepEqual((await b.query('SELECT id FROM s ORDER BY id')).rows, [{ id: 1 }, { id: 2 }]);
      assert.equal((JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8')) as ServerRecord).pid, process.pid);
    } finally {
      await b.end();
      await server.close();
    }
  });
});

describe('embedded server: psycopg2 (DataJoint for Python) through it', () => {
  it('reads what node-postgres committed, and writes what it reads back', async () => {
    const server = await serveEmbedded({ dataDir: join(tempDir(), 'pgdata') });
    const c = await client(server);
    try {
      await c.query('CREATE TABLE p (id int PRIMARY KEY, name text, blob bytea)');
      await c.query('INSERT INTO p VALUES ($1, $2, $3)', [1, 'from node', Buffer.from('ab\x00c')]);
      const script = `
import json, sys, psycopg2
conn = psycopg2.connect(host='127.0.0.1', port=int(sys.argv[1]), user='postgres', dbname='postgres', sslmode='prefer', connect_timeout=10)
conn.autocommit = True  # as DataJoint for Python sets it
cur = conn.cursor()
cur.execute('SELECT id, name, blob FROM p ORDER BY id')
seen = [[i, n, bytes(b).hex()] for i, n, b in cur.fetchall()]
cur.execute('BEGIN')
cur.execute('INSERT INTO p VALUES (%s, %s, %s)', (2, 'from python', psycopg2.Binary(b'\\x01\\x02')))
cur.execute('COMMIT')
cur.execute('BEGIN')
cur.execute('INSERT INTO p VALUES (3, %s, NULL)', ('rolled back',))
cur.execute('ROLLBACK')
print(json.dumps(seen))
conn.close()
`;
      // libpq takes the password from PGPASSWORD (and answers the server's SCRAM-SHA-256 with it).
      const seen = JSON.parse(await python(script, [String(server.port)], { ...process.env, PGPASSWORD: server.connection.password })) as unknown;
      assert.deepEqual(seen, [[1, 'from node', Buffer.from('ab\x00c').toString('hex')]]);
      const r = await c.query<{ id: number; name: string; blob: Buffer | null }>('SELECT id, name, blob FROM p ORDER BY id');
      assert.deepEqual(r.rows, [
        { id: 1, name: 'from node', blob: Buffer.from('ab\x00c') },
        { id: 2, name: 'from python', blob: Buffer.from([1, 2]) },
      ]);
    } finally {
      await c.end();
      await server.close();
    }
  });
});

describe('embedded server: psycopg2 must give the password', () => {
  it('connects with the right password (SCRAM-SHA-256), is refused with a wrong one or none', async () => {
    const server = await serveEmbedded({ dataDir: join(tempDir(), 'pgdata') });
    try {
      const script = `
import json, os, sys, psycopg2
out = []
for pw in (os.environ['RIGHT_PASSWORD'], os.environ['RIGHT_PASSWORD'] + 'x', None):
    try:
        kw = {} if pw is None else {'password': pw}
        c = psycopg2.connect(host='127.0.0.1', port=int(sys.argv[1]), user='postgres', dbname='postgres', connect_timeout=10, **kw)
        cur = c.cursor()
        cur.execute('SELECT 6 * 7')
        out.append(cur.fetchone()[0])
        c.close()
    except psycopg2.OperationalError as e:
        out.append(' '.join(str(e).split()))
print(json.dumps(out))
`;
      // No password from anywhere else: no PGPASSWORD, no ~/.pgpass.
      const { PGPASSWORD: _unused, ...env } = process.env;
      const [right, wrong, none] = JSON.parse(await python(script, [String(server.port)], { ...env, PGPASSFILE: '/dev/null', RIGHT_PASSWORD: server.connection.password })) as [unknown, string, string];
      assert.equal(right, 42);
      assert.match(wrong, /FATAL: password authentication failed for user "postgres"/);
      assert.match(none, /no password supplied/);
    } finally {
      await server.close();
    }
  });
});

describe('embedded server: DataJoint for Python through it', () => {
  it('declares, inserts and populates with reserved jobs; node-postgres reads the result', async () => {
    const server = await serveEmbedded({ dataDir: join(tempDir(), 'pgdata') });
    try {
      const script = [
        'import datajoint as dj',
        "schema = dj.Schema('emb_lab')",
        '@schema',
        'class Subject(dj.Manual):',
        "    definition = 'subject_id : int32\\n---\\nname : varchar(40)'",
        '@schema',
        'class Double(dj.Computed):',
        "    definition = '-> Subject\\n---\\ntwice : int32'",
        '    def make(self, key):',
        "        self.insert1(dict(key, twice=2 * key['subject_id']))",
        "Subject.insert([(i, f's{i}') for i in range(5)])",
        'Double.populate(reserve_jobs=True)',
        'print(dj.conn().connection_id)',
      ].join('\n');
      const env = { ...process.env, DJ_HOST: '127.0.0.1', DJ_PORT: String(server.port), DJ_USER: 'postgres', DJ_PASS: server.connection.password, DJ_BACKEND: 'postgresql', DJ_USE_TLS: 'false' };
      const out = await new Promise<string>((res, rej) =>
        // Asynchronously: the server answering DataJoint runs in this process's event loop.
        execFile(PYTHON, ['-c', script], { env, cwd: tempDir(), encoding: 'utf8' }, (err, stdout, stderr) => (err ? rej(new Error(`${err.message}\n${stderr}`)) : res(stdout))),
      );
      assert.equal(out.trim().split('\n').at(-1), '42', 'DataJoint (which logs to stdout too) records pg_backend_pid() as its connection_id: 42 for every client');
      const c = await client(server);
      const r = await c.query<{ twice: number }>('SELECT twice FROM emb_lab."__double" ORDER BY twice');
      assert.deepEqual(r.rows.map((x) => x.twice), [0, 2, 4, 6, 8]);
      await c.end();
    } finally {
      await server.close();
    }
  });
});

describe('embedded server: the discovery file', () => {
  it('makes a second server on the same directory refuse, and ensureEmbeddedServer reuse the first', async () => {
    const dataDir = join(tempDir(), 'pgdata');
    const server = await serveEmbedded({ dataDir });
    try {
      await assert.rejects(serveEmbedded({ dataDir }), (e: unknown) => e instanceof EmbeddedServerBusyError && e.record.port === server.port);
      const again = await ensureEmbeddedServer({ dataDir });
      assert.equal(again.server, null);
      assert.equal(again.port, server.port);
      // Another process finds the live server and uses it instead of opening the directory.
      const other = await child(dataDir);
      await once(other.proc, 'exit');
      assert.deepEqual({ served: other.info.served, port: other.info.port, pid: other.info.pid }, { served: false, port: server.port, pid: process.pid });
    } finally {
      await server.close();
    }
  });

  it("lets another process's server be found and used by this one", async () => {
    const dataDir = join(tempDir(), 'pgdata');
    const { proc, info } = await child(dataDir);
    try {
      const found = await ensureEmbeddedServer({ dataDir });
      assert.equal(found.server, null);
      assert.deepEqual({ port: found.port, pid: found.pid }, { port: info.port, pid: info.pid });
      const c = await client(found);
      assert.equal(await count(c, 'SELECT 41 + 1 AS n'), 42);
      await c.end();
    } finally {
      const exited = once(proc, 'exit');
      proc.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      assert.equal(code, 0, 'SIGTERM closes cleanly');
    }
    assert.equal(existsSync(join(dataDir, '..', 'server.json')), false);
  });

  it('lets exactly one of several processes starting at once serve a new directory, the others use it', async () => {
    const dataDir = join(tempDir(), 'pgdata');
    const started = await Promise.all([child(dataDir), child(dataDir), child(dataDir)]);
    const serving = started.filter((s) => s.info.served);
    try {
      assert.equal(serving.length, 1);
      for (const s of started) assert.equal(s.info.port, serving[0]!.info.port);
    } finally {
      for (const s of started) if (s.proc.exitCode === null) s.proc.kill('SIGTERM');
      await Promise.all(started.map((s) => (s.proc.exitCode === null ? once(s.proc, 'exit') : undefined)));
    }
  });

  it('lets exactly one of several processes take over a stale record', async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'pgdata');
    const stale: ServerRecord = {
      version: 1, state: 'ready', dataDir, pid: await deadPid(), host: '127.0.0.1', port: 1,
      user: 'postgres', database: 'postgres', startedAt: new Date().toISOString(), token: 'stale',
    };
    writeFileSync(join(dir, 'server.json'), JSON.stringify(stale));
    const started = await Promise.all([child(dataDir), child(dataDir), child(dataDir)]);
    try {
      assert.equal(started.filter((s) => s.info.served).length, 1);
      assert.equal(new Set(started.map((s) => s.info.port)).size, 1);
    } finally {
      for (const s of started) if (s.proc.exitCode === null) s.proc.kill('SIGTERM');
      await Promise.all(started.map((s) => (s.proc.exitCode === null ? once(s.proc, 'exit') : undefined)));
    }
  });

  it('replaces a stale record (dead pid) and an unreadable one', async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'pgdata');
    const file = join(dir, 'server.json');
    const stale: ServerRecord = {
      version: 1, state: 'ready', dataDir, pid: await deadPid(), host: '127.0.0.1', port: 1,
      user: 'postgres', database: 'postgres', startedAt: new Date().toISOString(), token: 'stale',
    };
    writeFileSync(file, JSON.stringify(stale));
    assert.equal(await findEmbeddedServer(dataDir), null);
    let server = await serveEmbedded({ dataDir });
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as ServerRecord).token !== 'stale', true);
    await server.close();

    writeFileSync(file, '{"half": ');
    server = await serveEmbedded({ dataDir });
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as ServerRecord).pid, process.pid);
    await server.close();
  });

  it('takes a record left from before the last boot for stale, even if its pid is alive now', async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'pgdata');
    const old: ServerRecord = {
      version: 1, state: 'starting', dataDir, pid: process.ppid, host: '127.0.0.1', port: 0,
      user: 'postgres', database: 'postgres', startedAt: '2000-01-01T00:00:00.000Z', token: 'old',
    };
    writeFileSync(join(dir, 'server.json'), JSON.stringify(old));
    const server = await serveEmbedded({ dataDir });
    await server.close();
  });

  it('refuses a discovery file that belongs to another data directory', async () => {
    const dir = tempDir();
    const first = await serveEmbedded({ dataDir: join(dir, 'one') });
    try {
      await assert.rejects(serveEmbedded({ dataDir: join(dir, 'two') }), DiscoveryError);
    } finally {
      await first.close();
    }
  });
});
