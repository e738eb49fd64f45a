// DataJoint for Python's populate(processes=2) on a second host beside our
// `djx populate --reserve-jobs` on one table. Python's workers record their parent's
// connection id, which the parent closed before forking: a reservation from another
// host must never be taken on that ground (issue 10), or the key is made twice and the
// Python run aborts when its job row is gone. Runs on the backend of DJ_TEST_BACKEND
// (MariaDB or PostgreSQL: there the parent's id is a pg_backend_pid() that
// pg_stat_activity no longer lists, and the rule is the same).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpus } from 'node:os';
import { jobsFor } from '../../../runtime/populate/index';
import { PIPELINE, calls, range, reset, rows, sessionListed, setup, type Env } from '../populate/helpers';
import { pythonInterpreter, runDj, runPython, waitUntil } from './helpers';

let env: Env;
before(async () => {
  await pythonInterpreter();
  env = await setup('djpy_mixed');
  // The gate is read outside make's transaction: MyISAM on MySQL; on PostgreSQL through
  // counting.py's own autocommit connection.
  const engine = env.backend === 'mysql' ? ' ENGINE=MyISAM' : '';
  await env.sql.query(`CREATE TABLE \`${env.schema}\`.python_gate (id int NOT NULL PRIMARY KEY, open smallint NOT NULL)${engine}`);
  await env.sql.query(`INSERT INTO \`${env.schema}\`.python_gate VALUES (1, 0)`);
});
after(async () => env?.close());

const gate = (open: boolean) => env.sql.query(`UPDATE \`${env.schema}\`.python_gate SET open = ? WHERE id = 1`, [open ? 1 : 0]);
const count = async (sql: string, params: unknown[] = []) => Number((await rows<{ n: number }>(env, sql, params))[0]!.n);
const J = () => `\`${env.schema}\`.\`~~analysis\``;
// DataJoint for Python caps processes at the core count (autopopulate.py: _populate_distributed).
const PY_WORKERS = Math.min(2, cpus().length);

for (const run of [1, 2, 3]) {
  test(`run ${run}: Python populate(processes=2) on another host beside djx populate --reserve-jobs makes every key once`, async () => {
    const keys = range(6);
    await reset(env, keys.map((subject_id) => ({ subject_id })));
    await (await jobsFor(env.pipeline.Analysis).queue()).refresh();
    await gate(false);
    const py = await runPython('counting.py', ['2'], { host: 'other-host', env: { DJ_TEST_GATE: '1' } });
    try {
      // Every Python worker holds a key and is inside make (held there by the gate).
      await waitUntil(
        'the Python workers inside make',
        async () =>
          (await count(`SELECT COUNT(*) AS n FROM ${J()} WHERE status = 'reserved' AND host = 'other-host'`)) === PY_WORKERS &&
          (await count(`SELECT COUNT(*) AS n FROM \`${env.schema}\`.make_calls WHERE kwargs = 'python'`)) === PY_WORKERS,
        [py],
      );
      // The premise: those rows record the parent's connection, closed before the fork
      // (MySQL's CONNECTION_ID(), PostgreSQL's pg_backend_pid()): the server lists no
      // such session, and the holders run on a host we cannot look at.
      const held = await rows<{ connection_id: unknown }>(env, `SELECT DISTINCT connection_id FROM ${J()} WHERE status = 'reserved' AND host = 'other-host'`);
      assert.equal(held.length, 1, 'every Python worker records the one parent connection');
      assert.equal(await sessionListed(env, Number(held[0]!.connection_id)), false, "the parent's session is closed");
      const ours = runDj(['populate', PIPELINE, 'Analysis', '--reserve-jobs']);
      assert.equal(await ours.done, 0, ours.stderr());
      assert.equal(await count(`SELECT COUNT(*) AS n FROM ${J()} WHERE status = 'reserved' AND host = 'other-host'`), PY_WORKERS, "the Python workers' reservations are theirs still");
    } finally {
      await gate(true);
      await py.done;
    }
    const code = await py.done;
    assert.equal(code, 0, `Python populate exited ${code}\n${py.stderr()}`);
    const result = JSON.parse(py.stdout().trim().split('\n').pop()!) as { success_count: number; errors: string[] };
    assert.deepEqual(result.errors, []);
    assert.equal(result.success_count, PY_WORKERS);
    const made = await calls(env, 'Analysis');
    assert.deepEqual([...made.entries()].filter(([, n]) => n !== 1), [], 'no key made twice');
    assert.deepEqual([...made.keys()].sort((a, b) => a - b), keys);
    assert.equal(await count(`SELECT COUNT(*) AS n FROM \`${env.schema}\`.__analysis`), keys.length);
    assert.equal(await count(`SELECT COUNT(*) AS n FROM ${J()}`), 0, 'every job completed');
  });
}
