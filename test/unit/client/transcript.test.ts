// The populate terminal's transcript: the bar's redraws folded as text arrives, bounded
// to its end; the exit label names the signal that killed the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Transcript, exitLabel } from '../../../client/populate/transcript';

test('a carriage return or a cursor move to column 1 replaces the line; newlines keep it', () => {
  const t = new Transcript();
  t.append('djx populate m.ts A\n');
  for (let i = 1; i <= 100; i++) t.append(`\x1b[1GA ${i}/100 | 1.0/s\x1b[0K`);
  t.append('\n\r\x1b[2Klogged line\n');
  t.append('A: 100 done, 0 failed\n');
  assert.equal(t.toString(), 'djx populate m.ts A\nA 100/100 | 1.0/s\nlogged line\nA: 100 done, 0 failed\n');
});

test('escape sequences and \\r\\n cut between two chunks are read whole', () => {
  const t = new Transcript();
  for (const chunk of ['one\r', '\ntwo \x1b', '[31mred\x1b[', '0m\r', '\nbar 1\x1b[1', 'Gbar 2', '\n']) t.append(chunk);
  assert.equal(t.toString(), 'one\ntwo red\nbar 2\n');
});

test('an hour of redraws stays small and the end is kept under the cap', () => {
  const t = new Transcript(10_000);
  for (let i = 0; i < 200_000; i++) t.append(`\rA ${'#'.repeat(40)} ${i}/200000`);
  t.append('\n');
  assert.equal(t.toString(), `A ${'#'.repeat(40)} 199999/200000\n`);
  for (let i = 0; i < 5_000; i++) t.append(`line ${i}\n`);
  const text = t.toString();
  assert.ok(text.length <= 10_000 + 40, `${text.length} characters kept`);
  assert.ok(text.startsWith('[… earlier output dropped]\n'), text.slice(0, 60));
  assert.ok(text.endsWith('line 4999\n'));
  // A line that never ends is bounded too.
  const long = new Transcript(1000);
  for (let i = 0; i < 500; i++) long.append('x'.repeat(100));
  assert.ok(long.toString().length <= 1000 + 40);
});

test('exit labels: keys done or failed, stopped, could not run, killed by a signal', () => {
  assert.equal(exitLabel(0), '[exit code 0: all keys done]');
  assert.equal(exitLabel(1), '[exit code 1: some keys failed]');
  assert.equal(exitLabel(2), '[exit code 2: could not run]');
  assert.equal(exitLabel(130), '[exit code 130: stopped]');
  assert.equal(exitLabel(130, 'SIGINT'), '[exit code 130: stopped]');
  assert.equal(exitLabel(137, 'SIGKILL'), '[exit code 137: killed by SIGKILL]');
  assert.equal(exitLabel(143, 'SIGTERM'), '[exit code 143: killed by SIGTERM]');
  // A code of 128 + n from a CLI that re-raised or a shell that reported it.
  assert.equal(exitLabel(137), '[exit code 137: killed by SIGKILL]');
  assert.equal(exitLabel(139), '[exit code 139: killed by SIGSEGV]');
});
