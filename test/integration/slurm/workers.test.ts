// Workers launched on a real one-node SLURM cluster (scripts/slurm.mjs; scripts/test.mjs
// starts it for these files: it needs root and Debian's slurm-wlm, which CI has — a
// developer without root gets the message of scripts/slurm.mjs saying so) by the sbatch
// script of runtime/slurm/sbatch-script.ts, over the chain pipeline (Recording → Trace →
// Spikes → Rates: test/fixtures/pipelines/chain.ts, and worker_chain.py for DataJoint for
// Python) on the test server. The connection reaches the tasks through the environment
// sbatch passes on; the scripts hold no password.
//   - an array of 4 of our workers and an array of 2 DataJoint for Python workers on 1,000
//     keys: every key made once per table, each table's make after its parent's;
//   - scancel of one task while its make runs (killed after KillWait, its reservation held):
//     no key lost, the other task finishes the rest;
//   - the time limit's SIGTERM (the script's `--signal=B:TERM@grace`, sent here as the time
//     limit sends it: `scancel --signal=TERM --batch`): the worker finishes its key and exits
//     on its own (exit 130, no SIGKILL), taking no new key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chain, cluster, count, ended, logs, submit, tasks, until, CHAIN_PY, CHAIN_TS, type ChainEnv, type Cluster } from './helpers';
import { pythonInterpreter } from '../python/helpers';

let slurm: Cluster;
before(async () => {
  slurm = await cluster();
});
after(async () => {
  await slurm?.stop();
});

const TABLES = ['trace', 'spikes', 'rates'] as const;

async function addRecordings(env: ChainEnv, n: number): Promise<void> {
  const rows = Array.from({ length: n }, (_, i) => [i + 1]);
  for (let i = 0; i < rows.length; i += 500) await env.sql.query(`INSERT INTO ${env.q('recording')} (recording_id) VALUES ?`, [rows.slice(i, i + 500)]);
}

const gate = (env: ChainEnv, open: boolean) => env.sql.query(`UPDATE ${env.q('gate')} SET open = ? WHERE id = 1`, [open ? 1 : 0]);
const workersInMake = (env: ChainEnv) => count(env, `SELECT COUNT(DISTINCT pid) AS n FROM ${env.q('make_log')}`);
const reserved = async (env: ChainEnv, tables: readonly string[] = TABLES) => {
  let n = 0;
  for (const t of tables) n += await count(env, `SELECT COUNT(*) AS n FROM ${env.q(`~~${t}`)} WHERE status = 'reserved'`);
  return n;
};

test('4 of our workers and 2 DataJoint for Python workers as SLURM array jobs: 1,000 keys, each made once, parents first', async () => {
  const env = await chain('slurm_pool', slurm);
  try {
    await addRecordings(env, 1000);
    // Closed until all six workers are inside a make, so that every one of them takes part.
    await gate(env, false);
    const ts = await submit(env, 'ts', { workers: 4, time: '30', worker: { module: CHAIN_TS } });
    const py = await submit(env, 'py', { workers: 2, time: '30', worker: { module: CHAIN_PY, python: await pythonInterpreter() } });
    for (const s of [ts.script, py.script]) assert.ok(!s.includes(env.server.password), 'the password is in a script');
    await until(async () => (await workersInMake(env)) >= 6);
    await gate(env, true);
    const done = [...(await ended(ts.id, env.jobEnv, 4)), ...(await ended(py.id, env.jobEnv, 2))];
    assert.deepEqual(done.map((t) => `${t.state} ${t.exitCode}`), Array(6).fill('COMPLETED 0:0'), logs(env));

    for (const t of TABLES) {
      assert.equal(await count(env, `SELECT COUNT(*) AS n FROM ${env.q(`__${t}`)}`), 1000, `${t} rows`);
      // Made once: one make call per key, none failed or repeated.
      assert.equal(await count(env, `SELECT COUNT(*) AS n FROM ${env.q('make_log')} WHERE tbl = ?`, [t]), 1000, `${t} makes`);
      assert.equal(await count(env, `SELECT COUNT(DISTINCT recording_id) AS n FROM ${env.q('make_log')} WHERE tbl = ?`, [t]), 1000);
    }
    // Dependency order, key by key: a child's make is logged after its parent's.
    for (const [parent, child] of [['trace', 'spikes'], ['spikes', 'rates']] as const) {
      const early = await count(
        env,
        `SELECT COUNT(*) AS n FROM ${env.q('make_log')} c JOIN ${env.q('make_log')} p ON p.recording_id = c.recording_id AND p.tbl = ? WHERE c.tbl = ? AND c.id < p.id`,
        [parent, child],
      );
      assert.equal(early, 0, `${child} made before ${parent}`);
    }
    const sides = await count(env, `SELECT COUNT(DISTINCT side) AS n FROM ${env.q('make_log')}`);
    assert.equal(sides, 2, 'both languages made keys');
    assert.equal(await reserved(env), 0, 'a reservation was left behind');
  } finally {
    await env.close();
  }
});

