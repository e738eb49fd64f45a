// Delete cascades as in the reference: dependent rows first (children before parents),
// in one transaction; a dry run counts and rolls back; parts are not deleted directly.
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as dj from '../../../runtime/index';
import type { Pipeline } from '../../../examples/pipeline/pipeline';
import { seedPipeline } from '../../../examples/pipeline/seed';
import { declareExamplePipeline } from './helpers';

let conn: dj.Connection;
let p: Pipeline;
const db = declareExamplePipeline('djt_delete', (c, pipeline) => {
  conn = c;
  p = pipeline;
});

const t = (name: string) => `\`${db}\`.\`${name}\``;

beforeEach(async () => {
  await p.Subject.delete();
  await p.Subject.insert([{ subject_id: 1 }, { subject_id: 2 }]);
  await p.Session.insert([
    { subject_id: 1, session_idx: 1, session_date: '2024-01-01' },
    { subject_id: 1, session_idx: 2, session_date: '2024-01-02' },
    { subject_id: 2, session_idx: 1, session_date: '2024-01-03' },
  ]);
  await p.RawData.insert([
    { subject_id: 1, session_idx: 1, samples: [1, 2, 3], sampling_rate: 100 },
    { subject_id: 1, session_idx: 2, samples: [4, 5], sampling_rate: 100 },
    { subject_id: 2, session_idx: 1, samples: [6], sampling_rate: 100 },
  ]);
  // make() as populate runs it: in a transaction, with inserts into the Computed table allowed.
  for (const key of await p.RawData.join(p.Method).keys()) {
    await conn.transaction(() => dj.withDirectInsert(() => p.ProcessedData.make(key)));
  }
});

describe('delete', () => {
  it('seeds the example pipeline idempotently', async () => {
    const keys = await seedPipeline(p, { subjects: 4, sessionsPerSubject: 2, samplesPerSession: 3 });
    assert.equal(keys.length, 8);
    await seedPipeline(p, { subjects: 4, sessionsPerSubject: 2, samplesPerSession: 3 });
    assert.equal(await p.RawData.count(), 8);
    const { samples } = await p.RawData.restrict({ subject_id: 4, session_idx: 2 }).fetch1<{ samples: number[] }>({ attributes: ['samples'] });
    assert.equal(samples.length, 3);
  });

  it('make() hooks filled the computed table and its part', async () => {
    assert.equal(await p.ProcessedData.count(), 6);
    assert.equal(await p.ProcessedData.Trial.count(), 12);
    const row = await p.ProcessedData.restrict({ subject_id: 1, session_idx: 1, method: 'mean' }).fetch1();
    assert.equal(row.result, 2);
    assert.equal(row.n_samples, 3n);
  });

  it('counts without deleting in a dry run', async () => {
    const r = await p.Subject.restrict({ subject_id: 1 }).delete({ dryRun: true });
    assert.equal(r.dryRun, true);
    assert.equal(r.count, 1);
    assert.deepEqual(r.tables, {
      [t('__processed_data__trial')]: 10,
      [t('__processed_data')]: 4,
      [t('raw_data')]: 2,
      [t('session')]: 2,
      [t('subject')]: 1,
    });
    assert.equal(await p.Subject.count(), 2);
    assert.equal(await p.ProcessedData.Trial.count(), 12);
  });

  it('cascades to dependent tables, children first', async () => {
    const r = await p.Session.restrict({ subject_id: 1, session_idx: 2 }).delete();
    assert.equal(r.count, 1);
    assert.deepEqual(Object.keys(r.tables), [t('__processed_data__trial'), t('__processed_data'), t('raw_data'), t('session')]);
    assert.equal(await p.Session.count(), 2);
    assert.equal(await p.ProcessedData.count(), 4);
    assert.equal(await p.ProcessedData.Trial.count(), 8);
    assert.equal(await p.Subject.count(), 2);
    // The foreign keys themselves restrict: a plain DELETE of a parent row fails.
    await assert.rejects(conn.execute(`DELETE FROM ${conn.dialect.qualified(db, 'subject')} WHERE subject_id = 2`), { code: 'integrity' });
  });

  it('deletes by a query restriction and through a lookup', async () => {
    await p.Subject.restrict(p.Session.restrict({ session_date: '2024-01-03' })).delete();
    assert.deepEqual(await p.Subject.keys(), [{ subject_id: 1 }]);
    const r = await p.Method.restrict({ method: 'peak' }).delete({ dryRun: true });
    assert.equal(r.tables[t('__processed_data')], 2);
  });

  it('refuses to delete from a part directly unless told to', async () => {
    await assert.rejects(p.ProcessedData.Trial.restrict({ trial_idx: 0 }).delete(), { code: 'integrity', message: /Cannot delete from part table/ });
    const r = await p.ProcessedData.Trial.restrict({ trial_idx: 0 }).delete({ partIntegrity: 'ignore' });
    assert.equal(r.count, 6);
  });

  it('rolls back with the surrounding transaction', async () => {
    await assert.rejects(
      conn.transaction(async () => {
        await p.Subject.restrict({ subject_id: 2 }).delete();
        throw new Error('undo');
      }),
      { message: 'undo' },
    );
    assert.equal(await p.Subject.count(), 2);
    assert.equal(await p.RawData.count(), 3);
  });

  it('refuses deleting from a join or projection', async () => {
    await assert.rejects(p.Session.join(p.Subject).delete(), { code: 'usage' });
  });

  it('drops a table with its parts, refuses while other tables depend on it, and redeclares on use', async () => {
    await assert.rejects(p.Session.drop(), { code: 'integrity', message: `Cannot drop \`${db}\`.\`session\`: dependent tables must be dropped first: \`${db}\`.\`raw_data\`` });
    await p.ProcessedData.drop();
    const names = await (await p.schema.catalog()).tableNames(db);
    assert.ok(!names.includes('__processed_data') && !names.includes('__processed_data__trial'));
    assert.equal(await p.ProcessedData.count(), 0);
    assert.equal(await p.ProcessedData.Trial.count(), 0);
  });
});
