// Two statements in one write on a MySQL session (runtime/connection/mysql-pipeline.ts):
// each answered as if sent alone, in order, whichever of them fails; the session goes on
// with the packets numbered as mysql2 expects (it warns on any other numbering), and a
// session lost under a pair fails both statements. MySQL and MariaDB only: PostgreSQL's
// sessions send a savepoint on its own (runtime/connection/pg-driver.ts has no prefix).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSettings } from '../../../runtime/config/index';
import mysql from 'mysql2/promise';
import mysqlCore from 'mysql2';
import { openMysql } from '../../../runtime/connection/mysql-driver';
import { canPipeline } from '../../../runtime/connection/mysql-pipeline';
import type { Driver, DriverSession } from '../../../runtime/connection/driver';
import { testServer } from '../runtime/helpers';

let driver: Driver;
let server: Awaited<ReturnType<typeof testServer>>;
const warnings: string[] = [];
const consoleError = console.error;
before(async () => {
  server = await testServer('mysql');
  const s = server;
  const settings = loadSettings({ overrides: { database: { host: s.host, port: s.port, user: s.user, password: s.password, useTls: false } }, ignoreConfigFile: true, env: {} });
  driver = (await openMysql(settings, { connectionLimit: 2, connectTimeout: 10_000 }, [])).driver;
  await driver.query('CREATE DATABASE IF NOT EXISTS djt_pipeline', []);
  await driver.query('CREATE TABLE IF NOT EXISTS djt_pipeline.t (id int NOT NULL PRIMARY KEY, v varchar(8) NOT NULL)', []);
  await driver.query('DELETE FROM djt_pipeline.t', []);
  // mysql2 reports packets out of order on the console.
  console.error = (...args: unknown[]) => {
    warnings.push(args.map(String).join(' '));
    consoleError(...args);
  };
});
after(async () => {
  console.error = consoleError;
  await driver?.query('DROP DATABASE IF EXISTS djt_pipeline', []);
  await driver?.end();
});

async function withSession<T>(run: (s: DriverSession) => Promise<T>): Promise<T> {
  const s = await driver.session();
  try {
    return await run(s);
  } finally {
    s.release();
  }
}

test("this mysql2's connections have the shape the pipeline drives", async () => {
  const s = await mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password });
  try {
    assert.equal(canPipeline((s as unknown as { connection: object }).connection), true, 'else every prefix goes out on its own, one round trip each');
  } finally {
    await s.end();
  }
});

test('a prefix and the next statement are answered in order, each as if alone; the session goes on', async () => {
  await withSession(async (s) => {
    assert.ok(s.prefixNext && s.dropPrefix, 'MySQL sessions send a prefix with the next statement');
    await s.query('SET autocommit = 0', []);
    for (let i = 1; i <= 50; i++) {
      const mark = s.prefixNext!('SAVEPOINT `p`');
      const rows = await s.query('SELECT ? AS n, CONNECTION_ID() AS id', [i]);
      await mark;
      assert.equal(Number(rows.rows![0]!.n), i);
      const ins = s.prefixNext!('SAVEPOINT `p`');
      assert.equal((await s.query('INSERT INTO djt_pipeline.t (id, v) VALUES (?, ?)', [i, `v${i}`])).affected, 1);
      await ins;
      // Every other key is undone to its savepoint: the prefix was set before its insert.
      if (i % 2 === 0) await s.query('ROLLBACK TO SAVEPOINT `p`', []);
    }
    await s.query('COMMIT', []);
    await s.query('SET autocommit = 1', []);
  });
  const [row] = (await driver.query('SELECT COUNT(*) AS n, SUM(id % 2) AS odd FROM djt_pipeline.t', [])).rows!;
  assert.deepEqual([Number(row!.n), Number(row!.odd)], [25, 25], 'the odd keys kept, the even ones rolled back to their savepoints');
  assert.deepEqual(warnings, []);
});

test('a failing prefix fails alone: the statement after it is still answered', async () => {
  await withSession(async (s) => {
    const mark = s.prefixNext!('SELECT * FROM djt_pipeline.no_such_table');
    mark.catch(() => undefined);
    const rows = await s.query('SELECT 7 AS n', []);
    await assert.rejects(mark, /no_such_table/);
    assert.equal(Number(rows.rows![0]!.n), 7);
    assert.equal(Number((await s.query('SELECT 8 AS n', [])).rows![0]!.n), 8);
  });
  assert.deepEqual(warnings, []);
});

