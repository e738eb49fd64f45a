// One jobs queue, two implementations: DataJoint for Python's populate(reserve_jobs=True)
// and our bundled `djx populate --reserve-jobs` work on the same `~~made` table at the same
// time, as real processes, on 1,000 keys; every key is made exactly once (the MyISAM log
// keeps even rolled-back calls). Errors either side records are read, retried and made
// by the other (reference notes §7.2–7.6: retry = delete the error job, refresh re-adds it).
// Runs on the backend of DJ_TEST_BACKEND (MariaDB or PostgreSQL).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type * as dj from '../../../runtime/index';
import { connect, dropSchemas, testServer } from '../runtime/helpers';
import { dbEnv, jsonLines, pythonInterpreter, runBundledDj, runPython, waitUntil, type Run } from './helpers';

const QUEUE = join(__dirname, '..', '..', 'fixtures', 'pipelines', 'queue.ts');
const KEYS = 1000;
type Pipeline = typeof import('../../fixtures/pipelines/queue');

let schema: string;
let sql: dj.Connection;
let pipeline: Pipeline;

before(async () => {
  await pythonInterpreter();
  const s = await testServer();
  schema = `djpy_queue_${randomBytes(4).toString('hex')}`;
  Object.assign(process.env, dbEnv(s), { DJ_PIPELINE_SCHEMA: schema });
  pipeline = (await import('../../fixtures/pipelines/queue')) as Pipeline;
  await pipeline.setupQueue();
  sql = await connect();
  await sql.execute(`INSERT INTO ${t('item')} (item_id) VALUES ${Array.from({ length: KEYS }, () => '(?)').join(', ')}`, Array.from({ length: KEYS }, (_, i) => i + 1));
});
after(async () => {
  if (sql) {
    await dropSchemas(sql, [schema]);
    await sql.close();
  }
  await (await pipeline?.schema.connection())?.close();
  await (await testServer()).stop();
});

const t = (name: string) => sql.dialect.qualified(schema, name);
const count = async (query: string, params: unknown[] = []): Promise<number> => Number((await sql.query<{ n: unknown }>(query, params))[0]!.n);
const gate = (open: boolean) => sql.execute(`UPDATE ${t('gate')} SET open = ? WHERE id = 1`, [open ? 1 : 0]);
// DataJoint for Python caps processes at the core count (autopopulate.py: populate).
const PY_PROCESSES = Math.min(2, cpus().length);

/** Empties the target, the log, the flags and the jobs table (the items stay). */
async function reset(): Promise<void> {
  for (const name of ['__made', 'make_log', 'fail_flags']) await sql.execute(`DELETE FROM ${t(name)}`);
  await sql.execute(`DROP TABLE IF EXISTS ${t('~~made')}`);
}

const ours = (...extra: string[]) => runBundledDj(['populate', QUEUE, 'Made', '--reserve-jobs', '--suppress-errors', '--json', '--progress', 'never', ...extra]);
const python = (processes: number) => runPython('shared_queue.py', ['populate', String(processes)]);

async function exited(run: Run, what: string): Promise<void> {
  const code = await run.done;
  assert.equal(code, 0, `${what} exited ${code}\nstdout:\n${run.stdout()}\nstderr:\n${run.stderr()}`);
}

interface PythonResult {
  success_count: number;
  errors: string[];
}
interface EndEvent {
  event: 'end';
  successCount: number;
  errorCount: number;
}
const pyResult = (run: Run) => jsonLines<PythonResult>(run).pop()!;
const endOf = (run: Run) => jsonLines<EndEvent>(run).find((e) => e.event === 'end')!;

/**
 * Starts the workers with the gate closed, waits until every one of `workers` processes
 * is inside a make (so all of them take part), opens the gate and waits for all to exit.
 */
async function together(runs: () => Promise<Run[]>, workers: number): Promise<Run[]> {
  await gate(false);
  let started: Run[] = [];
  try {
    started = await runs();
    await waitUntil(`${workers} workers inside make`, async () => (await count(`SELECT COUNT(*) AS n FROM (SELECT DISTINCT side, pid FROM ${t('make_log')}) d`)) >= workers, started);
  } finally {
    await gate(true);
    await Promise.all(started.map((r) => r.done));
  }
  return started;
}

