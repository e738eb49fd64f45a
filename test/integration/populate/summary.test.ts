// A run's summary always says what is left and why (runtime/populate/left.ts): the keys of
// the (restricted) key source still missing from the target, by reason, in the CLI's
// summary line and in the end event (`left`, rev 2); exit 1 when keys are left because
// of errors, even when this run failed none. A real server (MariaDB or PostgreSQL), real
// `djx` child processes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { jobsFor, populate } from '../../../runtime/populate/index';
import { computed, dj, jobStates, makeCalls, until } from './cli';
import { connectSql, PIPELINE, range, reset, rows, setup, type Env } from './helpers';

let env: Env;
before(async () => {
  env = await setup('djpop_sum');
});
after(async () => env?.close());

const NONE = { total: 0, error: 0, ignored: 0, reserved: 0, orphaned: 0, interrupted: 0, notScheduled: 0, pending: 0 };

test('error jobs left by an earlier run: "0 done, 0 failed; 1 key left: 1 error job — djx jobs retry", exit 1', async () => {
  await reset(env, [...range(4).map((subject_id) => ({ subject_id })), { subject_id: 5, name: 'fail' }]);
  const first = dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs', '--suppress-errors']);
  assert.equal(await first.done, 1, first.stderr());
  assert.match(first.stderr(), /Analysis: 4 done, 1 failed; 1 key left: 1 error job — djx jobs retry\n/);
  assert.deepEqual(first.end()!.left, { ...NONE, total: 1, error: 1 });
  const again = dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs']);
  assert.equal(await again.done, 1, 'keys left because of errors are not a success');
  assert.match(again.stderr(), /Analysis: 0 done, 0 failed; 1 key left: 1 error job — djx jobs retry\n/);
  assert.deepEqual(again.end()!.left, { ...NONE, total: 1, error: 1 });
  assert.equal(again.end()!.rev, 2);
  // The API's result carries the same counts.
  const r = await populate(env.pipeline.Analysis, { reserveJobs: true });
  assert.deepEqual(r.left, { ...NONE, total: 1, error: 1 });
});

test('direct mode: a key that failed in this run is left as a failed key', async () => {
  await reset(env, [{ subject_id: 1 }, { subject_id: 2, name: 'fail' }]);
  const run = dj(['populate', PIPELINE, 'Analysis', '--suppress-errors']);
  assert.equal(await run.done, 1);
  assert.match(run.stderr(), /Analysis: 1 done, 1 failed; 1 key left: 1 failed key — fix make and run again\n/);
  assert.deepEqual(run.end()!.left, { ...NONE, total: 1, error: 1 });
});

test('ignored jobs and --limit: left as ignored and as not attempted, exit 0', async () => {
  await reset(env, range(5).map((subject_id) => ({ subject_id })));
  await jobsFor(env.pipeline.Analysis).ignore([{ subject_id: 2 }]);
  const run = dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs', '--limit', '2']);
  assert.equal(await run.done, 0, run.stderr());
  assert.match(run.stderr(), /Analysis: 2 done, 0 failed; 3 keys left: 1 ignored job — djx jobs list --status ignore; 2 not attempted \(limit, stop or priority\)\n/);
  assert.deepEqual(run.end()!.left, { ...NONE, total: 3, ignored: 1, pending: 2 });
});

test('a key reserved by another live worker is left as reserved; a run that has nothing left says nothing more', async () => {
  await reset(env, range(3).map((subject_id) => ({ subject_id })));
  const other = await connectSql();
  try {
    await jobsFor(env.pipeline.Analysis).refresh();
    // Another host's worker holds key 3 on a connection that is alive.
    await other.query(
      `UPDATE \`${env.schema}\`.\`~~analysis\` SET status = 'reserved', host = 'elsewhere', pid = 4242, connection_id = ${env.q.sessionId}, reserved_time = CURRENT_TIMESTAMP(3) WHERE subject_id = 3`,
    );
    const run = dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs']);
    assert.equal(await run.done, 0, run.stderr());
    assert.match(run.stderr(), /Analysis: 2 done, 0 failed; 1 key left: 1 reserved by another running worker\n/);
    assert.deepEqual(run.end()!.left, { ...NONE, total: 1, reserved: 1 });
  } finally {
    await other.end();
  }
  await rows(env, `DELETE FROM \`${env.schema}\`.\`~~analysis\``);
  const rest = dj(['populate', PIPELINE, 'Analysis']);
  assert.equal(await rest.done, 0);
  assert.match(rest.stderr(), /Analysis: 1 done, 0 failed\n/);
  assert.deepEqual(rest.end()!.left, NONE);
});

test('--no-refresh after a kill -9: the orphaned reservations are named, with the recovery; keys without a job are "not yet scheduled"', async () => {
  await reset(env, range(6).map((subject_id) => ({ subject_id, delay_ms: 60_000 })));
  const killed = dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs']);
  await until('make under way', async () => (await makeCalls(env)).length >= 1);
  killed.kill('SIGKILL');
  await killed.done;
  // The server drops the dead worker's connection once it sees the socket closed.
  await until('the killed worker\'s connection is gone', async () => {
    const r = await rows<{ n: number }>(
      env,
      `SELECT COUNT(*) AS n FROM \`${env.schema}\`.\`~~analysis\` WHERE status = 'reserved' AND ${env.q.sessionOpen('connection_id')}`,
    );
    return Number(r[0]!.n) === 0;
  });
  const orphans = (await jobStates(env)).filter((j) => j.status === 'reserved').length;
  assert.ok(orphans >= 1);
  await rows(env, `UPDATE \`${env.schema}\`.subject SET delay_ms = 0`);
  // A key added after the jobs were made has no job: without a refresh it is not scheduled.
  await rows(env, `INSERT INTO \`${env.schema}\`.subject (subject_id) VALUES (7)`);
  const run = dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs', '--no-refresh']);
  assert.equal(await run.done, 0, run.stderr());
  assert.deepEqual(run.end()!.left, { ...NONE, total: orphans + 1, orphaned: orphans, notScheduled: 1 });
  assert.match(
    run.stderr(),
    new RegExp(
      `Analysis: ${6 - orphans} done, 0 failed; ${orphans + 1} keys left: ${orphans} reserved by (a worker that is|workers that are) gone \\(orphaned, not computed: --no-refresh\\) — djx jobs recover, or run again without --no-refresh; 1 not yet scheduled`,
    ),
  );
  // With a refresh, nothing is left.
  const next = dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs']);
  assert.equal(await next.done, 0, next.stderr());
  assert.deepEqual(await computed(env), range(7));
  assert.deepEqual(next.end()!.left, NONE);
});
