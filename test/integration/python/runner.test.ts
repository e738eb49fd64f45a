// The Python populate runner (python/datajoint_vscode_runner.py, issue 11) run as the
// extension runs it: the real DataJoint for Python's interpreter, cwd the workspace, the
// connection in DJ_* variables, events read from fd 3, stop requests on stdin or as
// signals. The pipeline is the package test/fixtures/python/runner_ws/lab (relative
// imports; Analysis has a deliberately failing key; makes wait on a gate file when asked).
// Runs on the backend of DJ_TEST_BACKEND (MariaDB or PostgreSQL: DJ_BACKEND and
// DJ_DATABASE_NAME reach DataJoint; the runner's own SQL, its `left` counts and the rollback
// of an interrupted key, is written for each; the fixture's make log is kept outside make's
// transaction on both, runner_ws/lab/schema.py).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { parseEvent, type EndEvent, type PopulateEvent, type StartEvent } from '../../../runtime/populate/events';
import { checkCondition } from '../../../runtime/query/condition';
import { testServer } from '../runtime/helpers';
import { connectSql, type TestSql } from '../populate/helpers';
import { PYTHON_FIXTURES, dbEnv as serverEnv, pythonInterpreter, waitUntil, type Run } from './helpers';

const ROOT = join(__dirname, '..', '..', '..');
const RUNNER = join(ROOT, 'python', 'datajoint_vscode_runner.py');
const WS = join(PYTHON_FIXTURES, 'runner_ws');
const MODULE = join(WS, 'lab', 'analysis.py');
// DataJoint warns on every connection to MariaDB and without a datajoint.json (python-side.md).
const PYTHON_WARNINGS = 'ignore:MariaDB is not officially supported,ignore:No datajoint.json found';
// DataJoint for Python caps processes at the core count (autopopulate.py: _populate_distributed).
const PY_WORKERS = Math.min(2, cpus().length);

let py: string;
/** The test server, in the tests' MySQL spelling on both backends (populate/helpers.ts: toPostgres). */
let sql: TestSql;
let schema: string;
let dbEnv: Record<string, string>;
let gateDir: string;

interface RunnerRun extends Run {
  events(): PopulateEvent[];
  /** Writes one stop request line on the runner's stdin. */
  request(line: 'SIGINT' | 'SIGTERM'): void;
}

/** The runner spawned as the extension spawns it: fd 3 a pipe for events, stdin for requests. */
function runner(args: string[], opts: { env?: Record<string, string>; python?: string[]; ownGroup?: boolean } = {}): RunnerRun {
  return spawnRunner(args, { ...dbEnv, ...opts.env }, opts);
}

function spawnRunner(args: string[], env: Record<string, string>, opts: { python?: string[]; ownGroup?: boolean }): RunnerRun {
  const [cmd, ...pre] = opts.python ?? [py];
  const child = spawn(cmd!, [...pre, RUNNER, ...args], {
    cwd: WS,
    env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONWARNINGS: PYTHON_WARNINGS, ...env },
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    // A process group of its own, as a terminal's foreground job: Ctrl-C signals all of it.
    detached: opts.ownGroup ?? false,
  });
  let out = '';
  let err = '';
  let ev = '';
  let exited = false;
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  (child.stdio[3] as Readable).on('data', (d: Buffer) => (ev += d.toString()));
  const done = new Promise<number>((resolve) =>
    child.on('close', (code, signal) => {
      exited = true;
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    }),
  );
  child.on('error', (e) => (err += `spawn ${cmd}: ${e.message}\n`));
  (child.stdin as Writable).on('error', () => undefined);
  return {
    pid: child.pid ?? 0,
    stdout: () => out,
    stderr: () => err,
    done,
    exited: () => exited,
    events: () =>
      ev
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const e = parseEvent(l);
          assert.ok(e, `not an event line: ${l}`);
          return e;
        }),
    request: (line) => void (child.stdin as Writable).write(`${line}\n`),
  };
}

function populateArgs(...extra: string[]): string[] {
  return ['populate', '--module', MODULE, '--class', 'Analysis', '--workspace', WS, '--json-events', '3', ...extra];
}

const q = (t: string) => `\`${schema}\`.\`${t}\``;
async function rows<T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> {
  const [r] = await sql.query(query, params);
  return r as T[];
}
const count = async (query: string, params: unknown[] = []) => Number((await rows<{ n: unknown }>(query, params))[0]!.n);
const computed = async () => (await rows<{ subject_id: number; result: number }>(`SELECT subject_id, result FROM ${q('__analysis')} ORDER BY subject_id`)).map((r) => [Number(r.subject_id), Number(r.result)]);
const jobs = async () => (await rows<{ subject_id: number; status: string; error_message: string }>(`SELECT subject_id, status, error_message FROM ${q('~~analysis')} ORDER BY subject_id`)).map((r) => [Number(r.subject_id), r.status, r.error_message]);
const started = () => rows<{ subject_id: number; pid: number; kwargs: string }>(`SELECT subject_id, pid, kwargs FROM ${q('make_log')} ORDER BY id`);

