// The process-wide connection comes from DJ_* settings and serves schemas created
// without one; transactions pin one session; the session runs the reference's sql_mode
// (MySQL) or standard_conforming_strings (PostgreSQL, sent in the startup packet).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { inspect } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect as netConnect, createServer, type Socket } from 'node:net';
import * as dj from '../../../runtime/index';
import { backendEnv, connect, dropSchemas, schemaName, testServer } from './helpers';
import { STATEMENT_EFFECT } from '../../../runtime/connection/step-undo';
import type { TransactionSeries } from '../../../runtime/connection/index';

const db = schemaName('djt_conn');
let conn: dj.Connection;
const saved = { ...process.env };

/** This session's server id: MySQL's connection_id(), PostgreSQL's backend pid. */
function sessionIdSql(c: dj.Connection): string {
  return c.backend === 'mysql' ? 'SELECT connection_id() AS id' : 'SELECT pg_backend_pid() AS id';
}

/** Ends another session of the server, as an administrator would (or a lost network). */
function killSql(c: dj.Connection, id: number): string {
  return c.backend === 'mysql' ? `KILL ${id}` : `SELECT pg_terminate_backend(${id})`;
}

/**
 * Waits until the server no longer lists a killed session: KILL and pg_terminate_backend
 * return before it has ended. Whether this process has yet seen the socket close is left
 * open: the pool must serve the next query either way.
 */
async function sessionEnded(c: dj.Connection, id: number): Promise<void> {
  const sql = c.backend === 'mysql' ? 'SELECT COUNT(*) AS n FROM information_schema.processlist WHERE id = ?' : 'SELECT COUNT(*) AS n FROM pg_stat_activity WHERE pid = ?';
  await until(async () => Number((await c.query(sql, [id]))[0]!.n) === 0);
}

/**
 * PostgreSQL's counterpart of the sql_mode check: the value and where it came from
 * (`client`: the startup packet, so it holds from the first statement of every session).
 */
async function pgSessionSettings(c: dj.Connection): Promise<Record<string, unknown>> {
  const [row] = await c.query("SELECT setting, source FROM pg_settings WHERE name = 'standard_conforming_strings'");
  return { ...row };
}

/**
 * `fn` with a connection of two pooled sessions, a table `t` (id INT PRIMARY KEY) in the test
 * schema and a transaction series on it; all three closed or dropped afterwards.
 */
async function withSeries(table: string, fn: (single: dj.Connection, t: string, series: TransactionSeries) => Promise<void>): Promise<void> {
  const s = await testServer();
  const single = await dj.Connection.connect({ host: s.host, port: s.port, user: s.user, password: s.password, ignoreConfigFile: true, env: backendEnv(s), connectionLimit: 2 });
  const t = single.dialect.qualified(db, table);
  await single.execute(single.backend === 'mysql' ? `CREATE DATABASE IF NOT EXISTS \`${db}\`` : `CREATE SCHEMA IF NOT EXISTS "${db}"`);
  await single.execute(`CREATE TABLE IF NOT EXISTS ${t} (id INT PRIMARY KEY)`);
  const series = single.openTransactionSeries();
  try {
    await fn(single, t, series);
  } finally {
    await series.close();
    await single.execute(`DROP TABLE IF EXISTS ${t}`);
    await single.close();
  }
}

/** Resolves once `probe` is true, asking again after each answer (waits for the server's state, not for a time). */
async function until(probe: () => Promise<boolean>): Promise<void> {
  while (!(await probe())) await new Promise((r) => setImmediate(r));
}

/** How many sessions of the server wait for a row lock now. */
async function lockWaits(c: dj.Connection): Promise<number> {
  const sql = c.backend === 'mysql' ? "SELECT COUNT(*) AS n FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT'" : "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'";
  return Number((await c.query(sql))[0]!.n);
}

/**
 * A deadlock whose victim is `victim`'s transaction: another connection inserts row 50 and
 * 200 more (the heavier transaction, which InnoDB keeps; on PostgreSQL the victim is the
 * session that waited first), `victim` inserts row 60 and then 50, and the other then 60.
 * `victim` runs inside the caller's transaction and catches its errors, as a make that
 * retries would: the blocked insert's, and that of one more insert (row 70) after it.
 * Resolves with those errors and the other transaction's outcome.
 */
