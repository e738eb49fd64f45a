// Settings that change what populate writes (settings.py: JobsSettings, notes §7.8):
// jobs.add_job_metadata (hidden _job_* columns filled after commit), jobs.keep_completed
// (success rows with duration), jobs.version_method = git (version columns), and
// jobs.auto_refresh = false. Set in the environment before the pipeline is declared.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { populate, jobsFor } from '../../../runtime/populate/index';
import { range, reset, rows, setup, type Env } from './helpers';

let env: Env;
let gitVersion = '';
before(async () => {
  Object.assign(process.env, {
    DJ_JOBS_ADD_JOB_METADATA: 'true',
    DJ_JOBS_KEEP_COMPLETED: 'true',
    DJ_JOBS_VERSION_METHOD: 'git',
    DJ_JOBS_AUTO_REFRESH: 'false',
  });
  gitVersion = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  env = await setup('djpop_set');
});
after(async () => env?.close());

test('hidden job metadata is written after each commit (add_job_metadata, version_method git)', async () => {
  await reset(env, range(3).map((subject_id) => ({ subject_id })));
  const before = Date.now();
  assert.equal((await populate(env.pipeline.Analysis)).successCount, 3);
  const meta = await rows<{ s: string; d: number; v: string }>(env, `SELECT _job_start_time AS s, _job_duration AS d, _job_version AS v FROM \`${env.schema}\`.__analysis ORDER BY subject_id`);
  assert.equal(meta.length, 3);
  for (const m of meta) {
    assert.ok(m.s, 'start time set');
    assert.ok(Math.abs(new Date(m.s).getTime() - before) < 60_000, 'start time is local now');
    assert.ok(m.d > 0 && m.d < 60);
    assert.equal(m.v, gitVersion);
  }
});

test('keep_completed keeps success rows with durations; auto_refresh off needs an explicit refresh', async () => {
  await reset(env, range(4).map((subject_id) => ({ subject_id })));
  // auto_refresh is off: nothing queued, nothing done
  assert.equal((await populate(env.pipeline.Analysis, { reserveJobs: true })).successCount, 0);
  assert.equal((await populate(env.pipeline.Analysis, { reserveJobs: true, refresh: true })).successCount, 4);
  const jobs = await rows<{ status: string; duration: number; completed_time: string; version: string }>(env, `SELECT status, duration, completed_time, version FROM \`${env.schema}\`.\`~~analysis\``);
  assert.equal(jobs.length, 4);
  for (const j of jobs) {
    assert.equal(j.status, 'success');
    assert.ok(j.duration > 0);
    assert.ok(j.completed_time);
    assert.equal(j.version, gitVersion);
  }
  assert.equal((await jobsFor(env.pipeline.Analysis).completed()).length, 4);
  // a success whose row was deleted is pending again after a refresh (jobs.py: refresh re-pend)
  await env.sql.query(`DELETE FROM \`${env.schema}\`.__analysis__detail WHERE subject_id = 2`);
  await env.sql.query(`DELETE FROM \`${env.schema}\`.__analysis WHERE subject_id = 2`);
  assert.equal((await jobsFor(env.pipeline.Analysis).refresh()).rePended, 1);
  assert.equal((await populate(env.pipeline.Analysis, { reserveJobs: true })).successCount, 1);
});
