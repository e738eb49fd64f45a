// Keys of short makes commit a window at a time (runtime/populate/commit-groups.ts), each
// after a savepoint: these are the paths where a group meets another session, a failing
// key, a session ended under it and the two kinds of stop request. A window far longer
// than any of these runs makes the grouping certain (it still ends at 32 keys); the first
// key of a run commits alone (how long keys take is not known yet), so groups start at key 2.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as dj from '../../../runtime/index';
import { jobsFor, populate } from '../../../runtime/populate/index';
import { MAX_GROUP_KEYS } from '../../../runtime/populate/commit-groups';
import { jobStates } from './cli';
import { calls, killSession, openTransactions, range, reset, rows, setup, type Env } from './helpers';

let env: Env;
before(async () => {
  env = await setup('djpop_group');
});
after(async () => env?.close());

const WINDOW = { commitWindowMs: 3_600_000 };
const keysIn = async (table: string) =>
  (await rows<{ subject_id: number }>(env, `SELECT DISTINCT subject_id FROM \`${env.schema}\`.\`${table}\` ORDER BY 1`)).map((r) => Number(r.subject_id));
/** Inside make: the server's id of make's session (a statement on it, not a read of the query layer). */
async function makeSessionId(): Promise<number> {
  const conn = await env.pipeline.schema.connection();
  const [row] = (await conn.query(`SELECT ${env.q.sessionId} AS id`)) as Array<{ id: number | string }>;
  return Number(row!.id);
}
/** Inside make: its own session is ended from outside, then make's next statement finds it gone. */
async function endOwnSession(): Promise<void> {
  await killSession(env, await makeSessionId());
  await (await env.pipeline.schema.connection()).query('SELECT 1');
}
/** After a run of keys 1-5 whose group (keys 2 and 3) was lost under key 3: each key landed once. */
async function assertGroupMadeAgain(r: Awaited<ReturnType<typeof populate>>, reserveJobs: boolean): Promise<void> {
  assert.deepEqual(r.errorList, []);
  assert.equal(r.successCount, 5);
  assert.deepEqual(await keysIn('__analysis'), range(5));
  assert.equal(await countIn('__analysis__detail'), 10, 'each key committed once');
  const made = await calls(env, 'Analysis');
  assert.deepEqual(range(5).map((k) => made.get(k)), [1, 2, 2, 1, 1], 'keys 2 and 3 made again');
  if (reserveJobs) assert.deepEqual(await jobStates(env), [], 'every job completed');
}
/** `run` with `hook` as the pipeline's afterMake (inside each make, after its inserts). */
async function withAfterMake<T>(hook: NonNullable<typeof env.pipeline.hooks.afterMake>, run: () => Promise<T>): Promise<T> {
  env.pipeline.hooks.afterMake = hook;
  try {
    return await run();
  } finally {
    env.pipeline.hooks.afterMake = undefined;
  }
}
const countIn = async (table: string) => Number((await rows<{ n: number }>(env, `SELECT COUNT(*) AS n FROM \`${env.schema}\`.\`${table}\``))[0]!.n);

