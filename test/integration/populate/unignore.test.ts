// Table.jobs.unignore: an ignored key is a plain `ignore` job row (jobs.py ignore; notes
// §7.5); deleting it makes the key an ordinary missing key, which the next populate makes.
// Only `ignore` rows go: error jobs of the same keys stay.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { populate, jobsFor } from '../../../runtime/populate/index';
import { calls, range, reset, rows, setup, type Env } from './helpers';

let env: Env;
before(async () => {
  env = await setup('djpop_unignore');
});
after(async () => env?.close());

test('unignore deletes the ignore rows of these keys (or all); the next populate makes them', async () => {
  await reset(env, [...range(4).map((subject_id) => ({ subject_id })), { subject_id: 7, name: 'fail' }]);
  const jobs = jobsFor(env.pipeline.Analysis);
  await jobs.ignore([{ subject_id: 1 }, { subject_id: 2 }, { subject_id: 3 }]);
  await populate(env.pipeline.Analysis, { reserveJobs: true, suppressErrors: true });
  assert.equal((await calls(env, 'Analysis')).has(1), false);
  assert.deepEqual((await jobs.ignored()).map((j) => j.key.subject_id).sort(), [1, 2, 3]);

  assert.equal(await jobs.unignore([{ subject_id: 1 }, { subject_id: 7 }]), 1, 'the error job of key 7 is not an ignore row');
  assert.deepEqual((await jobs.ignored()).map((j) => j.key.subject_id).sort(), [2, 3]);
  assert.equal((await jobs.errors()).length, 1);
  const r = await populate(env.pipeline.Analysis, { reserveJobs: true, suppressErrors: true });
  assert.equal(r.successCount, 1);
  assert.equal((await calls(env, 'Analysis')).get(1), 1);

  assert.equal(await jobs.unignore(), 2);
  const left = await rows<{ subject_id: number; status: string }>(env, `SELECT subject_id, status FROM \`${env.schema}\`.\`~~analysis\` ORDER BY 1`);
  assert.deepEqual(left.map((j) => [j.subject_id, j.status]), [[7, 'error']]);
});
