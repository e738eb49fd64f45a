// The notification a populate run ends with, from the CLI's JSON events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plural, summarizeRun } from '../../../client/populate/runSummary';
import type { PopulateEvent } from '../../../runtime/populate/events';

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
  assert.equal(summarizeRun('Quality', 130, [start(4), end(3, 0, 'SIGTERM')], '').message, 'Quality: 3 done, 0 failed, stopped at once; 1 key not attempted');
});

test('a run without an end event did not run: the CLI\'s last line says why', () => {
  const transcript = 'dj populate pipeline/pipeline.ts ProcessedData\nError: pipeline/pipeline.ts does not export ProcessedData\n\n[exit code 2: usage or connection error]\n';
  assert.deepEqual(summarizeRun('ProcessedData', 2, [], transcript), {
    level: 'error',
    message: 'Populate ProcessedData did not run: Error: pipeline/pipeline.ts does not export ProcessedData',
    hasErrors: false,
    started: false,
  });
  assert.equal(summarizeRun('X', 2, [], '').message, 'Populate X did not run: the CLI exited with code 2');
  const cli = 'dj populate m.ts X\ndj: Cannot load pipeline module m.ts: Cannot find module \'./lab\'\nRequire stack:\n- /w/m.ts\n[exit code 2: could not run]\n';
  assert.equal(summarizeRun('X', 2, [], cli).message, "Populate X did not run: Cannot load pipeline module m.ts: Cannot find module './lab'");
});

test('plural', () => {
  assert.equal(plural(1, 'key'), '1 key');
  assert.equal(plural(0, 'key'), '0 keys');
  assert.equal(plural(2, 'error'), '2 errors');
});
