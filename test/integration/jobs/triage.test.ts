// Error triage on a real server (both backends): a table's errors, written by our populate
// and by DataJoint for Python's statements, grouped by type and pattern
// (runtime/jobs/triage.ts); a group retried, ignored and un-ignored as a set of keys,
// in batches for sets larger than one statement binds.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { populate, jobsFor } from '../../../runtime/populate/index';
import { KEY_BATCH } from '../../../runtime/jobs/queue';
import { groupLabel } from '../../../runtime/jobs/triage';
import { range, reset, rows, setup, type Env } from '../populate/helpers';

let env: Env;
before(async () => {
  env = await setup('djjobs_tri');
});
after(async () => env?.close());

const J = () => `\`${env.schema}\`.\`~~analysis\``;
const ids = (keys: Array<Record<string, unknown>>) => keys.map((k) => Number(k.subject_id)).sort((a, b) => a - b);

async function statuses(): Promise<Array<[number, string]>> {
  return (await rows<{ subject_id: number; status: string }>(env, `SELECT subject_id, status FROM ${J()} ORDER BY subject_id`)).map((r) => [Number(r.subject_id), String(r.status)]);
}

// Subjects 2, 4 and 6 fail in our make (RangeError); 7 and 8 failed in a Python worker,
// whose error() is jobs.py's update1 of status, message and completed_time.
beforeEach(async () => {
  await reset(env, range(8).map((subject_id) => ({ subject_id, name: [2, 4, 6].includes(subject_id) ? 'fail' : `s${subject_id}` })));
  await jobsFor(env.pipeline.Analysis).refresh();
  for (const id of [7, 8]) {
    await env.sql.query(`UPDATE ${J()} SET \`status\`='error', \`completed_time\`=CURRENT_TIMESTAMP(3), \`error_message\`=?, \`host\`='python-host' WHERE \`subject_id\`=?`, [
      `ValueError: no calibration file '/data/subject${id}/cal.npy'`,
      id,
    ]);
  }
  const r = await populate(env.pipeline.Analysis, { reserveJobs: true, suppressErrors: true });
  assert.equal(r.successCount, 3, 'subjects 1, 3 and 5');
});

test("a table's errors grouped by exception type and message pattern, with counts", async () => {
  const j = jobsFor(env.pipeline.Analysis);
  const { groups, grouped, total } = await j.errorGroups();
  assert.equal(total, 5);
  assert.equal(grouped, 5);
  assert.deepEqual(
    groups.map((g) => [groupLabel(g), g.count, ids(g.keys)]),
    [
      ['RangeError: cannot analyse subject <n>', 3, [2, 4, 6]],
      ['ValueError: no calibration file <path>', 2, [7, 8]],
    ],
  );
  assert.match(groups[0]!.sample.errorMessage, /^RangeError: cannot analyse subject [246]$/);
  assert.equal(groups[1]!.sample.host, 'python-host');
  assert.ok(groups[0]!.sample.completedTime, 'the time of the error');
  // Fewer read than there are: the exact total still says how many.
  const some = await j.errorGroups(2);
  assert.deepEqual([some.grouped, some.total], [2, 5]);
  assert.equal(some.groups.reduce((n, g) => n + g.count, 0), 2);
});

test('Retry of a group deletes just its error jobs; the next populate computes the keys once fixed', async () => {
  const j = jobsFor(env.pipeline.Analysis);
  const [range_] = (await j.errorGroups()).groups;
  assert.equal(await j.retryKeys(range_!.keys), 3);
  assert.deepEqual(await statuses(), [
    [7, 'error'],
    [8, 'error'],
  ]);
  const left = (await j.errorGroups()).groups;
  assert.deepEqual(
    left.map((g) => [g.type, g.count]),
    [['ValueError', 2]],
  );
  // A retried key is an ordinary missing key again.
  await env.sql.query(`UPDATE \`${env.schema}\`.\`subject\` SET \`name\` = 'fixed' WHERE \`subject_id\` IN (2, 4, 6)`);
  const r = await populate(env.pipeline.Analysis, range_!.keys, { reserveJobs: true, suppressErrors: true });
  assert.equal(r.successCount, 3);
  assert.deepEqual(r.errorList, []);
  assert.deepEqual(await statuses(), [
    [7, 'error'],
    [8, 'error'],
  ]);
});

test('Ignore of a group, the ignored keys listed, Un-ignore of some; each acts only on its status', async () => {
  const j = jobsFor(env.pipeline.Analysis);
  const groups = (await j.errorGroups()).groups;
  const value = groups.find((g) => g.type === 'ValueError')!;
  // A key of the group read earlier whose job is no longer an error (retried, reserved by a
  // worker meanwhile) is not ignored.
  await env.sql.query(`UPDATE \`${env.schema}\`.\`~~analysis\` SET status = 'reserved' WHERE subject_id = 8`);
  assert.equal(await j.ignoreErrors(value.keys), 1);
  assert.deepEqual(ids(await j.ignoredKeys()), [7]);
  await env.sql.query(`UPDATE \`${env.schema}\`.\`~~analysis\` SET status = 'error' WHERE subject_id = 8`);
  assert.equal(await j.ignoreErrors(value.keys), 1);
  assert.deepEqual(ids(await j.ignoredKeys()), [7, 8]);
  assert.deepEqual(
    (await j.errorGroups()).groups.map((g) => g.type),
    ['RangeError'],
  );
  // Retry does not touch an ignored key, nor Un-ignore an error.
  assert.equal(await j.retryKeys([{ subject_id: 7 }]), 0);
  assert.equal(await j.unignoreKeys([{ subject_id: 2 }]), 0);
  assert.equal(await j.unignoreKeys([{ subject_id: 7 }]), 1);
  assert.deepEqual(ids(await j.ignoredKeys()), [8]);
  assert.deepEqual(await statuses(), [
    [2, 'error'],
    [4, 'error'],
    [6, 'error'],
    [8, 'ignore'],
  ]);
  assert.deepEqual(ids(await j.ignoredKeys(0)), []);
});

test('a set of keys larger than one statement binds is ignored, retried and un-ignored in batches', async () => {
  const j = jobsFor(env.pipeline.Analysis);
  const many = range(KEY_BATCH * 2 + 17, 1001).map((subject_id) => ({ subject_id }));
  assert.equal(await j.ignoreKeys(many), many.length);
  assert.equal((await j.ignoredKeys()).length, many.length);
  // Errors among many keys that have none: only the errors go.
  assert.equal(await j.retryKeys([...many, { subject_id: 2 }, { subject_id: 4 }]), 2);
  assert.equal(await j.unignoreKeys([...many, { subject_id: 6 }]), many.length);
  assert.deepEqual(await statuses(), [
    [6, 'error'],
    [7, 'error'],
    [8, 'error'],
  ]);
});
