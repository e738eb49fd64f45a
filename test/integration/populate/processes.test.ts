// populate with worker processes (real child_process.fork, own connections each), the
// `djx populate` command line, kill -9 of a worker mid-make, Ctrl-C, and exit statuses.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { populate, parseEvent, jobsFor, type PopulateEvent } from '../../../runtime/populate/index';
import { calls, peakConcurrency, PIPELINE, range, reset, rows, setup, type Env } from './helpers';

const CLI = join(__dirname, '..', '..', '..', 'runtime', 'cli', 'populate', 'standalone.ts');

let env: Env;
before(async () => {
  env = await setup('djpop_proc');
});
after(async () => env?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CliRun {
  pid: number;
  events: PopulateEvent[];
  stderr: () => string;
  done: Promise<number>;
  signal(sig: NodeJS.Signals): void;
}

function dj(args: string[], envOverrides: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, ...envOverrides }, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: PopulateEvent[] = [];
  let err = '';
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const e = parseEvent(buf.slice(0, i));
      if (e) events.push(e);
      buf = buf.slice(i + 1);
    }
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  return { pid: child.pid!, events, stderr: () => err, done, signal: (s) => child.kill(s) };
}

async function waitFor(what: string, cond: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const callRows = () => rows<{ subject_id: number; pid: number }>(env, `SELECT subject_id, pid FROM \`${env.schema}\`.make_calls WHERE tbl = 'Analysis' ORDER BY id`);
const computed = async () => (await rows<{ subject_id: number }>(env, `SELECT subject_id FROM \`${env.schema}\`.__analysis ORDER BY 1`)).map((r) => r.subject_id);
const jobsForAnalysis = () => jobsFor(env.pipeline.Analysis);
const jobStates = () => rows<{ subject_id: number; status: string; error_message: string }>(env, `SELECT subject_id, status, error_message FROM \`${env.schema}\`.\`~~analysis\` ORDER BY 1`);

for (const processes of [2, 4]) {
  for (const reserveJobs of [false, true]) {
    test(`${processes} worker processes (${reserveJobs ? 'reserved jobs' : 'direct'}) compute every key exactly once`, async () => {
      // Key 1's make waits for a make of another process (the parent computes until the
      // first worker is ready): the work is shared however slowly the workers start.
      await reset(env, range(40).map((subject_id) => ({ subject_id, name: subject_id === 1 ? 'await-peer' : '', delay_ms: 20 })));
      const events: PopulateEvent[] = [];
      const r = await populate(env.pipeline.Analysis, { processes, reserveJobs, workerModule: PIPELINE, onEvent: (e) => events.push(e) });
      assert.equal(r.successCount, 40);
      assert.deepEqual(r.errorList, []);
      const c = await calls(env, 'Analysis');
      assert.equal(c.size, 40);
      assert.ok([...c.values()].every((n) => n === 1), 'no key was made twice');
      const pids = new Set((await callRows()).map((x) => x.pid));
      const workerPids = [...pids].filter((p) => p !== process.pid);
      // the parent computes only until its first worker is ready
      assert.ok(workerPids.length >= 1, 'worker processes made keys');
      assert.ok(pids.size >= 2, `work was shared (${pids.size} processes made keys)`);
      assert.ok(workerPids.length <= processes);
      const peak = await peakConcurrency(env);
      assert.ok(peak >= 2 && peak <= processes, `at most ${processes} makes at once (peak ${peak})`);
      assert.deepEqual(await computed(), range(40));
      const start = events[0];
      assert.ok(start?.event === 'start' && start.processes === processes);
      if (reserveJobs) assert.deepEqual(await jobStates(), []);
    });
  }
}

test('worker processes honour restrictions and priority in reserved mode', async () => {
  await reset(env, range(20).map((subject_id) => ({ subject_id, delay_ms: 10 })));
  const r = await populate(env.pipeline.Analysis, 'subject_id <= 10', { processes: 2, reserveJobs: true, priority: 3, workerModule: PIPELINE });
  assert.equal(r.successCount, 10);
  assert.deepEqual(await computed(), range(10));
  assert.deepEqual(await jobStates(), [], 'only the restricted keys were queued, and all completed');
  const c = await calls(env, 'Analysis');
  assert.ok([...c.values()].every((n) => n === 1));
});

test('workers that cannot start leave the parent to finish the keys, with a warning', async () => {
  await reset(env, range(4).map((subject_id) => ({ subject_id })));
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  try {
    // a module that does not export the table: every worker fails its start-up
    const wrong = join(__dirname, '..', '..', 'fixtures', 'pipelines', 'bench.ts');
    const r = await populate(env.pipeline.Analysis, { processes: 2, workerModule: wrong });
    assert.equal(r.successCount, 4);
    await new Promise((res) => setImmediate(res));
    assert.ok(warnings.some((w) => /worker processes failed \(No Computed or Imported table named Analysis/.test(w)), warnings.join('\n'));
    assert.deepEqual(await computed(), range(4));
  } finally {
    process.off('warning', onWarning);
  }
});

test('never more workers than keys; a failing key in a worker stops the run with its key', async () => {
  await reset(env, [{ subject_id: 1 }, { subject_id: 2, name: 'fail' }]);
  const events: PopulateEvent[] = [];
  await assert.rejects(populate(env.pipeline.Analysis, { processes: 8, workerModule: PIPELINE, onEvent: (e) => events.push(e) }), /make failed for key \{"subject_id":2\}: RangeError: cannot analyse subject 2/);
  const start = events[0];
  assert.ok(start?.event === 'start' && start.processes === 2);
  assert.deepEqual(await computed(), [1]);
  const r = await populate(env.pipeline.Analysis, { processes: 2, suppressErrors: true, workerModule: PIPELINE });
  assert.equal(r.successCount, 0);
  assert.deepEqual(r.errorList.map(([k, m]) => [k, m]), [[{ subject_id: 2 }, 'RangeError: cannot analyse subject 2']]);
});

for (const reserve of [true, false]) {
  test(`a worker killed with -9 mid-make loses no key (${reserve ? 'reserved jobs' : 'direct'})`, async () => {
    // Makes long enough that a worker started late on a loaded machine still finds keys
    // (holding every make instead would hold the parent's too, and the parent hands out
    // keys only between its own makes).
    await reset(env, range(6).map((subject_id) => ({ subject_id, delay_ms: 3000 })));
    const run = dj(['populate', PIPELINE, 'Analysis', '--processes', '2', '--json', ...(reserve ? ['--reserve-jobs'] : [])]);
    const workerCalls = async () => (await callRows()).filter((r) => r.pid !== run.pid);
    await waitFor('both workers inside make', async () => new Set((await workerCalls()).map((r) => r.pid)).size >= 2, 120_000);
    const victim = (await workerCalls())[0]!;
    // On a loaded machine the first make seen may already have committed: then the kill
    // interrupts a later key, and the victim's own key must not run twice.
    const victimDone = (await computed()).includes(victim.subject_id);
    process.kill(victim.pid, 'SIGKILL');
    const code = await run.done;
    assert.equal(code, 0, run.stderr());
    assert.deepEqual(await computed(), range(6), 'every key computed');
    const c = await calls(env, 'Analysis');
    assert.equal(c.get(victim.subject_id), victimDone ? 1 : 2, victimDone ? 'a committed make never runs again' : 'the killed make ran again');
    // rolled back: exactly the part rows of committed makes
    assert.equal(Number((await rows<{ n: number }>(env, `SELECT COUNT(*) AS n FROM \`${env.schema}\`.__analysis__detail`))[0]!.n), 12);
    if (reserve) assert.deepEqual(await jobStates(), [], 'no job left reserved');
    const end = run.events.at(-1);
    assert.ok(end?.event === 'end' && end.successCount === 6 && end.errorCount === 0);
  });
}

for (const processes of [1, 2]) {
  // Until issue 10 a first Ctrl-C interrupted the make and recorded the job as the
  // reference does (KeyboardInterrupt): now the second request interrupts it, and its job
  // goes back to pending (runtime/populate/interrupt.ts).
  test(`a second stop request rolls back the make in progress, returns its job to pending and exits 130 (processes ${processes})`, async () => {
    await reset(env, range(4).map((subject_id) => ({ subject_id, delay_ms: 60_000 })));
    const run = dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs', '--processes', String(processes), '--json']);
    await waitFor('make started', async () => new Set((await callRows()).map((r) => r.pid)).size >= processes);
    run.signal('SIGINT');
    run.signal('SIGTERM');
    const code = await run.done;
    assert.equal(code, 130, run.stderr());
    assert.deepEqual(await computed(), [], 'the interrupted makes were rolled back');
    const jobs = await jobStates();
    assert.deepEqual(jobs.filter((j) => j.status !== 'pending'), [], 'no error job, nothing reserved');
    assert.equal(jobs.length, 4, 'every key is still to do');
    const end = run.events.at(-1);
    // The two signals are sent back to back: the process may take them in either order,
    // and the stop is named for the first it took.
    assert.ok(end?.event === 'end' && (end.interrupted === 'SIGINT' || end.interrupted === 'SIGTERM') && end.errorCount === 0 && (end.interruptedCount ?? 0) >= 1, JSON.stringify(end));
  });
}

test('SIGTERM is a stop request like Ctrl-C: the key in progress is finished, no job records it (unlike the reference)', async () => {
  await reset(env, range(3).map((subject_id) => ({ subject_id, delay_ms: 1500 })));
  const run = dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs', '--json']);
  await waitFor('make started', async () => (await callRows()).length >= 1);
  run.signal('SIGTERM');
  assert.equal(await run.done, 130, run.stderr());
  const started = [...new Set((await callRows()).map((r) => r.subject_id))].sort();
  assert.deepEqual(await computed(), started);
  assert.deepEqual((await jobStates()).filter((j) => j.status !== 'pending'), []);
  const end = run.events.at(-1);
  assert.ok(end?.event === 'end' && end.interrupted === 'SIGTERM');
});

test('a third stop request exits at once; the abandoned reservations are re-pended by the next refresh', async () => {
  await reset(env, range(4).map((subject_id) => ({ subject_id, delay_ms: 20000 })));
  const run = dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs', '--processes', '2', '--json']);
  await waitFor('both workers inside make', async () => new Set((await callRows()).map((r) => r.pid)).size >= 2);
  const workers = [...new Set((await callRows()).map((r) => r.pid))];
  run.signal('SIGINT');
  run.signal('SIGTERM');
  run.signal('SIGINT');
  assert.equal(await run.done, 130);
  await waitFor('workers gone', async () =>
    workers.every((pid) => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }),
  );
  assert.deepEqual(await computed(), [], 'nothing committed');
  // whatever the workers managed to record, no key is lost: refresh re-pends dead reservations
  await waitFor('dead reservations re-pended', async () => {
    await jobsForAnalysis().refresh();
    return (await jobStates()).every((j) => j.status !== 'reserved');
  });
  assert.deepEqual((await jobStates()).filter((j) => j.status === 'error'), [], 'no interrupted key recorded as an error');
  assert.equal((await jobStates()).filter((j) => j.status === 'pending').length, 4);
});

test('djx populate exit statuses: 0 all done, 1 a key failed, 2 usage and connection errors', async () => {
  await reset(env, [{ subject_id: 1 }, { subject_id: 2, name: 'fail' }]);
  const ok = dj(['populate', PIPELINE, 'Analysis', '--restriction', 'subject_id = 1']);
  assert.equal(await ok.done, 0, ok.stderr());
  assert.match(ok.stderr(), /Analysis: 1 done, 0 failed/);
  const failed = dj(['populate', PIPELINE, 'Analysis', '--restriction', '{"subject_id": 2}', '--suppress-errors']);
  assert.equal(await failed.done, 1);
  assert.match(failed.stderr(), /RangeError: cannot analyse subject 2/);
  const stopped = dj(['populate', PIPELINE, 'Analysis']);
  assert.equal(await stopped.done, 1);
  assert.match(stopped.stderr(), /make failed for key \{"subject_id":2\}/);
  const noModule = dj(['populate', 'no/such/pipeline.ts', 'Analysis']);
  assert.equal(await noModule.done, 2);
  assert.match(noModule.stderr(), /Pipeline module not found/);
  const noTable = dj(['populate', PIPELINE, 'Nope']);
  assert.equal(await noTable.done, 2);
  assert.match(noTable.stderr(), /No Computed or Imported table named Nope .* exports Analysis, Cumulative, Early, Triple/);
  const badOption = dj(['populate', PIPELINE, 'Analysis', '--limit', 'ten']);
  assert.equal(await badOption.done, 2);
  const badLogin = dj(['populate', PIPELINE, 'Analysis'], { DJ_PASS: 'wrong-password' });
  assert.equal(await badLogin.done, 2);
  assert.doesNotMatch(badLogin.stderr(), /wrong-password/, 'no secret in messages');
});

test('on a terminal: a progress bar with count, rate, ETA and errors, then a summary', async () => {
  await reset(env, [...range(5).map((subject_id) => ({ subject_id })), { subject_id: 6, name: 'fail' }]);
  // `script` runs the command on a pseudo-terminal, as in VS Code's integrated terminal.
  const cmd = [process.execPath, '--import', 'tsx', CLI, 'populate', PIPELINE, 'Analysis', '--suppress-errors'].join(' ');
  const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number>((r) => child.on('exit', (c) => r(c ?? 1)));
  assert.equal(code, 1, out);
  assert.match(out, /Analysis\s+\S+ 6\/6 \| [\d.]+\/s \| ETA \d+s \| errors 1/);
  assert.match(out, /Analysis: 5 done, 1 failed/);
  assert.match(out, /\{"subject_id":6\}: RangeError: cannot analyse subject 6/);
});

test('djx jobs and djx progress, by module and by schema, with --json', async () => {
  await reset(env, [{ subject_id: 1 }, { subject_id: 2, name: 'fail' }, { subject_id: 3 }]);
  const run = dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs', '--suppress-errors', '--json']);
  assert.equal(await run.done, 1);
  const out = async (args: string[]) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env: process.env });
    let s = '';
    child.stdout.on('data', (d: Buffer) => (s += d.toString()));
    const code = await new Promise<number>((r) => child.on('exit', (c) => r(c ?? 1)));
    return { code, s };
  };
  const listed = await out(['jobs', PIPELINE, '--table', 'Analysis', '--status', 'error', '--json']);
  assert.equal(listed.code, 0);
  const parsed = JSON.parse(listed.s) as Array<{ table: string; jobs: Array<{ key: unknown; errorMessage: string }> }>;
  assert.deepEqual(parsed.map((t) => [t.table, t.jobs.map((j) => [j.key, j.errorMessage])]), [['Analysis', [[{ subject_id: 2 }, 'RangeError: cannot analyse subject 2']]]]);
  const stacks = await out(['jobs', env.schema, '--status', 'error', '--stack', '--json']);
  const stack = (JSON.parse(stacks.s) as Array<{ jobs: Array<{ errorStack?: string }> }>)[0]!.jobs[0]!.errorStack ?? '';
  assert.match(stack, /RangeError: cannot analyse subject 2\n\s+at .*counting\.ts:\d+:\d+/, 'the stored stack names the pipeline file');
  assert.doesNotMatch(stack, /data:text\/javascript/);
  const progress = await out(['progress', env.schema, '--table', 'Analysis', '--json']);
  assert.equal(progress.code, 0);
  const p = JSON.parse(progress.s) as Array<{ table: string; remaining: number; total: number; jobs: { error: number } }>;
  assert.deepEqual(
    p.map((x) => [x.table, x.remaining, x.total, x.jobs.error]),
    [['Analysis', 1, 3, 1]],
  );
  const retry = await out(['jobs', 'retry', env.schema, '--table', 'Analysis', '--json']);
  assert.equal(retry.code, 0);
  assert.equal((JSON.parse(retry.s) as Array<{ count: number }>)[0]!.count, 1);
  const ignore = await out(['jobs', 'ignore', PIPELINE, '--table', 'Analysis', '--key', '{"subject_id": 2}', '--json']);
  assert.equal(ignore.code, 0);
  assert.deepEqual(await jobStates(), [{ subject_id: 2, status: 'ignore', error_message: '' }]);
  const clear = await out(['jobs', 'clear', env.schema, '--status', 'ignore', '--json']);
  assert.equal(clear.code, 0);
  assert.deepEqual(await jobStates(), []);
  const bad = await out(['jobs', 'list', 'no_such_schema_xyz']);
  assert.equal(bad.code, 2);
});
