// The job queue's life cycle on a real server: set-based refresh (new keys, delay,
// priority, stale cleanup limited to the unrestricted key source, orphans by time and by
// dead holder), atomic claims with SKIP LOCKED, complete/error/ignore, retry.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { jobsFor, targetFromTable, jobsTargetOf } from '../../../runtime/populate/index';
import { JobQueue } from '../../../runtime/jobs/queue';
import { jobsTableStatements } from '../../../runtime/jobs/definition';
import { dialectFor } from '../../../runtime/dialect/index';
import { workerIdentity } from '../../../runtime/jobs/identity';
import { unpackBlob } from '../../../runtime/blob/index';
import { testServer } from '../runtime/helpers';
import { connectSql, sessionGone, setup, rows, reset, range, type Env } from '../populate/helpers';

let env: Env;
before(async () => {
  env = await setup('djjobs_q');
});
after(async () => env?.close());
beforeEach(async () => reset(env, range(10).map((subject_id) => ({ subject_id }))));

const jobs = () => rows<{ subject_id: number; status: string; priority: number }>(env, `SELECT subject_id, status, priority FROM \`${env.schema}\`.\`~~analysis\` ORDER BY subject_id`);

async function plainSession() {
  const conn = await connectSql();
  return { conn, session: conn.session };
}

test('refresh adds every new key in one statement, with priority, and only once', async () => {
  const j = jobsFor(env.pipeline.Analysis);
  assert.deepEqual(await j.refresh([], { priority: 3 }), { added: 10, removed: 0, orphaned: 0, rePended: 0 });
  assert.deepEqual((await jobs()).map((r) => [r.subject_id, r.status, r.priority]), range(10).map((i) => [i, 'pending', 3]));
  assert.equal((await j.refresh()).added, 0);
  // a restriction limits what is added
  await env.sql.query(`DELETE FROM \`${env.schema}\`.\`~~analysis\``);
  assert.equal((await j.refresh(['subject_id > 7'])).added, 3);
  assert.equal((await j.refresh([{ subject_id: 2 }])).added, 1);
  await assert.rejects(j.refresh([], { priority: 200 }), /0 to 127/);
});

test('keys already computed are not added; delay schedules jobs in the future', async () => {
  await env.sql.query(`INSERT INTO \`${env.schema}\`.\`__analysis\` (subject_id, result) VALUES (1, 0), (2, 0)`);
  const j = jobsFor(env.pipeline.Analysis);
  assert.equal((await j.refresh([], { delay: 3600 })).added, 8);
  const [r] = await rows<{ early: number; n: number }>(
    env,
    `SELECT SUM(CASE WHEN scheduled_time > CURRENT_TIMESTAMP(3) + INTERVAL 3500 SECOND THEN 0 ELSE 1 END) AS early, COUNT(*) AS n FROM \`${env.schema}\`.\`~~analysis\``,
  );
  assert.deepEqual([Number(r!.early), Number(r!.n)], [0, 8], 'every job scheduled an hour ahead');
  const q = await j.queue();
  const { conn, session } = await plainSession();
  try {
    const who = await workerIdentity(session);
    assert.equal(await q.claim(who), undefined, 'future jobs are not eligible');
  } finally {
    await conn.end();
  }
});

test('stale cleanup removes old jobs whose key left the key source, never those outside a restriction', async () => {
  const j = jobsFor(env.pipeline.Analysis);
  await j.refresh();
  await j.ignore([{ subject_id: 9 }]);
  await env.sql.query(`UPDATE \`${env.schema}\`.\`~~analysis\` SET created_time = created_time - INTERVAL 2 HOUR`);
  // subjects 9 and 10 leave the key source; 9 is ignored and stays
  await env.sql.query(`DELETE FROM \`${env.schema}\`.subject WHERE subject_id IN (9, 10)`);
  // a restricted refresh must not delete the old jobs of subjects 1..8
  const res = await j.refresh(['subject_id = 1'], { staleTimeout: 3600 });
  assert.equal(res.removed, 1);
  assert.deepEqual((await jobs()).map((r) => [r.subject_id, r.status]), [...range(8).map((i) => [i, 'pending']), [9, 'ignore']]);
});

