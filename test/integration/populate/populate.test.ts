// populate() in one process, every option and path (autopopulate.py; notes §6): direct
// and reserved modes, restrictions, limit/maxCalls, makeKwargs, custom key sources,
// errors (stop, suppress, exception objects), transactions per key over master and
// parts, the three-part make and its re-fetch check, events, progress.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { populate, progress, jobsFor, MakeError, type PopulateEvent } from '../../../runtime/populate/index';
import { calls, killSession, range, reset, rows, setup, type Env } from './helpers';

let env: Env;
before(async () => {
  env = await setup('djpop_one');
});
after(async () => env?.close());

const count = async (table: string) => Number((await rows<{ n: number }>(env, `SELECT COUNT(*) AS n FROM \`${env.schema}\`.\`${table}\``))[0]!.n);

test('direct mode computes every missing key once, master and part rows together', async () => {
  await reset(env, range(12).map((subject_id) => ({ subject_id })));
  const r = await populate(env.pipeline.Analysis);
  assert.equal(r.successCount, 12);
  assert.deepEqual(r.errorList, []);
  assert.equal(r.interrupted, null);
  assert.deepEqual([...(await calls(env, 'Analysis')).values()], Array(12).fill(1));
  assert.equal(await count('__analysis__detail'), 24);
  // nothing left: a second run calls make for no key
  assert.equal((await populate(env.pipeline.Analysis)).successCount, 0);
  assert.equal((await calls(env, 'Analysis')).size, 12);
  assert.deepEqual(await progress(env.pipeline.Analysis), { remaining: 0, total: 12 });
});

test('restrictions of every form, limit and maxCalls', async () => {
  await reset(env, range(10).map((subject_id) => ({ subject_id })));
  assert.equal((await populate(env.pipeline.Analysis, 'subject_id <= 2')).successCount, 2);
  assert.equal((await populate(env.pipeline.Analysis, { subject_id: 5 })).successCount, 1);
  assert.equal((await populate(env.pipeline.Analysis, [{ subject_id: 6 }, { subject_id: 7 }])).successCount, 2);
  assert.equal((await populate(env.pipeline.Analysis, env.pipeline.Subject.restrict('subject_id = 8'))).successCount, 1);
  assert.deepEqual(await progress(env.pipeline.Analysis), { remaining: 4, total: 10 });
  assert.deepEqual(await progress(env.pipeline.Analysis, 'subject_id < 5'), { remaining: 2, total: 4 });
  assert.equal((await populate(env.pipeline.Analysis, { limit: 1 })).successCount, 1);
  assert.equal((await populate(env.pipeline.Analysis, { maxCalls: 2 })).successCount, 2);
  assert.equal((await populate(env.pipeline.Analysis, { limit: 5, maxCalls: 0 })).successCount, 0);
  assert.deepEqual(await progress(env.pipeline.Analysis), { remaining: 1, total: 10 });
  await assert.rejects(populate(env.pipeline.Analysis, { limit: -1 }), /limit must be an integer/);
});

test('makeKwargs reach make(key, kwargs)', async () => {
  await reset(env, [{ subject_id: 1 }]);
  await populate(env.pipeline.Analysis, { makeKwargs: { mode: 'fast', n: 3 } });
  const r = await rows<{ kwargs: string }>(env, `SELECT kwargs FROM \`${env.schema}\`.make_calls`);
  assert.deepEqual(JSON.parse(r[0]!.kwargs), { mode: 'fast', n: 3 });
});

test('a custom keySource is honoured', async () => {
  await reset(env, range(8).map((subject_id) => ({ subject_id })));
  assert.deepEqual(await progress(env.pipeline.Early), { remaining: 4, total: 4 });
  assert.equal((await populate(env.pipeline.Early)).successCount, 4);
  assert.deepEqual([...(await calls(env, 'Early')).keys()].sort(), [1, 2, 3, 4]);
});