for (const reserveJobs of [false, true]) {
  const mode = reserveJobs ? 'reserved jobs' : 'direct';

  test(`${mode}: the keys of a window are one transaction, seen by other sessions only once it commits`, async () => {
    await reset(env, range(6).map((subject_id) => ({ subject_id })));
    const seenDuringKey5: number[] = [];
    const r = await withAfterMake(async (key) => {
      if (Number(key.subject_id) === 5) seenDuringKey5.push(await countIn('__analysis'));
    }, () => populate(env.pipeline.Analysis, { ...WINDOW, reserveJobs }));
    assert.deepEqual(seenDuringKey5, [1], 'key 1 alone, keys 2-4 not committed while key 5 was made');
    assert.equal(r.successCount, 6);
    assert.deepEqual(await keysIn('__analysis'), range(6));
    assert.equal(await countIn('__analysis__detail'), 12);
    assert.deepEqual([...(await calls(env, 'Analysis')).values()], range(6).map(() => 1), 'each key made once');
    if (reserveJobs) assert.deepEqual(await jobStates(env), [], 'every job completed');
    assert.equal(await openTransactions(env), 0, 'no transaction left open');
  });

  test(`${mode}: a failing key in a group is undone alone; the group's other keys keep their work`, async () => {
    await reset(env, range(5).map((subject_id) => ({ subject_id, name: subject_id === 3 ? 'fail' : '' })));
    const r = await populate(env.pipeline.Analysis, { ...WINDOW, reserveJobs, suppressErrors: true });
    assert.equal(r.successCount, 4);
    assert.deepEqual(r.errorList.map(([k]) => Number((k as { subject_id: number }).subject_id)), [3]);
    assert.deepEqual(await keysIn('__analysis'), [1, 2, 4, 5]);
    assert.deepEqual(await keysIn('__analysis__detail'), [1, 2, 4, 5], 'no part row of the failed key');
    assert.deepEqual([...(await calls(env, 'Analysis')).entries()].sort(([a], [b]) => a - b), range(5).map((k) => [k, 1]));
    if (reserveJobs) {
      const jobs = await jobStates(env);
      assert.deepEqual(jobs.map((j) => [Number(j.subject_id), j.status]), [[3, 'error']]);
      assert.match(jobs[0]!.error_message, /cannot analyse subject 3/);
    }
  });

  test(`${mode}: a make that catches an error of its own statement: on PostgreSQL, where that aborts the transaction, the key fails alone`, async () => {
    await reset(env, range(5).map((subject_id) => ({ subject_id })));
    const r = await withAfterMake(async (key) => {
      if (Number(key.subject_id) !== 3) return;
      const conn = await env.pipeline.schema.connection();
      await conn.query(`SELECT * FROM ${env.q.qualified(env.schema, 'no_such_table')}`).catch(() => undefined);
    }, () => populate(env.pipeline.Analysis, { ...WINDOW, reserveJobs, suppressErrors: true }));
    if (env.backend === 'postgresql') {
      assert.deepEqual(r.errorList.map(([k, m]) => [Number((k as { subject_id: number }).subject_id), String(m)]), [[3, `TransactionError: ${'a statement of this key failed and was caught, which aborts the transaction on PostgreSQL (nothing else runs in it until it is rolled back): the key is rolled back'}`]]);
      assert.deepEqual(await keysIn('__analysis'), [1, 2, 4, 5], "the group's other keys committed");
      if (reserveJobs) assert.deepEqual((await jobStates(env)).map((j) => [Number(j.subject_id), j.status]), [[3, 'error']]);
    } else {
      // MySQL undoes the failed statement alone: make goes on, and its key is done.
      assert.deepEqual(r.errorList, []);
      assert.deepEqual(await keysIn('__analysis'), range(5));
    }
    assert.equal(await countIn('__analysis__detail'), 2 * (await keysIn('__analysis')).length);
    assert.equal(await openTransactions(env), 0, 'no transaction left open');
  });

  test(`${mode}: a session ended under a group: its keys are made again, alone, and every key lands once`, async () => {
    await reset(env, range(5).map((subject_id) => ({ subject_id })));
    let killed = false;
    const r = await withAfterMake(async (key) => {
      if (Number(key.subject_id) !== 3 || killed) return;
      killed = true;
      // The session of key 3's make is ended as an administrator's KILL would end it: the
      // server rolls back the whole open transaction, key 2 with it. Nothing tells
      // under which key of the group the session went, so none of them is failed for it.
      await endOwnSession();
    }, () => populate(env.pipeline.Analysis, { ...WINDOW, reserveJobs, suppressErrors: true }));
    await assertGroupMadeAgain(r, reserveJobs);
  });

  // On MySQL a later key of a group that only reads and inserts sets no savepoint of its own
  // (runtime/connection/step-undo.ts): its undo is the DELETE of its rows, and whether the
  // server still holds the group is asked of the group's first savepoint.
  test(`${mode}: a session ended under a key that only read and inserted: its group is made again, alone`, async () => {
    await reset(env, range(5).map((subject_id) => ({ subject_id })));
    let runSession: number | undefined;
    let killed = false;
    const r = await withAfterMake(async (key) => {
      const k = Number(key.subject_id);
      // Key 2 opens the group (key 1 commits alone): its savepoint is already set.
      if (k === 2) runSession = await makeSessionId();
      if (k !== 3 || killed) return;
      killed = true;
      await killSession(env, runSession!);
      // Through the query layer: a read, which needs no savepoint; it finds the session gone.
      await env.pipeline.Subject.restrict(key).fetch();
    }, () => populate(env.pipeline.Analysis, { ...WINDOW, reserveJobs, suppressErrors: true }));
    assert.ok(runSession !== undefined);
    await assertGroupMadeAgain(r, reserveJobs);
    assert.equal(await openTransactions(env), 0, 'no transaction left open');
  });

  test(`${mode}: a failing key that also updated and inserted skipping duplicates is undone alone, every write of it`, async () => {
    await reset(env, range(5).map((subject_id) => ({ subject_id })));
    const r = await withAfterMake(async (key) => {
      if (Number(key.subject_id) !== 3) return;
      // After its plain inserts: an update and an insert that skips duplicates, which a
      // DELETE cannot take back, so the key sets its savepoint before them.
      await env.pipeline.Analysis.update1({ subject_id: 3, result: -1 });
      await env.pipeline.Subject.insert([{ subject_id: 99 }, { subject_id: 1 }], { skipDuplicates: true });
      throw new RangeError('key 3 fails after all its writes');
    }, () => populate(env.pipeline.Analysis, { ...WINDOW, reserveJobs, suppressErrors: true }));
    assert.deepEqual(r.errorList.map(([k]) => Number((k as { subject_id: number }).subject_id)), [3]);
    assert.deepEqual(await keysIn('__analysis'), [1, 2, 4, 5]);
    assert.deepEqual(await keysIn('__analysis__detail'), [1, 2, 4, 5], 'no part row of the failed key');
    assert.deepEqual((await rows<{ subject_id: number }>(env, `SELECT subject_id FROM \`${env.schema}\`.subject WHERE subject_id = 99`)).length, 0, "the failed key's skip-duplicates insert is undone");
    assert.deepEqual([...(await calls(env, 'Analysis')).values()], range(5).map(() => 1), 'each key made once');
    if (reserveJobs) assert.deepEqual((await jobStates(env)).map((j) => [Number(j.subject_id), j.status]), [[3, 'error']]);
    assert.equal(await openTransactions(env), 0, 'no transaction left open');
  });

  test(`${mode}: keys that only read and insert set one savepoint for their group on MySQL; a failing one among them is undone alone`, async () => {
    const KEYS = 10;
    await reset(env, range(KEYS).map((subject_id) => ({ subject_id, name: subject_id === 6 ? 'fail' : '' })));
    let runSession: number | undefined;
    let before: number | undefined;
    const savepoints = async (id: number) =>
      Number(
        (
          await rows<{ n: number }>(
            env,
            "SELECT COALESCE(SUM(e.COUNT_STAR), 0) AS n FROM performance_schema.events_statements_summary_by_thread_by_event_name e JOIN performance_schema.threads t ON t.THREAD_ID = e.THREAD_ID WHERE t.PROCESSLIST_ID = ? AND e.EVENT_NAME = 'statement/sql/savepoint'",
            [id],
          )
        )[0]!.n,
      );
    const r = await withAfterMake(async (key) => {
      if (Number(key.subject_id) !== 2 || env.backend !== 'mysql') return;
      runSession = await makeSessionId();
      before = await savepoints(runSession);
    }, () => populate(env.pipeline.Analysis, { ...WINDOW, reserveJobs, suppressErrors: true }));
    // Key 6 fails after its inserts: undone by deleting them, the group's other keys kept.
    assert.deepEqual(r.errorList.map(([k]) => Number((k as { subject_id: number }).subject_id)), [6]);
    assert.deepEqual(await keysIn('__analysis'), range(KEYS).filter((k) => k !== 6));
    assert.deepEqual(await keysIn('__analysis__detail'), range(KEYS).filter((k) => k !== 6));
    assert.deepEqual([...(await calls(env, 'Analysis')).values()], range(KEYS).map(() => 1), 'each key made once');
    if (env.backend === 'mysql') {
      // scripts/mariadb.mjs starts the test server with performance_schema on (MariaDB's default is off).
      assert.ok(before !== undefined && before >= 1, 'the group opened by key 2 set its savepoint (counted in performance_schema, which the test server must have on)');
      // Keys 3-10 set none of their own: the failed key 6 checks the group's with one, and
      // key 7 opens the next group (a failed key's group commits at once, populate.ts).
      assert.equal((await savepoints(runSession!)) - before!, 2, "only key 6's check of its group and key 7's new group set a savepoint");
    }
    assert.equal(await openTransactions(env), 0, 'no transaction left open');
  });

  test(`${mode}: a session lost under the first key of a group fails that key alone`, async () => {
    await reset(env, range(3).map((subject_id) => ({ subject_id })));
    const r = await withAfterMake(async (key) => {
      if (Number(key.subject_id) !== 2) return;
      await endOwnSession();
    }, () => populate(env.pipeline.Analysis, { ...WINDOW, reserveJobs, suppressErrors: true }));
    assert.deepEqual(r.errorList.map(([k]) => Number((k as { subject_id: number }).subject_id)), [2]);
    assert.deepEqual(await keysIn('__analysis'), [1, 3]);
    assert.deepEqual([1, 1, 1], [...(await calls(env, 'Analysis')).values()]);
    if (reserveJobs) assert.deepEqual((await jobStates(env)).map((j) => [Number(j.subject_id), j.status]), [[2, 'error']]);
  });

  test(`${mode}: a stop request in a group commits the group's keys and stops`, async () => {
    await reset(env, range(8).map((subject_id) => ({ subject_id })));
    const r = await withAfterMake(async (key) => {
      if (Number(key.subject_id) !== 3) return;
      // Key 3 ends once populate has taken the signal (this listener runs after its own).
      const taken = new Promise((res) => process.once('SIGINT', res));
      process.kill(process.pid, 'SIGINT');
      await taken;
    }, () => populate(env.pipeline.Analysis, { ...WINDOW, reserveJobs }));
    assert.equal(r.interrupted, 'SIGINT');
    assert.deepEqual(await keysIn('__analysis'), [1, 2, 3], 'the key in progress finished, the group committed');
    assert.equal(r.successCount, 3);
    if (reserveJobs) assert.deepEqual((await jobStates(env)).filter((j) => j.status !== 'pending'), [], 'no job left reserved');
  });

  test(`${mode}: a second stop request interrupts the make in progress: the group's keys are pending again, never errors`, async () => {
    await reset(env, range(5).map((subject_id) => ({ subject_id })));
    let release!: () => void;
    const released = new Promise<void>((res) => (release = res));
    let r;
    try {
      r = await withAfterMake(async (key) => {
      if (Number(key.subject_id) !== 3) return;
      process.kill(process.pid, 'SIGINT');
      process.kill(process.pid, 'SIGTERM');
      // Key 3 stays in its make until populate has returned.
      await released;
    }, () => populate(env.pipeline.Analysis, { ...WINDOW, reserveJobs, suppressErrors: true }));
    } finally {
      release();
    }
    assert.equal(r.interrupted, 'SIGINT');
    assert.deepEqual(r.errorList, []);
    assert.equal(r.successCount, 1);
    assert.equal(r.interruptedCount, 2, 'keys 2 and 3: the group and the make in progress');
    assert.deepEqual(await keysIn('__analysis'), [1]);
    if (reserveJobs) assert.deepEqual((await jobStates(env)).filter((j) => j.status !== 'pending'), [], 'no job left reserved or failed');
    assert.equal(await openTransactions(env), 0, 'no transaction left open');
  });
}

