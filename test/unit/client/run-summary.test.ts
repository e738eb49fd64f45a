// The notification a populate run ends with, from the CLI's JSON events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plural, summarizeRun } from '../../../client/populate/runSummary';
import type { EndEvent, EndLeft, PopulateEvent } from '../../../runtime/populate/events';

const start = (total: number): PopulateEvent => ({ v: 1, event: 'start', table: 'Quality', schema: 'lab', mode: 'reserved', total, processes: 1, time: '' });
const end = (successCount: number, errorCount: number, interrupted: 'SIGINT' | 'SIGTERM' | null = null): PopulateEvent => ({ v: 1, event: 'end', successCount, errorCount, interrupted, durationMs: 1 });

test('counts from the end event; an error level when a key failed', () => {
  assert.deepEqual(summarizeRun('Quality', 1, [start(84), end(80, 4)], ''), { level: 'error', message: 'Quality: 80 done, 4 failed', hasErrors: true, started: true });
  assert.deepEqual(summarizeRun('Quality', 0, [start(3), end(3, 0)], ''), { level: 'info', message: 'Quality: 3 done, 0 failed', hasErrors: false, started: true });
  assert.equal(summarizeRun('Quality', 0, [start(0), end(0, 0)], '').message, 'Quality: nothing to compute');
});

test('a stopped run says so and what it left, pluralised', () => {
  const s = summarizeRun('Quality', 130, [start(40), end(3, 0, 'SIGINT')], '');
  assert.equal(s.level, 'warning');
  assert.equal(s.message, 'Quality: 3 done, 0 failed, stopped after the key in progress; 37 keys not attempted');
  assert.equal(summarizeRun('Quality', 130, [start(4), end(3, 0, 'SIGTERM')], '').message, 'Quality: 3 done, 0 failed, stopped after the key in progress (SIGTERM); 1 key not attempted');
});

const left = (l: Partial<EndLeft>): EndLeft => ({ total: 0, error: 0, ignored: 0, reserved: 0, orphaned: 0, interrupted: 0, notScheduled: 0, pending: 0, ...l });
const endWith = (successCount: number, errorCount: number, l: EndLeft | null, extra: Partial<EndEvent> = {}): PopulateEvent => ({
  v: 1,
  event: 'end',
  successCount,
  errorCount,
  interrupted: null,
  durationMs: 1,
  rev: 2,
  interruptedCount: 0,
  left: l,
  connectionLost: null,
  ...extra,
});

test('what is left and why, from the end event (rev 2): a run that left keys is never a plain success', () => {
  const s = summarizeRun('Quality', 1, [start(47), endWith(45, 0, left({ total: 2, error: 2 }))], '');
  // Exit 1 for error jobs of earlier runs: not all done, which the message says; no key failed now.
  assert.deepEqual(s, { level: 'warning', message: 'Quality: 45 done, 0 failed; 2 keys left: 2 error jobs', hasErrors: true, started: true });
  assert.deepEqual(summarizeRun('Quality', 1, [start(0), endWith(0, 0, left({ total: 2, error: 2 }))], ''), {
    level: 'warning',
    message: 'Quality: nothing to compute; 2 keys left: 2 error jobs',
    hasErrors: true,
    started: true,
  });
  // A non-zero exit the end event does not explain stays an error.
  assert.equal(summarizeRun('Quality', 1, [start(3), endWith(3, 0, left({}))], '').level, 'error');
  assert.equal(
    summarizeRun('Quality', 0, [start(9), endWith(3, 0, left({ total: 6, ignored: 1, reserved: 2, orphaned: 1, notScheduled: 1, pending: 1 }))], '').message,
    'Quality: 3 done, 0 failed; 6 keys left: 1 ignored, 2 reserved by other workers, 1 reserved by gone workers (Recover in the Jobs view), 1 not scheduled yet, 1 not attempted',
  );
  assert.equal(
    summarizeRun('Quality', 130, [start(4), endWith(1, 0, left({ total: 3, interrupted: 1, pending: 2 }), { interrupted: 'SIGINT', interruptedCount: 1 })], '').message,
    'Quality: 1 done, 0 failed, stopped after the key in progress; 3 keys left: 1 interrupted, 2 not attempted',
  );
  // Nothing left: no clause, and an info level.
  assert.deepEqual(summarizeRun('Quality', 0, [start(3), endWith(3, 0, left({}))], '').level, 'info');
  // The server went away: said, and what is left is not guessed.
  assert.equal(
    summarizeRun('Quality', 2, [start(5), endWith(2, 0, null, { connectionLost: { server: '127.0.0.1:3306', message: 'ECONNREFUSED' } })], '').message,
    'Quality: 2 done, 0 failed; the database server 127.0.0.1:3306 went away, 3 keys not attempted',
  );
});

test('a run without an end event did not run: the CLI\'s last line says why', () => {
  const transcript = 'djx populate pipeline/pipeline.ts ProcessedData\nError: pipeline/pipeline.ts does not export ProcessedData\n\n[exit code 2: usage or connection error]\n';
  assert.deepEqual(summarizeRun('ProcessedData', 2, [], transcript), {
    level: 'error',
    message: 'Populate ProcessedData did not run: Error: pipeline/pipeline.ts does not export ProcessedData',
    hasErrors: false,
    started: false,
  });
  assert.equal(summarizeRun('X', 2, [], '').message, 'Populate X did not run: the CLI exited with code 2');
  const cli = 'djx populate m.ts X\ndjx: Cannot load pipeline module m.ts: Cannot find module \'./lab\'\nRequire stack:\n- /w/m.ts\n[exit code 2: could not run]\n';
  assert.equal(summarizeRun('X', 2, [], cli).message, "Populate X did not run: Cannot load pipeline module m.ts: Cannot find module './lab'");
});

test('plural', () => {
  assert.equal(plural(1, 'key'), '1 key');
  assert.equal(plural(0, 'key'), '0 keys');
  assert.equal(plural(2, 'error'), '2 errors');
});
