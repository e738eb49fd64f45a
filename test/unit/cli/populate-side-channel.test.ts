// The pieces of `dj populate --json-events` and `--progress` that need no database: the
// side channel on real descriptors and files, and the bar's mode and width rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventSinkError, openEventSink } from '../../../runtime/cli/populate/event-sink';
import { columnsFromEnv, wantsBar } from '../../../runtime/cli/populate/progress-bar';
import { parseEvent, type PopulateEvent } from '../../../runtime/populate/events';

const end: PopulateEvent = { v: 1, event: 'end', successCount: 2, errorCount: 0, interrupted: null, durationMs: 1.5 };
const start: PopulateEvent = { v: 1, event: 'start', table: 'T', schema: 's', mode: 'direct', total: 2, processes: 1, time: '2026-01-01T00:00:00.000Z' };

test('a file: created or truncated, one event per line, in order', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dj-sink-'));
  try {
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, 'old content that must go\n');
    const sink = openEventSink(file);
    sink.write(start);
    sink.write({ v: 1, event: 'keyDone', key: { id: 'ü' }, durationMs: 1, worker: 1 });
    sink.write(end);
    sink.close();
    const lines = readFileSync(file, 'utf8').split('\n');
    assert.equal(lines.pop(), '');
    assert.deepEqual(
      lines.map((l) => parseEvent(l)?.event),
      ['start', 'keyDone', 'end'],
    );
    assert.deepEqual(JSON.parse(lines[1]!).key, { id: 'ü' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a descriptor the process holds open for writing is accepted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dj-sink-'));
  try {
    const file = join(dir, 'fd.jsonl');
    const fd = openSync(file, 'w');
    const sink = openEventSink(String(fd));
    sink.write(end);
    sink.close();
    assert.deepEqual(parseEvent(readFileSync(file, 'utf8').trim()), end);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad values: stdio numbers, closed or read-only descriptors, unwritable paths, empty', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dj-sink-'));
  try {
    const readOnly = join(dir, 'ro.txt');
    writeFileSync(readOnly, 'x');
    const roFd = openSync(readOnly, 'r');
    const cases: Array<[string, RegExp]> = [
      ['0', /file descriptors 0-2 are stdin, stdout and stderr/],
      ['2', /give a descriptor >= 3 or a file path \(\.\/2 for a file named 2\)/],
      ['987', /file descriptor 987 is not open for writing/],
      [String(roFd), new RegExp(`file descriptor ${roFd} is not open for writing`)],
      [join(dir, 'missing', 'e.jsonl'), /cannot open the file for writing \(ENOENT\)/],
      [dir, /cannot open the file for writing \(EISDIR\)/],
      ['  ', /expects a file descriptor number >= 3 or a file path/],
    ];
    for (const [spec, message] of cases) {
      assert.throws(
        () => openEventSink(spec),
        (e: unknown) => e instanceof EventSinkError && e.code === 'usage' && message.test(e.message),
        spec,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Linux (/proc/self/fd), as on these machines and CI.
test('Node’s own descriptors (epoll, eventfd, its internal pipes) are refused', () => {
  // A fresh process with nothing passed beyond stdio: fds 3.. are Node's.
  const script = `
    const { openEventSink } = require(${JSON.stringify(join(__dirname, '..', '..', '..', 'runtime', 'cli', 'populate', 'event-sink.ts'))});
    const refused = [];
    for (let fd = 3; fd < 12; fd++) { try { openEventSink(String(fd)).close(); } catch (e) { refused.push(fd); } }
    process.stdout.write(JSON.stringify(refused));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [3, 4, 5, 6, 7, 8, 9, 10, 11]);
});

test('--progress modes: never and --no-progress off, always on, auto only on a terminal without --json', () => {
  assert.equal(wantsBar(false, false), false);
  assert.equal(wantsBar('never', false), false);
  assert.equal(wantsBar('always', false), true);
  assert.equal(wantsBar('always', true), true);
  assert.equal(wantsBar('auto', true), false);
  assert.equal(wantsBar(undefined, false), Boolean(process.stderr.isTTY));
});

test('COLUMNS: a sensible whole number or nothing', () => {
  assert.equal(columnsFromEnv({ COLUMNS: '120' }), 120);
  assert.equal(columnsFromEnv({ COLUMNS: '20' }), 20);
  for (const bad of ['', 'wide', '0', '-80', '12.5', '19', '100000']) assert.equal(columnsFromEnv({ COLUMNS: bad }), undefined, bad);
  assert.equal(columnsFromEnv({}), undefined);
});
