// After kill -9 of a `djx populate --reserve-jobs` worker, its reservations stay behind;
// DataJoint for Python's populate never takes them. `djx jobs recover` re-pends them (the
// holder is known dead: its process on this host has exited), never one of a key that is
// already computed, and a real Python populate(reserve_jobs=True) then completes every key.
// And the other way round: a Python worker killed -9 inside make leaves its reservation,
// which `djx jobs recover` re-pends once its holder is known dead, and `djx populate`
// completes. Runs on the backend of DJ_TEST_BACKEND: on PostgreSQL a holder's session is
// its pg_backend_pid(), known closed when pg_stat_activity no longer lists that client
// backend (runtime/dialect/fragments.ts: sessionOpen; runtime/jobs/holder.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { jobsFor } from '../../../runtime/populate/index';
import { PIPELINE, range, reset, rows, sessionListed, setup, type Env } from '../populate/helpers';
import { pythonInterpreter, runDj, runPython, waitUntil } from './helpers';

let env: Env;
before(async () => {
  await pythonInterpreter();
  env = await setup('djpy_recover');
  // Read by counting.py's makes outside their transaction: MyISAM on MySQL, through its
  // own autocommit connection on PostgreSQL.
  const engine = env.backend === 'mysql' ? ' ENGINE=MyISAM' : '';
  await env.sql.query(`CREATE TABLE \`${env.schema}\`.python_gate (id int NOT NULL PRIMARY KEY, open smallint NOT NULL)${engine}`);
  await env.sql.query(`INSERT INTO \`${env.schema}\`.python_gate VALUES (1, 1)`);
});
after(async () => env?.close());

const J = () => `\`${env.schema}\`.\`~~analysis\``;
const ids = (rs: Array<{ subject_id: unknown }>) => rs.map((r) => Number(r.subject_id)).sort((a, b) => a - b);

test('kill -9 of djx populate, djx jobs recover, then Python populate(reserve_jobs=True) completes every key', async () => {
  const keys = range(8);
  await reset(env, keys.map((subject_id) => ({ subject_id, delay_ms: 300 })));
  const jobs = jobsFor(env.pipeline.Analysis);
  await jobs.refresh([], { delay: -1 });
  const ours = runDj(['populate', PIPELINE, 'Analysis', '--reserve-jobs']);
  // Two keys made and the third in its make.
  await waitUntil('our third make', async () => (await rows(env, `SELECT 1 FROM \`${env.schema}\`.make_calls WHERE kwargs = ''`)).length >= 3, [ours]);
  const mine = () => jobs.reserved().then((rs) => rs.filter((j) => j.pid === ours.pid));
  assert.ok((await mine()).every((j) => j.holder === 'alive'));
  process.kill(ours.pid, 'SIGKILL');
  await ours.done;
  await waitUntil('the killed holder known dead', async () => (await mine()).every((j) => j.holder === 'gone'));
  const left = ids((await mine()).map((j) => j.key as { subject_id: unknown }));
  assert.ok(left.length > 0, 'killed mid-run, the worker held at least the key in progress');
  const computed = ids(await rows<{ subject_id: number }>(env, `SELECT subject_id FROM \`${env.schema}\`.__analysis`));
  assert.deepEqual(ids(await rows<{ subject_id: number }>(env, `SELECT subject_id FROM ${J()} WHERE status = 'reserved'`)), left);

  const rec = runDj(['jobs', 'recover', PIPELINE, '--table', 'Analysis', '--json']);
  assert.equal(await rec.done, 0, rec.stderr());
  const [out] = JSON.parse(rec.stdout()) as Array<{ rePended: Array<{ subject_id: number }>; completed: Array<{ subject_id: number }> }>;
  assert.deepEqual(ids([...out!.rePended, ...out!.completed]), left, 'every reservation of the killed worker is recovered');
  assert.deepEqual(ids(out!.rePended).filter((k) => computed.includes(k)), [], 'no computed key is re-pended');
  assert.equal((await jobs.reserved()).length, 0);

  const py = await runPython('counting.py', ['1']);
  const code = await py.done;
  assert.equal(code, 0, `Python populate exited ${code}\n${py.stderr()}`);
  const result = JSON.parse(py.stdout().trim().split('\n').pop()!) as { success_count: number; errors: string[] };
  assert.deepEqual(result.errors, []);
  assert.equal(result.success_count, keys.length - computed.length);
  assert.deepEqual(ids(await rows<{ subject_id: number }>(env, `SELECT subject_id FROM \`${env.schema}\`.__analysis`)), keys);
  assert.deepEqual(await rows(env, `SELECT subject_id, status FROM ${J()}`), [], 'every job completed');
  const python = ids(await rows<{ subject_id: number }>(env, `SELECT subject_id FROM \`${env.schema}\`.make_calls WHERE kwargs = 'python'`));
  assert.deepEqual(python, keys.filter((k) => !computed.includes(k)), 'Python made exactly the keys left');
  // The populate loop's part of issue 10 (a committed key never keeps its reservation),
  // last so that everything above is checked whatever the loop does.
  assert.deepEqual(left.filter((k) => computed.includes(k)), [], 'the killed worker held no reservation of a computed key');
});

