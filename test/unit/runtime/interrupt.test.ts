// Every make races the run's interrupt (runtime/populate/interrupt.ts: Interrupt.race): it
// ends with the make, or with the abort should that come first, and a race that is over
// keeps nothing alive for the rest of the run (a race against the run's own promise would
// keep each key's outcome until the run ends).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Interrupt, InterruptedError, settledWithin } from '../../../runtime/populate/interrupt';

test("a race ends as its make does: the make's value or its error", async () => {
  const interrupt = new Interrupt();
  assert.equal(await interrupt.race(Promise.resolve(42)), 42);
  await assert.rejects(interrupt.race(Promise.reject(new Error('make failed'))), /make failed/);
  interrupt.stop('SIGINT');
  // A stop lets the make in progress finish.
  assert.equal(await interrupt.race(nextTurn().then(() => 'done')), 'done');
});

test('an abort ends the races in progress with InterruptedError, and every later one at once', async () => {
  const interrupt = new Interrupt();
  const never = new Promise<never>(() => undefined);
  const a = interrupt.race(never);
  const b = interrupt.race(never);
  interrupt.abort('SIGTERM');
  for (const r of [a, b]) {
    await assert.rejects(r, (e: unknown) => e instanceof InterruptedError && e.signal === 'SIGTERM');
  }
  await assert.rejects(interrupt.race(Promise.resolve(1)), InterruptedError);
  await assert.rejects(interrupt.promise, InterruptedError);
});

test("a race that is over keeps nothing of its make's outcome alive", async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const interrupt = new Interrupt();
  const refs: WeakRef<object>[] = [];
  const run = async () => {
    for (let i = 0; i < 200; i++) {
      const outcome = { key: i, rows: new Array(100).fill(i) };
      refs.push(new WeakRef(outcome));
      await interrupt.race(Promise.resolve(outcome));
    }
  };
  await run();
  // WeakRefs hold their targets until the turn that made them is over.
  await nextTurn();
  gc();
  await nextTurn();
  gc();
  assert.equal(refs.filter((r) => r.deref() !== undefined).length, 0, 'no outcome is reachable from the interrupt');
});

// The interrupt path waits a bounded time for a COMMIT's answer and for the make to end;
// its timer must not outlive the wait, or an interrupted run's process stays up that long.
test('settledWithin ends with the work, fulfilled or rejected, and leaves no timer behind', async () => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  await settledWithin(Promise.resolve('answered'), 60_000);
  await settledWithin(Promise.reject(new Error('commit failed')), 60_000);
  await settledWithin(undefined, 60_000);
  assert.equal(timers(), before);
  // Work that never settles: the wait ends with its bound, and nothing stays pending.
  await settledWithin(new Promise<never>(() => undefined), 1);
  assert.equal(timers(), before);
});