test('scancel of one task in the middle of its make loses no key: the other task finishes the rest', async () => {
  const env = await chain('slurm_cancel', slurm);
  try {
    await addRecordings(env, 40);
    await gate(env, false);
    const job = await submit(env, 'cancel', { workers: 2, time: '30', worker: { module: CHAIN_TS } });
    await until(async () => (await workersInMake(env)) >= 2);
    // What a user's scancel of one task does: SIGTERM to its processes, SIGKILL after KillWait.
    // Its make waits on the closed gate meanwhile, so it is killed holding its reservation:
    // the key must go back to the queue and be made by the other task.
    execFileSync('scancel', [`${job.id}_0`], { env: env.jobEnv });
    await until(async () => (await tasks(job.id, env.jobEnv)).find((t) => t.task === `${job.id}_0` && t.state === 'CANCELLED'));
    await gate(env, true);
    const done = await ended(job.id, env.jobEnv, 2);
    assert.deepEqual(done.map((t) => t.state).sort(), ['CANCELLED', 'COMPLETED'], logs(env));
    for (const t of TABLES) assert.equal(await count(env, `SELECT COUNT(*) AS n FROM ${env.q(`__${t}`)}`), 40, `${t}: a key was lost\n${logs(env)}`);
    // The key in progress was made by the cancelled worker or given back and made again: never kept twice.
    const most = await count(env, `SELECT MAX(c) AS n FROM (SELECT COUNT(*) AS c FROM ${env.q('make_log')} GROUP BY tbl, recording_id) x`);
    assert.ok(most <= 2, `a key was made ${most} times`);
    assert.equal(await reserved(env), 0, 'a reservation was left behind');
  } finally {
    await env.close();
  }
});

test("the time limit's SIGTERM: the worker finishes the key in progress and stops by itself inside the grace period", async () => {
  const env = await chain('slurm_limit', slurm);
  try {
    await addRecordings(env, 5);
    await gate(env, false);
    const job = await submit(env, 'limit', { workers: 1, time: '10', graceSeconds: 300, worker: { module: CHAIN_TS } });
    assert.match(job.script, /^#SBATCH --signal=B:TERM@300$/m);
    await until(async () => (await workersInMake(env)) >= 1);
    // What --signal=B:TERM@300 makes SLURM do 300 s before the limit.
    execFileSync('scancel', ['--signal=TERM', '--batch', job.id], { env: env.jobEnv });
    // The stop is taken while the make waits; the make then ends and is committed.
    await until(async () => /stop requested \(SIGTERM\)/.test(logs(env)) || (await tasks(job.id, env.jobEnv))[0]?.state !== 'RUNNING');
    await gate(env, true);
    const [t] = await ended(job.id, env.jobEnv, 1);
    // 130: stopped on request; `:0`: not killed by a signal (no SIGKILL after KillWait).
    assert.equal(t!.exitCode, '130:0', logs(env));
    assert.notEqual(t!.state, 'TIMEOUT');
    assert.match(logs(env), /stopped by SIGTERM/);
    assert.equal(await count(env, `SELECT COUNT(*) AS n FROM ${env.q('__trace')}`), 1, 'the key in progress was committed, and no other taken');
    assert.equal(await count(env, `SELECT COUNT(*) AS n FROM ${env.q('make_log')}`), 1);
    // It stopped before Spikes: only Trace's jobs table exists.
    assert.equal(await reserved(env, ['trace']), 0, 'a reservation was left behind');
  } finally {
    await env.close();
  }
});
