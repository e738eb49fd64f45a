// Two `djx worker` processes and one Python worker (`djx worker worker_chain.py`, the Python
// runner's `worker` with DataJoint for Python's own populate) share the three jobs tables of
// a Manual → Computed → Computed → Computed chain: every key of every table is made exactly
// once, each after its parent, and every worker ends by itself once no work is left.
// Runs on the backend of DJ_TEST_BACKEND (MariaDB or PostgreSQL).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testServer } from '../runtime/helpers';
import { pythonInterpreter } from '../python/helpers';
import { assertChainComplete, chain, CHAIN_PY, CHAIN_TS, startWorker, tablesOf, until, type Chained, type WorkerRun } from './helpers';

const KEYS = 60;
let c: Chained;

before(async () => {
  await pythonInterpreter();
  c = await chain('djw_shared');
});
after(async () => {
  await c?.close();
  await (await testServer()).stop();
});

async function exitedCleanly(run: WorkerRun, what: string): Promise<void> {
  const code = await run.done;
  assert.equal(code, 0, `${what} exited ${code}\nstderr:\n${run.stderr()}`);
}

test(`2 djx workers and 1 Python worker make every key of a 3-table chain once, parents first (${KEYS} keys)`, async () => {
  await c.reset(KEYS);
  await c.gate(false);
  const workers: WorkerRun[] = [];
  try {
    workers.push(await startWorker(CHAIN_TS, ['--poll', '0.2']), await startWorker(CHAIN_TS, ['--poll', '0.2']), await startWorker(CHAIN_PY, ['--poll', '0.2']));
    // All three hold a key of Trace before any make may finish: all of them take part.
    await until('3 workers inside make', async () => (await c.count(`SELECT COUNT(*) AS n FROM (SELECT DISTINCT side, pid FROM ${c.t('make_log')}) d`)) >= 3, workers);
  } finally {
    await c.gate(true);
  }
  await exitedCleanly(workers[0]!, 'djx worker (first)');
  await exitedCleanly(workers[1]!, 'djx worker (second)');
  await exitedCleanly(workers[2]!, 'djx worker (Python)');
  await assertChainComplete(c, KEYS, assert);
  assert.equal(await c.count(`SELECT COUNT(*) AS n FROM ${c.t('make_log')}`), 3 * KEYS, 'one make call per key and table: none made twice');
  // What the workers report is what they made.
  const made = (w: WorkerRun) => tablesOf(w).reduce((s, t) => s + t.made, 0);
  assert.equal(made(workers[0]!) + made(workers[1]!) + made(workers[2]!), 3 * KEYS);
  assert.equal(made(workers[2]!), await c.count(`SELECT COUNT(*) AS n FROM ${c.t('make_log')} WHERE side = 'python'`), 'the Python worker reports its makes');
  assert.ok(made(workers[2]!) > 0, 'the Python worker made keys');
  for (const w of workers) {
    assert.equal(w.summary()?.stoppedBy, 'done');
    assert.deepEqual(tablesOf(w).map((t) => t.table), ['Trace', 'Spikes', 'Rates'], 'tables in dependency order, not the module order');
    assert.ok(tablesOf(w).every((t) => t.failed === 0 && t.left === 0));
  }
  assert.match(workers[2]!.stderr(), /worker: \d+ rounds?, no work left/);
});

test('one worker alone populates the tables in dependency order: all of Trace, then Spikes, then Rates', async () => {
  await c.reset(10);
  const w = await startWorker(CHAIN_TS, []);
  await exitedCleanly(w, 'djx worker');
  await assertChainComplete(c, 10, assert);
  const order = (await c.sql.query<{ tbl: string }>(`SELECT tbl FROM ${c.t('make_log')} ORDER BY id`)).map((r) => r.tbl);
  assert.deepEqual(order, [...Array(10).fill('trace'), ...Array(10).fill('spikes'), ...Array(10).fill('rates')]);
  const rounds = w.events.filter((e) => e.event === 'roundStart').length;
  assert.equal(rounds, 2, 'one round made everything, the second found nothing');
  assert.deepEqual(
    w.events.filter((e) => e.event === 'tableStart' && e.round === 1).map((e) => e.table),
    ['Trace', 'Spikes', 'Rates'],
  );
  assert.match(w.stderr(), /Trace\s+10 made, 0 failed, 0 skipped, 0 left/);
});

test('the Python worker alone populates in dependency order too', async () => {
  await c.reset(6);
  const w = await startWorker(CHAIN_PY, []);
  await exitedCleanly(w, 'djx worker (Python)');
  await assertChainComplete(c, 6, assert);
  const order = (await c.sql.query<{ tbl: string }>(`SELECT tbl FROM ${c.t('make_log')} ORDER BY id`)).map((r) => r.tbl);
  assert.deepEqual(order, [...Array(6).fill('trace'), ...Array(6).fill('spikes'), ...Array(6).fill('rates')]);
  assert.deepEqual(tablesOf(w).map((t) => [t.table, t.made, t.left]), [['Trace', 6, 0], ['Spikes', 6, 0], ['Rates', 6, 0]]);
  assert.equal(w.summary()?.stoppedBy, 'done');
});
