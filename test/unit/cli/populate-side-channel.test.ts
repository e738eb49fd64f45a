// The pieces of `djx populate --json-events` and `--progress` that need no database: the
// side channel on real descriptors and files, and the bar's mode and width rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { Readable } from 'node:stream';
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

const SINK = JSON.stringify(join(__dirname, '..', '..', '..', 'runtime', 'cli', 'populate', 'event-sink.ts'));

test('one pipe on several descriptors, all its writing end (--json-events 3 3>&1 4>&3 | cat), is accepted', () => {
  const script = `
    const { openEventSink } = require(${SINK});
    const sink = openEventSink('3');
    sink.write(${JSON.stringify(end)});
    sink.close();`;
  const r = spawnSync('sh', ['-c', `"$0" --import tsx -e "$1" 3>&1 4>&3 | cat`, process.execPath, script], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.deepEqual(parseEvent(r.stdout.trim()), end);
});

test('the writing end of a pipe whose reading end the process holds too is refused with its own message', () => {
  // A pipe handed down as both fd 3 (reading end) and fd 4 (writing end), as a careless caller would.
  const script = `
    const { openEventSink } = require(${SINK});
    try { openEventSink('4'); process.stdout.write('accepted'); } catch (e) { process.stdout.write(e.message); }`;
  const r = spawnSync('sh', ['-c', `mkfifo "$2/f" && exec 3<>"$2/f" && exec "$0" --import tsx -e "$1" 3<"$2/f" 4>"$2/f"`, process.execPath, script, mkdtempSync(join(tmpdir(), 'dj-fifo-'))], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /--json-events 4: file descriptor 4 is not one the caller passed to djx: it is a pipe whose reading end djx holds too/);
});

test('a full non-blocking pipe nobody drains: events stop after the stall limit, with a message, and writing goes on returning', async () => {
  // fd 3 made non-blocking (a socket Node opens on it); the parent never reads it.
  const script = `
    const { openEventSink } = require(${SINK});
    new (require('node:net').Socket)({ fd: 3, readable: false, writable: true });
    const sink = openEventSink('3', { stallMs: 300 });
    const t0 = performance.now();
    let n = 0;
    while (!sink.stopped && n < 1e6) { sink.write(${JSON.stringify(end)}); n++; }
    const waited = performance.now() - t0;
    for (let i = 0; i < 1000; i++) sink.write(${JSON.stringify(end)});
    process.stdout.write(JSON.stringify({ stopped: sink.stopped, n, waited, after: performance.now() - t0 - waited }));
    process.exit(0);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  (child.stdio[3] as Readable).pause();
  const r = { stdout: '', stderr: '', status: null as number | null };
  child.stdout!.on('data', (d: Buffer) => (r.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (r.stderr += d.toString()));
  r.status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise((resolve) => setImmediate(resolve));
  child.stdio[3]!.destroy();
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { stopped: boolean; n: number; waited: number; after: number };
  assert.equal(out.stopped, true, r.stdout);
  assert.ok(out.n > 10 && out.n < 1e6, r.stdout);
  assert.ok(out.waited >= 300, r.stdout);
  assert.ok(out.after < 250, `writes after the stop still wait: ${r.stdout}`);
  assert.match(r.stderr, /^djx: --json-events: nobody read the events for 300 ms \(the pipe is full\); stopped writing events, the run goes on\n$/);
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
