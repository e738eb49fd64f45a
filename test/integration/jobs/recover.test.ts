// Recovery of reservations (jobs.recover, `djx jobs recover`): only holders known to be dead
// lose their jobs, a job whose key is already computed is completed instead of re-pended,
// and the time rule (olderThan) takes old reservations of holders not known to be alive.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { jobsFor, targetFromTable, jobsTargetOf } from '../../../runtime/populate/index';
import { JobQueue } from '../../../runtime/jobs/queue';
import { workerIdentity } from '../../../runtime/jobs/identity';
import { connectSql, PIPELINE, sessionGone, setup, rows, reset, range, type Env } from '../populate/helpers';
import { runDj } from '../python/helpers';

let env: Env;
before(async () => {
  env = await setup('djjobs_rec');
});
after(async () => env?.close());
beforeEach(async () => reset(env, range(6).map((subject_id) => ({ subject_id }))));

const J = () => `\`${env.schema}\`.\`~~analysis\``;
const ids = (keys: Array<Record<string, unknown>>) => keys.map((k) => Number(k.subject_id)).sort((a, b) => a - b);

/** Reserves `n` jobs on a connection of its own and closes it; resolves once the server has dropped it. */
async function reserveAndDisconnect(n: number): Promise<number[]> {
  const conn = await connectSql();
  const session = conn.session;
  const q = new JobQueue(session, await jobsTargetOf(await targetFromTable(env.pipeline.Analysis)));
  const who = await workerIdentity(session);
  const got: number[] = [];
  for (let i = 0; i < n; i++) got.push(Number((await q.claim(who))!.subject_id));
  const id = await session.connectionId();
  await conn.end();
  await sessionGone(env, id);
  return got;
}

const exitedPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

test('recover re-pends the jobs of a dead holder, completes those already computed, and leaves live and unknown holders alone', async () => {
  const jobs = jobsFor(env.pipeline.Analysis);
  await jobs.refresh([], { delay: -1 });
  const [a, b, c, d] = await reserveAndDisconnect(4);
  // a, b: a worker of this host that has exited; b was computed before it died.
  // c: a worker on another host (its closed connection proves nothing); d: this process.
  await env.sql.query(`UPDATE ${J()} SET pid = ? WHERE subject_id IN (?, ?)`, [exitedPid(), a, b]);
  await env.sql.query(`INSERT INTO \`${env.schema}\`.__analysis (subject_id, result) VALUES (?, 0)`, [b]);
  await env.sql.query(`UPDATE ${J()} SET host = 'other-host' WHERE subject_id = ?`, [c]);
  const holders = Object.fromEntries((await jobs.reserved()).map((j) => [Number(j.key.subject_id), j.holder]));
  assert.deepEqual(holders, { [a!]: 'gone', [b!]: 'gone', [c!]: 'unknown', [d!]: 'alive' });
  assert.ok((await jobs.pending()).every((j) => j.holder === null));

  const r = await jobs.recover();
  assert.deepEqual(ids(r.rePended), [a]);
  assert.deepEqual(ids(r.completed), [b], 'a computed key is never re-pended');
  const left = await rows<{ subject_id: number; status: string }>(env, `SELECT subject_id, status FROM ${J()} WHERE subject_id IN (?, ?, ?, ?) ORDER BY subject_id`, [a, b, c, d]);
  assert.deepEqual(
    Object.fromEntries(left.map((x) => [x.subject_id, x.status])),
    { [a!]: 'pending', [c!]: 'reserved', [d!]: 'reserved' },
  );
  assert.deepEqual(await jobs.recover(), { rePended: [], completed: [] }, 'nothing more to recover');

  // The time rule: old reservations of holders not known to be alive.
  await env.sql.query(`UPDATE ${J()} SET reserved_time = reserved_time - INTERVAL 1 HOUR WHERE status = 'reserved'`);
  assert.deepEqual(await jobs.recover({ olderThan: 7200 }), { rePended: [], completed: [] }, 'not old enough');
  const old = await jobs.recover({ olderThan: 600 });
  assert.deepEqual(ids(old.rePended), [c], 'this live process keeps its job however old');
});

