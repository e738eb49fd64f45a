// `djx populate --json-events <fd|path>`: the run's events on a side channel (an inherited
// descriptor, as the VS Code extension passes it, or a file) while stdout/stderr carry
// the CLI's own progress bar (`--progress always`, through pipes, as wide as COLUMNS)
// and summary; bad descriptors and paths are usage errors (exit 2).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { parseEvent, type PopulateEvent } from '../../../runtime/populate/index';
import { range, reset, rows, setup, type Env } from './helpers';
import { PIPELINE } from './helpers';

const LOGGING = join(__dirname, '..', '..', 'fixtures', 'pipelines', 'logging.ts');
const CLI = join(__dirname, '..', '..', '..', 'runtime', 'cli', 'populate', 'standalone.ts');

let env: Env;
let dir: string;
before(async () => {
  env = await setup('djpop_events');
  dir = mkdtempSync(join(tmpdir(), 'dj-events-'));
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await env?.close();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** Raw text read from fd 3. */
  side: string;
}

/** Runs the CLI with a fourth pipe (fd 3), as the extension does; `onSide` sees fd 3 as it arrives. */
function dj(
  args: string[],
  opts: { env?: Record<string, string>; noFd3?: boolean; stopViaStdin?: boolean; onSide?: (text: string, signal: (s: NodeJS.Signals) => void) => void } = {},
): Promise<Run> {
  const stdin = opts.stopViaStdin ? 'pipe' : 'ignore';
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: { ...process.env, ...opts.env },
    stdio: opts.noFd3 ? [stdin, 'pipe', 'pipe'] : [stdin, 'pipe', 'pipe', 'pipe'],
  });
  // With stopViaStdin, "signals" are stop requests written to the CLI's stdin (--stop-on-stdin).
  const signal = (s: NodeJS.Signals) => (opts.stopViaStdin ? child.stdin!.write(`${s}\n`) : child.kill(s));
  const out = { stdout: '', stderr: '', side: '' };
  child.stdout!.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
  (child.stdio[3] as Readable | undefined)?.on('data', (d: Buffer) => {
    out.side += d.toString();
    opts.onSide?.(out.side, signal);
  });
  // 'close': every pipe, fd 3 included, has been read to its end.
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), ...out })));
}

function events(text: string): PopulateEvent[] {
  const lines = text.split('\n');
  assert.equal(lines.pop(), '', 'the side channel ends with a complete line');
  return lines.map((l) => {
    const e = parseEvent(l);
    assert.ok(e, `not an event: ${l}`);
    return e;
  });
}

/** What a terminal would show: escape sequences gone, each redraw (\r, cursor to column 1) a segment. */
function segments(text: string): string[] {
  return text
    .replace(/\x1b\[1?G/g, '\r')
    .replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '')
    .split(/\r\n|\r|\n/)
    .filter(Boolean);
}