test('two workers declaring the jobs table at once both go on with the one table', async () => {
  await env.sql.query(`DROP TABLE IF EXISTS \`${env.schema}\`.\`~~analysis\``);
  const target = await jobsTargetOf(await targetFromTable(env.pipeline.Analysis));
  const a = await plainSession();
  const b = await plainSession();
  try {
    if (env.backend === 'postgresql') {
      // b's declaration is uncommitted while a's runs into it: a waits on the catalog's
      // unique index, then fails when b commits; a must find b's table and go on.
      await b.conn.query('START TRANSACTION');
      for (const sql of jobsTableStatements(dialectFor('postgresql'), target.database, target.tableName, target.keyColumns)) await b.conn.query(sql);
      const [pidRows] = await a.conn.query('SELECT pg_backend_pid() AS pid');
      const aPid = Number((pidRows as Array<{ pid: unknown }>)[0]!.pid);
      const declaring = new JobQueue(a.session, target).declare();
      // Waiting for the event: a's session blocked on a lock held by b.
      for (;;) {
        const [w] = await env.sql.query("SELECT COUNT(*) AS n FROM pg_stat_activity WHERE pid = ? AND wait_event_type = 'Lock'", [aPid]);
        if (Number((w as Array<{ n: unknown }>)[0]!.n) > 0) break;
        await new Promise((r) => setImmediate(r));
      }
      await b.conn.query('COMMIT');
      await declaring;
    } else {
      // MySQL's CREATE TABLE IF NOT EXISTS waits for the other's DDL and finds its table.
      await Promise.all([new JobQueue(a.session, target).declare(), new JobQueue(b.session, target).declare()]);
    }
    const [n] = await env.sql.query('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [env.schema, '~~analysis']);
    assert.equal(Number((n as Array<{ n: unknown }>)[0]!.n), 1);
    assert.equal((await jobsFor(env.pipeline.Analysis).refresh()).added, 10);
  } finally {
    await a.conn.end();
    await b.conn.end();
  }
});

test('claims are atomic and skip rows locked by another worker; priority order holds', async () => {
  const j = jobsFor(env.pipeline.Analysis);
  await j.refresh([], { priority: 5 });
  await env.sql.query(`UPDATE \`${env.schema}\`.\`~~analysis\` SET priority = 1 WHERE subject_id IN (7, 8)`);
  const target = await targetFromTable(env.pipeline.Analysis);
  const a = await plainSession();
  const b = await plainSession();
  try {
    const qa = new JobQueue(a.session, await jobsTargetOf(target));
    const qb = new JobQueue(b.session, await jobsTargetOf(target));
    const wa = await workerIdentity(a.session);
    const wb = await workerIdentity(b.session);
    // b holds a lock on job 7 inside an open transaction: a must skip it, not wait
    await b.conn.query('START TRANSACTION');
    await b.conn.query(`SELECT * FROM \`${env.schema}\`.\`~~analysis\` WHERE subject_id = 7 FOR UPDATE`);
    const first = await qa.claim(wa);
    assert.deepEqual(first, { subject_id: 8 });
    await b.conn.query('ROLLBACK');
    assert.deepEqual(await qb.claim(wb), { subject_id: 7 });
    assert.deepEqual(await qa.claim(wa, { priority: 1 }), undefined, 'nothing left at priority <= 1');
    const reserved = await rows<Record<string, unknown>>(env, `SELECT subject_id, status, connection_id, pid, host, \`user\`, reserved_time FROM \`${env.schema}\`.\`~~analysis\` WHERE status = 'reserved' ORDER BY subject_id`);
    assert.equal(reserved.length, 2);
    assert.equal(Number(reserved[0]!.connection_id), wb.connectionId);
    assert.equal(Number(reserved[1]!.connection_id), wa.connectionId);
    assert.equal(reserved[0]!.pid, process.pid);
    // MySQL's USER() is `login@client-host`, PostgreSQL's current_user the role (notes §7.7).
    if (env.backend === 'postgresql') assert.equal(reserved[0]!.user, (await testServer()).user);
    else assert.match(String(reserved[0]!.user), /@/);
    assert.ok(reserved[0]!.reserved_time);
    // the reference's conditional reserve refuses an already reserved key
    assert.equal(await qa.reserve({ subject_id: 7 }, wa), false);
    assert.equal(await qa.reserve({ subject_id: 1 }, wa), true);
    // a restricted claim only takes keys of the restricted key source
    const restricted = await target.keySource(['subject_id > 8']);
    const got = await qa.claim(wa, { source: restricted });
    assert.ok(got && Number(got.subject_id) > 8);
  } finally {
    await a.conn.end();
    await b.conn.end();
  }
});

test('a claim of several jobs reserves exactly them, waiting on no other worker\'s job, even in a table of three', async () => {
  const j = jobsFor(env.pipeline.Analysis);
  await j.refresh();
  await env.sql.query(`DELETE FROM \`${env.schema}\`.\`~~analysis\` WHERE subject_id > 3`);
  const target = await targetFromTable(env.pipeline.Analysis);
  const a = await plainSession();
  const b = await plainSession();
  try {
    // A wait on b's lock fails the claim at once instead of hanging the test.
    await a.conn.query(env.backend === 'postgresql' ? "SET lock_timeout = '1s'" : 'SET SESSION innodb_lock_wait_timeout = 1');
    const qa = new JobQueue(a.session, await jobsTargetOf(target));
    const wa = await workerIdentity(a.session);
    await b.conn.query('START TRANSACTION');
    await b.conn.query(`SELECT * FROM \`${env.schema}\`.\`~~analysis\` WHERE subject_id = 3 FOR UPDATE`);
    const claimed = await qa.claimJobs(wa, 3);
    assert.deepEqual(claimed.map((c) => Number(c.key.subject_id)).sort(), [1, 2]);
    await b.conn.query('ROLLBACK');
    const all = await rows<{ subject_id: number; status: string; connection_id: unknown }>(env, `SELECT subject_id, status, connection_id FROM \`${env.schema}\`.\`~~analysis\` ORDER BY subject_id`);
    assert.deepEqual(all.map((r) => [Number(r.subject_id), r.status]), [[1, 'reserved'], [2, 'reserved'], [3, 'pending']]);
    assert.deepEqual(all.slice(0, 2).map((r) => Number(r.connection_id)), [wa.connectionId, wa.connectionId]);
    // Given back together (a stopped run's unstarted claim): only by the connection that holds them.
    const keys = claimed.map((c) => c.key);
    assert.equal(await qa.releaseAll(keys, wa.connectionId + 1), 0);
    assert.equal(await qa.releaseAll(keys, wa.connectionId), 2);
    assert.deepEqual((await jobs()).slice(0, 3).map((r) => r.status), ['pending', 'pending', 'pending']);
    assert.equal(await qa.releaseAll([], wa.connectionId), 0);
  } finally {
    await a.conn.end();
    await b.conn.end();
  }
});

const connectionGone = (id: number) => sessionGone(env, id);

test('a reservation is re-pended when its holder is known dead; the time rule takes the others of holders not known alive', async () => {
  const j = jobsFor(env.pipeline.Analysis);
  await j.refresh();
  const target = await targetFromTable(env.pipeline.Analysis);
  const dead = await plainSession();
  const q = new JobQueue(dead.session, await jobsTargetOf(target));
  await q.claim(await workerIdentity(dead.session));
  dead.conn.destroy();
  const live = await plainSession();
  let liveOpen = true;
  try {
    await new JobQueue(live.session, await jobsTargetOf(target)).claim(await workerIdentity(live.session));
    await connectionGone(await dead.session.connectionId());
    // The dead connection's worker ran in this (live) process: on this host the process
    // decides, as for a Python multiprocessing worker that records its parent's closed
    // connection id. Once that process is gone (a pid that exited), the job is re-pended.
    let res = await j.refresh();
    assert.equal(res.orphaned, 0, 'a live process on this host keeps its reservation');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    await env.sql.query(`UPDATE \`${env.schema}\`.\`~~analysis\` SET pid = ? WHERE connection_id = ?`, [gone, await dead.session.connectionId()]);
    res = await j.refresh();
    assert.equal(res.orphaned, 1, 'only the dead holder reservation');
    const st = await jobs();
    assert.equal(st.filter((r) => r.status === 'reserved').length, 1);
    // On another host the connection alone proves nothing: only the reference's time rule
    // (orphanTimeout) takes such a reservation, and never while its connection is open.
    await env.sql.query(`UPDATE \`${env.schema}\`.\`~~analysis\` SET host = 'other-host', reserved_time = reserved_time - INTERVAL 1 HOUR WHERE status = 'reserved'`);
    assert.equal((await j.refresh([], { orphanTimeout: 600 })).orphaned, 0, 'its connection is open: the holder is alive');
    const liveId = await live.session.connectionId();
    live.conn.destroy();
    liveOpen = false;
    await connectionGone(liveId);
    assert.equal((await j.refresh()).orphaned, 0, 'a closed connection on another host: the holder may be alive');
    assert.equal((await j.refresh([], { orphanTimeout: 600 })).orphaned, 1);
    assert.equal((await jobs()).filter((r) => r.status === 'reserved').length, 0);
  } finally {
    if (liveOpen) await live.conn.end();
  }
});

test('complete deletes the job (or keeps success with keepCompleted), error stores the message and a Python-readable stack', async () => {
  const target = await targetFromTable(env.pipeline.Analysis);
  const { conn, session } = await plainSession();
  try {
    const q = new JobQueue(session, await jobsTargetOf(target));
    await q.refresh();
    const who = await workerIdentity(session);
    const k1 = (await q.claim(who))!;
    await q.complete(k1, 0.25);
    assert.equal((await jobs()).some((r) => r.subject_id === k1.subject_id), false);
    const k2 = (await q.claim(who))!;
    const stack = 'Error: boom\n' + '    at somewhere (file.ts:1:1)\n'.repeat(100);
    await q.error(k2, 'ValueError: ' + 'z'.repeat(3000), stack);
    const [e] = await rows<{ status: string; error_message: string; error_stack: Buffer; completed_time: string; pid: number }>(
      env,
      `SELECT status, error_message, error_stack, completed_time, pid FROM \`${env.schema}\`.\`~~analysis\` WHERE subject_id = ?`,
      [k2.subject_id],
    );
    assert.equal(e!.status, 'error');
    assert.equal(e!.error_message.length, 2047);
    assert.ok(e!.error_message.endsWith('...truncated'));
    assert.ok(e!.completed_time);
    assert.equal(e!.pid, process.pid, 'the reserving worker stays recorded');
    // compressed (> 1000 bytes) exactly as blob.py packs a str: the blob codec reads it
    assert.equal(e!.error_stack.subarray(0, 6).toString('latin1'), 'ZL123\0');
    assert.equal(unpackBlob(e!.error_stack), stack);
    // byte-identical to what DataJoint for Python writes for a short str (blob.py: dj0, 0x05, u64 length, UTF-8)
    await q.error(k2, 'E: short', 'abc');
    const [short] = await rows<{ error_stack: Buffer }>(env, `SELECT error_stack FROM \`${env.schema}\`.\`~~analysis\` WHERE subject_id = ?`, [k2.subject_id]);
    assert.equal(short!.error_stack.toString('hex'), '646a3000' + '05' + '0300000000000000' + '616263');
    const kept = new JobQueue(session, await jobsTargetOf(target), { keepCompleted: true, staleTimeout: 3600, defaultPriority: 5 });
    const k3 = (await kept.claim(who))!;
    await kept.complete(k3, 1.5);
    const [s] = await rows<{ status: string; duration: number; completed_time: string }>(env, `SELECT status, duration, completed_time FROM \`${env.schema}\`.\`~~analysis\` WHERE subject_id = ?`, [k3.subject_id]);
    assert.deepEqual([s!.status, s!.duration], ['success', 1.5]);
    assert.ok(s!.completed_time);
    // keepCompleted: a success whose row is missing from the target is re-pended
    const res = await kept.refresh();
    assert.equal(res.rePended, 1);
  } finally {
    await conn.end();
  }
});

test('jobsFor: lists by status, ignore, retry by deleting errors, progress', async () => {
  const j = jobsFor(env.pipeline.Analysis);
  await j.refresh();
  await j.ignore([{ subject_id: 1 }, { subject_id: 99 }]);
  const q = await j.queue();
  const { conn, session } = await plainSession();
  try {
    const who = await workerIdentity(session);
    const k = (await new JobQueue(session, q.target).claim(who))!;
    await q.error(k, 'RangeError: bad', 'stack');
  } finally {
    await conn.end();
  }
  assert.deepEqual((await j.ignored()).map((r) => r.key), [{ subject_id: 1 }, { subject_id: 99 }]);
  assert.equal((await j.errors()).length, 1);
  assert.equal((await j.errors())[0]!.errorMessage, 'RangeError: bad');
  assert.equal((await j.pending()).length, 8);
  assert.equal((await j.reserved()).length, 0);
  assert.equal((await j.completed()).length, 0);
  const p = await j.progress();
  assert.deepEqual(p, { remaining: 10, total: 10, jobs: { pending: 8, reserved: 0, success: 0, error: 1, ignore: 2, total: 11 } });
  assert.equal(await j.retry(), 1);
  assert.equal((await j.errors()).length, 0);
  assert.equal((await j.refresh()).added, 1, 'the retried key is pending again');
  assert.equal(await j.clear({ status: 'ignore' }), 2);
  assert.equal(await j.clear(), 9);
});