// Keys of two attributes: a window's keys are checked against the target in one statement,
// its jobs claimed by one UPDATE and completed by one DELETE, each naming every key whole.
const pairSchema = () => {
  const schema = new dj.Schema(env.schema);
  const made = new Map<string, number>();
  class Pair extends dj.Manual {
    static override definition = `
      pair_a : int32
      pair_b : varchar(8)
    `;
  }
  class PairSum extends dj.Computed {
    static override definition = `
      -> Pair
      ---
      n : int32
    `;
    static override async make(key: dj.Row): Promise<void> {
      const id = `${String(key.pair_a)}/${String(key.pair_b)}`;
      made.set(id, (made.get(id) ?? 0) + 1);
      if (id === '1/a') {
        // Committed by another session before their check: keys 5/a and 9/b are done already.
        await env.sql.query(`INSERT INTO ${env.q.qualified(env.schema, '__pair_sum')} (pair_a, pair_b, n) VALUES (5, 'a', 0), (9, 'b', 0)`);
      }
      await PairSum.insert1({ ...key, n: 1 });
    }
  }
  schema.register(Pair, PairSum);
  return { schema, Pair, PairSum, made };
};

for (const reserveJobs of [false, true]) {
  test(`${reserveJobs ? 'reserved jobs' : 'direct'}: keys of two attributes, checked, claimed and completed a window at a time`, async () => {
    const { schema, Pair, PairSum, made } = pairSchema();
    await schema.declare();
    try {
      const keys = range(20).flatMap((a) => ['a', 'b'].map((b) => ({ pair_a: a, pair_b: b })));
      await Pair.insert(keys);
      const r = await populate(PairSum, { ...WINDOW, reserveJobs });
      assert.deepEqual(r.errorList, []);
      assert.equal(r.successCount, 38, 'every key but the two made elsewhere');
      assert.equal(await PairSum.count(), 40);
      assert.equal(made.get('5/a'), undefined);
      assert.equal(made.get('9/b'), undefined);
      assert.deepEqual([...made.values()], range(38).map(() => 1), 'each key made once');
      const ones = await rows<{ n: number }>(env, `SELECT COUNT(*) AS n FROM \`${env.schema}\`.\`__pair_sum\` WHERE n = 1`);
      assert.equal(Number(ones[0]!.n), 38);
      if (reserveJobs) assert.deepEqual(await rows(env, `SELECT * FROM \`${env.schema}\`.\`~~pair_sum\``), [], 'every job completed');
      assert.equal(await openTransactions(env), 0, 'no transaction left open');
    } finally {
      for (const t of ['~~pair_sum', '__pair_sum', 'pair']) await env.sql.query(`DROP TABLE IF EXISTS \`${env.schema}\`.\`${t}\``);
      await env.sql.query(`DELETE FROM \`${env.schema}\`.\`~lineage\` WHERE table_name IN ('pair', '__pair_sum')`).catch(() => undefined);
    }
  });
}