/** Subjects 1..n, `fail` those marked; no computed rows, no jobs, no make calls. */
async function reset(n: number, fail: number[] = []): Promise<void> {
  for (const t of ['__analysis', '~~analysis', 'make_log', 'subject']) await sql.query(`DELETE FROM ${q(t)}`);
  const values = Array.from({ length: n }, (_, i) => [i + 1, fail.includes(i + 1) ? 1 : 0]);
  if (values.length) await sql.query(`INSERT INTO ${q('subject')} (subject_id, fail) VALUES ?`, [values]);
}

const byType = <E extends PopulateEvent['event']>(evs: PopulateEvent[], type: E) => evs.filter((e) => e.event === type) as Array<Extract<PopulateEvent, { event: E }>>;
/** The end event, after checking the sequence: one start first, one end last, the key
 * events between them matching the end's counts, progress never going back. */
const endOf = (r: RunnerRun) => {
  const evs = r.events();
  const end = evs[evs.length - 1];
  assert.equal(end?.event, 'end', `the last event is end\n${r.stderr()}`);
  assert.equal(evs[0]?.event, 'start', 'the first event is start');
  assert.equal(byType(evs, 'start').length, 1);
  assert.equal(byType(evs, 'end').length, 1);
  const e = end as EndEvent;
  assert.equal(byType(evs, 'keyDone').length, e.successCount);
  assert.equal(byType(evs, 'keyFailed').length, e.errorCount);
  const seen = byType(evs, 'progress').map((p) => p.done + p.failed);
  assert.deepEqual(seen, [...seen].sort((a, b) => a - b), 'progress never goes back');
  if (seen.length) assert.equal(seen[seen.length - 1], e.successCount + e.errorCount, 'the last progress counts every key');
  return e;
};
const startOf = (r: RunnerRun) => {
  const first = r.events()[0];
  assert.equal(first?.event, 'start', `the first event is start\n${r.stderr()}`);
  return first as StartEvent;
};
const left = (over: Partial<NonNullable<EndEvent['left']>>) => ({ total: 0, error: 0, ignored: 0, reserved: 0, orphaned: 0, interrupted: 0, notScheduled: 0, pending: 0, ...over });
/** The process runs (a zombie no longer does: nothing may reap orphans in a container). */
const runs = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};
const lastLine = (text: string) => text.trimEnd().split('\n').pop() ?? '';
/** The server lists a client session of this id (MySQL's processlist, PostgreSQL's pg_stat_activity). */
const sessionListed = async (id: number) =>
  (await count(
    sql.backend === 'postgresql'
      ? "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE pid = ? AND backend_type = 'client backend'"
      : 'SELECT COUNT(*) AS n FROM information_schema.processlist WHERE id = ?',
    [id],
  )) > 0;