test('with keep_completed a computed key taken from a dead holder becomes success', async () => {
  const target = await targetFromTable(env.pipeline.Analysis);
  const q = new JobQueue((await jobsFor(env.pipeline.Analysis).queue()).session, await jobsTargetOf(target), {
    keepCompleted: true,
    staleTimeout: 3600,
    defaultPriority: 5,
  });
  await q.refresh({ delay: -1 });
  const [a] = await reserveAndDisconnect(1);
  await env.sql.query(`UPDATE ${J()} SET pid = ? WHERE subject_id = ?`, [exitedPid(), a]);
  await env.sql.query(`INSERT INTO \`${env.schema}\`.__analysis (subject_id, result) VALUES (?, 0)`, [a]);
  assert.deepEqual(ids((await q.recover()).completed), [a]);
  const [row] = await rows<{ status: string }>(env, `SELECT status FROM ${J()} WHERE subject_id = ?`, [a]);
  assert.equal(row!.status, 'success');
});

test('djx jobs list shows each holder; djx jobs recover prints what it re-pended per table, and --json lists the keys', async () => {
  const jobs = jobsFor(env.pipeline.Analysis);
  await jobs.refresh([], { delay: -1 });
  const [a, b] = await reserveAndDisconnect(2);
  await env.sql.query(`UPDATE ${J()} SET pid = ? WHERE subject_id IN (?, ?)`, [exitedPid(), a, b]);
  await env.sql.query(`UPDATE ${J()} SET host = 'other-host' WHERE subject_id = ?`, [b]);
  const list = runDj(['jobs', 'list', PIPELINE, '--table', 'Analysis', '--status', 'reserved', '--json']);
  assert.equal(await list.done, 0, list.stderr());
  const listed = (JSON.parse(list.stdout()) as Array<{ jobs: Array<{ key: { subject_id: number }; holder: string }> }>)[0]!.jobs;
  assert.deepEqual(Object.fromEntries(listed.map((j) => [j.key.subject_id, j.holder])), { [a!]: 'gone', [b!]: 'unknown' });
  const text = runDj(['jobs', 'recover', PIPELINE, '--table', 'Analysis']);
  assert.equal(await text.done, 0, text.stderr());
  assert.match(text.stdout(), new RegExp(`^Analysis: 1 reservation\\(s\\) re-pended\\n  pending   \\{"subject_id":${a}\\}\\n`));
  await env.sql.query(`UPDATE ${J()} SET reserved_time = reserved_time - INTERVAL 1 HOUR WHERE status = 'reserved'`);
  const json = runDj(['jobs', 'recover', PIPELINE, '--table', 'Analysis', '--older-than', '600', '--json']);
  assert.equal(await json.done, 0, json.stderr());
  const out = JSON.parse(json.stdout()) as Array<{ table: string; rePended: unknown[]; completed: unknown[] }>;
  assert.deepEqual(out.map((t) => [t.table, t.rePended, t.completed]), [['Analysis', [{ subject_id: b }], []]]);
  const bad = runDj(['jobs', 'recover', PIPELINE, '--older-than', 'soon']);
  assert.equal(await bad.done, 2);
  assert.match(bad.stderr(), /--older-than expects a whole number >= 1/);
  const misplaced = runDj(['jobs', 'clear', PIPELINE, '--older-than', '60']);
  assert.equal(await misplaced.done, 2);
  assert.match(misplaced.stderr(), /--older-than applies to jobs recover only, not jobs clear/);
  assert.equal((await jobs.list()).length, 6, 'nothing cleared');
});

test("recover of one holder (the Workers view's Recover) takes only that worker's reservations", async () => {
  const jobs = jobsFor(env.pipeline.Analysis);
  await jobs.refresh([], { delay: -1 });
  const [a, b, c] = await reserveAndDisconnect(3);
  // Two workers of this host that have exited: a and b held by the first, c by the second.
  const [first, second] = [exitedPid(), exitedPid()];
  await env.sql.query(`UPDATE ${J()} SET pid = ? WHERE subject_id IN (?, ?)`, [first, a, b]);
  await env.sql.query(`UPDATE ${J()} SET pid = ? WHERE subject_id = ?`, [second, c]);
  const [{ host }] = await rows<{ host: string }>(env, `SELECT host FROM ${J()} WHERE subject_id = ?`, [a]);
  const r = await jobs.recover({ holder: { host: String(host), pid: first } });
  assert.deepEqual(ids(r.rePended), ids([{ subject_id: a }, { subject_id: b }]));
  const [left] = await rows<{ status: string }>(env, `SELECT status FROM ${J()} WHERE subject_id = ?`, [c]);
  assert.equal(left?.status, 'reserved', "the other worker's key stays until its own Recover");
  assert.deepEqual(ids((await jobs.recover({ holder: { host: 'elsewhere', pid: second } })).rePended), [], 'a host and pid that hold nothing');
  assert.deepEqual(ids((await jobs.recover({ holder: { host: String(host), pid: second } })).rePended), [c]);
});