test('reserved jobs: a group whose jobs cannot be completed is rolled back whole; its keys are made again, alone, and every job completes', async () => {
  await reset(env, range(4).map((subject_id) => ({ subject_id })));
  // The group's jobs are completed by one statement before its COMMIT. A trigger makes
  // that statement fail while `dj_block` has a row, which key 2's first make writes in
  // the group's transaction: so only the group's completion fails, and the ROLLBACK that
  // follows takes the row away again.
  const block = env.q.qualified(env.schema, 'dj_block');
  const jobs = env.q.qualified(env.schema, '~~analysis');
  await env.sql.query(`DROP TABLE IF EXISTS ${block}`);
  await env.sql.query(`CREATE TABLE ${block} (id int NOT NULL PRIMARY KEY)`);
  await (await jobsFor(env.pipeline.Analysis).queue()).declare();
  if (env.backend === 'postgresql') {
    const fn = env.q.qualified(env.schema, 'dj_refuse_completion');
    await env.sql.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN IF EXISTS (SELECT 1 FROM ${block}) THEN RAISE EXCEPTION 'completion refused'; END IF; RETURN OLD; END $body$`);
    await env.sql.query(`CREATE TRIGGER dj_refuse_completion BEFORE DELETE ON ${jobs} FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
  } else {
    await env.sql.query(
      `CREATE TRIGGER ${env.q.qualified(env.schema, 'dj_refuse_completion')} BEFORE DELETE ON ${jobs} FOR EACH ROW ` +
        `BEGIN IF EXISTS (SELECT 1 FROM ${block}) THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'completion refused'; END IF; END`,
    );
  }
  let blocked = false;
  const r = await withAfterMake(async (key) => {
    if (Number(key.subject_id) !== 2 || blocked) return;
    blocked = true;
    const conn = await env.pipeline.schema.connection();
    await conn.execute(`INSERT INTO ${block} (id) VALUES (1)`);
  }, () => populate(env.pipeline.Analysis, { ...WINDOW, reserveJobs: true, suppressErrors: true }));
  assert.ok(blocked);
  assert.deepEqual(r.errorList, []);
  assert.equal(r.successCount, 4);
  assert.deepEqual(await keysIn('__analysis'), range(4));
  assert.equal(await countIn('__analysis__detail'), 8, 'each key committed once');
  const made = await calls(env, 'Analysis');
  assert.deepEqual(range(4).map((k) => made.get(k)), [1, 2, 2, 2], 'key 1 alone; the group of keys 2-4 made again');
  assert.deepEqual(await jobStates(env), [], 'every job completed');
  assert.equal(await countIn('dj_block'), 0, "the failed group's own row rolled back with it");
  assert.equal(await openTransactions(env), 0, 'no transaction left open');
  await env.sql.query(`DROP TABLE ${block}`);
});