test('--json-events 3 --progress always: events on fd 3 in order, the bar and the summary on the terminal streams', async () => {
  await reset(env, [...range(6).map((subject_id) => ({ subject_id })), { subject_id: 7, name: 'fail' }]);
  const run = await dj(['populate', PIPELINE, 'Analysis', '--suppress-errors', '--json-events', '3', '--progress', 'always'], { env: { COLUMNS: '90' } });
  assert.equal(run.code, 1, run.stderr);
  const evs = events(run.side);
  assert.equal(evs[0]!.event, 'start');
  assert.equal(evs.at(-1)!.event, 'end');
  const start = evs[0] as Extract<PopulateEvent, { event: 'start' }>;
  assert.equal(start.table, 'Analysis');
  assert.equal(start.total, 7);
  assert.equal(evs.filter((e) => e.event === 'keyDone').length, 6);
  assert.deepEqual(
    evs.filter((e) => e.event === 'keyFailed').map((e) => (e as Extract<PopulateEvent, { event: 'keyFailed' }>).key),
    [{ subject_id: 7 }],
  );
  const end = evs.at(-1) as Extract<PopulateEvent, { event: 'end' }>;
  assert.deepEqual([end.successCount, end.errorCount, end.interrupted], [6, 1, null]);
  // Nothing of the side channel leaks into the terminal streams.
  for (const line of segments(run.stdout + run.stderr)) assert.equal(parseEvent(line), undefined, `event on a terminal stream: ${line}`);
  // The CLI's own bar (drawn although stderr is a pipe), redrawn in place, then the summary.
  assert.match(run.stderr, /\r|\x1b\[\d*G/, 'the bar is redrawn in place');
  const shown = segments(run.stderr);
  assert.ok(
    shown.some((s) => /^Analysis\s+\S+ 7\/7 \| [\d.]+\/s \| ETA \d+s \| errors 1$/.test(s)),
    `no final bar in:\n${shown.join('\n')}`,
  );
  assert.ok(shown.every((s) => s.length <= 90), `a line wider than COLUMNS=90:\n${shown.join('\n')}`);
  // A failure shows as it happens, on its own line above the bar.
  assert.ok(shown.includes('✗ {"subject_id":7}: RangeError: cannot analyse subject 7'), shown.join('\n'));
  assert.match(run.stderr, /Analysis: 6 done, 1 failed/);
  assert.match(run.stderr, /\n  \{"subject_id":7\}: RangeError: cannot analyse subject 7/);
});

test('--progress always through pipes: what make() logs goes to stderr, each line whole above the bar', async () => {
  const n = 25;
  await reset(env, range(n).map((subject_id) => ({ subject_id, delay_ms: 5 })));
  const run = await dj(['populate', LOGGING, 'Analysis', '--json-events', '3', '--progress', 'always'], { env: { COLUMNS: '80' } });
  assert.equal(run.code, 0, run.stderr);
  // stdout and stderr are two pipes: only one stream keeps the lines in order with the bar.
  assert.doesNotMatch(run.stdout, /make logged/);
  const shown = segments(run.stderr);
  const logged = shown.filter((s) => s.includes('make logged'));
  const expected = range(n).flatMap((id) => [`make logged subject ${id} via log`, `make logged subject ${id} via info { id: ${id} }`, `make logged subject ${id} via debug`]);
  // Each line whole, on its own line (never glued to a bar), in the order make() logged them.
  assert.deepEqual(logged, expected, shown.join('\n'));
  for (const line of run.stderr.split('\n').filter((l) => l.includes('make logged'))) {
    assert.doesNotMatch(line.slice(line.indexOf('make logged')), /Analysis\s|\|/, `a bar on a log line: ${JSON.stringify(line)}`);
  }
  assert.ok(shown.some((s) => /^Analysis\s+\S+ 25\/25 \|/.test(s)), shown.join('\n'));
  assert.match(run.stderr, /Analysis: 25 done, 0 failed/);
});

test('--processes 2 with the bar: what make() logs in worker processes also arrives whole, above the bar', async () => {
  const n = 20;
  // Key 1's make waits for a make of the other worker process: both take keys, however
  // slowly the second starts.
  await reset(env, range(n).map((subject_id) => ({ subject_id, name: subject_id === 1 ? 'await-peer' : '', delay_ms: 20 })));
  const run = await dj(['populate', LOGGING, 'Analysis', '--processes', '2', '--json-events', '3', '--progress', 'always'], { env: { COLUMNS: '80' } });
  assert.equal(run.code, 0, run.stderr);
  const by = new Set(events(run.side).flatMap((e) => (e.event === 'keyDone' ? [e.worker] : [])));
  assert.ok(by.size >= 2, `keys were made by ${[...by].join(', ')} only`);
  assert.doesNotMatch(run.stdout, /make logged/);
  const logged = segments(run.stderr).filter((s) => s.includes('make logged'));
  // Workers run side by side: every line once and whole, in any order between keys.
  const expected = range(n).flatMap((id) => [`make logged subject ${id} via log`, `make logged subject ${id} via info { id: ${id} }`, `make logged subject ${id} via debug`]);
  assert.deepEqual([...logged].sort(), [...expected].sort(), segments(run.stderr).join('\n'));
  for (const line of run.stderr.split('\n').filter((l) => l.includes('make logged'))) {
    assert.doesNotMatch(line.slice(line.indexOf('make logged')), /Analysis\s|\|/, `a bar on a log line: ${JSON.stringify(line)}`);
    // What the terminal shows before the log text on its line: nothing left of a bar.
    const before = line.slice(0, line.indexOf('make logged'));
    const moved = before.replace(/\x1b\[1?G/g, '\r');
    const visible = moved.slice(moved.lastIndexOf('\r') + 1).replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '');
    assert.equal(visible, '', `a log line printed after a bar: ${JSON.stringify(line)}`);
  }
  assert.match(run.stderr, /Analysis: 20 done, 0 failed/);
});

test('a narrow COLUMNS shrinks the bar and cuts the line at the width', async () => {
  await reset(env, range(3).map((subject_id) => ({ subject_id })));
  const run = await dj(['populate', PIPELINE, 'Analysis', '--json-events', '3', '--progress', 'always'], { env: { COLUMNS: '50' } });
  assert.equal(run.code, 0, run.stderr);
  const bars = segments(run.stderr).filter((s) => s.startsWith('Analysis '));
  assert.ok(bars.length > 0, run.stderr);
  assert.ok(bars.every((s) => s.length <= 50), bars.join('\n'));
  assert.equal(events(run.side).at(-1)!.event, 'end');
});

test('--json-events <file>: the same events in a file; --progress never and --no-progress draw no bar', async () => {
  await reset(env, range(4).map((subject_id) => ({ subject_id })));
  const file = join(dir, 'events.jsonl');
  const run = await dj(['populate', PIPELINE, 'Analysis', '--restriction', 'subject_id <= 2', '--json-events', file, '--progress', 'never']);
  assert.equal(run.code, 0, run.stderr);
  const evs = events(readFileSync(file, 'utf8'));
  assert.deepEqual(
    evs.filter((e) => e.event !== 'progress').map((e) => e.event),
    ['start', 'keyDone', 'keyDone', 'end'],
  );
  assert.equal(run.side, '', 'nothing on fd 3 when the events go to a file');
  assert.doesNotMatch(run.stderr, /ETA/);
  assert.match(run.stderr, /Analysis: 2 done, 0 failed/);
  // The file is truncated by the next run, not appended to.
  const again = await dj(['populate', PIPELINE, 'Analysis', '--json-events', file, '--no-progress']);
  assert.equal(again.code, 0, again.stderr);
  const evs2 = events(readFileSync(file, 'utf8'));
  assert.deepEqual(evs2.filter((e) => e.event === 'start').length, 1);
  assert.equal((evs2[0] as Extract<PopulateEvent, { event: 'start' }>).total, 2);
  assert.doesNotMatch(again.stderr, /ETA/);
});

test('--json and --json-events together: stdout and fd 3 carry the same events', async () => {
  await reset(env, range(2).map((subject_id) => ({ subject_id })));
  const run = await dj(['populate', PIPELINE, 'Analysis', '--json', '--json-events', '3']);
  assert.equal(run.code, 0, run.stderr);
  const strip = (e: PopulateEvent) => e.event;
  assert.deepEqual(events(run.stdout).map(strip), events(run.side).map(strip));
  assert.doesNotMatch(run.stderr, /ETA/, 'no bar with --json unless asked for');
});

test('exit 1 without --suppress-errors and exit 130 on Ctrl-C: the events up to the end are all there', async () => {
  await reset(env, [{ subject_id: 1 }, { subject_id: 2, name: 'fail' }, { subject_id: 3 }]);
  const failed = await dj(['populate', PIPELINE, 'Analysis', '--json-events', '3', '--progress', 'always']);
  assert.equal(failed.code, 1, failed.stderr);
  const fe = events(failed.side);
  assert.equal(fe.at(-1)!.event, 'end');
  assert.equal(fe.filter((e) => e.event === 'keyFailed').length, 1);
  assert.match(failed.stderr, /make failed for key \{"subject_id":2\}/);

  await reset(env, range(6).map((subject_id) => ({ subject_id, delay_ms: subject_id === 1 ? 0 : 3000 })));
  let signalled = false;
  const stopped = await dj(['populate', PIPELINE, 'Analysis', '--json-events', '3', '--progress', 'always'], {
    onSide: (text, signal) => {
      // Stop once the first key is done and the second make is under way.
      if (!signalled && text.includes('"keyDone"')) {
        signalled = true;
        setTimeout(() => signal('SIGINT'), 300);
      }
    },
  });
  assert.equal(stopped.code, 130, stopped.stderr);
  const se = events(stopped.side);
  assert.equal(se[0]!.event, 'start');
  const end = se.at(-1) as Extract<PopulateEvent, { event: 'end' }>;
  assert.equal(end.event, 'end');
  assert.equal(end.interrupted, 'SIGINT');
  // The key in progress (2) is finished, no later key started (runtime/populate/interrupt.ts).
  assert.equal(end.successCount, 2);
  assert.equal(end.errorCount, 0);
  assert.match(stopped.stderr, /Analysis: 2 done, 0 failed, stopped by SIGINT; 4 keys left: 4 not attempted/);
  // The cursor the bar hid is shown again.
  assert.ok(stopped.stderr.lastIndexOf('\x1b[?25h') > stopped.stderr.lastIndexOf('\x1b[?25l'));
});

test('--stop-on-stdin: a SIGINT line stops after the key in progress, as the signal does; a second request interrupts it', async () => {
  await reset(env, range(6).map((subject_id) => ({ subject_id, delay_ms: subject_id === 1 ? 0 : 3000 })));
  let asked = false;
  const stopped = await dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs', '--json-events', '3', '--progress', 'always', '--stop-on-stdin'], {
    stopViaStdin: true,
    onSide: (text, ask) => {
      if (!asked && text.includes('"keyDone"')) {
        asked = true;
        setTimeout(() => ask('SIGINT'), 300);
      }
    },
  });
  assert.equal(stopped.code, 130, stopped.stderr);
  const end = events(stopped.side).at(-1) as Extract<PopulateEvent, { event: 'end' }>;
  assert.equal(end.event, 'end');
  assert.equal(end.interrupted, 'SIGINT');
  assert.equal(end.successCount, 2);
  assert.match(stopped.stderr, /Analysis: 2 done, 0 failed, stopped by SIGINT; 4 keys left: 4 not attempted/);
  // Until issue 10 the key in progress was interrupted and its job recorded as the
  // reference records it (KeyboardInterrupt): now it is finished; nothing stays reserved.
  const jobs = await rows<{ status: string; error_message: string }>(env, `SELECT status, error_message FROM \`${env.schema}\`.\`~~analysis\` WHERE status <> 'pending'`);
  assert.deepEqual(jobs.map((j) => [j.status, j.error_message]), []);

  await reset(env, range(3).map((subject_id) => ({ subject_id, delay_ms: subject_id === 1 ? 0 : 20000 })));
  let twice = false;
  const gone = await dj(['populate', PIPELINE, 'Analysis', '--json-events', '3', '--stop-on-stdin'], {
    stopViaStdin: true,
    onSide: (text, ask) => {
      if (!twice && text.includes('"keyDone"')) {
        twice = true;
        setTimeout(() => {
          ask('SIGINT');
          ask('SIGTERM');
        }, 300);
      }
    },
  });
  assert.equal(gone.code, 130, gone.stderr);
  const goneEnd = events(gone.side).at(-1) as Extract<PopulateEvent, { event: 'end' }>;
  assert.equal(goneEnd.successCount, 1);
  assert.equal(goneEnd.errorCount, 0);
  assert.equal(goneEnd.interruptedCount, 1, 'the key in progress was interrupted, not finished');
  assert.match(gone.stderr, /Analysis: 1 done, 0 failed, 1 interrupted, stopped by SIGINT/);
});

