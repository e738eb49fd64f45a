// Sharing one queue with DataJoint for Python: the reference's own statements (jobs.py,
// as traced in the notes §6.4, §7.3–7.5) run next to ours on the same ~~name table.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { populate, jobsFor } from '../../../runtime/populate/index';
import { calls, range, reset, rows, setup, type Env } from '../populate/helpers';

let env: Env;
before(async () => {
  env = await setup('djjobs_py');
});
after(async () => env?.close());

const J = () => `\`${env.schema}\`.\`~~analysis\``;

// jobs.py: Job.reserve, verbatim apart from the values.
async function pythonReserve(subjectId: number): Promise<boolean> {
  const [res] = await env.sql.query(
    `UPDATE ${J()} SET \`status\`=?, \`host\`=?, \`pid\`=?, \`connection_id\`=?, \`user\`=?, \`version\`=?, \`reserved_time\`=CURRENT_TIMESTAMP(3) ` +
      "WHERE (`subject_id`=?) AND `status`='pending' AND `scheduled_time` <= CURRENT_TIMESTAMP(3)",
    ['reserved', 'python-host', 4242, 7, 'dj@python', '', subjectId],
  );
  return (res as { affectedRows: number }).affectedRows === 1;
}

test('jobs added by Python (one INSERT per key) are computed by our populate, and vice versa', async () => {
  await reset(env, range(6).map((subject_id) => ({ subject_id })));
  await jobsFor(env.pipeline.Analysis).refresh([], { priority: 5 });
  await env.sql.query(`DELETE FROM ${J()}`);
  // jobs.py: refresh — insert1({pk, status: 'pending', priority, scheduled_time}) per key
  const [[now]] = (await env.sql.query('SELECT CURRENT_TIMESTAMP(3) + INTERVAL -1 SECOND AS t')) as unknown as [[{ t: Date }]];
  for (const id of [1, 2, 3]) {
    await env.sql.query(`INSERT INTO ${J()} (\`subject_id\`, \`status\`, \`priority\`, \`scheduled_time\`) VALUES (?, 'pending', 5, ?)`, [id, now!.t]);
  }
  // a Python worker holds key 3
  assert.equal(await pythonReserve(3), true);
  const r = await populate(env.pipeline.Analysis, { reserveJobs: true, refresh: false });
  assert.equal(r.successCount, 2, 'keys 1 and 2; key 3 is reserved by the Python worker');
  assert.deepEqual([...(await calls(env, 'Analysis')).keys()].sort(), [1, 2]);
  const left = await rows<{ subject_id: number; status: string; host: string }>(env, `SELECT subject_id, status, host FROM ${J()}`);
  assert.deepEqual(left, [{ subject_id: 3, status: 'reserved', host: 'python-host' }]);
  // our refresh adds 4..6, which the Python reserve can take one by one
  await jobsFor(env.pipeline.Analysis).refresh([], { delay: -1 });
  assert.equal(await pythonReserve(4), true);
  assert.equal(await pythonReserve(4), false, 'a second reservation fails, as in test_jobs.py');
});

test('a key we reserved cannot be reserved by Python, and our statuses are the ones Python reads', async () => {
  await reset(env, range(2).map((subject_id) => ({ subject_id })));
  const jobs = jobsFor(env.pipeline.Analysis);
  await jobs.refresh([], { delay: -1 });
  const q = await jobs.queue();
  const { workerIdentity } = await import('../../../runtime/jobs/identity');
  const key = await q.claim(await workerIdentity(q.session));
  assert.ok(key);
  assert.equal(await pythonReserve(Number(key.subject_id)), false);
  await q.error(key, 'ValueError: x', 'Traceback');
  const statuses = await rows<{ status: string }>(env, `SELECT DISTINCT status FROM ${J()} ORDER BY status`);
  for (const s of statuses) assert.ok(['pending', 'reserved', 'success', 'error', 'ignore'].includes(s.status));
  // Python's "retry": delete the error rows, then refresh
  await env.sql.query(`DELETE FROM ${J()} WHERE status = 'error'`);
  assert.equal((await jobs.refresh()).added, 1);
});