async function deadlock(c: dj.Connection, t: string, run: (victim: () => Promise<unknown[]>) => Promise<unknown>): Promise<{ errors: unknown[]; outcome: unknown; other: Promise<void> }> {
  const s = await testServer();
  const other = await dj.Connection.connect({ host: s.host, port: s.port, user: s.user, password: s.password, ignoreConfigFile: true, env: backendEnv(s), connectionLimit: 1 });
  let holds!: () => void;
  const holding = new Promise<void>((r) => (holds = r));
  let waits!: () => void;
  const waiting = new Promise<void>((r) => (waits = r));
  const many = Array.from({ length: 200 }, (_, i) => `(${100 + i})`).join(', ');
  const otherTx = other.transaction(async () => {
    await other.execute(`INSERT INTO ${t} VALUES (50), ${many}`);
    holds();
    await waiting;
    await other.execute(`INSERT INTO ${t} VALUES (60)`);
  });
  otherTx.catch(() => undefined);
  const errors: unknown[] = [];
  const outcome = await run(async () => {
    await c.execute(`INSERT INTO ${t} VALUES (60)`);
    await holding;
    const blocked = c.execute(`INSERT INTO ${t} VALUES (50)`);
    blocked.catch(() => undefined);
    await until(async () => (await lockWaits(conn)) >= 1);
    waits();
    await blocked.catch((e: unknown) => errors.push(e));
    await c.execute(`INSERT INTO ${t} VALUES (70)`).catch((e: unknown) => errors.push(e));
    return errors;
  }).then(
    (v) => v,
    (e: unknown) => e,
  );
  return { errors, outcome, other: otherTx.finally(() => other.close()) };
}

/**
 * A lock wait that times out inside `c`'s transaction: another session (`openOther`) holds row 50 in an
 * open transaction; `c` sets a 1 s lock timeout, inserts row 1, then 50 (which waits until
 * the server gives up) and 70, catching each statement's error as a make that goes on would.
 * Right after the timeout, `observer` (a third session) counts `c`'s open InnoDB
 * transactions (MySQL only): what the server did, not what the runtime believes.
 * Resolves with the errors, that count and the transaction's outcome ('committed' or what it threw).
 */
async function lockTimeout(
  c: dj.Connection,
  openOther: () => Promise<dj.Connection>,
  observer: dj.Connection,
  t: string,
): Promise<{ errors: unknown[]; openAfterTimeout: number | undefined; outcome: unknown }> {
  const other = await openOther();
  let holds!: () => void;
  const holding = new Promise<void>((r) => (holds = r));
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const otherTx = other.transaction(async () => {
    await other.execute(`INSERT INTO ${t} VALUES (50)`);
    holds();
    await released;
  });
  otherTx.catch(() => undefined);
  // The other session failing before it holds the row ends the wait with its error.
  const held = Promise.race([holding, otherTx.then(() => Promise.reject(new Error('the other session ended before it held row 50')))]);
  const errors: unknown[] = [];
  let openAfterTimeout: number | undefined;
  try {
    const outcome = await c
      .transaction(async () => {
        // A session setting, on a connection the caller closes afterwards.
        await c.execute(c.backend === 'mysql' ? 'SET SESSION innodb_lock_wait_timeout = 1' : "SET LOCAL lock_timeout = '1s'");
        await c.execute(`INSERT INTO ${t} VALUES (1)`);
        const session = c.backend === 'mysql' ? Number((await c.query('SELECT connection_id() AS id'))[0]!.id) : undefined;
        await held;
        await c.execute(`INSERT INTO ${t} VALUES (50)`).catch((e: unknown) => errors.push(e));
        if (session !== undefined) {
          const [row] = await observer.query('SELECT COUNT(*) AS n FROM information_schema.innodb_trx WHERE trx_mysql_thread_id = ?', [session]);
          openAfterTimeout = Number(row!.n);
        }
        await c.execute(`INSERT INTO ${t} VALUES (70)`).catch((e: unknown) => errors.push(e));
      })
      .then(
        () => 'committed',
        (e: unknown) => e,
      );
    return { errors, openAfterTimeout, outcome };
  } finally {
    release();
    await otherTx.catch(() => undefined).finally(() => other.close());
  }
}

/**
 * A loopback TCP proxy to the test server whose server side can be cut while the client's
 * side stays open, as a firewall or NAT drops an idle connection: the server ends the
 * session at once, the client learns of it only when it next sends (the proxy answers
 * with a reset). Counts the connections it made to the server and the resets it sent.
 */
