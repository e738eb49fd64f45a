// Stopping a worker as SLURM does at the time limit (SIGTERM, then SIGKILL after the grace
// period) and as a user does (Ctrl-C, a stop request on stdin): the first request finishes
// the key in progress and exits 130 with the summary; a second interrupts that key (rolled
// back, its job pending again); either way no key is lost, none made twice, no reservation
// left behind. For our workers and for the Python runner's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testServer } from '../runtime/helpers';
import { pythonInterpreter } from '../python/helpers';
import { assertChainComplete, chain, CHAIN_PY, CHAIN_TS, startWorker, until, type Chained, type WorkerRun } from './helpers';

const KEYS = 5;
let c: Chained;

before(async () => {
  await pythonInterpreter();
  c = await chain('djw_stop');
});
after(async () => {
  await c?.close();
  await (await testServer()).stop();
});

const logged = () => c.count(`SELECT COUNT(*) AS n FROM ${c.t('make_log')}`);
const jobs = (status: string) => c.count(`SELECT COUNT(*) AS n FROM ${c.t('~~trace')} WHERE status = ?`, [status]);

/** Starts a worker with the gate closed and waits until it is inside its first make. */
async function insideMake(module: string, opts: { stdin?: boolean; group?: boolean } = {}): Promise<WorkerRun> {
  await c.reset(KEYS);
  await c.gate(false);
  const w = await startWorker(module, ['--poll', '0.2'], opts);
  await until('the worker inside make', async () => (await logged()) >= 1, [w]);
  return w;
}

/** Another worker finishes the pipeline: with what the stopped one left, every key once. */
async function finishAndCheck(): Promise<void> {
  await c.gate(true);
  const rest = await startWorker(CHAIN_TS, []);
  assert.equal(await rest.done, 0, rest.stderr());
  await assertChainComplete(c, KEYS, assert);
}

for (const [language, module] of [['djx worker', CHAIN_TS], ['the Python worker', CHAIN_PY]] as const) {
  test(`${language}: SIGTERM mid-make finishes the key in progress, starts no other and exits 130`, async () => {
    const w = await insideMake(module);
    w.signal('SIGTERM');
    await w.waitStderr('stop requested (SIGTERM)');
    await c.gate(true);
    assert.equal(await w.done, 130, w.stderr());
    assert.equal(await logged(), 1, 'no key started after the stop request');
    assert.equal(await c.count(`SELECT COUNT(*) AS n FROM ${c.t('__trace')}`), 1, 'the key in progress committed');
    assert.equal(await jobs('reserved'), 0, 'no reservation left behind');
    assert.equal(await jobs('error'), 0, 'the stop recorded no error job');
    assert.equal(w.summary()?.stoppedBy, 'SIGTERM');
    assert.match(w.stderr(), /worker: 1 round, stopped by SIGTERM/);
    assert.match(w.stderr(), /Trace\s+1 made, 0 failed, 0 skipped, 4 left/);
    await finishAndCheck();
    assert.equal(await c.count(`SELECT COUNT(*) AS n FROM ${c.t('make_log')} WHERE tbl = 'trace'`), KEYS, 'no Trace key made twice');
  });

  test(`${language}: a second SIGTERM interrupts the make in progress; its key is pending again, then made once`, async () => {
    const w = await insideMake(module);
    w.signal('SIGTERM');
    await w.waitStderr('stop requested (SIGTERM)');
    w.signal('SIGTERM');
    assert.equal(await w.done, 130, w.stderr());
    assert.equal(await c.count(`SELECT COUNT(*) AS n FROM ${c.t('__trace')}`), 0, 'the interrupted key was rolled back');
    assert.equal(await jobs('reserved'), 0, 'no reservation left behind');
    assert.equal(await jobs('error'), 0, 'an interrupted key is no error job');
    assert.equal(await jobs('pending'), KEYS, 'the interrupted key is pending again');
    await finishAndCheck();
  });
}

test('djx worker --stop-on-stdin: a SIGTERM line stops it after the key in progress', async () => {
  const w = await insideMake(CHAIN_TS, { stdin: true });
  w.request('SIGTERM');
  await w.waitStderr('stop requested (SIGTERM)');
  await c.gate(true);
  assert.equal(await w.done, 130, w.stderr());
  assert.equal(await c.count(`SELECT COUNT(*) AS n FROM ${c.t('__trace')}`), 1);
  assert.equal(await jobs('reserved'), 0);
  await finishAndCheck();
});

test('the Python worker through djx: SIGINT to the whole process group (Ctrl-C) counts once, relayed or not', async () => {
  const w = await insideMake(CHAIN_PY, { group: true });
  // Ctrl-C in a terminal: the signal goes to djx and the runner alike; djx relays it too.
  process.kill(-w.pid, 'SIGINT');
  await w.waitStderr('stop requested (SIGINT)');
  await c.gate(true);
  assert.equal(await w.done, 130, w.stderr());
  assert.equal(await c.count(`SELECT COUNT(*) AS n FROM ${c.t('__trace')}`), 1, 'the key in progress committed: the request was not taken for a second one');
  assert.doesNotMatch(w.stderr(), /stop requested again/);
  await finishAndCheck();
});