test('a failing make leaves no row of its key anywhere; without suppressErrors the run stops with the key', async () => {
  await reset(env, [{ subject_id: 1 }, { subject_id: 2, name: 'fail' }, { subject_id: 3 }]);
  await assert.rejects(populate(env.pipeline.Analysis), (e: unknown) => {
    assert.ok(e instanceof MakeError);
    assert.deepEqual(e.key, { subject_id: 2 });
    assert.equal(e.errorMessage, 'RangeError: cannot analyse subject 2');
    assert.ok(e.cause instanceof RangeError);
    assert.equal(e.result.successCount, 1);
    return true;
  });
  // make inserted master and part rows for key 2 before throwing: all rolled back
  assert.deepEqual((await rows<{ subject_id: number }>(env, `SELECT subject_id FROM \`${env.schema}\`.__analysis ORDER BY 1`)).map((r) => r.subject_id), [1]);
  assert.equal(await count('__analysis__detail'), 2);
  assert.equal((await calls(env, 'Analysis')).has(3), false, 'the run stopped at the failing key');
});

test('suppressErrors records errors and goes on; returnExceptionObjects returns the thrown objects', async () => {
  await reset(env, [{ subject_id: 1, name: 'fail' }, { subject_id: 2 }, { subject_id: 3, name: 'fail' }]);
  const r = await populate(env.pipeline.Analysis, { suppressErrors: true });
  assert.equal(r.successCount, 1);
  assert.deepEqual(r.errorList, [
    [{ subject_id: 1 }, 'RangeError: cannot analyse subject 1'],
    [{ subject_id: 3 }, 'RangeError: cannot analyse subject 3'],
  ]);
  const r2 = await populate(env.pipeline.Analysis, { suppressErrors: true, returnExceptionObjects: true });
  assert.equal(r2.errorList.length, 2);
  assert.ok(r2.errorList.every(([, e]) => e instanceof RangeError));
  assert.deepEqual((await rows(env, `SELECT subject_id FROM \`${env.schema}\`.__analysis`)).length, 1);
  assert.equal(await count('__analysis__detail'), 2);
});

test('reserved mode: refresh, priority, errors and ignores in the jobs table, completed jobs removed', async () => {
  await reset(env, [...range(6).map((subject_id) => ({ subject_id })), { subject_id: 7, name: 'fail' }]);
  const jobs = jobsFor(env.pipeline.Analysis);
  await jobs.refresh([], { priority: 9 });
  await jobs.ignore([{ subject_id: 6 }]);
  // refresh=false and priority 5: the existing priority-9 jobs are not eligible
  let r = await populate(env.pipeline.Analysis, { reserveJobs: true, refresh: false, priority: 5 });
  assert.equal(r.successCount, 0);
  r = await populate(env.pipeline.Analysis, { reserveJobs: true, suppressErrors: true, maxCalls: 3 });
  assert.equal(r.successCount, 3);
  r = await populate(env.pipeline.Analysis, { reserveJobs: true, suppressErrors: true });
  assert.equal(r.successCount, 2);
  assert.deepEqual(r.errorList, [[{ subject_id: 7 }, 'RangeError: cannot analyse subject 7']]);
  const left = await rows<{ subject_id: number; status: string; error_message: string }>(env, `SELECT subject_id, status, error_message FROM \`${env.schema}\`.\`~~analysis\` ORDER BY 1`);
  assert.deepEqual(
    left.map((j) => [j.subject_id, j.status, j.error_message]),
    [
      [6, 'ignore', ''],
      [7, 'error', 'RangeError: cannot analyse subject 7'],
    ],
  );
  assert.equal((await calls(env, 'Analysis')).has(6), false, 'ignored keys are never made');
  // an error job is not retried until its row is deleted
  assert.equal((await populate(env.pipeline.Analysis, { reserveJobs: true, suppressErrors: true })).errorList.length, 0);
  await jobs.retry();
  assert.equal((await populate(env.pipeline.Analysis, { reserveJobs: true, suppressErrors: true })).errorList.length, 1);
});

test('a key computed elsewhere meanwhile is skipped, and its job completed', async () => {
  await reset(env, [{ subject_id: 1 }, { subject_id: 2 }]);
  const jobs = jobsFor(env.pipeline.Analysis);
  await jobs.refresh();
  await env.sql.query(`INSERT INTO \`${env.schema}\`.__analysis (subject_id, result) VALUES (1, 42)`);
  // no refresh: the job for key 1 is pending although the row exists
  const r = await populate(env.pipeline.Analysis, { reserveJobs: true, refresh: false });
  assert.equal(r.successCount, 1);
  assert.deepEqual([...(await calls(env, 'Analysis')).keys()], [2]);
  assert.equal((await jobs.list()).length, 0);
});