test('kill -9 of a Python populate(reserve_jobs=True) worker inside make: its holder known gone, djx jobs recover re-pends the key, djx populate completes every key', async () => {
  const keys = range(5);
  await reset(env, keys.map((subject_id) => ({ subject_id })));
  const jobs = jobsFor(env.pipeline.Analysis);
  await jobs.refresh([], { delay: -1 });
  const gate = (open: boolean) => env.sql.query(`UPDATE \`${env.schema}\`.python_gate SET open = ? WHERE id = 1`, [open ? 1 : 0]);
  await gate(false);
  try {
    const py = await runPython('counting.py', ['1'], { env: { DJ_TEST_GATE: '1' } });
    // Its first key reserved and its make under way (held there by the gate).
    await waitUntil(
      'the Python worker inside make',
      async () =>
        (await rows(env, `SELECT 1 FROM ${J()} WHERE status = 'reserved' AND pid = ?`, [py.pid])).length === 1 &&
        (await rows(env, `SELECT 1 FROM \`${env.schema}\`.make_calls WHERE kwargs = 'python'`)).length === 1,
      [py],
    );
    const [held] = await rows<{ subject_id: unknown; connection_id: unknown }>(env, `SELECT subject_id, connection_id FROM ${J()} WHERE status = 'reserved'`);
    const key = Number(held!.subject_id);
    // Python records its own session (MySQL's CONNECTION_ID(), PostgreSQL's
    // pg_backend_pid()), this host and its pid: while it runs, the holder lives.
    assert.equal(await sessionListed(env, Number(held!.connection_id)), true, "the Python worker's session is listed");
    const holders = () => jobs.reserved().then((rs) => rs.filter((j) => j.pid === py.pid));
    assert.deepEqual((await holders()).map((j) => j.holder), ['alive']);
    process.kill(py.pid, 'SIGKILL');
    await py.done;
    await waitUntil('the killed Python holder known dead', async () => (await holders()).every((j) => j.holder === 'gone'));
    assert.equal(await sessionListed(env, Number(held!.connection_id)), false, 'the server ended its session');
    assert.deepEqual(await rows(env, `SELECT subject_id FROM \`${env.schema}\`.__analysis`), [], 'its make rolled back');
    assert.deepEqual(ids(await rows<{ subject_id: number }>(env, `SELECT subject_id FROM ${J()} WHERE status = 'reserved'`)), [key], 'its reservation stays behind');

    const rec = runDj(['jobs', 'recover', PIPELINE, '--table', 'Analysis', '--json']);
    assert.equal(await rec.done, 0, rec.stderr());
    const [out] = JSON.parse(rec.stdout()) as Array<{ rePended: Array<{ subject_id: number }>; completed: Array<{ subject_id: number }> }>;
    assert.deepEqual(ids(out!.rePended), [key], 'the dead Python holder loses its reservation');
    assert.deepEqual(out!.completed, []);
    assert.equal((await jobs.reserved()).length, 0);
  } finally {
    await gate(true);
  }
  const ours = runDj(['populate', PIPELINE, 'Analysis', '--reserve-jobs']);
  assert.equal(await ours.done, 0, ours.stderr());
  assert.deepEqual(ids(await rows<{ subject_id: number }>(env, `SELECT subject_id FROM \`${env.schema}\`.__analysis`)), keys);
  assert.deepEqual(ids(await rows<{ subject_id: number }>(env, `SELECT subject_id FROM \`${env.schema}\`.make_calls WHERE kwargs = ''`)), keys, 'djx made every key, the re-pended one too');
  assert.deepEqual(await rows(env, `SELECT subject_id, status FROM ${J()}`), [], 'every job completed');
});