/** Every key made once: 1,000 log rows, no key twice, each target row made by the logged worker. */
async function assertEveryKeyOnce(): Promise<void> {
  assert.equal(await count(`SELECT COUNT(*) AS n FROM ${t('make_log')}`), KEYS, 'make calls');
  assert.equal(await count(`SELECT COUNT(*) AS n FROM (SELECT item_id FROM ${t('make_log')} GROUP BY item_id HAVING COUNT(*) > 1) d`), 0, 'keys made twice');
  assert.equal(await count(`SELECT COUNT(DISTINCT item_id) AS n FROM ${t('make_log')}`), KEYS, 'keys made');
  assert.equal(await count(`SELECT COUNT(*) AS n FROM ${t('__made')}`), KEYS, 'rows of Made');
  assert.equal(await count(`SELECT COUNT(*) AS n FROM ${t('__made')} m JOIN ${t('make_log')} l USING (item_id) WHERE m.side = l.side AND m.pid = l.pid`), KEYS, 'each row made by the worker that logged it');
  assert.equal(await count(`SELECT COUNT(*) AS n FROM ${t('~~made')}`), 0, 'every job completed (no pending, reserved or error job left)');
}

const made = (side: string) => count(`SELECT COUNT(*) AS n FROM ${t('make_log')} WHERE side = ?`, [side]);

for (const run of [1, 2, 3]) {
  test(`run ${run}: 1 Python worker and 2 djx populate --reserve-jobs workers on ${KEYS} keys make every key once`, async () => {
    await reset();
    const [py, a, b] = await together(async () => [await python(1), ours(), ours()], 3);
    await exited(py!, 'Python populate');
    await exited(a!, 'djx populate (first)');
    await exited(b!, 'djx populate (second)');
    await assertEveryKeyOnce();
    const result = pyResult(py!);
    assert.deepEqual(result.errors, []);
    assert.equal(result.success_count, await made('python'), 'Python reports the keys it made');
    assert.equal(endOf(a!).successCount + endOf(b!).successCount, await made('ts'), 'our workers report the keys they made');
    assert.equal(endOf(a!).errorCount + endOf(b!).errorCount, 0);
    assert.equal(await count(`SELECT COUNT(DISTINCT pid) AS n FROM ${t('make_log')} WHERE side = 'ts'`), 2, 'both dj workers made keys');
  });
}

test(`Python populate(processes=2) beside djx populate --processes 2 --reserve-jobs on ${KEYS} keys makes every key once`, async () => {
  await reset();
  const [py, ts] = await together(async () => [await python(2), ours('--processes', '2')], PY_PROCESSES + 2);
  await exited(py!, 'Python populate');
  await exited(ts!, 'djx populate');
  await assertEveryKeyOnce();
  assert.deepEqual(pyResult(py!).errors, []);
  assert.equal(pyResult(py!).success_count, await made('python'));
  assert.equal(endOf(ts!).successCount, await made('ts'));
  assert.equal(await count(`SELECT COUNT(DISTINCT pid) AS n FROM ${t('make_log')} WHERE side = 'python'`), PY_PROCESSES, "Python's worker processes made keys");
  // The parent makes keys itself while its workers start (runtime/populate/workers.ts),
  // so two or three of our processes may have made keys.
  assert.ok((await count(`SELECT COUNT(DISTINCT pid) AS n FROM ${t('make_log')} WHERE side = 'ts'`)) >= 2, 'our worker processes made keys');
});

const FLAGGED = [3, 17, 256, 999];

interface PythonError {
  item_id: number;
  error_message: string;
  error_stack: string | null;
  host: string;
  pid: number;
}