test('a failing statement after a prefix: the prefix is answered, the statement fails with its error', async () => {
  await withSession(async (s) => {
    const mark = s.prefixNext!('SELECT 1');
    await assert.rejects(s.query('INSERT INTO djt_pipeline.t (id, v) VALUES (?, ?)', [1, 'again']), (e: { errno?: number }) => e.errno === 1062);
    await mark;
    assert.equal(Number((await s.query('SELECT 9 AS n', [])).rows![0]!.n), 9);
  });
  assert.deepEqual(warnings, []);
});

test('statements sent together are each answered in turn; one that fails fails alone', async () => {
  await withSession(async (s) => {
    const mark = s.prefixNext!('SELECT 0');
    const answers = s.queryAll!([
      { sql: 'SELECT ? AS n', params: [1] },
      { sql: 'SELECT * FROM djt_pipeline.no_such_table', params: [] },
      { sql: 'SELECT ? AS n', params: [3] },
    ]);
    await mark;
    assert.equal(Number((await answers[0]!).rows![0]!.n), 1);
    await assert.rejects(answers[1]!, /no_such_table/);
    assert.equal(Number((await answers[2]!).rows![0]!.n), 3);
    assert.equal(Number((await s.query('SELECT 4 AS n', [])).rows![0]!.n), 4);
  });
  assert.deepEqual(warnings, []);
});

// A statement of 16 MiB or more goes out as several packets, numbered on from its first:
// the statements after it in the same write must expect their answers at the numbers that
// follow, or mysql2 would misread (and warn about) every answer after it.
test('a statement of 16 MiB or more among statements sent together: the answers after it are read in turn', async () => {
  const [row] = (await driver.query('SELECT @@GLOBAL.max_allowed_packet AS v', [])).rows!;
  const saved = Number(row?.v);
  assert.ok(saved > 0, `max_allowed_packet reads ${String(row?.v)}`);
  await driver.query('SET GLOBAL max_allowed_packet = ?', [64 * 1024 * 1024]);
  try {
    // The session's limit is read when it opens: a driver of its own opens after the change.
    const settings = loadSettings({ overrides: { database: { host: server.host, port: server.port, user: server.user, password: server.password, useTls: false } }, ignoreConfigFile: true, env: {} });
    const big = (await openMysql(settings, { connectionLimit: 1, connectTimeout: 10_000 }, [])).driver;
    try {
      const text = 'x'.repeat(17 * 1024 * 1024 + 5);
      const s = await big.session();
      try {
        const mark = s.prefixNext!('SELECT 0');
        const answers = s.queryAll!([
          { sql: 'SELECT ? AS n', params: [1] },
          { sql: 'SELECT LENGTH(?) AS n', params: [text] },
          { sql: 'SELECT ? AS n', params: [3] },
        ]);
        await mark;
        assert.equal(Number((await answers[0]!).rows![0]!.n), 1);
        assert.equal(Number((await answers[1]!).rows![0]!.n), text.length);
        assert.equal(Number((await answers[2]!).rows![0]!.n), 3);
        assert.equal(Number((await s.query('SELECT 4 AS n', [])).rows![0]!.n), 4);
      } finally {
        s.release();
      }
    } finally {
      await big.end();
    }
  } finally {
    await driver.query('SET GLOBAL max_allowed_packet = ?', [saved]);
  }
  assert.deepEqual(warnings, []);
});

test('a prefix dropped before any statement is never sent', async () => {
  await withSession(async (s) => {
    const [before] = (await s.query("SHOW SESSION STATUS LIKE 'Com_savepoint'", [])).rows!;
    const mark = s.prefixNext!('SAVEPOINT `never`');
    assert.equal(s.dropPrefix!(), true);
    await mark;
    assert.equal(s.dropPrefix!(), false, 'nothing left to drop');
    const [after] = (await s.query("SHOW SESSION STATUS LIKE 'Com_savepoint'", [])).rows!;
    assert.equal(Number(after!.Value), Number(before!.Value));
  });
});

