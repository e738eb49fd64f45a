// The example pipeline's sample data: every requested session is inserted, however many
// (the demo asks for 28 x 3 by default and more with options), and seeding twice adds nothing.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pipeline } from '../../../examples/pipeline/pipeline';
import { seedPipeline, sessionDate } from '../../../examples/pipeline/seed';
import { declareExamplePipeline } from './helpers';

let p: Pipeline;
declareExamplePipeline('djt_seed', (_conn, pipeline) => {
  p = pipeline;
});

it('session dates are one day apart, across months and the leap day', () => {
  assert.equal(sessionDate(0), '2024-01-01');
  assert.equal(sessionDate(30), '2024-01-31');
  assert.equal(sessionDate(31), '2024-02-01');
  assert.equal(sessionDate(59), '2024-02-29');
  assert.equal(new Set(Array.from({ length: 1000 }, (_, i) => sessionDate(i))).size, 1000);
});

it('inserts every requested session beyond 84 (UNIQUE session_date, session_idx), once', async () => {
  const options = { subjects: 31, sessionsPerSubject: 3, samplesPerSession: 2 };
  const keys = await seedPipeline(p, options);
  assert.equal(keys.length, 93);
  assert.equal(await p.Subject.count(), 31);
  assert.equal(await p.Session.count(), 93);
  assert.equal(await p.RawData.count(), 93);
  assert.equal(await p.Session.restrict({ subject_id: 31, session_idx: 3 }).count(), 1);
  await seedPipeline(p, options);
  assert.equal(await p.Session.count(), 93);
  assert.equal(await p.RawData.count(), 93);
});
