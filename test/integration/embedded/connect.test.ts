// With no database host configured anywhere, the runtime uses the workspace's embedded
// PostgreSQL: Connection.connect finds the server of `<project>/.datajoint` through its
// discovery file or starts one (a detached process of its own), the example pipeline is
// declared, filled and computed there, and the connection says it is the local database.
// A server that is SIGKILLed loses nothing committed, and the next client (a reconnecting
// connection or a new one) starts a new server on the same data.
//   node --import tsx --test test/integration/embedded/connect.test.ts
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Connection, EMBEDDED_LABEL } from '../../../runtime/index';
import { createPipeline } from '../../../examples/pipeline/pipeline';
import { seedPipeline } from '../../../examples/pipeline/seed';
import { populate } from '../../../runtime/populate/index';
import { cleanupProjects, clearProcessEnv, pidRuns, projectDir, servingPid, waitFor } from './helpers';

before(() => clearProcessEnv());
after(cleanupProjects);

describe('the embedded database by default', () => {
  let project: string;
  let conn: Connection;
  before(async () => {
    project = projectDir();
    // Nothing configured: no environment, no datajoint.json above the temporary folder.
    conn = await Connection.connect({ cwd: project, env: { DJ_EMBEDDED_IDLE_MS: '20000' } });
  });
  after(async () => conn?.close());

  it('keeps it in <project>/.datajoint and says it is the local database', () => {
    assert.deepEqual(conn.embedded && { dir: conn.embedded.dir, dataDir: conn.embedded.dataDir }, {
      dir: join(project, '.datajoint'),
      dataDir: join(project, '.datajoint', 'pgdata'),
    });
    assert.equal(conn.backend, 'postgresql');
    assert.equal(conn.poolLimit, 1, 'one pooled session per process on the embedded server');
    assert.match(conn.serverVersion, /^Local database — this workspace \(PGlite, PostgreSQL \d+\.\d+\)$/);
    assert.match(inspect(conn), /^Connection \{ Local database — this workspace \(.*\/\.datajoint\/pgdata\), served on 127\.0\.0\.1:\d+ by process \d+, id 42 \}$/);
    const json = conn.toJSON() as { embedded?: { label: string; dataDir: string; serverPid: number } };
    assert.equal(json.embedded?.label, EMBEDDED_LABEL);
    assert.equal(json.embedded?.serverPid, servingPid(join(project, '.datajoint')), 'the server the discovery file names');
    assert.notEqual(json.embedded?.serverPid, process.pid, 'served by a process of its own');
    assert.equal(conn.settings.sources['database.host'], `embedded:${join(project, '.datajoint')}`);
  });

  it('declares the example pipeline, inserts, fetches and populates', async () => {
    const p = createPipeline('emb_example', { connection: conn });
    await p.schema.declare();
    await seedPipeline(p, { subjects: 3, sessionsPerSubject: 2, samplesPerSession: 5 });
    assert.equal(await p.Subject.count(), 3);
    assert.equal(await p.RawData.count(), 6);
    const s = await p.Subject.restrict({ subject_id: 2 }).fetch1<{ subject_name: string; sex: string; date_of_birth: string }>();
    assert.deepEqual({ name: s.subject_name, sex: s.sex }, { name: 'subject 2', sex: 'm' });
    const raw = await p.RawData.restrict({ subject_id: 1, session_idx: 1 }).fetch1<{ samples: unknown; sampling_rate: number }>();
    assert.equal(raw.sampling_rate, 1000);
    const r = await populate(p.ProcessedData);
    assert.equal(r.successCount, 12, '6 recordings x 2 methods');
    assert.equal(await p.ProcessedData.Trial.count(), 60);
    const rows = await p.ProcessedData.restrict({ subject_id: 1, session_idx: 1, method: 'peak' }).fetch<{ n_samples: unknown }>();
    assert.equal(Number(rows[0]!.n_samples), 5);
  });

  it('is found by every process of the project: through datajoint.json from a subfolder, the same server', async () => {
    // A datajoint.json without a host: the project is its folder, the database still embedded.
    writeFileSync(join(project, 'datajoint.json'), JSON.stringify({ safemode: false }));
    const sub = join(project, 'src', 'deep');
    mkdirSync(sub, { recursive: true });
    const other = await Connection.connect({ cwd: sub, env: {} });
    try {
      assert.equal(other.embedded?.dir, join(project, '.datajoint'));
      assert.equal(other.embedded?.serverPid, conn.embedded?.serverPid);
      assert.equal(Number((await other.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM "emb_example"."subject"'))[0]!.n), 3);
    } finally {
      await other.close();
    }
  });

  it('DJ_BACKEND=embedded and DJ_EMBEDDED_DIR choose it even with a host configured', async () => {
    const elsewhere = join(projectDir(), '.datajoint');
    const c = await Connection.connect({ cwd: project, env: { DJ_HOST: 'db.example.org', DJ_BACKEND: 'embedded', DJ_EMBEDDED_DIR: elsewhere, DJ_EMBEDDED_IDLE_MS: '20000' } });
    try {
      assert.equal(c.embedded?.dir, elsewhere);
      assert.notEqual(c.embedded?.serverPid, conn.embedded?.serverPid, 'another folder, another server');
      assert.deepEqual(await c.query('SELECT 1 AS x'), [{ x: 1 }]);
    } finally {
      await c.close();
    }
  });

  it('a host configured anywhere means that server, exactly as before', async () => {
    // A closed loopback port: the error names the host, so no embedded database was involved.
    await assert.rejects(Connection.connect({ cwd: project, env: { DJ_HOST: '127.0.0.1:1', DJ_USER: 'u', DJ_PASS: 'p' } }), (e: unknown) => {
      assert.equal((e as { code?: string }).code, 'unreachable');
      assert.match((e as Error).message, /^Cannot connect to 127\.0\.0\.1:1: connection refused/);
      return true;
    });
  });
});

describe('several processes at once', () => {
  it('connections opened together on a new folder share one server', async () => {
    const project = projectDir();
    const env = { DJ_EMBEDDED_IDLE_MS: '20000' };
    // Each finds no server and starts one; the discovery file lets exactly one serve.
    const conns = await Promise.all([1, 2, 3].map(() => Connection.connect({ cwd: project, env })));
    try {
      const pids = new Set(conns.map((c) => c.embedded!.serverPid));
      assert.equal(pids.size, 1, `one server: ${[...pids].join(', ')}`);
      assert.equal(servingPid(join(project, '.datajoint')), [...pids][0]);
      await conns[0]!.execute('CREATE TABLE t (id int PRIMARY KEY)');
      await Promise.all(conns.map((c, i) => c.execute('INSERT INTO t VALUES (?)', [i])));
      assert.equal(Number((await conns[2]!.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM t'))[0]!.n), 3);
    } finally {
      await Promise.all(conns.map((c) => c.close()));
    }
  });
});

describe('the serving process exits', () => {
  it('SIGKILL loses nothing committed; the next client starts a new server on the same data', async () => {
    const project = projectDir();
    const dir = join(project, '.datajoint');
    const env = { DJ_EMBEDDED_IDLE_MS: '20000' };
    const conn = await Connection.connect({ cwd: project, env });
    try {
      await conn.execute('CREATE TABLE kept (id int PRIMARY KEY, what text)');
      await conn.execute("INSERT INTO kept VALUES (1, 'committed')");
      const first = conn.embedded!.serverPid;
      // A transaction that is open when the server dies: nothing of it may survive.
      let inside!: () => void;
      const opened = new Promise<void>((r) => (inside = r));
      let killed!: () => void;
      const afterKill = new Promise<void>((r) => (killed = r));
      const tx = conn.transaction(async () => {
        await conn.execute("INSERT INTO kept VALUES (2, 'open when the server died')");
        inside();
        await afterKill;
        await conn.execute("INSERT INTO kept VALUES (3, 'after')");
      });
      tx.catch(() => undefined);
      await opened;
      process.kill(first, 'SIGKILL');
      await waitFor('the killed server to be gone', () => !pidRuns(first), dir);
      killed();
      await assert.rejects(tx, (e: unknown) => (e as { code?: string }).code === 'lostConnection' || (e as { code?: string }).code === 'unreachable');

      // The same connection reconnects outside a transaction: a new server, the committed row only.
      const rows = await conn.query<{ id: number; what: string }>('SELECT id, what FROM kept ORDER BY id');
      assert.deepEqual(rows, [{ id: 1, what: 'committed' }]);
      const second = conn.embedded!.serverPid;
      assert.notEqual(second, first, 'a new server serves the data directory');
      assert.equal(servingPid(dir), second);
      // A new client finds that server.
      const again = await Connection.connect({ cwd: project, env });
      try {
        assert.equal(again.embedded?.serverPid, second);
        assert.equal(Number((await again.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM kept'))[0]!.n), 1);
      } finally {
        await again.close();
      }
    } finally {
      await conn.close();
    }
  });

  it('an idle server exits on its own after its last client, and the next connection starts another', async () => {
    const project = projectDir();
    const dir = join(project, '.datajoint');
    const env = { DJ_EMBEDDED_IDLE_MS: '300' };
    const c1 = await Connection.connect({ cwd: project, env });
    await c1.execute('CREATE TABLE t (id int PRIMARY KEY)');
    await c1.execute('INSERT INTO t VALUES (7)');
    const first = c1.embedded!.serverPid;
    await c1.close();
    await waitFor('the idle server to exit', () => !pidRuns(first), dir);
    const c2 = await Connection.connect({ cwd: project, env });
    try {
      assert.notEqual(c2.embedded!.serverPid, first);
      assert.deepEqual(await c2.query('SELECT id FROM t'), [{ id: 7 }]);
    } finally {
      await c2.close();
    }
  });
});
