// When the language server gets a new catalog snapshot (client/language/catalogSyncPolicy.ts):
// on opening and coming back, on reloads of the Tables view someone asked for and on
// `datajoint.schemas` changes; never on auto-refresh ticks; reads coalesce; an unchanged
// snapshot is not sent again; the last one is sent again to a restarted server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CatalogSyncCore, decide, type CatalogEvent } from '../../../client/language/catalogSyncPolicy';
import type { CatalogSnapshot } from '../../../runtime/catalog/snapshot';

const snap = (tables: string[], rows = 0): CatalogSnapshot => ({
  label: 'db', backend: 'mysql', schemas: ['lab'],
  tables: tables.map((name) => ({ schema: 'lab', name, tier: 'Manual', className: name, comment: '', estimatedRows: rows, attributes: [], primaryKey: [], foreignKeys: [], indexes: [] })),
});

/** A core whose reads are counted and answered by hand (`finish`), its sends recorded. */
function harness(tables: () => string[] = () => ['a'], rows = () => 0) {
  const sent: Array<CatalogSnapshot | null> = [];
  const pending: Array<() => void> = [];
  let reads = 0;
  const core = new CatalogSyncCore({
    read: () => {
      reads++;
      return new Promise((resolve) => pending.push(() => resolve(snap(tables(), rows()))));
    },
    send: (s) => sent.push(s),
  });
  const finish = async () => {
    while (pending.length) {
      pending.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { core, sent, pending, reads: () => reads, finish };
}

const turn = () => new Promise((r) => setImmediate(r));
const connect = async (h: ReturnType<typeof harness>) => {
  void h.core.handle({ kind: 'state', state: 'connecting', connected: false });
  await turn();
  void h.core.handle({ kind: 'connection', open: true });
  await turn();
  void h.core.handle({ kind: 'state', state: 'connected', connected: true });
  await h.finish();
};

test('the decisions', () => {
  const s = { previous: 'connected' as const, hasSnapshot: true, readingOpened: false };
  const reload = (reason: 'requested' | 'automatic' | 'state' | 'rows'): CatalogEvent => ({ kind: 'reload', reason, connected: true });
  assert.equal(decide(reload('automatic'), s), 'none');
  assert.equal(decide(reload('state'), s), 'none');
  // After a Jobs-view action or a Debug make(): rows and jobs changed, no table.
  assert.equal(decide(reload('rows'), s), 'none');
  assert.equal(decide(reload('requested'), s), 'read');
  assert.equal(decide({ kind: 'reload', reason: 'requested', connected: false }, s), 'none');
  assert.equal(decide({ kind: 'schemas', connected: true }, s), 'read');
  assert.equal(decide({ kind: 'schemas', connected: false }, s), 'none');
  assert.equal(decide({ kind: 'connection', open: true }, s), 'read');
  assert.equal(decide({ kind: 'connection', open: false }, s), 'clear');
  const connected: CatalogEvent = { kind: 'state', state: 'connected', connected: true };
  assert.equal(decide(connected, { ...s, previous: 'error' }), 'read', 'back after the server was away');
  assert.equal(decide(connected, { ...s, previous: 'connected' }), 'read', 'the data changed (dataChanged)');
  assert.equal(decide(connected, { ...s, previous: 'connecting' }), 'none');
  assert.equal(decide(connected, { ...s, previous: 'connecting', hasSnapshot: false, readingOpened: true }), 'none', 'the opening reads');
  assert.equal(decide(connected, { ...s, previous: 'connecting', hasSnapshot: false }), 'read', 'the read at the opening failed');
  assert.equal(decide({ kind: 'state', state: 'error', connected: true }, s), 'none');
  assert.equal(decide({ kind: 'server-ready' }, s), 'resend');
  assert.equal(decide({ kind: 'server-ready' }, { ...s, hasSnapshot: false }), 'none');
});

test('connecting reads once; auto-refresh ticks and state reloads read nothing', async () => {
  const h = harness();
  await connect(h);
  assert.equal(h.reads(), 1);
  assert.deepEqual(h.sent.map((s) => s?.tables.length), [1]);
  for (let i = 0; i < 10; i++) void h.core.handle({ kind: 'reload', reason: 'automatic', connected: true });
  void h.core.handle({ kind: 'reload', reason: 'state', connected: true });
  await h.finish();
  assert.equal(h.reads(), 1);
});

test('a requested reload reads; an unchanged snapshot (row estimates aside) is not sent again', async () => {
  let tables = ['a'];
  let rows = 0;
  const h = harness(() => tables, () => rows);
  await connect(h);
  rows = 500;
  void h.core.handle({ kind: 'reload', reason: 'requested', connected: true });
  await h.finish();
  assert.equal(h.reads(), 2);
  assert.equal(h.sent.length, 1, 'only the estimates moved');
  tables = ['a', 'b'];
  void h.core.handle({ kind: 'reload', reason: 'requested', connected: true });
  await h.finish();
  assert.deepEqual(h.sent.map((s) => s?.tables.length), [1, 2]);
});

test('requests in one turn share a read; one during a read gets one more read after it', async () => {
  const h = harness();
  await connect(h);
  // `datajoint.schemas` changed: the setting's own event and the view's reload, together.
  void h.core.handle({ kind: 'schemas', connected: true });
  void h.core.handle({ kind: 'reload', reason: 'requested', connected: true });
  await h.finish();
  assert.equal(h.reads(), 2);
  void h.core.handle({ kind: 'reload', reason: 'requested', connected: true });
  await turn();
  void h.core.handle({ kind: 'reload', reason: 'requested', connected: true });
  void h.core.handle({ kind: 'reload', reason: 'requested', connected: true });
  await h.finish();
  assert.equal(h.reads(), 4, 'the one under way and one after it');
});

test('back after the server was away: read again; closing sends null; a restarted server gets the last snapshot', async () => {
  const h = harness();
  await connect(h);
  void h.core.handle({ kind: 'state', state: 'error', connected: true });
  void h.core.handle({ kind: 'state', state: 'connected', connected: true });
  await h.finish();
  assert.equal(h.reads(), 2);
  void h.core.handle({ kind: 'server-ready' });
  assert.equal(h.sent.length, 2);
  assert.deepEqual(h.sent[1], h.sent[0]);
  // A read under way when the connection closes is dropped.
  void h.core.handle({ kind: 'reload', reason: 'requested', connected: true });
  void h.core.handle({ kind: 'connection', open: false });
  await h.finish();
  assert.deepEqual(h.sent.at(-1), null);
  assert.equal(h.core.snapshot, null);
  void h.core.handle({ kind: 'server-ready' });
  assert.equal(h.sent.length, 3, 'nothing to send again while disconnected');
});