async function cuttableProxy(target: { host: string; port: number }): Promise<{ port: number; upstreams: () => number; resets: () => number; cut: () => void; close: () => Promise<void> }> {
  const pairs = new Set<{ client: Socket; server: Socket; cut: boolean }>();
  let upstreams = 0;
  let resets = 0;
  const proxy = createServer((client) => {
    const server = netConnect(target.port, target.host);
    const pair = { client, server, cut: false };
    pairs.add(pair);
    upstreams++;
    client.on('data', (d) => {
      if (!pair.cut) server.write(d);
      else if (!client.destroyed) {
        resets++;
        client.resetAndDestroy();
      }
    });
    server.on('data', (d) => {
      if (!pair.cut) client.write(d);
    });
    server.on('close', () => {
      if (!pair.cut) client.destroy();
    });
    server.on('error', () => undefined);
    client.on('error', () => undefined);
    client.on('close', () => {
      server.destroy();
      pairs.delete(pair);
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return {
    port: (proxy.address() as { port: number }).port,
    upstreams: () => upstreams,
    resets: () => resets,
    cut: () => {
      for (const p of pairs) {
        p.cut = true;
        p.server.destroy();
      }
    },
    close: async () => {
      for (const p of pairs) p.client.destroy();
      await new Promise((r) => proxy.close(r));
    },
  };
}

/** PostgreSQL: whether the statements run now are in one transaction block (outside one, each statement is a transaction of its own). */
async function inOneTransaction(c: dj.Connection): Promise<boolean> {
  const ids = [];
  for (let i = 0; i < 2; i++) ids.push(String((await c.query('SELECT txid_current() AS x'))[0]!.x));
  return ids[0] === ids[1];
}

/** `fn` with a connection of `connectionLimit` sessions to the test server through a cuttableProxy; both closed after. */
async function throughProxy(connectionLimit: number, fn: (c: dj.Connection, proxy: Awaited<ReturnType<typeof cuttableProxy>>) => Promise<void>): Promise<void> {
  const proxy = await cuttableProxy(await testServer());
  let c: dj.Connection | undefined;
  try {
    c = await connect({ host: '127.0.0.1', port: proxy.port, connectionLimit });
    await fn(c, proxy);
  } finally {
    await c?.close();
    await proxy.close();
  }
}

before(async () => {
  const s = await testServer();
  Object.assign(process.env, { DJ_HOST: `${s.host}:${s.port}`, DJ_USER: s.user, DJ_PASS: s.password, DJ_IGNORE_CONFIG_FILE: 'true', ...backendEnv(s) });
  conn = await dj.conn();
});
after(async () => {
  await dropSchemas(conn, [db]);
  await conn.close();
  dj.setDefaultConnection(undefined);
  process.env = saved;
  await (await testServer()).stop();
});

describe('connection', () => {
  it('reads DJ_HOST (host:port), DJ_USER and DJ_PASS and shares one connection', async () => {
    const s = await testServer();
    assert.equal(conn.settings.database.host, s.host);
    assert.equal(conn.settings.database.port, s.port);
    assert.equal(conn.settings.sources['database.user'], 'env:DJ_USER');
    assert.equal(conn.backend, s.backend);
    if (s.backend === 'postgresql') {
      assert.equal(conn.settings.sources['database.backend'], 'env:DJ_BACKEND');
      assert.equal(conn.settings.database.name, s.database);
      assert.equal(conn.settings.sources['database.name'], 'env:DJ_DATABASE_NAME');
      assert.deepEqual(await conn.query('SELECT current_database() AS name'), [{ name: s.database }]);
    }
    assert.equal(await dj.conn(), conn);
    assert.ok(dj.Connection.isConnection(conn));
    assert.ok(conn.connectionId > 0);
  });

  it('never prints the password', async () => {
    const s = await testServer();
    const shown = [inspect(conn), JSON.stringify(conn), String(inspect(conn, { depth: 5 }))].join('\n');
    assert.ok(!shown.includes(s.password));
    assert.match(inspect(conn), new RegExp(`^Connection \\{ ${s.user}@${s.host.replace(/\./g, '\\.')}:${s.port}, id \\d+ \\}$`));
  });

  it('serves a schema created without a connection', async () => {
    const schema = new dj.Schema(db);
    class Item extends dj.Manual {
      static override definition = `item_id : int32`;
    }
    schema.register(Item);
    await Item.insert([{ item_id: 1 }, { item_id: 2 }]);
    assert.equal(await Item.count(), 2);
    assert.equal(await (await schema.connection()), conn);
  });

  it('sets the reference sql_mode (MySQL) or standard_conforming_strings (PostgreSQL) on every session', async () => {
    if (conn.backend === 'postgresql') {
      // No sql_mode: the one setting the SQL is written for is standard_conforming_strings
      // (backslashes literal in '…'), set at startup on every pooled session.
      const sessions = await conn.transaction(async () => pgSessionSettings(conn));
      assert.deepEqual(sessions, { setting: 'on', source: 'client' });
      assert.deepEqual(await pgSessionSettings(conn), { setting: 'on', source: 'client' });
      assert.deepEqual(await conn.query("SELECT 'a\\b' AS s"), [{ s: 'a\\b' }]);
      return;
    }
    const [row] = await conn.query('SELECT @@SESSION.sql_mode AS m');
    for (const mode of ['STRICT_ALL_TABLES', 'NO_ZERO_DATE', 'NO_ZERO_IN_DATE', 'ERROR_FOR_DIVISION_BY_ZERO', 'NO_ENGINE_SUBSTITUTION', 'ONLY_FULL_GROUP_BY']) {
      assert.ok(String(row.m).includes(mode), mode);
    }
  });

  it('runs every query of a transaction on one session', async () => {
    const ids = await conn.transaction(async () => {
      assert.equal(conn.inTransaction, true);
      const all = await Promise.all([1, 2, 3, 4].map(async () => Number((await conn.query(sessionIdSql(conn)))[0].id)));
      return all;
    });
    assert.equal(new Set(ids).size, 1);
    assert.equal(conn.inTransaction, false);
  });

  it('runs a series of transactions on one session set aside, and gives it back as it found it', async () => {
    await withSeries('series_t', async (single, t, series) => {
      const id = (): Promise<number> => single.query(sessionIdSql(single)).then((r) => Number(r[0]!.id));
      const first = await series.transaction(async () => {
        assert.equal(single.inTransaction, true);
        await single.execute(`INSERT INTO ${t} VALUES (1)`);
        return id();
    });
    assert.equal(series.connectionId(), first);
    // Rolled back on throw: the row of the failed transaction is gone, the session stays.
    await assert.rejects(
      series.transaction(async () => {
        await single.execute(`INSERT INTO ${t} VALUES (2)`);
        throw new Error('boom');
      }),
      /boom/,
    );
    // Each transaction starts implicitly: a second session sees only committed rows.
    const seen = await series.transaction(async () => {
      await single.execute(`INSERT INTO ${t} VALUES (3)`);
      const outside = await conn.query(`SELECT id FROM ${t} ORDER BY id`);
      assert.deepEqual(outside.map((r) => Number(r.id)), [1], 'uncommitted rows are invisible outside');
      return id();
    });
    assert.equal(seen, first, 'one session for the whole series');
    assert.deepEqual((await conn.query(`SELECT id FROM ${t} ORDER BY id`)).map((r) => Number(r.id)), [1, 3]);
    await assert.rejects(series.transaction(() => series.transaction(async () => 1)), { code: 'transaction' });
    // A session killed under the series between two transactions (an administrator's KILL)
    // is replaced. PostgreSQL's BEGIN meets the loss before anything of the next transaction
    // ran: it runs on a new session. MySQL begins without a statement: the next transaction's
    // first statement meets it, inside the transaction, which fails; the one after takes a
    // new session.
    await conn.execute(killSql(conn, first));
    await sessionEnded(conn, first);
    if (single.backend === 'mysql') {
      await assert.rejects(series.transaction(() => single.execute(`INSERT INTO ${t} VALUES (4)`)), { code: 'lostConnection' });
    }
    const replaced = await series.transaction(async () => {
      await single.execute(`INSERT INTO ${t} VALUES (5)`);
      return id();
    });
    assert.notEqual(replaced, first);
    await series.close();
    // Back in the pool with autocommit on: a plain statement is visible at once.
    if (single.backend === 'mysql') {
      const sessions = await Promise.all([0, 1].map(() => single.query('SELECT @@autocommit AS a').then((r) => Number(r[0]!.a))));
      assert.deepEqual(sessions, [1, 1]);
    } else {
      // No autocommit switch: a session is back as found when no transaction block is
      // left open on it, i.e. each statement is the first (and only) of its transaction.
      const sessions = await Promise.all([0, 1].map(() => single.query('SELECT pg_backend_pid() AS id').then((r) => r[0]!)));
      assert.equal(new Set(sessions.map((r) => r.id)).size, 2, 'both pooled sessions');
      const ids = sessions.map((r) => Number(r.id));
      // Seen from another session: idle, and no transaction open (xact_start is null).
      const states = await conn.query('SELECT state, xact_start IS NULL AS closed FROM pg_stat_activity WHERE pid IN (?, ?)', ids);
      assert.deepEqual(states.map((r) => [r.state, r.closed]), [['idle', true], ['idle', true]]);
    }
    assert.deepEqual((await conn.query(`SELECT id FROM ${t} ORDER BY id`)).map((r) => Number(r.id)), [1, 3, 5]);
    });
  });

  // A later step of a group sets no savepoint for reads and plain inserts (MySQL,
  // connection/step-undo.ts). When such a statement ends the whole transaction, as InnoDB does
  // to a deadlock's victim (here a ROLLBACK passed off as a read), a savepoint the step sets
  // afterwards sits in a new transaction: undoing to it must not pass for the group kept.
  it("a group's transaction ended under a later step is lost, even when the step set its own savepoint after that", async () => {
    await withSeries('series_lost', async (single, t, series) => {
      await series.step(() => single.execute(`INSERT INTO ${t} VALUES (1)`));
      const failed = await series
        .step(async () => {
          await single.execute(single.dialect.rollback(), [], { [STATEMENT_EFFECT]: { reads: true } });
          // Not a read: on MySQL the step's savepoint goes out with it, after the ROLLBACK.
          await single.query('SELECT 1 AS x');
          throw new RangeError('this key fails');
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(failed instanceof Error && failed.name === 'StepFailed', String(failed));
      assert.equal((failed as unknown as { groupKept: boolean }).groupKept, false, 'the group is known lost');
      assert.match(String(failed), /this key fails/);
      await assert.rejects(series.commitGroup(), { name: 'GroupLost' });
      assert.deepEqual(await conn.query(`SELECT id FROM ${t}`), [], "the group's first step is not committed");
    });
  });

  // InnoDB rolls the whole transaction of a deadlock's victim back (the MySQL manual,
  // "InnoDB Error Handling"); a make that catches the error and goes on would otherwise run
  // its later statements in a new transaction, committed with the group as if the group's
  // earlier keys were still in it. PostgreSQL aborts to the key's savepoint: the group stays.
  it("a key's make that catches a deadlock and goes on: its group is lost on MySQL, kept on PostgreSQL; nothing runs outside the transaction", async () => {
    await withSeries('series_deadlock', async (single, t, series) => {
      await series.step(() => single.execute(`INSERT INTO ${t} VALUES (1)`));
      const { errors, outcome, other } = await deadlock(single, t, (victim) => series.step(victim));
      await other;
      const ids = async () => (await conn.query(`SELECT id FROM ${t} WHERE id < 100 ORDER BY id`)).map((r) => Number(r.id));
      assert.equal(errors.length, 2, String(errors));
      assert.ok(outcome instanceof Error && outcome.name === 'StepFailed', String(outcome));
      if (single.backend === 'mysql') {
        assert.equal((errors[0] as dj.DataJointError).serverCode, 1213, String(errors[0]));
        assert.match(String(errors[1]), /refused: the server had rolled back the whole transaction/);
        assert.equal((outcome as unknown as { groupKept: boolean }).groupKept, false, 'the group is known lost');
        assert.match(String(outcome), /went on after an error it caught/);
        await assert.rejects(series.commitGroup(), { name: 'GroupLost', message: /Deadlock/ });
        assert.deepEqual(await ids(), [50, 60], "neither the group's first key nor the row inserted after the deadlock is committed");
      } else {
        assert.match(String(errors[0]), /deadlock/i);
        assert.match(String(errors[1]), /aborted/);
        assert.equal((outcome as unknown as { groupKept: boolean }).groupKept, true, 'rolled back to the key\'s savepoint');
        await series.commitGroup();
        assert.deepEqual(await ids(), [1, 50, 60]);
      }
    });
  });

  // A lock wait timeout undoes the waiting statement alone on MySQL, and the transaction
  // goes on (the MySQL manual, "InnoDB Error Handling"), unless the server was started with
  // innodb_rollback_on_timeout, which rolls back the whole transaction: then, as after a
  // deadlock, nothing more may run in it and it must not report a commit. PostgreSQL aborts
  // the transaction on any error.
  it('a lock wait timeout caught inside a transaction: the statement alone is undone, or the whole transaction where the server rolls back on timeout', async () => {
    const single = await connect({ connectionLimit: 1 });
    const t = single.dialect.qualified(db, 'lock_timeout');
    try {
      await single.execute(single.backend === 'mysql' ? `CREATE DATABASE IF NOT EXISTS \`${db}\`` : `CREATE SCHEMA IF NOT EXISTS "${db}"`);
      await single.execute(`CREATE TABLE IF NOT EXISTS ${t} (id INT PRIMARY KEY)`);
      const ids = async (c: dj.Connection) => (await c.query(`SELECT id FROM ${t} ORDER BY id`)).map((r) => Number(r.id));
      const { errors, openAfterTimeout, outcome } = await lockTimeout(single, () => connect({ connectionLimit: 1 }), conn, t);
      if (single.backend === 'mysql') {
        assert.equal(Number((await single.query('SELECT @@innodb_rollback_on_timeout AS v'))[0]!.v), 0, 'the test server keeps the default');
        assert.equal(openAfterTimeout, 1, 'the transaction is still open on the server after the timeout');
        assert.equal(errors.length, 1, String(errors));
        assert.equal((errors[0] as dj.DataJointError).serverCode, 1205, String(errors[0]));
        assert.equal(outcome, 'committed');
        assert.deepEqual(await ids(conn), [1, 50, 70], 'the rows before and after the timed-out statement are committed');
      } else {
        assert.equal(errors.length, 2, String(errors));
        assert.match(String(errors[0]), /lock timeout/i);
        assert.match(String(errors[1]), /aborted/);
        assert.ok(outcome instanceof dj.DataJointError && outcome.code === 'transaction', String(outcome));
        assert.deepEqual(await ids(conn), [50]);
      }
    } finally {
      await single.execute(`DROP TABLE IF EXISTS ${t}`);
      await single.close();
    }
    if (conn.backend !== 'mysql') return;
    // The same on a server that rolls back the whole transaction on a lock wait timeout.
    // @ts-expect-error: plain ESM script without type declarations
    const { startMariaDB } = (await import('../../../scripts/mariadb.mjs')) as { startMariaDB(o: { serverArgs: string[] }): Promise<{ host: string; port: number; user: string; password: string; stop(): Promise<void> }> };
    const strict = await startMariaDB({ serverArgs: ['--innodb-rollback-on-timeout'] });
    try {
      const open = () => connect({ host: strict.host, port: strict.port, user: strict.user, password: strict.password, connectionLimit: 1 }, 'mysql');
      const c = await open();
      try {
        await c.execute('CREATE DATABASE lock_timeout_db');
        const t2 = c.dialect.qualified('lock_timeout_db', 't');
        await c.execute(`CREATE TABLE ${t2} (id INT PRIMARY KEY)`);
        assert.equal(Number((await c.query('SELECT @@innodb_rollback_on_timeout AS v'))[0]!.v), 1);
        const observer = await open();
        const { errors, openAfterTimeout, outcome } = await lockTimeout(c, open, observer, t2).finally(() => observer.close());
        assert.equal(openAfterTimeout, 0, 'the server rolled the whole transaction back at the timeout');
        assert.equal(errors.length, 2, String(errors));
        assert.equal((errors[0] as dj.DataJointError).serverCode, 1205, String(errors[0]));
        assert.match(String(errors[1]), /refused: the server had rolled back the whole transaction/);
        assert.ok(outcome instanceof dj.DataJointError && outcome.code === 'transaction', String(outcome));
        assert.match(String(outcome), /not committed: the server had rolled back the whole transaction/);
        assert.deepEqual((await c.query(`SELECT id FROM ${t2} ORDER BY id`)).map((r) => Number(r.id)), [50], 'row 1, written before the timeout, is rolled back with it, and row 70 never ran');
      } finally {
        await c.close();
      }
    } finally {
      await strict.stop();
    }
  });

  it('a transaction that caught an error after which the server rolled it back reports it, never a commit', async () => {
    await withSeries('tx_ended', async (single, t) => {
      const { errors, outcome, other } = await deadlock(single, t, (victim) => single.transaction(victim));
      await other;
      assert.equal(errors.length, 2, String(errors));
      assert.ok(outcome instanceof dj.DataJointError && outcome.code === 'transaction', String(outcome));
      assert.match(String(outcome), single.backend === 'mysql' ? /not committed: the server had rolled back the whole transaction/ : /aborts the transaction on PostgreSQL/);
      assert.deepEqual((await conn.query(`SELECT id FROM ${t} WHERE id < 100 ORDER BY id`)).map((r) => Number(r.id)), [50, 60]);
      // A statement's own error (a duplicate) undoes that statement alone on MySQL, as in the
      // reference; on PostgreSQL it aborts the transaction, whose COMMIT would roll back silently.
      await single.execute(`DELETE FROM ${t}`);
      const dup = single.transaction(async () => {
        await single.execute(`INSERT INTO ${t} VALUES (1)`);
        await single.execute(`INSERT INTO ${t} VALUES (1)`).catch(() => undefined);
      });
      if (single.backend === 'mysql') {
        await dup;
        assert.deepEqual((await conn.query(`SELECT id FROM ${t}`)).map((r) => Number(r.id)), [1]);
      } else {
        await assert.rejects(dup, { code: 'transaction', message: /aborts the transaction on PostgreSQL/ });
        assert.deepEqual(await conn.query(`SELECT id FROM ${t}`), []);
      }
    });
  });

  it("refuses a statement of a step that has ended (a promise its function did not await), which would run outside the step's undo", async () => {
    await withSeries('series_stray', async (single, t, series) => {
      let open!: () => void;
      const later = new Promise<void>((r) => (open = r));
      let stray: Promise<number> | undefined;
      await series.step(async () => {
        await single.execute(`INSERT INTO ${t} VALUES (1)`);
        stray = later.then(() => single.execute(`INSERT INTO ${t} VALUES (2)`));
    });
    open();
    await assert.rejects(stray!, { name: 'TransactionError', message: /after the make had ended/ });
    await series.commitGroup();
    assert.deepEqual((await conn.query(`SELECT id FROM ${t}`)).map((r) => Number(r.id)), [1]);
    });
  });

  it('reconnects transparently when the server drops an idle session', async () => {
    const s = await testServer();
    const single = await dj.Connection.connect({ host: s.host, port: s.port, user: s.user, password: s.password, ignoreConfigFile: true, env: backendEnv(s), connectionLimit: 1 });
    try {
      const before = Number((await single.query(sessionIdSql(single)))[0].id);
      await conn.execute(killSql(conn, before));
      await sessionEnded(conn, before);
      if (single.backend === 'mysql') {
        const [row] = await single.query('SELECT connection_id() AS id, @@SESSION.sql_mode AS m');
        assert.notEqual(Number(row.id), before);
        assert.ok(String(row.m).includes('STRICT_ALL_TABLES'));
      } else {
        const [row] = await single.query("SELECT pg_backend_pid() AS id, current_setting('standard_conforming_strings') AS scs");
        assert.notEqual(Number(row.id), before);
        assert.equal(row.scs, 'on');
        assert.deepEqual(await pgSessionSettings(single), { setting: 'on', source: 'client' });
      }
    } finally {
      await single.close();
    }
  });

  // connection.py: query reconnects once outside a transaction, and start_transaction's
  // START TRANSACTION is such a query. A session dropped while idle, unseen by the client (a
  // firewall's idle timeout, a laptop's sleep), is then replaced on first use.
  it('a session dropped unseen while idle is replaced on first use: a statement, and a transaction before its first statement', async () => {
    await throughProxy(1, async (c, proxy) => {
      const sessionOf = async (): Promise<number> => Number((await c.query(sessionIdSql(c)))[0]!.id);
      const first = await sessionOf();
      // Connecting may open a session of its own first (the server's version): counted from here.
      const opened = proxy.upstreams();
      proxy.cut();
      await sessionEnded(conn, first);
      const second = await sessionOf();
      assert.notEqual(second, first);
      assert.deepEqual([proxy.resets(), proxy.upstreams()], [1, opened + 1], 'the statement went out on the dropped session, then on a new one');
      proxy.cut();
      await sessionEnded(conn, second);
      const inside = await c.transaction(sessionOf);
      assert.notEqual(inside, second);
      assert.deepEqual([proxy.resets(), proxy.upstreams()], [2, opened + 2], "the transaction's start went out on the dropped session, then the transaction ran on a new one");
    });
  });

  // After a sleep every idle session of the pool is dead, not only the one taken first.
  it('past every idle session of the pool that was dropped unseen: a statement and a transaction', async () => {
    await throughProxy(3, async (c, proxy) => {
      // Three sessions at once (each holds its own until all have answered), then idle in the pool.
      const idle = async (): Promise<number[]> => {
        let all!: () => void;
        const together = new Promise<void>((r) => (all = r));
        let waiting = 3;
        return Promise.all([0, 1, 2].map(() => c.transaction(async () => {
          const id = Number((await c.query(sessionIdSql(c)))[0]!.id);
          if (--waiting === 0) all();
          await together;
          return id;
        })));
      };
      const ids = await idle();
      assert.equal(new Set(ids).size, 3, 'three pooled sessions');
      let upstreams = proxy.upstreams();
      proxy.cut();
      for (const id of ids) await sessionEnded(conn, id);
      assert.equal(Number((await c.query('SELECT 1 + 1 AS v'))[0]!.v), 2);
      assert.deepEqual([proxy.resets(), proxy.upstreams() - upstreams], [3, 1], 'each dead session tried once, then a new one');
      // The same for a transaction's start, once the pool again holds only dead sessions.
      const again = await idle();
      upstreams = proxy.upstreams();
      proxy.cut();
      for (const id of again) await sessionEnded(conn, id);
      const resets = proxy.resets();
      assert.equal(await c.transaction(async () => Number((await c.query('SELECT 2 + 2 AS v'))[0]!.v)), 4);
      assert.deepEqual([proxy.resets() - resets, proxy.upstreams() - upstreams], [3, 1], "each dead session tried once with the transaction's start, then a new one");
    });
  });

  // A transaction series (populate's) keeps its session between transactions, outside the
  // pool. PostgreSQL begins each transaction with a statement, which goes out before any of
  // the transaction: a session dropped meanwhile is replaced there. MySQL sends nothing to
  // begin (autocommit is off on the session), so the loss meets the transaction's first
  // statement, inside it: that transaction fails as lost, and the next takes a new session.
  it('a transaction series whose session was dropped unseen between two transactions', async () => {
    await throughProxy(1, async (c, proxy) => {
      const series = c.openTransactionSeries();
      try {
        const sessionOf = async (): Promise<number> => Number((await c.query(sessionIdSql(c)))[0]!.id);
        const first = await series.transaction(sessionOf);
        assert.equal(await series.transaction(sessionOf), first, 'the series keeps its session');
        const opened = proxy.upstreams();
        proxy.cut();
        await sessionEnded(conn, first);
        if (c.backend === 'postgresql') {
          const [next, block] = await series.transaction(async () => [await sessionOf(), await inOneTransaction(c)] as const);
          assert.notEqual(next, first);
          assert.equal(block, true, 'the new session runs the transaction in a transaction block (its BEGIN ran there)');
          assert.deepEqual([proxy.resets(), proxy.upstreams()], [1, opened + 1], "the BEGIN went out on the dropped session, then the transaction ran on a new one");
        } else {
          await assert.rejects(series.transaction(sessionOf), (e: unknown) => e instanceof dj.DataJointError && e.code === 'lostConnection');
          assert.deepEqual([proxy.resets(), proxy.upstreams()], [1, opened], 'nothing went out again inside the transaction');
          const next = await series.transaction(sessionOf);
          assert.notEqual(next, first);
          assert.equal(proxy.upstreams(), opened + 1, 'the next transaction took a new session');
        }
        assert.equal(await series.transaction(sessionOf), await series.transaction(sessionOf), 'and keeps it');
      } finally {
        await series.close();
      }
    });
  });

  // The same for a group of steps (populate with a batch of keys per commit): its first step
  // begins the group's transaction.
  it("a transaction series' group of steps whose session was dropped unseen before it began", async () => {
    await throughProxy(1, async (c, proxy) => {
      const series = c.openTransactionSeries();
      try {
        const sessionOf = async (): Promise<number> => Number((await c.query(sessionIdSql(c)))[0]!.id);
        const first = await series.transaction(sessionOf);
        const opened = proxy.upstreams();
        proxy.cut();
        await sessionEnded(conn, first);
        if (c.backend === 'postgresql') {
          const txid = async (): Promise<string> => String((await c.query('SELECT txid_current() AS x'))[0]!.x);
          const a = await series.step(async () => [await sessionOf(), await txid()] as const);
          const b = await series.step(async () => [await sessionOf(), await txid()] as const);
          await series.commitGroup();
          assert.notEqual(a[0], first);
          assert.deepEqual(a, b, "the group's steps share its new session and one transaction (its BEGIN ran there)");
          assert.deepEqual([proxy.resets(), proxy.upstreams()], [1, opened + 1]);
        } else {
          await assert.rejects(series.step(sessionOf), (e: unknown) => e instanceof Error && e.name === 'StepFailed' && (e as { groupKept?: boolean }).groupKept === false
            && e.cause instanceof dj.DataJointError && e.cause.code === 'lostConnection');
          await assert.rejects(series.commitGroup(), (e: unknown) => e instanceof Error && e.name === 'GroupLost');
          const a = await series.step(sessionOf);
          await series.commitGroup();
          assert.notEqual(a, first);
          assert.equal(proxy.upstreams(), opened + 1);
        }
      } finally {
        await series.close();
      }
    });
  });

  it('lets a script that never closes its connection exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dj-exit-'));
    try {
      const script = join(dir, 'script.ts');
      const runtime = resolve(__dirname, '../../../runtime/index');
      writeFileSync(script, `import * as dj from ${JSON.stringify(runtime)};\n(async () => { const c = await dj.conn(); console.log((await c.query('SELECT 41 + 1 AS x'))[0].x); })();\n`);
      // A script kept alive by its idle connection would never exit: the generous timeout
      // only ends that wait (status null), it is no speed bound.
      const r = spawnSync(process.execPath, ['--import', 'tsx', script], { env: process.env, encoding: 'utf8', timeout: 180_000, cwd: resolve(__dirname, '../../..') });
      assert.equal(r.status, 0, `${r.stderr} (signal ${r.signal ?? 'none'})`);
      assert.equal(r.stdout.trim(), '42');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to declare tables inside a transaction', async () => {
    const schema = new dj.Schema(db, { connection: conn });
    class Late extends dj.Manual {
      static override definition = `late_id : int32`;
    }
    await assert.rejects(conn.transaction(() => schema.declare(Late)), {
      code: 'transaction',
      message: 'Cannot declare new tables inside a transaction, e.g. from inside a populate/make call',
    });
  });

  it('uses an existing table for the first time inside a transaction (a make reading another table)', async () => {
    class Existing extends dj.Manual {
      static override definition = `existing_id : int32\n---\nlabel : varchar(8)`;
    }
    await new dj.Schema(db, { connection: conn }).declare(Existing);
    await conn.query(`INSERT INTO ${conn.dialect.qualified(db, 'existing')} VALUES (1, 'one')`);
    // A second program (another schema object) meets the same table first inside make().
    const again = new dj.Schema(db, { connection: conn });
    class Existing2 extends dj.Manual {
      static override definition = `existing_id : int32\n---\nlabel : varchar(8)`;
    }
    Object.defineProperty(Existing2, 'name', { value: 'Existing' });
    again.register(Existing2);
    const rows = await conn.transaction(() => Existing2.fetch());
    assert.deepEqual(rows, [{ existing_id: 1, label: 'one' }]);
  });
});
