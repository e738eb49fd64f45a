// `djx worker` options, on the chain pipeline: --tables / --skip choose classes (an unknown
// name is refused), --max-calls caps the keys per table per round, --clear-errors retries
// error jobs whose message matches (the others stay), --idle keeps polling for new keys and
// ends once none came for that long, --duration ends at its time. The same options reach
// the Python runner's worker.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testServer } from '../runtime/helpers';
import { pythonInterpreter } from '../python/helpers';
import { assertChainComplete, chain, CHAIN_PY, CHAIN_TS, startWorker, tablesOf, until, type Chained } from './helpers';

let c: Chained;

before(async () => {
  await pythonInterpreter();
  c = await chain('djw_opts');
});
after(async () => {
  await c?.close();
  await (await testServer()).stop();
});

const rows = (table: string) => c.count(`SELECT COUNT(*) AS n FROM ${c.t(`__${table}`)}`);

for (const [language, module] of [['djx worker', CHAIN_TS], ['the Python worker', CHAIN_PY]] as const) {
  test(`${language} --tables Trace,Spikes --skip Spikes runs Trace only`, async () => {
    await c.reset(4);
    const w = await startWorker(module, ['--tables', 'Trace,Spikes', '--skip', 'Spikes']);
    assert.equal(await w.done, 0, w.stderr());
    assert.deepEqual([await rows('trace'), await rows('spikes'), await rows('rates')], [4, 0, 0]);
    assert.deepEqual(tablesOf(w).map((t) => t.table), ['Trace']);
  });

  test(`${language} --skip Rates runs Trace and Spikes`, async () => {
    await c.reset(4);
    const w = await startWorker(module, ['--skip', 'Rates']);
    assert.equal(await w.done, 0, w.stderr());
    assert.deepEqual([await rows('trace'), await rows('spikes'), await rows('rates')], [4, 4, 0]);
  });

  test(`${language} refuses a table the module does not have (exit 2, the known ones named)`, async () => {
    await c.reset(1);
    const w = await startWorker(module, ['--tables', 'Trace,Spkes']);
    assert.equal(await w.done, 2);
    assert.match(w.stderr(), /djx: --tables: Spkes is not a Computed or Imported table of .*\(it has Rates, Spikes, Trace\)/);
    assert.equal(await rows('trace'), 0, 'nothing ran');
  });

  test(`${language} --max-calls 2 makes at most 2 keys per table per round, and loops until all are made`, async () => {
    await c.reset(5);
    const w = await startWorker(module, ['--max-calls', '2']);
    assert.equal(await w.done, 0, w.stderr());
    await assertChainComplete(c, 5, assert);
    const ends = w.events.filter((e) => e.event === 'tableEnd');
    assert.ok(ends.every((e) => (e.made as number) <= 2), JSON.stringify(ends));
    // 5 keys at 2 a round: rounds 1-3 make them, a 4th finds nothing.
    assert.equal(w.events.filter((e) => e.event === 'roundStart').length, 4);
  });

  test(`${language} --clear-errors retries matching error jobs each round; other errors stay (exit 1)`, async () => {
    await c.reset(5);
    await c.sql.execute(`INSERT INTO ${c.t('fail_flags')} (tbl, recording_id, message, times) VALUES ('trace', 1, 'Lock wait timeout exceeded; try restarting transaction', 1), ('trace', 2, 'bad input in recording 2', 9)`);
    const w = await startWorker(module, ['--clear-errors', 'Lock wait timeout', '--clear-errors', '[Dd]eadlock']);
    assert.equal(await w.done, 1, w.stderr());
    assert.equal(await rows('trace'), 4, 'recording 1 made on its retry; recording 2 not');
    assert.equal(await c.count(`SELECT COUNT(*) AS n FROM ${c.t('~~trace')} WHERE status = 'error'`), 1);
    assert.match(String((await c.sql.query<{ m: string }>(`SELECT error_message AS m FROM ${c.t('~~trace')} WHERE status = 'error'`))[0]!.m), /bad input in recording 2/);
    const cleared = w.events.filter((e) => e.event === 'errorsCleared');
    assert.deepEqual(cleared.map((e) => [e.round, e.table, e.count]), [[2, 'Trace', 1]]);
    const trace = tablesOf(w).find((t) => t.table === 'Trace')!;
    assert.deepEqual([trace.made, trace.failed, trace.skipped, trace.left], [4, 2, 1, 1]);
    assert.match(w.stderr(), /Trace\s+4 made, 2 failed, 1 skipped, 1 left/);
  });

  test(`${language} --idle keeps polling: a key added while it waits is made through the chain`, async () => {
    await c.reset(2);
    const w = await startWorker(module, ['--idle', '600', '--poll', '0.1']);
    await w.waitEvent((e) => e.event === 'wait' && e.reason === 'idle');
    await c.sql.execute(`INSERT INTO ${c.t('recording')} (recording_id) VALUES (3)`);
    await until('recording 3 made through Rates', async () => (await rows('rates')) === 3, [w]);
    w.signal('SIGTERM');
    assert.equal(await w.done, 130, w.stderr());
    await assertChainComplete(c, 3, assert);
  });

  test(`${language} --idle ends the worker once nothing was made for that long (exit 0)`, async () => {
    await c.reset(2);
    // Idle long enough that a round with nothing to make, however slow the machine, ends
    // inside it: the worker then waits (polls) before it ends.
    const w = await startWorker(module, ['--idle', '3', '--poll', '0.1']);
    assert.equal(await w.done, 0, w.stderr());
    assert.equal(w.summary()?.stoppedBy, 'idle');
    assert.ok(w.events.some((e) => e.event === 'wait'), 'it waited for new work before ending');
    await assertChainComplete(c, 2, assert);
  });

  test(`${language} --duration ends the worker at its time (exit 0), leaving no reservation`, async () => {
    await c.reset(2);
    const w = await startWorker(module, ['--duration', '0.5', '--poll', '0.1']);
    assert.equal(await w.done, 0, w.stderr());
    assert.equal(w.summary()?.stoppedBy, 'duration');
    // A table the worker had not reached when its time was up has no jobs table yet.
    for (const t of ['trace', 'spikes', 'rates']) {
      const reserved = await c.count(`SELECT COUNT(*) AS n FROM ${c.t(`~~${t}`)} WHERE status = 'reserved'`).catch((e: Error) => {
        if (/does ?n[o']t exist/.test(e.message)) return 0;
        throw e;
      });
      assert.equal(reserved, 0, `reservations left in ~~${t}`);
    }
  });
}

test('djx worker refuses a --clear-errors that is not a regular expression (exit 2)', async () => {
  const w = await startWorker(CHAIN_TS, ['--clear-errors', '(unclosed']);
  assert.equal(await w.done, 2);
  assert.match(w.stderr(), /djx: --clear-errors "\(unclosed" is not a regular expression/);
});