function pyOut(code: string, env: Record<string, string> = {}): string {
  const r = spawnSync(py, ['-c', code], { cwd: WS, env: { ...process.env, ...dbEnv, PYTHONWARNINGS: PYTHON_WARNINGS, ...env }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

before(async () => {
  py = await pythonInterpreter();
  const s = await testServer();
  schema = `djpy_runner_${randomBytes(4).toString('hex')}`;
  dbEnv = { ...serverEnv(s), DJ_PIPELINE_SCHEMA: schema };
  sql = await connectSql();
  // Python declares the pipeline (and Analysis's jobs table); the canary row must survive.
  pyOut('import lab.analysis as a; a.Analysis.jobs; a.Canary.insert1({"canary_id": 7})');
  gateDir = mkdtempSync(join(tmpdir(), 'dj-runner-gate-'));
});
after(async () => {
  rmSync(gateDir, { recursive: true, force: true });
  await sql?.query(`DROP DATABASE IF EXISTS \`${schema}\``);
  await sql?.end();
  await (await testServer()).stop();
});

test('probe prints the interpreter, its Python and its DataJoint version as JSON, and datajoint null without it', async () => {
  const [version, dj] = pyOut('import platform, datajoint; print(platform.python_version()); print(datajoint.__version__)').split('\n');
  const r = runner(['probe']);
  assert.equal(await r.done, 0, r.stderr());
  assert.deepEqual(JSON.parse(r.stdout()), { python: py, pythonVersion: version, datajoint: dj });
  assert.deepEqual(r.events(), [], 'probe writes no events');

  // The system's Python, isolated from any user site: no datajoint there.
  const bare = runner(['probe'], { python: ['python3', '-I'] });
  assert.equal(await bare.done, 0, bare.stderr());
  const out = JSON.parse(bare.stdout()) as { python: string; pythonVersion: string; datajoint: unknown; error?: string };
  assert.equal(out.datajoint, null);
  assert.match(out.error ?? '', /^ModuleNotFoundError: No module named 'datajoint'/);
  assert.notEqual(out.python, py);
  assert.match(out.pythonVersion, /^3\.\d+\.\d+/);
});

test("pymysql's deadlock and lock timeout are classified as transient (taken again next round), not as a lost connection (which stops the worker)", () => {
  const checks = [
    'import sys, pymysql',
    `sys.path.insert(0, ${JSON.stringify(join(ROOT, 'python'))})`,
    'import datajoint_vscode_runner as r',
    'E = pymysql.err.OperationalError',
    "print([r.is_connection_error(E(c, 'x')) for c in (1213, 1205, 2013, 2006, 2003, 1927)])",
    "print([r.is_transient_lock_error(E(c, 'x')) for c in (1213, 1205, 2013, 1062)])",
    "print(r.is_connection_error(pymysql.err.InterfaceError(0, '')), r.is_connection_error(pymysql.err.IntegrityError(1062, 'dup')))",
  ].join('\n');
  assert.deepEqual(pyOut(checks).split('\n'), ['[False, False, True, True, True, True]', '[True, True, False, False]', 'True False']);
});

test('direct populate with a failing key: first line, events, rows, exit 1; then the fixed key alone, exit 0', async () => {
  await reset(5, [3]);
  const r = runner(populateArgs('--suppress-errors'));
  assert.equal(await r.done, 1, r.stderr());
  const [version, dj] = pyOut('import platform, datajoint; print(platform.python_version()); print(datajoint.__version__)').split('\n');
  assert.equal(r.stdout().split('\n')[0], `Python ${version} (${py}) · DataJoint ${dj}`);
  const evs = r.events();
  assert.deepEqual({ ...startOf(r), time: undefined }, { v: 1, event: 'start', table: 'Analysis', schema, mode: 'direct', total: 5, processes: 1, time: undefined });
  assert.deepEqual(byType(evs, 'keyDone').map((e) => e.key.subject_id).sort(), [1, 2, 4, 5]);
  assert.ok(byType(evs, 'keyDone').every((e) => e.worker === r.pid && e.durationMs > 0));
  assert.deepEqual(byType(evs, 'keyFailed').map((e) => [e.key, e.error, e.worker]), [[{ subject_id: 3 }, 'ValueError: subject 3 is marked to fail', r.pid]]);
  const lastProgress = byType(evs, 'progress').pop();
  assert.deepEqual([lastProgress?.done, lastProgress?.failed, lastProgress?.total], [4, 1, 5]);
  const end = endOf(r);
  assert.deepEqual([end.successCount, end.errorCount, end.interrupted, end.rev, end.interruptedCount, end.connectionLost], [4, 1, null, 2, 0, null]);
  assert.deepEqual(end.left, left({ total: 1, error: 1 }));
  assert.deepEqual(await computed(), [[1, 2], [2, 4], [4, 8], [5, 10]]);
  assert.equal(await count(`SELECT COUNT(*) AS n FROM ${q('~~analysis')}`), 0, 'direct mode writes no jobs');

  await sql.query(`UPDATE ${q('subject')} SET fail = 0 WHERE subject_id = 3`);
  const again = runner(populateArgs());
  assert.equal(await again.done, 0, again.stderr());
  assert.equal(startOf(again).total, 1);
  assert.deepEqual(byType(again.events(), 'keyDone').map((e) => e.key), [{ subject_id: 3 }]);
  assert.deepEqual(endOf(again).left, left({}));
  assert.equal((await computed()).length, 5);
});

test('without --suppress-errors the failing key ends the run: its traceback, a djx: line, keyFailed, end, exit 1', async () => {
  await reset(4, [2]);
  const r = runner(populateArgs());
  assert.equal(await r.done, 1, r.stderr());
  assert.match(r.stderr(), /Traceback \(most recent call last\)/);
  assert.equal(lastLine(r.stderr()), 'djx: Analysis: ValueError: subject 2 is marked to fail');
  const evs = r.events();
  assert.deepEqual(byType(evs, 'keyDone').map((e) => e.key), [{ subject_id: 1 }]);
  assert.deepEqual(byType(evs, 'keyFailed').map((e) => e.key), [{ subject_id: 2 }]);
  const end = endOf(r);
  assert.deepEqual([end.successCount, end.errorCount, end.interrupted], [1, 1, null]);
  assert.deepEqual(end.left, left({ total: 3, error: 1, pending: 2 }));
  assert.deepEqual(await computed(), [[1, 2]]);
});

test('reserve_jobs + suppress_errors: the failing key is an error job with its message, counted in left; exit 1', async () => {
  await reset(4, [3]);
  const r = runner(populateArgs('--reserve-jobs', '--suppress-errors'));
  assert.equal(await r.done, 1, r.stderr());
  assert.deepEqual({ ...startOf(r), time: undefined }, { v: 1, event: 'start', table: 'Analysis', schema, mode: 'reserved', total: 4, processes: 1, time: undefined });
  assert.deepEqual(await jobs(), [[3, 'error', 'ValueError: subject 3 is marked to fail']]);
  const end = endOf(r);
  assert.deepEqual([end.successCount, end.errorCount], [3, 1]);
  assert.deepEqual(end.left, left({ total: 1, error: 1 }));
  assert.equal((await computed()).length, 3);

  // The error job stays: a new run takes no key, and still exits 1 for it.
  const again = runner(populateArgs('--reserve-jobs', '--suppress-errors'));
  assert.equal(await again.done, 1, again.stderr());
  assert.equal(startOf(again).total, 0);
  assert.deepEqual(endOf(again).left, left({ total: 1, error: 1 }));
  assert.equal((await started()).length, 4, 'no make call for the error job');
});

test('--limit is max_calls: start.total and the keys made are capped, the rest left pending', async () => {
  await reset(5);
  const r = runner(populateArgs('--limit', '2'));
  assert.equal(await r.done, 0, r.stderr());
  assert.equal(startOf(r).total, 2);
  assert.equal(byType(r.events(), 'keyDone').length, 2);
  assert.deepEqual(endOf(r).left, left({ total: 3, pending: 3 }));
  assert.equal((await computed()).length, 2);
  assert.equal((await started()).length, 2);
});

test('processes=2: a make that starts a program of its own (a fork inside a worker) runs it; every key made', async () => {
  await reset(4);
  const r = runner(populateArgs('--reserve-jobs', '--processes', '2'), { env: { DJ_TEST_FORK_IN_MAKE: '1' } });
  assert.equal(await r.done, 0, r.stderr());
  assert.equal(byType(r.events(), 'keyDone').length, 4, r.stderr());
  assert.deepEqual(byType(r.events(), 'keyFailed'), []);
  assert.equal((await computed()).length, 4);
});

test('processes=2 in reserved mode: every key made once by worker processes, and the run exits', async () => {
  await reset(10);
  const r = runner(populateArgs('--reserve-jobs', '--processes', '2'));
  assert.equal(await r.done, 0, r.stderr());
  assert.equal(startOf(r).processes, PY_WORKERS);
  assert.equal(startOf(r).total, 10);
  const done = byType(r.events(), 'keyDone');
  assert.deepEqual(done.map((e) => Number(e.key.subject_id)).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const made = await started();
  assert.equal(made.length, 10, 'each key made once');
  assert.equal(new Set(made.map((m) => m.subject_id)).size, 10);
  // `worker` is the pid of the process that ran make.
  assert.deepEqual(new Set(done.map((e) => e.worker)), new Set(made.map((m) => m.pid)));
  if (PY_WORKERS > 1) assert.ok(!done.some((e) => e.worker === r.pid), 'the pool workers made the keys');
  assert.equal(new Set(made.map((m) => m.pid)).size <= PY_WORKERS, true);
  assert.ok(made.every((m) => !runs(m.pid)), 'no worker outlives the run');
  assert.deepEqual(endOf(r).left, left({}));
  assert.deepEqual(await jobs(), []);
  assert.equal((await computed()).length, 10);
});

test('priority and make_kwargs reach DataJoint: only jobs of priority <= N are taken, make gets the kwargs', async () => {
  await reset(4);
  // Jobs made beforehand with two priorities; populate's refresh adds none.
  await sql.query(`INSERT INTO ${q('~~analysis')} (subject_id, status, priority, scheduled_time) VALUES (1, 'pending', 1, CURRENT_TIMESTAMP(3) - INTERVAL 1 SECOND), (2, 'pending', 9, CURRENT_TIMESTAMP(3) - INTERVAL 1 SECOND), (3, 'pending', 3, CURRENT_TIMESTAMP(3) - INTERVAL 1 SECOND), (4, 'pending', 9, CURRENT_TIMESTAMP(3) - INTERVAL 1 SECOND)`);
  const r = runner(populateArgs('--reserve-jobs', '--priority', '5', '--make-kwargs', '{"offset": 100}'));
  assert.equal(await r.done, 0, r.stderr());
  assert.equal(startOf(r).total, 2);
  assert.deepEqual(await computed(), [[1, 102], [3, 106]]);
  assert.deepEqual((await started()).map((m) => JSON.parse(m.kwargs) as unknown), [{ offset: 100 }, { offset: 100 }]);
  assert.deepEqual(await jobs(), [[2, 'pending', ''], [4, 'pending', '']]);
  assert.deepEqual(endOf(r).left, left({ total: 2, pending: 2 }));
});

test('a restriction that is no single SQL condition, or names an attribute the key source lacks, is refused before anything runs (exit 2)', async () => {
  await reset(3);
  const cases: Array<[string, string]> = [
    ['subject_id = 1; DROP TABLE canary', 'djx: --restriction "subject_id = 1; DROP TABLE canary" is not one SQL condition: it has `;` at character 15 (a second statement)'],
    ['subject_id = 1) OR (1 = 1', 'djx: --restriction "subject_id = 1) OR (1 = 1" is not one SQL condition: it has a `)` without its `(` at character 15'],
    ['subject_id = 1 -- ', 'djx: --restriction "subject_id = 1 -- " is not one SQL condition: it has a `--` comment at character 16'],
    ["subject_id = '1", `djx: --restriction "subject_id = '1" is not one SQL condition: it has a '…' string not closed (opened at character 14)`],
    ['  ', 'djx: --restriction "  " is not one SQL condition: it is empty'],
    ['["subject_id = 1", "1 = 1 # x"]', 'djx: --restriction "[\\"subject_id = 1\\", \\"1 = 1 # x\\"]" has "1 = 1 # x", which is not one SQL condition: it has a `#` comment at character 7'],
    ['{"subjet_id": 1}', 'djx: --restriction "{\\"subjet_id\\": 1}" refused: Attribute `subjet_id` is not in the key source of Analysis (`subject_id`), so it restricts nothing'],
  ];
  // On PostgreSQL also by its lexer: one condition to MySQL (`--x` is minus minus x; a
  // backslash escapes the quote), more to PostgreSQL (a comment; the string ends at `\'`).
  if (sql.backend === 'postgresql') {
    cases.push(
      ['subject_id = 1 --x', 'djx: --restriction "subject_id = 1 --x" is not one SQL condition: it has a `--` comment at character 16'],
      ["subject_id = 'a\\' OR TRUE) OR (TRUE'", `djx: --restriction "subject_id = 'a\\\\' OR TRUE) OR (TRUE'" is not one SQL condition: it has a \`)\` without its \`(\` at character 26`],
    );
  }
  for (const [text, message] of cases) {
    const r = runner(populateArgs('--restriction', text, '--reserve-jobs'));
    assert.equal(await r.done, 2, `${text}\n${r.stderr()}`);
    assert.equal(lastLine(r.stderr()), message);
    assert.deepEqual(r.events(), [], `${text}: no events`);
  }
  assert.deepEqual(await computed(), [], 'nothing computed');
  assert.deepEqual(await started(), []);
  assert.deepEqual(await jobs(), [], 'no jobs made');
  assert.equal(await count(`SELECT COUNT(*) AS n FROM ${q('canary')} WHERE canary_id = 7`), 1, 'the canary table survives');

  // Good restrictions, SQL and JSON, are ANDed.
  const r = runner(populateArgs('--restriction', 'subject_id > 1', '--restriction', '[{"subject_id": 1}, {"subject_id": 3}]'));
  assert.equal(await r.done, 0, r.stderr());
  assert.equal(startOf(r).total, 1);
  assert.deepEqual(await computed(), [[3, 6]]);
  assert.deepEqual(endOf(r).left, left({}), 'left counts the restricted key source');
});

test('--restriction-file: 10,000 keys (over the 128 KiB one argument may have) restrict as --restriction would; a bad file is refused by its path', async () => {
  await reset(3);
  const dir = mkdtempSync(join(tmpdir(), 'dj-runner-rfile-'));
  try {
    const file = join(dir, 'keys.json');
    const keys = [{ subject_id: 1 }, { subject_id: 3 }, ...Array.from({ length: 9998 }, (_, i) => ({ subject_id: 100 + i }))];
    writeFileSync(file, JSON.stringify(keys));
    const r = runner(populateArgs('--reserve-jobs', '--restriction-file', file));
    assert.equal(await r.done, 0, r.stderr());
    assert.equal(startOf(r).total, 2);
    assert.deepEqual((await computed()).map(([k]) => k), [1, 3]);

    await reset(3);
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, 'subject_id = 1; DROP TABLE canary');
    const refused = runner(populateArgs('--restriction-file', bad));
    assert.equal(await refused.done, 2, refused.stderr());
    assert.equal(lastLine(refused.stderr()), `djx: --restriction-file ${JSON.stringify(bad)} is not one SQL condition: it has \`;\` at character 15 (a second statement)`);
    const missing = runner(populateArgs('--restriction-file', join(dir, 'none.json')));
    assert.equal(await missing.done, 2, missing.stderr());
    assert.match(lastLine(missing.stderr()), /^djx: --restriction-file "[^"]+none\.json" cannot be read \(No such file or directory\)$/);
    assert.deepEqual(await computed(), [], 'nothing computed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the runner's SQL condition check says what our CLI's says (runtime/query/condition.ts), text for text", () => {
  const texts = [
    'subject_id = 1', '', '   ', 'a = 1;', "name = 'x;y'", 'name = "x;y"', 'name = `x;y`', "name = 'it''s'", "name = 'a\\'b'", "name = 'open",
    'name = "open', 'x = `open', '(a = 1', 'a = 1)', '((a = 1) OR (b = 2))', ')(', 'a = 1 # c', "a = '#' AND b = 2", 'a = 1 /* c */', 'a = 1 / 2',
    'a = 1 -- c', 'a = 1 --', 'a--1 = 0', 'a = 1 --\tc', "a = ')'", 'a = "(" AND (b = 1', 'a = 1; DROP TABLE canary', "x = '\\\\' AND y = 1)",
  ];
  const check = (lexer: 'mysql' | 'postgresql', list: string[]) => {
    const code = `import json, sys; sys.path.insert(0, ${JSON.stringify(join(ROOT, 'python'))}); import datajoint_vscode_runner as r; print(json.dumps([r.check_condition(t, ${JSON.stringify(lexer)}) for t in json.load(sys.stdin)]))`;
    const res = spawnSync(py, ['-I', '-c', code], { input: JSON.stringify(list), encoding: 'utf8' });
    assert.equal(res.status, 0, res.stderr);
    return JSON.parse(res.stdout) as Array<string | null>;
  };
  const ours = check('mysql', texts);
  assert.deepEqual(ours, texts.map((t) => checkCondition(t) ?? null));
  assert.equal(ours.filter((x) => x === null).length, 11, 'the good conditions pass');
  // PostgreSQL's lexer (a restriction sent there is checked by both): a backslash is text in
  // '…' (E'…' escapes), "…" a name, `--` always a comment, $1 a placeholder, $$…$$ a string.
  const pgTexts = [
    ...texts,
    "x = 'a\\' ) OR TRUE --'", "x = E'a\\' ) OR TRUE --'", "name'x' = 1", 'a$1 = 2', 'a = $1', 'a = $$x$$', 'a = $tag$x$tag$', 'a = 1 $ 2', '"a""b" = 1', 'a = `b`',
  ];
  const pgOurs = check('postgresql', pgTexts);
  assert.deepEqual(pgOurs, pgTexts.map((t) => checkCondition(t, 'postgresql') ?? null));
  assert.deepEqual([check('mysql', [pgTexts[texts.length]!])[0], pgOurs[texts.length]], [null, 'has a `)` without its `(` at character 10'], 'one string to MySQL, more to PostgreSQL');
  assert.equal(ours[texts.indexOf("name = 'a\\'b'")], null, 'a backslash escape to MySQL');
  assert.notEqual(pgOurs[texts.indexOf("name = 'a\\'b'")], null, 'not to PostgreSQL');
});

test('the module is imported as Python would: without --workspace from above its package, and a file outside any package by its path', async () => {
  await reset(3);
  const bare = runner(['populate', '--module', MODULE, '--class', 'Analysis', '--json-events', '3', '--limit', '1']);
  assert.equal(await bare.done, 0, bare.stderr());
  assert.equal(byType(bare.events(), 'keyDone').length, 1);
  const flat = runner(['populate', '--module', join(WS, 'scripts', 'flat_pipeline.py'), '--class', 'Analysis', '--workspace', WS, '--json-events', '3']);
  assert.equal(await flat.done, 0, flat.stderr());
  assert.equal(startOf(flat).total, 2);
  assert.equal(byType(flat.events(), 'keyDone').length, 2);
  assert.equal((await computed()).length, 3);
  const none = runner(['populate', '--module', join(WS, 'scripts', 'flat_pipeline.py'), '--class', 'Nothing', '--workspace', WS, '--json-events', '3']);
  assert.equal(await none.done, 2);
  assert.match(lastLine(none.stderr()), /^djx: .*flat_pipeline\.py has no class Nothing$/);
});

test("an import failure shows Python's traceback and a last djx: cannot import line, exit 2, no events", async () => {
  const cases: Array<[string, Record<string, string>, RegExp, RegExp]> = [
    [join(WS, 'lab', 'broken_syntax.py'), {}, /SyntaxError/, /^djx: cannot import .*broken_syntax\.py: SyntaxError: /],
    [join(WS, 'lab', 'missing_package.py'), {}, /ModuleNotFoundError/, /^djx: cannot import .*missing_package\.py: ModuleNotFoundError: No module named 'datajoint_vscode_no_such_package'$/],
    // No connection for the schema: a port nothing listens on.
    [MODULE, { DJ_PORT: '1' }, /Traceback/, /^djx: cannot import .*analysis\.py: \w+: /],
  ];
  for (const [module, env, traceback, line] of cases) {
    const r = runner(['populate', '--module', module, '--class', 'Analysis', '--workspace', WS, '--json-events', '3'], { env });
    assert.equal(await r.done, 2, r.stderr());
    assert.match(r.stderr(), /Traceback \(most recent call last\)/);
    assert.match(r.stderr(), traceback);
    assert.match(lastLine(r.stderr()), line);
    assert.deepEqual(r.events(), []);
  }
});

async function gated(n: number, args: string[], ownGroup = false, env: Record<string, string> = {}): Promise<{ r: RunnerRun; gate: string }> {
  await reset(n);
  const gate = join(gateDir, `open-${randomBytes(4).toString('hex')}`);
  const r = runner(populateArgs('--reserve-jobs', '--stop-on-stdin', ...args), { env: { DJ_TEST_GATE: gate, ...env }, ownGroup });
  return { r, gate };
}

test('first stop request (stdin): the key in progress finishes, no other key starts, no error job; exit 130', async () => {
  const { r, gate } = await gated(5, []);
  await waitUntil('a make under way', async () => (await started()).length === 1, [r]);
  r.request('SIGINT');
  await waitUntil('the request heard', async () => r.stderr().includes('djx: stop requested'), [r]);
  writeFileSync(gate, '');
  assert.equal(await r.done, 130, r.stderr());
  const [first] = await started();
  assert.equal((await started()).length, 1, 'no key started after the request');
  assert.deepEqual((await computed()).map(([k]) => k), [first!.subject_id]);
  assert.deepEqual(byType(r.events(), 'keyDone').map((e) => e.key.subject_id), [first!.subject_id]);
  assert.deepEqual(byType(r.events(), 'keyFailed'), []);
  const end = endOf(r);
  assert.deepEqual([end.successCount, end.errorCount, end.interrupted, end.interruptedCount], [1, 0, 'SIGINT', 0]);
  assert.deepEqual(end.left, left({ total: 4, pending: 4 }));
  assert.deepEqual((await jobs()).map(([, status]) => status), ['pending', 'pending', 'pending', 'pending'], 'the others pending, none error or reserved');
});

test('second stop request (stdin): the key in progress is interrupted, rolled back, its job pending again; exit 130', async () => {
  const { r } = await gated(3, []);
  await waitUntil('a make under way', async () => (await started()).length === 1, [r]);
  const [first] = await started();
  await waitUntil('its job reserved', async () => (await jobs()).some(([k, s]) => k === first!.subject_id && s === 'reserved'), [r]);
  r.request('SIGINT');
  await waitUntil('the request heard', async () => r.stderr().includes('djx: stop requested'), [r]);
  r.request('SIGINT');
  assert.equal(await r.done, 130, r.stderr());
  assert.deepEqual(await computed(), []);
  assert.deepEqual(await jobs(), [[1, 'pending', ''], [2, 'pending', ''], [3, 'pending', '']], 'interrupted, not failed: pending, not error');
  assert.deepEqual(byType(r.events(), 'keyDone'), []);
  assert.deepEqual(byType(r.events(), 'keyFailed'), []);
  const end = endOf(r);
  assert.deepEqual([end.successCount, end.errorCount, end.interrupted, end.interruptedCount], [0, 0, 'SIGINT', 1]);
  assert.deepEqual(end.left, left({ total: 3, interrupted: 1, pending: 2 }));
  assert.equal((await started()).length, 1);
});

test('stop requests on stdin reach a make blocked in one long call (as the signals would): stopped, rolled back, pending; exit 130', async () => {
  // An hour-long sleep in make: requests that waited for it to return would hang this test.
  const { r } = await gated(3, [], false, { DJ_TEST_BLOCK_SECONDS: '3600' });
  await waitUntil('a make under way', async () => (await started()).length === 1, [r]);
  const [first] = await started();
  await waitUntil('its job reserved', async () => (await jobs()).some(([k, s]) => k === first!.subject_id && s === 'reserved'), [r]);
  r.request('SIGINT');
  await waitUntil('the request heard while make sleeps', async () => r.stderr().includes('djx: stop requested'), [r]);
  r.request('SIGINT');
  assert.equal(await r.done, 130, r.stderr());
  assert.deepEqual(await computed(), []);
  assert.deepEqual(await jobs(), [[1, 'pending', ''], [2, 'pending', ''], [3, 'pending', '']], 'interrupted, not failed: pending, not error');
  assert.equal(endOf(r).interruptedCount, 1);
});

test('second stop request while make waits inside a query: rolled back on a fresh connection, its job pending, the run ends; exit 130', async () => {
  const { r } = await gated(3, [], false, { DJ_TEST_WAIT_IN_SQL: '1' });
  await waitUntil('a make under way', async () => (await started()).length === 1, [r]);
  r.request('SIGINT');
  await waitUntil('the request heard', async () => r.stderr().includes('djx: stop requested'), [r]);
  r.request('SIGINT');
  assert.equal(await r.done, 130, r.stderr());
  assert.deepEqual(await computed(), []);
  assert.deepEqual(await jobs(), [[1, 'pending', ''], [2, 'pending', ''], [3, 'pending', '']]);
  const end = endOf(r);
  assert.deepEqual([end.successCount, end.errorCount, end.interruptedCount], [0, 0, 1]);
  assert.deepEqual(end.left, left({ total: 3, interrupted: 1, pending: 2 }));
});

test('third stop request: exits at once, even when make swallows the interrupt; exit 130', async () => {
  const { r } = await gated(2, [], false, { DJ_TEST_STUBBORN: '1' });
  await waitUntil('a make under way', async () => (await started()).length === 1, [r]);
  const [first] = await started();
  r.request('SIGINT');
  await waitUntil('the first request heard', async () => r.stderr().includes('djx: stop requested (SIGINT)'), [r]);
  r.request('SIGINT');
  await waitUntil('the second request heard', async () => r.stderr().includes('djx: stop requested again'), [r]);
  r.request('SIGTERM');
  assert.equal(await r.done, 130, r.stderr());
  assert.deepEqual(byType(r.events(), 'end'), [], 'gone at once, without an end event');
  assert.deepEqual(await computed(), []);
  // Left as it was: the reservation of a holder now gone (djx jobs recover re-pends it).
  assert.deepEqual(await jobs(), [[1, first!.subject_id === 1 ? 'reserved' : 'pending', ''], [2, first!.subject_id === 2 ? 'reserved' : 'pending', '']]);

  // The next run makes the other key and counts that reservation orphaned in `left`, once
  // the server no longer lists the session it records (MySQL's processlist; PostgreSQL's
  // client backends in pg_stat_activity): its holder ran here and has exited.
  const [held] = await rows<{ connection_id: unknown }>(`SELECT connection_id FROM ${q('~~analysis')} WHERE status = 'reserved'`);
  await waitUntil('the stopped run\'s session ended on the server', async () => !(await sessionListed(Number(held!.connection_id))));
  const next = runner(populateArgs('--reserve-jobs'));
  assert.equal(await next.done, 0, next.stderr());
  assert.deepEqual(byType(next.events(), 'keyDone').map((e) => e.key.subject_id), [first!.subject_id === 1 ? 2 : 1]);
  assert.deepEqual(endOf(next).left, left({ total: 1, orphaned: 1 }));
});

test('two SIGTERMs with processes=2: every worker\'s key interrupted and pending again, the workers gone; exit 130', async () => {
  const { r } = await gated(6, ['--processes', '2']);
  await waitUntil('every worker inside make', async () => (await started()).length === PY_WORKERS && (await jobs()).filter(([, s]) => s === 'reserved').length === PY_WORKERS, [r]);
  const workers = (await started()).map((m) => m.pid);
  process.kill(r.pid, 'SIGTERM');
  await waitUntil('the request heard', async () => r.stderr().includes('djx: stop requested (SIGTERM)'), [r]);
  process.kill(r.pid, 'SIGTERM');
  assert.equal(await r.done, 130, r.stderr());
  assert.deepEqual(await computed(), []);
  assert.deepEqual((await jobs()).map(([, s]) => s), Array(6).fill('pending'), 'no error, no reservation left');
  const end = endOf(r);
  assert.deepEqual([end.successCount, end.errorCount, end.interrupted, end.interruptedCount], [0, 0, 'SIGTERM', PY_WORKERS]);
  assert.deepEqual(end.left, left({ total: 6, interrupted: PY_WORKERS, pending: 6 - PY_WORKERS }));
  assert.equal((await started()).length, PY_WORKERS, 'no key started after the first request');
  await waitUntil('the workers gone', async () => workers.every((pid) => !runs(pid)));
});

test('Ctrl-C as a terminal sends it (SIGINT to the whole process group) with processes=2: each worker finishes its key, none starts another; exit 130', async () => {
  const { r, gate } = await gated(6, ['--processes', '2'], true);
  await waitUntil('every worker inside make', async () => (await started()).length === PY_WORKERS && (await jobs()).filter(([, s]) => s === 'reserved').length === PY_WORKERS, [r]);
  const inMake = (await started()).map((m) => m.subject_id).sort();
  process.kill(-r.pid, 'SIGINT');
  await waitUntil('the request heard', async () => r.stderr().includes('djx: stop requested (SIGINT)'), [r]);
  writeFileSync(gate, '');
  assert.equal(await r.done, 130, r.stderr());
  assert.deepEqual((await computed()).map(([k]) => k).sort(), inMake, 'the keys in progress were made');
  assert.equal((await started()).length, PY_WORKERS, 'no key started after Ctrl-C');
  assert.deepEqual((await jobs()).map(([, s]) => s), Array(6 - PY_WORKERS).fill('pending'), 'no error job (a worker did not take Ctrl-C for a KeyboardInterrupt)');
  const end = endOf(r);
  assert.deepEqual([end.successCount, end.errorCount, end.interrupted, end.interruptedCount], [PY_WORKERS, 0, 'SIGINT', 0]);
  assert.deepEqual(end.left, left({ total: 6 - PY_WORKERS, pending: 6 - PY_WORKERS }));
});

test('kill -9 of the runner with processes=2: its workers die with it', async () => {
  const { r, gate } = await gated(4, ['--processes', '2']);
  await waitUntil('every worker inside make', async () => (await started()).length === PY_WORKERS, [r]);
  const workers = (await started()).map((m) => m.pid);
  assert.ok(workers.every(runs));
  process.kill(r.pid, 'SIGKILL');
  await r.done;
  await waitUntil('the workers gone', async () => workers.every((pid) => !runs(pid)));
  assert.ok(!existsSync(gate));
  assert.deepEqual(await computed(), [], 'no worker went on computing');
});

test('the server going away mid-run: the end event says so (left null), exit 2', async () => {
  // A server of its own, of the backend under test, stopped while a make waits (PostgreSQL:
  // a fast shutdown, which ends the open sessions: psycopg2's OperationalError).
  interface OwnServer { backend: 'mysql' | 'postgresql'; host: string; port: number; user: string; password: string; database?: string; stop(): Promise<void> }
  const backend = (await testServer()).backend;
  const own: OwnServer =
    backend === 'postgresql'
      ? // @ts-expect-error: plain ESM script without type declarations
        await ((await import('../../../scripts/postgres.mjs')) as { startPostgres(): Promise<OwnServer> }).startPostgres()
      : // @ts-expect-error: plain ESM script without type declarations
        { ...(await ((await import('../../../scripts/mariadb.mjs')) as { startMariaDB(): Promise<OwnServer> }).startMariaDB()), backend: 'mysql' };
  let stopped = false;
  try {
    const env = { ...serverEnv(own), DJ_PIPELINE_SCHEMA: schema };
    pyOut('import lab.analysis as a; a.Subject.insert([{"subject_id": i} for i in (1, 2, 3)])', env);
    const gate = join(gateDir, `open-${randomBytes(4).toString('hex')}`);
    const r = spawnRunner(populateArgs('--suppress-errors'), { ...env, DJ_TEST_GATE: gate }, {});
    const logged = await ownCount(own, schema, 'make_log');
    try {
      await waitUntil('a make under way', async () => (await logged.count()) === 1, [r]);
    } finally {
      await logged.end();
    }
    await own.stop();
    stopped = true;
    writeFileSync(gate, '');
    assert.equal(await r.done, 2, r.stderr());
    const end = endOf(r);
    assert.equal(end.left, null);
    assert.equal(end.connectionLost?.server, `${own.host}:${own.port}`);
    assert.ok((end.connectionLost?.message ?? '') !== '');
    assert.match(lastLine(r.stderr()), /^djx: Analysis: the connection to the server was lost: /);
  } finally {
    if (!stopped) await own.stop();
  }
});

/** Counts the rows of one table on a server of its own (not the test server). */
async function ownCount(
  s: { backend: 'mysql' | 'postgresql'; host: string; port: number; user: string; password: string; database?: string },
  db: string,
  table: string,
): Promise<{ count(): Promise<number>; end(): Promise<void> }> {
  if (s.backend === 'postgresql') {
    const client = new pg.Client({ host: s.host, port: s.port, user: s.user, password: s.password, database: s.database ?? 'postgres' });
    client.on('error', () => undefined);
    await client.connect();
    return {
      count: async () => Number((await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM "${db}"."${table}"`)).rows[0]!.n),
      end: () => client.end(),
    };
  }
  const conn = await mysql.createConnection({ host: s.host, port: s.port, user: s.user, password: s.password });
  return {
    count: async () => Number(((await conn.query(`SELECT COUNT(*) AS n FROM \`${db}\`.\`${table}\``))[0] as Array<{ n: unknown }>)[0]!.n),
    end: () => conn.end(),
  };
}
