// client/jobs/sessionNamesCache.ts: the Jobs and Workers views share one cache of session
// names per refresh (ComputationsDatabase.sessionNames), so the server is asked once for a
// connection whichever view asks first, and again after a refresh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionNamesCache } from '../../../client/jobs/sessionNamesCache';

function server(names: Record<number, string>) {
  const asked: number[][] = [];
  const ask = async (ids: number[]) => {
    asked.push([...ids]);
    return new Map(ids.filter((id) => id in names).map((id) => [id, names[id]!] as [number, string]));
  };
  return { asked, ask };
}

test('the second view gets the names the first asked for, without a query; only new ids are asked', async () => {
  const cache = new SessionNamesCache();
  const s = server({ 11: 'dj-slurm-7_1', 12: 'dj-slurm-7_2' });
  // The Jobs view expands a table with two reservations, the Workers view lists every holder.
  const jobs = await cache.names([11, 12], s.ask);
  const workers = await cache.names([12, 11, 13], s.ask);
  assert.deepEqual([...jobs], [[11, 'dj-slurm-7_1'], [12, 'dj-slurm-7_2']]);
  assert.deepEqual([...workers].sort(), [[11, 'dj-slurm-7_1'], [12, 'dj-slurm-7_2']]);
  assert.deepEqual(s.asked, [[11, 12], [13]]);
  // An unnamed connection is remembered as unnamed too.
  await cache.names([13], s.ask);
  assert.equal(s.asked.length, 2);
});

test('both views asking at once share the one query in flight', async () => {
  const cache = new SessionNamesCache();
  const s = server({ 5: 'dj-slurm-9' });
  const [a, b] = await Promise.all([cache.names([5, 6], s.ask), cache.names([6, 5], s.ask)]);
  assert.deepEqual(s.asked, [[5, 6]]);
  assert.equal(a.get(5), 'dj-slurm-9');
  assert.equal(b.get(5), 'dj-slurm-9');
});

test('a refresh asks again (sessions come and go); a failed query is not kept', async () => {
  const cache = new SessionNamesCache();
  const s = server({ 1: 'first' });
  await cache.names([1], s.ask);
  cache.invalidate();
  await cache.names([1], s.ask);
  assert.deepEqual(s.asked, [[1], [1]]);

  let fail = true;
  const flaky = async (ids: number[]) => {
    if (fail) throw new Error('gone away');
    return s.ask(ids);
  };
  cache.invalidate();
  await assert.rejects(cache.names([1], flaky), /gone away/);
  fail = false;
  assert.equal((await cache.names([1], flaky)).get(1), 'first');
});