test(`a group holds at most ${MAX_GROUP_KEYS} keys: the next key starts a new one`, async () => {
  const n = MAX_GROUP_KEYS + 3;
  // Key 1 alone, keys 2-33 one group, then a new one.
  await reset(env, range(n).map((subject_id) => ({ subject_id })));
  const seen: number[] = [];
  assert.equal((await withAfterMake(async (key) => {
    if (Number(key.subject_id) === MAX_GROUP_KEYS + 2) seen.push(await countIn('__analysis'));
  }, () => populate(env.pipeline.Analysis, WINDOW))).successCount, n);
  assert.deepEqual(seen, [MAX_GROUP_KEYS + 1], 'the full group committed before the next key ran');
});

test('commitWindowMs: 0 commits every key alone; a negative window is refused', async () => {
  await reset(env, range(3).map((subject_id) => ({ subject_id })));
  const seen: number[] = [];
  assert.equal((await withAfterMake(async (key) => {
    if (Number(key.subject_id) === 3) seen.push(await countIn('__analysis'));
  }, () => populate(env.pipeline.Analysis, { commitWindowMs: 0 }))).successCount, 3);
  assert.deepEqual(seen, [2]);
  await assert.rejects(populate(env.pipeline.Analysis, { commitWindowMs: -1 }), /commitWindowMs must be a number >= 0/);
});
