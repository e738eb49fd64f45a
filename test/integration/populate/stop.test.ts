// How a `djx populate` run stops (runtime/populate/interrupt.ts): a first stop request
// (Ctrl-C, SIGTERM, a `--stop-on-stdin` line) finishes the key in progress and hands out
// no more; a second interrupts it and gives its job back as pending; an interrupted key is
// never a failure. Workers of `--processes N` whose parent is killed return their key and
// exit; a killed worker never leaves a reservation for a key already in the target.
// A real server (MariaDB or PostgreSQL), real `djx` child processes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { computed, dj, jobStates, makeCalls, runs, until } from './cli';
import { PIPELINE, range, reset, rows, setup, type Env } from './helpers';

let env: Env;
before(async () => {
  env = await setup('djpop_stop');
});
after(async () => env?.close());

const pidsInMake = async (except?: number) => new Set((await makeCalls(env)).map((r) => Number(r.pid)).filter((p) => p !== except));

for (const [processes, how] of [
  [1, 'signal'],
  [1, 'stdin'],
  [2, 'signal'],
] as const) {
  test(`a first stop request finishes the key in progress, hands out no more, and exits 130 (processes ${processes}, ${how})`, async () => {
    await reset(env, range(6).map((subject_id) => ({ subject_id, delay_ms: 1500 })));
    const run = dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs', '--processes', String(processes)], { stdin: how === 'stdin' });
    await until('makes under way', async () => (await pidsInMake()).size >= processes);
    run.stop('SIGINT');
    assert.equal(await run.done, 130, run.stderr());
    const started = [...new Set((await makeCalls(env)).map((r) => Number(r.subject_id)))].sort((a, b) => a - b);
    // Every make that started finished and was committed: none was interrupted.
    assert.deepEqual(await computed(env), started, run.stderr());
    assert.ok(started.length < 6, 'no further key was handed out after the request');
    const jobs = await jobStates(env);
    assert.deepEqual(jobs.filter((j) => j.status !== 'pending'), [], 'no error job, nothing left reserved');
    assert.equal(jobs.length, 6 - started.length, 'the rest is pending');
    const end = run.end()!;
    assert.equal(end.interrupted, 'SIGINT');
    assert.equal(end.successCount, started.length);
    assert.equal(end.errorCount, 0);
    assert.equal(end.interruptedCount, 0);
    assert.deepEqual(end.left, { total: 6 - started.length, error: 0, ignored: 0, reserved: 0, orphaned: 0, interrupted: 0, notScheduled: 0, pending: 6 - started.length });
    assert.equal(run.events.filter((e) => e.event === 'keyFailed').length, 0);
    const n = 6 - started.length;
    assert.match(run.stderr(), new RegExp(`Analysis: ${started.length} done, 0 failed, stopped by SIGINT; ${n} keys? left: ${n} not attempted`));
  });
}

for (const [processes, how] of [
  [1, 'signal'],
  [1, 'stdin'],
  [2, 'signal'],
] as const) {
  test(`a second stop request interrupts the key in progress: rolled back, its job pending again, never an error (processes ${processes}, ${how})`, async () => {
    await reset(env, range(4).map((subject_id) => ({ subject_id, delay_ms: 60_000 })));
    const run = dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs', '--processes', String(processes)], { stdin: how === 'stdin' });
    await until('makes under way', async () => (await pidsInMake()).size >= processes);
    run.stop('SIGINT');
    run.stop('SIGTERM');
    assert.equal(await run.done, 130, run.stderr());
    assert.deepEqual(await computed(env), [], 'the interrupted makes were rolled back');
    assert.equal(Number((await rows<{ n: number }>(env, `SELECT COUNT(*) AS n FROM \`${env.schema}\`.__analysis__detail`))[0]!.n), 0);
    const jobs = await jobStates(env);
    assert.deepEqual(
      jobs.map((j) => [j.subject_id, j.status, j.error_message]),
      range(4).map((k) => [k, 'pending', '']),
      'every job pending: no KeyboardInterrupt / SystemExit error job, nothing reserved',
    );
    const end = run.end()!;
    assert.equal(end.errorCount, 0);
    assert.equal(end.successCount, 0);
    assert.ok(end.interruptedCount! >= 1, JSON.stringify(end));
    assert.equal(end.left!.interrupted, end.interruptedCount);
    assert.equal(end.left!.total, 4);
    assert.equal(run.events.filter((e) => e.event === 'keyFailed').length, 0, 'an interrupted key is not reported as failed');
    // The two requests are sent back to back: the process may take them in either order,
    // and the stop is named for the first it took (as in processes.test.ts).
    assert.match(run.stderr(), new RegExp(`Analysis: 0 done, 0 failed, ${end.interruptedCount} interrupted, stopped by SIG(INT|TERM); 4 keys left: ${end.interruptedCount} interrupted \\(pending again\\)`));
    // Nothing was lost: the next run computes all of them.
    await rows(env, `UPDATE \`${env.schema}\`.subject SET delay_ms = 0`);
    const next = dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs']);
    assert.equal(await next.done, 0, next.stderr());
    assert.deepEqual(await computed(env), range(4));
  });
}

