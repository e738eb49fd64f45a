// After kill -9 of a `djx populate --reserve-jobs` worker, its reservations stay behind;
// DataJoint for Python's populate never takes them. `djx jobs recover` re-pends them (the
// holder is known dead: its process on this host has exited), never one of a key that is
// already computed, and a real Python populate(reserve_jobs=True) then completes every key.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { jobsFor } from '../../../runtime/populate/index';
import { PIPELINE, range, reset, rows, setup, type Env } from '../populate/helpers';
import { pythonInterpreter, runDj, runPython, waitUntil } from './helpers';

let env: Env;
before(async () => {
  await pythonInterpreter();
  env = await setup('djpy_recover');
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