test('a session ended under a pair fails both of its statements', async () => {
  const s = await driver.session();
  try {
    // The server ends the session while it runs the pair's first statement.
    const mark = s.prefixNext!('DO SLEEP(60)');
    mark.catch(() => undefined);
    const next = s.query('SELECT 1 AS n', []);
    next.catch(() => undefined);
    for (;;) {
      const rows = (await driver.query("SELECT COUNT(*) AS n FROM information_schema.processlist WHERE id = ? AND info LIKE 'DO SLEEP%'", [s.serverId])).rows!;
      if (Number(rows[0]!.n) > 0) break;
      await new Promise((r) => setImmediate(r));
    }
    await driver.query(`KILL ${Number(s.serverId)}`, []);
    await assert.rejects(mark);
    await assert.rejects(next);
  } finally {
    s.destroy();
  }
  assert.deepEqual(warnings, []);
});

// A statement alone is a Query command built here, not through mysql2's query(): the same
// answers (rows, affected counts, bound values, errors) and, while a tracer listens on
// mysql2's tracing channel, every statement goes through query() so that the tracer sees it.
/** Counts the calls of mysql2's own query() on its connections (BaseConnection.prototype) while `run` runs. */
async function countingCoreQueries<T>(run: () => Promise<T>): Promise<{ value: T; calls: number }> {
  const proto = Object.getPrototypeOf(mysqlCore.Connection.prototype) as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  let calls = 0;
  proto.query = function (this: unknown, ...args: unknown[]) {
    calls++;
    return original.apply(this, args);
  };
  try {
    return { value: await run(), calls };
  } finally {
    proto.query = original;
  }
}

test('a statement alone on a session: rows, affected count, bound values and errors as mysql2 gives them, without its query()', async () => {
  const { calls } = await countingCoreQueries(() =>
    withSession(async (s) => {
      await s.query('DELETE FROM djt_pipeline.t', []);
      const inserted = await s.query('INSERT INTO djt_pipeline.t (id, v) VALUES (?, ?), (?, ?)', [1, "it's", 2, 'b']);
      assert.equal(inserted.rows, undefined);
      assert.equal(inserted.affected, 2);
      const read = await s.query('SELECT id, v FROM djt_pipeline.t WHERE id IN (?) ORDER BY id', [[1, 2]]);
      assert.deepEqual(read.rows!.map((r) => [Number(r.id), r.v]), [[1, "it's"], [2, 'b']]);
      assert.equal(read.affected, 2);
      await assert.rejects(s.query('INSERT INTO djt_pipeline.t (id, v) VALUES (?, ?)', [1, 'dup']), (e: unknown) => (e as { errno?: number }).errno === 1062);
      // A value that cannot be written into the statement fails it before it is sent.
      await assert.rejects(s.query('SELECT ? AS n', [{ toSqlString: () => { throw new Error('cannot write this value'); } }]), /cannot write this value/);
      assert.equal(Number((await s.query('SELECT COUNT(*) AS n FROM djt_pipeline.t', [])).rows![0]!.n), 2);
      await s.query('DELETE FROM djt_pipeline.t', []);
    }),
  );
  assert.equal(calls, 0, "every statement was its own Query command, none went through mysql2's query()");
  assert.deepEqual(warnings, []);
});

test('a statement alone on a session whose socket is cut fails with the connection error', async () => {
  const s = await driver.session();
  try {
    assert.equal(Number((await s.query('SELECT 1 AS n', [])).rows![0]!.n), 1);
    s.cut();
    await assert.rejects(s.query('SELECT 2 AS n', []));
  } finally {
    s.destroy();
  }
});

test('while a tracer listens on mysql2:query, every statement of a session reaches it, those sent together too', async () => {
  const { tracingChannel } = await import('node:diagnostics_channel');
  const channel = tracingChannel<unknown, { query?: string }>('mysql2:query');
  const seen: string[] = [];
  let calls = 0;
  const handlers = { start: (m: { query?: string }) => void seen.push(String(m.query)), end: () => undefined, asyncStart: () => undefined, asyncEnd: () => undefined, error: () => undefined };
  channel.subscribe(handlers);
  try {
    ({ calls } = await countingCoreQueries(() =>
      withSession(async (s) => {
        assert.equal(Number((await s.query('SELECT ? AS n', [41])).rows![0]!.n), 41);
        const mark = s.prefixNext!('SELECT 0');
        const answer = s.query('SELECT ? AS n', [42]);
        await mark;
        assert.equal(Number((await answer).rows![0]!.n), 42);
      }),
    ));
  } finally {
    channel.unsubscribe(handlers);
  }
  assert.deepEqual(seen, ['SELECT 41 AS n', 'SELECT 0', 'SELECT 42 AS n']);
  assert.equal(calls, 3);
  assert.deepEqual(warnings, []);
});
