// ConnectQueue: a Connect asked for while one is under way runs once more after it, with
// the latest request's wishes; Disconnect drops the queued one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectQueue } from '../../../client/connection/connectQueue';

/** Attempts the test finishes by hand, recording how each was started. */
function harness() {
  const started: Array<{ interactive: boolean; finish: (ok: boolean) => void; fail: (e: Error) => void }> = [];
  const queue = new ConnectQueue(
    (interactive) =>
      new Promise<boolean>((resolve, reject) => {
        started.push({ interactive, finish: resolve, fail: reject });
      }),
  );
  return { queue, started };
}

const tick = () => new Promise((r) => setImmediate(r));

test('one attempt at a time; requests during it share one follow-up attempt, interactive if any asked', async () => {
  const { queue, started } = harness();
  const first = queue.request(false);
  const second = queue.request(false);
  const third = queue.request(true);
  assert.equal(started.length, 1, 'the follow-up waits for the attempt under way');
  assert.equal(second, third, 'requests during one attempt share the follow-up');
  assert.equal(queue.pending, second);
  started[0]!.finish(false);
  assert.equal(await first, false);
  await tick();
  assert.equal(started.length, 2);
  assert.equal(started[1]!.interactive, true, 'the follow-up is interactive when a caller asked for it');
  started[1]!.finish(true);
  assert.equal(await second, true);
  await tick();
  assert.equal(started.length, 2, 'nothing more runs');
  assert.equal(queue.pending, undefined);
  // Idle again: a request starts at once.
  const fourth = queue.request(false);
  assert.equal(started.length, 3);
  assert.equal(started[2]!.interactive, false);
  started[2]!.finish(true);
  assert.equal(await fourth, true);
});

test('a failing attempt counts as not connected and the follow-up still runs', async () => {
  const { queue, started } = harness();
  const first = queue.request(true);
  const second = queue.request(false);
  started[0]!.fail(new Error('boom'));
  assert.equal(await first, false);
  await tick();
  assert.equal(started.length, 2);
  started[1]!.finish(true);
  assert.equal(await second, true);
});

test('dropQueued (Disconnect): the queued attempt never runs and its callers get false', async () => {
  const { queue, started } = harness();
  const first = queue.request(false);
  const second = queue.request(true);
  queue.dropQueued();
  assert.equal(await second, false);
  started[0]!.finish(true);
  assert.equal(await first, true);
  await tick();
  assert.equal(started.length, 1);
  assert.equal(queue.pending, undefined);
});