test('errors Python records are read by djx jobs, retried with djx jobs retry and made by djx populate', async () => {
  await reset();
  await sql.execute(`INSERT INTO ${t('fail_flags')} (item_id, side) VALUES ${FLAGGED.map(() => "(?, 'python')").join(', ')}`, FLAGGED);
  const py = await python(1);
  await exited(py, 'Python populate');
  assert.equal(pyResult(py).success_count, KEYS - FLAGGED.length);
  assert.equal(pyResult(py).errors.length, FLAGGED.length);

  // djx jobs reads Python's error jobs: the message as Python wrote it, and its stack blob.
  const list = runBundledDj(['jobs', 'list', QUEUE, '--status', 'error', '--stack', '--json']);
  await exited(list, 'djx jobs list');
  const [listed] = JSON.parse(list.stdout()) as Array<{ table: string; jobs: Array<{ key: { item_id: number }; status: string; errorMessage: string; errorStack?: string; pid: number }> }>;
  assert.equal(listed!.table, 'Made');
  const jobs = listed!.jobs;
  assert.deepEqual(
    jobs.map((j) => j.key.item_id).sort((x, y) => x - y),
    FLAGGED,
  );
  for (const j of jobs) {
    assert.equal(j.errorMessage, `ValueError: item ${j.key.item_id} is flagged to fail in Python`);
    assert.match(j.errorStack ?? '', /Traceback \(most recent call last\)[\s\S]*shared_queue\.py[\s\S]*ValueError: item \d+ is flagged/);
    assert.equal(j.pid, py.pid, 'the failing Python worker is recorded');
  }

  const retry = runBundledDj(['jobs', 'retry', QUEUE, '--json']);
  await exited(retry, 'djx jobs retry');
  assert.equal((JSON.parse(retry.stdout()) as Array<{ count: number }>)[0]!.count, FLAGGED.length, 'djx jobs retry deleted the error jobs');
  assert.equal(await count(`SELECT COUNT(*) AS n FROM ${t('~~made')} WHERE status = 'error'`), 0, 'retry removed the error jobs');
  const ts = ours();
  await exited(ts, 'djx populate');
  assert.equal(endOf(ts).successCount, FLAGGED.length, 'djx populate made exactly the retried keys');
  assert.equal(await count(`SELECT COUNT(*) AS n FROM ${t('__made')}`), KEYS);
  assert.equal(await count(`SELECT COUNT(*) AS n FROM ${t('__made')} WHERE side = 'ts'`), FLAGGED.length);
  assert.equal(await count(`SELECT COUNT(*) AS n FROM ${t('make_log')} WHERE failed = 1`), FLAGGED.length, 'each flagged key failed once, in Python');
  assert.equal(await count(`SELECT COUNT(*) AS n FROM ${t('make_log')}`), KEYS + FLAGGED.length);
  assert.equal(await count(`SELECT COUNT(*) AS n FROM ${t('~~made')}`), 0);
});

test('errors djx populate records are read by Python, retried with its jobs API and made by Python', async () => {
  await reset();
  await sql.execute(`INSERT INTO ${t('fail_flags')} (item_id, side) VALUES ${FLAGGED.map(() => "(?, 'ts')").join(', ')}`, FLAGGED);
  const ts = ours();
  assert.equal(await ts.done, 1, `a failed key: exit 1\n${ts.stderr()}`);
  assert.equal(endOf(ts).successCount, KEYS - FLAGGED.length, JSON.stringify(endOf(ts)));
  assert.equal(endOf(ts).errorCount, FLAGGED.length);

  const read = await runPython('shared_queue.py', ['errors']);
  await exited(read, 'Python reading the errors');
  const errors = jsonLines<PythonError[]>(read).pop()!;
  assert.deepEqual(
    errors.map((e) => e.item_id),
    FLAGGED,
  );
  for (const e of errors) {
    assert.equal(e.error_message, `RangeError: item ${e.item_id} is flagged to fail in TypeScript`);
    assert.match(e.error_stack ?? '', /RangeError: item \d+ is flagged to fail in TypeScript[\s\S]*queue\.ts/, 'Python unpacks our stack blob');
    assert.equal(e.pid, ts.pid, 'the failing worker is recorded');
  }

  const retry = await runPython('shared_queue.py', ['retry']);
  await exited(retry, "Python's retry");
  assert.deepEqual(jsonLines(retry).pop(), { deleted: FLAGGED.length });
  const py = await python(1);
  await exited(py, 'Python populate');
  assert.equal(pyResult(py).success_count, FLAGGED.length, 'Python made exactly the retried keys');
  assert.deepEqual(pyResult(py).errors, []);
  assert.equal(await count(`SELECT COUNT(*) AS n FROM ${t('__made')}`), KEYS);
  assert.equal(await count(`SELECT COUNT(*) AS n FROM ${t('__made')} WHERE side = 'python'`), FLAGGED.length);
  assert.equal(await count(`SELECT COUNT(*) AS n FROM ${t('make_log')} WHERE failed = 1`), FLAGGED.length, 'each flagged key failed once, in TypeScript');
  assert.equal(await count(`SELECT COUNT(*) AS n FROM ${t('~~made')}`), 0);
});
