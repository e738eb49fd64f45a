// The shipped Python runner names its MySQL sessions inside a SLURM task as our workers do
// (python/datajoint_vscode_runner.py: name_mysql_sessions), so the Jobs and Workers views
// trace a Python worker's reservations to its task on MySQL/MariaDB too (on PostgreSQL libpq
// reads PGAPPNAME itself). Real DataJoint for Python and pymysql against the test MariaDB,
// which runs with performance_schema on, as MySQL 8 does by default.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { testServer } from '../runtime/helpers';
import { slurmTaskOf } from '../../../runtime/connection/session-name';
import { dbEnv, runPython } from './helpers';

const RUNNER = join(__dirname, '..', '..', '..', 'python', 'datajoint_vscode_runner.py');
let server: Awaited<ReturnType<typeof testServer>>;
before(async () => {
  server = await testServer();
});
after(async () => server?.stop());

const probe = async (env: Record<string, string>) => {
  const run = await runPython('session_name_probe.py', [RUNNER], { env: { ...dbEnv(server), ...env } });
  assert.equal(await run.done, 0, run.stderr());
  // The last line: DataJoint logs its connection on stdout before it.
  return JSON.parse(run.stdout().trim().split('\n').at(-1)!) as string | null;
};

test("a SLURM task's PGAPPNAME names the runner's MySQL session, and the views read the task from it", async () => {
  const name = await probe({ PGAPPNAME: 'djx-worker slurm=4242_7' });
  assert.equal(name, 'djx-worker slurm=4242_7');
  assert.deepEqual(slurmTaskOf(name ?? undefined), { job: '4242', task: '7', id: '4242_7' });
});

test('outside a SLURM task the runner leaves the session unnamed, as DataJoint for Python does', async () => {
  assert.equal(await probe({ PGAPPNAME: '' }), null);
});