test('a key another worker commits while make runs is skipped, not failed (direct and reserved)', async () => {
  for (const reserveJobs of [false, true]) {
    await reset(env, [{ subject_id: 1 }, { subject_id: 2 }, { subject_id: 3 }]);
    // Another worker (a plain connection, autocommit) finishes key 2 first.
    env.pipeline.hooks.beforeInsert = async (key) => {
      if (Number(key.subject_id) === 2) await env.sql.query(`INSERT INTO \`${env.schema}\`.__analysis (subject_id, result) VALUES (2, 42)`);
    };
    try {
      const r = await populate(env.pipeline.Analysis, { reserveJobs });
      assert.equal(r.successCount, 2, `reserveJobs=${reserveJobs}`);
      assert.deepEqual(r.errorList, []);
    } finally {
      env.pipeline.hooks.beforeInsert = undefined;
    }
    const got = await rows<{ subject_id: number; result: number }>(env, `SELECT subject_id, result FROM \`${env.schema}\`.__analysis ORDER BY 1`);
    assert.deepEqual(got.map((x) => [Number(x.subject_id), Number(x.result)]), [[1, 2], [2, 42], [3, 6]]);
    // make's part rows for key 2 were rolled back with its master row
    assert.deepEqual((await rows<{ subject_id: number }>(env, `SELECT DISTINCT subject_id FROM \`${env.schema}\`.__analysis__detail ORDER BY 1`)).map((x) => Number(x.subject_id)), [1, 3]);
    if (reserveJobs) assert.equal((await jobsFor(env.pipeline.Analysis).list()).length, 0, 'every job completed');
  }
});

test('a stopped run leaves no job reserved: the next job, claimed ahead, goes back to pending', async () => {
  await reset(env, [...range(5).map((subject_id) => ({ subject_id })), { subject_id: 6, name: 'fail' }, { subject_id: 7 }]);
  const status = async () =>
    (await rows<{ subject_id: number; status: string }>(env, `SELECT subject_id, status FROM \`${env.schema}\`.\`~~analysis\` ORDER BY 1`)).map((j) => [Number(j.subject_id), j.status]);
  assert.equal((await populate(env.pipeline.Analysis, { reserveJobs: true, limit: 2 })).successCount, 2);
  assert.deepEqual(await status(), [3, 4, 5, 6, 7].map((k) => [k, 'pending']));
  const pending = await rows<{ n: number }>(env, `SELECT COUNT(*) AS n FROM \`${env.schema}\`.\`~~analysis\` WHERE status = 'pending' AND connection_id = 0 AND host = '' AND reserved_time IS NULL`);
  assert.equal(Number(pending[0]!.n), 5, 'a released job looks like any pending job');
  // Stopping at a failing key: the key claimed after it is released too.
  await assert.rejects(populate(env.pipeline.Analysis, { reserveJobs: true }), MakeError);
  assert.deepEqual(await status(), [
    [6, 'error'],
    [7, 'pending'],
  ]);
  assert.equal((await calls(env, 'Analysis')).has(7), false);
  const r = await populate(env.pipeline.Analysis, { reserveJobs: true, suppressErrors: true });
  assert.equal(r.successCount, 1);
  assert.deepEqual(await status(), [[6, 'error']]);
});

