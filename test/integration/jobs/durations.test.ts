// How long a table's makes took (runtime/jobs/durations.ts), on a real server (both
// backends): from the target's `_job_*` columns written by populate with add_job_metadata,
// and from the jobs table's success rows with keep_completed; p50/p95 by nearest rank, the
// slowest keys and the versions that made them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { populate, jobsFor } from '../../../runtime/populate/index';
import { percentileOffset } from '../../../runtime/jobs/durations';
import { range, reset, setup, type Env } from '../populate/helpers';

let env: Env;
before(async () => {
  Object.assign(process.env, { DJ_JOBS_ADD_JOB_METADATA: 'true', DJ_JOBS_KEEP_COMPLETED: 'true', DJ_JOBS_VERSION_METHOD: 'none' });
  env = await setup('djjobs_dur');
});
after(async () => {
  for (const k of ['DJ_JOBS_ADD_JOB_METADATA', 'DJ_JOBS_KEEP_COMPLETED', 'DJ_JOBS_VERSION_METHOD']) delete process.env[k];
  await env?.close();
});

const T = () => `\`${env.schema}\`.\`__analysis\``;
const J = () => `\`${env.schema}\`.\`~~analysis\``;

test('nearest-rank offsets', () => {
  assert.equal(percentileOffset(0.5, 4), 1);
  assert.equal(percentileOffset(0.95, 20), 18);
  assert.equal(percentileOffset(0.95, 1), 0);
  assert.equal(percentileOffset(0.5, 1), 0);
});

test("a table's durations from its _job_* columns: percentiles, slowest keys, versions", async () => {
  await reset(env, range(20).map((subject_id) => ({ subject_id })));
  assert.equal((await populate(env.pipeline.Analysis)).successCount, 20);
  // Durations set to known values (a make's real duration is noise): subject n took n/10 s,
  // and two code versions made the rows.
  for (const id of range(20)) {
    await env.sql.query(`UPDATE ${T()} SET \`_job_duration\` = ?, \`_job_version\` = ? WHERE \`subject_id\` = ?`, [id / 10, id <= 15 ? 'abc1234' : 'def5678', id]);
  }
  const d = await jobsFor(env.pipeline.Analysis).durations();
  assert.ok(d);
  assert.equal(d.source, 'target');
  assert.equal(d.count, 20);
  assert.ok(Math.abs(d.p50 - 1.0) < 1e-6, `p50 ${d.p50}`);
  assert.ok(Math.abs(d.p95 - 1.9) < 1e-6, `p95 ${d.p95}`);
  assert.ok(Math.abs(d.max - 2.0) < 1e-6);
  assert.deepEqual(d.slowest.map((s) => Number(s.key.subject_id)), [20, 19, 18, 17, 16]);
  assert.equal(d.slowest[0]!.version, 'def5678');
  assert.deepEqual(d.versions, [
    { version: 'abc1234', count: 15 },
    { version: 'def5678', count: 5 },
  ]);
});

test('without _job_duration values the success rows of the jobs table answer; none at all is undefined', async () => {
  await reset(env, range(3).map((subject_id) => ({ subject_id })));
  assert.equal(await jobsFor(env.pipeline.Analysis).durations(), undefined, 'nothing made yet');
  assert.equal((await populate(env.pipeline.Analysis, { reserveJobs: true })).successCount, 3);
  await env.sql.query(`UPDATE ${T()} SET \`_job_duration\` = NULL`);
  for (const id of range(3)) await env.sql.query(`UPDATE ${J()} SET \`duration\` = ?, \`version\` = 'v1' WHERE \`subject_id\` = ?`, [id, id]);
  const d = await jobsFor(env.pipeline.Analysis).durations();
  assert.ok(d);
  assert.equal(d.source, 'jobs');
  assert.equal(d.count, 3);
  assert.equal(d.p50, 2);
  assert.equal(d.p95, 3);
  assert.deepEqual(d.slowest.map((s) => [Number(s.key.subject_id), s.seconds]), [
    [3, 3],
    [2, 2],
    [1, 1],
  ]);
  assert.deepEqual(d.versions, [{ version: 'v1', count: 3 }]);
});