/** Statements of this test's `server-sleep` makes running on the server (counting.ts: serverSleep). */
async function serverSleeps(): Promise<number> {
  const pg = env.backend === 'postgresql';
  const [r] = await rows<{ n: number }>(
    env,
    pg
      ? "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE ? AND pid <> pg_backend_pid()"
      : 'SELECT COUNT(*) AS n FROM information_schema.processlist WHERE info LIKE ? AND id <> CONNECTION_ID()',
    [`%slept_${env.schema}%`],
  );
  return Number(r!.n);
}

for (const processes of [1, 2]) {
  test(`a second stop request ends a make waiting in a statement on the server: the statement ends there too (processes ${processes})`, async () => {
    // Longer than `until` waits: only the runtime ending the make's session ends it in time
    // (neither server notices a closed client while a statement sleeps).
    await reset(env, range(3).map((subject_id) => ({ subject_id, name: 'server-sleep', delay_ms: 600_000 })));
    const run = dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs', '--processes', String(processes)]);
    await until('the makes wait on the server', async () => (await serverSleeps()) >= processes);
    run.stop('SIGINT');
    run.stop('SIGTERM');
    assert.equal(await run.done, 130, run.stderr());
    await until('the statements ended on the server', async () => (await serverSleeps()) === 0);
    assert.deepEqual(await computed(env), []);
    const jobs = await jobStates(env);
    assert.deepEqual(
      jobs.map((j) => [j.subject_id, j.status, j.error_message]),
      range(3).map((k) => [k, 'pending', '']),
      'every job pending again, none an error',
    );
    const end = run.end()!;
    assert.equal(end.errorCount, 0);
    assert.ok(end.interruptedCount! >= 1, JSON.stringify(end));
  });
}

for (const reserve of [true, false]) {
  test(`killing the parent of --processes 2 (SIGKILL): its workers give their keys back at once and exit; no error job; the next run completes all (${reserve ? 'reserved jobs' : 'direct'})`, async () => {
    await reset(env, range(8).map((subject_id) => ({ subject_id, delay_ms: 4000 })));
    const mode = reserve ? ['--reserve-jobs'] : [];
    const run = dj(['populate', PIPELINE, 'Analysis', '--processes', '2', ...mode]);
    await until('both workers inside make', async () => (await pidsInMake(run.pid)).size >= 2);
    const workers = [...(await pidsInMake(run.pid))];
    const committedBefore = await computed(env);
    run.kill('SIGKILL');
    await run.done;
    await until('the workers exited', async () => workers.every((pid) => !runs(pid)));
    const after = await computed(env);
    if (reserve) {
      const jobs = await jobStates(env);
      assert.deepEqual(jobs.filter((j) => j.status === 'error'), [], 'no SystemExit error job for a signal nobody sent');
      // The workers' keys are pending again; only the parent's own reservation (its
      // connection died with it) may remain, as an orphan the next refresh re-pends.
      const reserved = jobs.filter((j) => j.status === 'reserved');
      assert.ok(reserved.length <= 1, JSON.stringify(jobs));
      const workerConnections = await rows<{ n: number }>(
        env,
        `SELECT COUNT(*) AS n FROM \`${env.schema}\`.\`~~analysis\` WHERE status = 'reserved' AND pid IN (${workers.map(() => '?').join(', ')})`,
        workers,
      );
      assert.equal(Number(workerConnections[0]!.n), 0, 'no worker left its key reserved');
      for (const j of jobs) assert.equal(after.includes(j.subject_id), false, 'no job for a key already in the target');
    }
    assert.ok(after.length >= committedBefore.length);
    await rows(env, `UPDATE \`${env.schema}\`.subject SET delay_ms = 0`);
    const next = dj(['populate', PIPELINE, 'Analysis', ...mode]);
    assert.equal(await next.done, 0, next.stderr());
    assert.deepEqual(await computed(env), range(8), 'no key lost');
    assert.match(next.stderr(), new RegExp(`Analysis: ${8 - after.length} done, 0 failed\\n`));
  });
}

test('kill -9 of a --reserve-jobs run: no reservation for a key already in the target, at most the key in progress and one claimed ahead', async () => {
  await reset(env, range(40).map((subject_id) => ({ subject_id, delay_ms: 100 })));
  const run = dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs']);
  await run.waitEvent((_e, all) => all.filter((x) => x.event === 'keyDone').length >= 4);
  run.kill('SIGKILL');
  await run.done;
  const done = await computed(env);
  const reserved = (await jobStates(env)).filter((j) => j.status === 'reserved');
  assert.deepEqual(reserved.filter((j) => done.includes(j.subject_id)), [], 'a reserved job whose key is in the target');
  assert.ok(reserved.length <= 2, `reserved: ${JSON.stringify(reserved)}`);
  assert.ok(done.length < 40);
});