test('Ctrl-C while a key commits: the committed key counts as done, its job is not marked failed', async () => {
  for (const reserveJobs of [false, true]) {
    await reset(env, range(5).map((subject_id) => ({ subject_id })));
    // The signal arrives while the COMMIT of key 2 is on its way to the server.
    env.pipeline.hooks.afterMake = (key) => {
      if (Number(key.subject_id) === 2) process.kill(process.pid, 'SIGINT');
    };
    let r;
    try {
      r = await populate(env.pipeline.Analysis, { reserveJobs, suppressErrors: true });
    } finally {
      env.pipeline.hooks.afterMake = undefined;
    }
    assert.equal(r.interrupted, 'SIGINT');
    const done = (await rows<{ subject_id: number }>(env, `SELECT subject_id FROM \`${env.schema}\`.__analysis ORDER BY 1`)).map((x) => Number(x.subject_id));
    // Whichever way the race went, the count and the jobs table agree with the rows.
    assert.equal(r.successCount, done.length, `rows ${JSON.stringify(done)}, result ${JSON.stringify(r)}`);
    // A first stop finishes the make under way when it is handled: key 3's make may
    // already run behind key 2's COMMIT; no key is handed out after that.
    assert.equal(done.includes(4) || done.includes(5), false, `a key was handed out after the stop: ${JSON.stringify(done)}`);
    if (reserveJobs) {
      const errs = await rows<{ subject_id: number }>(env, `SELECT subject_id FROM \`${env.schema}\`.\`~~analysis\` WHERE status = 'error'`);
      for (const e of errs) assert.equal(done.includes(Number(e.subject_id)), false, `key ${e.subject_id} is both computed and failed`);
      const reserved = await rows<{ n: number }>(env, `SELECT COUNT(*) AS n FROM \`${env.schema}\`.\`~~analysis\` WHERE status = 'reserved'`);
      assert.equal(Number(reserved[0]!.n), 0);
    }
  }
});

test('in one process each make sees every earlier key committed (the next make starts while the last COMMIT is answered)', async () => {
  for (const reserveJobs of [false, true]) {
    await reset(env, range(40).map((subject_id) => ({ subject_id })));
    const r = await populate(env.pipeline.Cumulative, { reserveJobs });
    assert.equal(r.successCount, 40);
    const got = await rows<{ subject_id: number; seen: number }>(env, `SELECT subject_id, seen FROM \`${env.schema}\`.__cumulative ORDER BY seen`);
    assert.deepEqual(got.map((x) => Number(x.seen)), range(40, 0), `reserveJobs=${reserveJobs}`);
  }
});

test('a session lost before its COMMIT is answered fails that key alone; the next key runs on a new session', async () => {
  for (const reserveJobs of [false, true]) {
    await reset(env, range(4).map((subject_id) => ({ subject_id })));
    const conn = await env.pipeline.schema.connection();
    env.pipeline.hooks.afterMake = async (key) => {
      if (Number(key.subject_id) !== 2) return;
      // make's own session, ended from outside just before its COMMIT.
      const [row] = await conn.query<{ id: number }>(`SELECT ${env.q.sessionId} AS id`);
      await killSession(env, Number(row!.id));
    };
    let r;
    try {
      // Each key commits alone (commit-groups.test.ts has the same within a group).
      r = await populate(env.pipeline.Analysis, { reserveJobs, suppressErrors: true, commitWindowMs: 0 });
    } finally {
      env.pipeline.hooks.afterMake = undefined;
    }
    assert.equal(r.successCount, 3, `reserveJobs=${reserveJobs}: ${JSON.stringify(r.errorList)}`);
    assert.deepEqual(r.errorList.map(([k]) => k), [{ subject_id: 2 }]);
    const done = (await rows<{ subject_id: number }>(env, `SELECT subject_id FROM \`${env.schema}\`.__analysis ORDER BY 1`)).map((x) => Number(x.subject_id));
    assert.deepEqual(done, [1, 3, 4]);
    assert.equal(await count('__analysis__detail'), 6, 'no part rows of key 2');
    if (reserveJobs) {
      const left = await rows<{ subject_id: number; status: string }>(env, `SELECT subject_id, status FROM \`${env.schema}\`.\`~~analysis\``);
      assert.deepEqual(left.map((j) => [Number(j.subject_id), j.status]), [[2, 'error']]);
    }
  }
});