test('a third stop request exits at once: every event written before is complete on fd 3', async () => {
  // The other makes take a minute: had the CLI waited for them, their keyDone events
  // would be there (checked below, instead of a wall-clock bound).
  await reset(env, range(4).map((subject_id) => ({ subject_id, delay_ms: subject_id === 1 ? 0 : 60000 })));
  let signalled = false;
  const run = await dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs', '--processes', '2', '--json-events', '3', '--progress', 'always'], {
    onSide: (text, signal) => {
      if (!signalled && text.includes('"keyDone"')) {
        signalled = true;
        setTimeout(() => {
          signal('SIGTERM');
          signal('SIGINT');
          signal('SIGTERM');
        }, 500);
      }
    },
  });
  assert.equal(run.code, 130, run.stderr);
  const evs = events(run.side);
  assert.equal(evs[0]!.event, 'start');
  assert.equal(evs.filter((e) => e.event === 'keyDone').length, 1);
  // The bar's hidden cursor is shown again on the way out.
  assert.ok(run.stderr.lastIndexOf('\x1b[?25h') > run.stderr.lastIndexOf('\x1b[?25l'), JSON.stringify(run.stderr.slice(-200)));
});

test('a bad descriptor or path is a usage error (exit 2) before anything runs', async () => {
  await reset(env, range(2).map((subject_id) => ({ subject_id })));
  const cases: Array<[string, RegExp]> = [
    // Open in the process, but Node's own (epoll, eventfd, its internal pipes).
    ['9', /--json-events 9: file descriptor 9 is not open for writing \(the caller must pass it to dj\)/],
    ['200', /--json-events 200: file descriptor 200 is not open for writing/],
    ['1', /--json-events 1: file descriptors 0-2 are stdin, stdout and stderr/],
    [join(dir, 'no', 'such', 'dir', 'events.jsonl'), /--json-events .*events\.jsonl: cannot open the file for writing \(ENOENT\)/],
    [dir, /cannot open the file for writing \(EISDIR\)/],
    ['', /--json-events expects a file descriptor number >= 3 or a file path/],
  ];
  for (const [spec, message] of cases) {
    const run = await dj(['populate', PIPELINE, 'Analysis', '--json-events', spec]);
    assert.equal(run.code, 2, `${spec}: ${run.stderr}`);
    assert.match(run.stderr, message);
  }
  // Called from a shell that passed no fd 3: Node's own descriptor 3 is refused.
  const unpassed = await dj(['populate', PIPELINE, 'Analysis', '--json-events', '3'], { noFd3: true });
  assert.equal(unpassed.code, 2, unpassed.stderr);
  assert.match(unpassed.stderr, /file descriptor 3 is not open for writing/);
  const badMode = await dj(['populate', PIPELINE, 'Analysis', '--progress', 'sometimes']);
  assert.equal(badMode.code, 2);
  assert.match(badMode.stderr, /Allowed choices are auto, always, never/);
  const [{ n }] = await rows<{ n: number }>(env, `SELECT COUNT(*) AS n FROM \`${env.schema}\`.make_calls`);
  assert.equal(Number(n), 0, 'no make ran');
});

test('djx populate --help names the side channel and the progress modes', async () => {
  const run = await dj(['populate', '--help']);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /--json-events <fd\|path>/);
  assert.match(run.stdout, /--progress <mode>/);
  assert.match(run.stdout, /--no-progress/);
});