test('the three-part make computes outside the transaction and refuses changed inputs', async () => {
  await reset(env, [{ subject_id: 1, name: 'ab' }, { subject_id: 2, name: 'cd' }]);
  env.pipeline.hooks.beforeCompute = async (key) => {
    if (Number(key.subject_id) === 2) await env.sql.query(`UPDATE \`${env.schema}\`.subject SET name = 'changed' WHERE subject_id = 2`);
  };
  try {
    const r = await populate(env.pipeline.Triple, { suppressErrors: true, reserveJobs: true });
    assert.equal(r.successCount, 1);
    assert.equal(r.errorList.length, 1);
    assert.deepEqual(r.errorList[0]![0], { subject_id: 2 });
    assert.match(String(r.errorList[0]![1]), /Referential integrity failed! The makeFetch data of Triple changed/);
    assert.deepEqual(await rows(env, `SELECT subject_id, total FROM \`${env.schema}\`.__triple`), [{ subject_id: 1, total: 3 }]);
    const [job] = await rows<{ status: string; error_message: string }>(env, `SELECT status, error_message FROM \`${env.schema}\`.\`~~triple\``);
    assert.equal(job!.status, 'error');
    assert.match(job!.error_message, /Referential integrity failed/);
  } finally {
    env.pipeline.hooks.beforeCompute = undefined;
  }
  // unchanged inputs now: the retry succeeds
  await jobsFor(env.pipeline.Triple).retry();
  assert.equal((await populate(env.pipeline.Triple, { reserveJobs: true })).successCount, 1);
  assert.deepEqual(await rows(env, `SELECT subject_id, total FROM \`${env.schema}\`.__triple WHERE subject_id = 2`), [{ subject_id: 2, total: 9 }]);
});

test('events: start, keyDone, keyFailed, progress, end — JSON-safe and in order', async () => {
  await reset(env, [{ subject_id: 1 }, { subject_id: 2, name: 'fail' }, { subject_id: 3 }]);
  const events: PopulateEvent[] = [];
  await populate(env.pipeline.Analysis, { suppressErrors: true, onEvent: (e) => events.push(e) });
  const kinds = events.map((e) => e.event);
  assert.equal(kinds[0], 'start');
  assert.equal(kinds.at(-1), 'end');
  assert.deepEqual(
    events.filter((e) => e.event === 'keyDone' || e.event === 'keyFailed').map((e) => [e.event, (e as { key: unknown }).key]),
    [
      ['keyDone', { subject_id: 1 }],
      ['keyFailed', { subject_id: 2 }],
      ['keyDone', { subject_id: 3 }],
    ],
  );
  const start = events[0]!;
  assert.ok(start.event === 'start' && start.total === 3 && start.mode === 'direct' && start.processes === 1 && start.table === 'Analysis');
  const end = events.at(-1)!;
  assert.ok(end.event === 'end' && end.successCount === 2 && end.errorCount === 1 && end.interrupted === null);
  assert.ok(events.some((e) => e.event === 'progress' && e.done === 2 && e.failed === 1 && e.total === 3));
  for (const e of events) assert.deepEqual(JSON.parse(JSON.stringify(e)), e);
});

test('populate inside a transaction is refused, as in the reference', async () => {
  await reset(env, [{ subject_id: 1 }]);
  const conn = await env.pipeline.schema.connection();
  await assert.rejects(
    conn.transaction(() => populate(env.pipeline.Analysis)),
    /Populate cannot be called during a transaction/,
  );
});

test('a lost queue connection is reopened and no key is lost', async () => {
  await reset(env, range(6).map((subject_id) => ({ subject_id, delay_ms: 150 })));
  const ids = new Set<number>();
  const run = populate(env.pipeline.Analysis, {
    reserveJobs: true,
    onEvent: async (e) => {
      if (e.event !== 'keyDone' || ids.size > 0) return;
      // kill the worker's own queue connection (the one that recorded the reservations)
      const [j] = await rows<{ c: number }>(env, `SELECT connection_id AS c FROM \`${env.schema}\`.\`~~analysis\` WHERE status = 'reserved' LIMIT 1`);
      const [any] = await rows<{ c: number }>(env, `SELECT MAX(connection_id) AS c FROM \`${env.schema}\`.\`~~analysis\``);
      const id = Number(j?.c ?? any?.c);
      if (id) {
        ids.add(id);
        await killSession(env, id);
      }
    },
  });
  const r = await run;
  assert.equal(ids.size, 1, 'a queue connection was killed');
  assert.equal(r.successCount + r.errorList.length, 6);
  // keys whose job bookkeeping hit the dead connection are redone by the next run
  await populate(env.pipeline.Analysis, { reserveJobs: true });
  assert.deepEqual((await rows<{ subject_id: number }>(env, `SELECT subject_id FROM \`${env.schema}\`.__analysis ORDER BY 1`)).map((x) => x.subject_id), range(6));
  const left = await rows<{ status: string }>(env, `SELECT status FROM \`${env.schema}\`.\`~~analysis\``);
  assert.deepEqual(left, []);
});
