// The Python runner's `make` subcommand (python/datajoint_vscode_runner.py): one key's
// make() run as the extension's "Debug make() for this key" runs it (under debugpy there;
// here plainly), with the real DataJoint for Python against the test server of
// DJ_TEST_BACKEND (MariaDB or PostgreSQL). The pipeline is
// test/fixtures/python/runner_ws/lab/make_debug.py: Stats (a Part, a make failing for item 2
// after its inserts) and Summary (a three-part make); every step logs itself, with whether a
// transaction was open, in a table that rollbacks leave alone (MyISAM on MySQL, written on
// a connection of its own in autocommit on PostgreSQL).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { testServer } from '../runtime/helpers';
import { connectSql, type TestSql } from '../populate/helpers';
import { PYTHON_FIXTURES, dbEnv as serverEnv, pythonInterpreter, type Run } from './helpers';
import { PASSWORD_FILE_ENV } from '../../../runtime/populate/make-protocol';

const ROOT = join(__dirname, '..', '..', '..');
const RUNNER = join(ROOT, 'python', 'datajoint_vscode_runner.py');
const WS = join(PYTHON_FIXTURES, 'runner_ws');
const MODULE = join(WS, 'lab', 'make_debug.py');
// DataJoint warns on every connection to MariaDB and without a datajoint.json (python-side.md).
const PYTHON_WARNINGS = 'ignore:MariaDB is not officially supported,ignore:No datajoint.json found';

let py: string;
/** The test server, in the tests' MySQL spelling on both backends (populate/helpers.ts: toPostgres). */
let sql: TestSql;
let schema: string;
let dbEnv: Record<string, string>;
let resultDir: string;
let firstLine: string;

interface Result {
  v: number;
  status: string;
  message: string;
  rows: Record<string, number>;
}
interface MakeRun extends Run {
  /** The --result-file the run wrote. */
  result(): Result;
}

/** `make` of the runner as the extension starts it: cwd the workspace, DJ_* variables, a result file. */
/** Variables over the run's environment (undefined: removed), for the password-file test. */
let envOverride: Record<string, string | undefined> = {};

function make(cls: string, key: string, ...extra: string[]): MakeRun {
  const file = join(resultDir, `result-${randomBytes(4).toString('hex')}.json`);
  const args = [RUNNER, 'make', '--module', MODULE, '--class', cls, '--workspace', WS, '--key', key, '--result-file', file, ...extra];
  const env: NodeJS.ProcessEnv = { ...process.env, ...dbEnv, PYTHONUNBUFFERED: '1', PYTHONWARNINGS: PYTHON_WARNINGS };
  for (const [k, v] of Object.entries(envOverride)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const child = spawn(py, args, { cwd: WS, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let exited = false;
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.on('error', (e) => (err += `spawn ${py}: ${e.message}\n`));
  const done = new Promise<number>((resolve) =>
    child.on('close', (code, signal) => {
      exited = true;
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    }),
  );
  return {
    pid: child.pid ?? 0,
    stdout: () => out,
    stderr: () => err,
    done,
    exited: () => exited,
    result: () => JSON.parse(readFileSync(file, 'utf8')) as Result,
  };
}

const q = (t: string) => `\`${schema}\`.\`${t}\``;
async function rows<T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> {
  const [r] = await sql.query(query, params);
  return r as T[];
}
const count = async (table: string, where = 'TRUE') => Number((await rows<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${q(table)} WHERE ${where}`))[0]!.n);
/** Every target row: Stats, Stats.Detail, Summary. */
const made = async () => ({ stats: await count('__stats'), detail: await count('__stats__detail'), summary: await count('__summary') });
const nothingMade = { stats: 0, detail: 0, summary: 0 };
/** The jobs tables, every column that a run could change. */
const jobRows = async () => ({
  stats: await rows(`SELECT item_id, status, priority, reserved_time, completed_time, error_message, host, pid, connection_id FROM ${q('~~stats')} ORDER BY item_id`),
  summary: await rows(`SELECT item_id, status, priority, reserved_time, completed_time, error_message, host, pid, connection_id FROM ${q('~~summary')} ORDER BY item_id`),
});
/** What ran: [table, step, item, inside a transaction, kwargs]. */
const steps = async () =>
  (await rows<{ tbl: string; step: string; item_id: number; in_transaction: number; kwargs: string }>(`SELECT tbl, step, item_id, in_transaction, kwargs FROM ${q('make_debug_log')} ORDER BY id`)).map((r) => [
    r.tbl,
    r.step,
    Number(r.item_id),
    Number(r.in_transaction) === 1,
    JSON.parse(r.kwargs) as unknown,
  ]);
const lines = (text: string) => text.trimEnd().split('\n');
const lastLine = (text: string) => lines(text).pop() ?? '';

function pyOut(code: string): string {
  const r = spawnSync(py, ['-c', code], { cwd: WS, env: { ...process.env, ...dbEnv, PYTHONWARNINGS: PYTHON_WARNINGS }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

/** Items 1 (3 parts), 2 (2 parts, fails), 3 (1 part); nothing made; every key a pending job (DataJoint's refresh); no steps logged. */
async function reset(): Promise<void> {
  for (const t of ['__stats__detail', '__stats', '__summary', '~~stats', '~~summary', 'make_debug_log', 'item']) await sql.query(`DELETE FROM ${q(t)}`);
  await sql.query(`INSERT INTO ${q('item')} (item_id, n_parts, fail) VALUES (1, 3, 0), (2, 2, 1), (3, 1, 0)`);
  pyOut('import lab.make_debug as m; m.Stats.jobs.refresh(); m.Summary.jobs.refresh()');
  assert.equal(await count('~~stats', "status = 'pending'"), 3);
}

/** The run wrote its result file atomically: no temporary file left beside it. */
function noTemporaryFiles(): void {
  assert.deepEqual(
    readdirSync(resultDir).filter((f) => !/^result-[0-9a-f]+\.json$/.test(f)),
    [],
  );
}

before(async () => {
  py = await pythonInterpreter();
  const s = await testServer();
  schema = `djpy_make_${randomBytes(4).toString('hex')}`;
  dbEnv = { ...serverEnv(s), DJ_PIPELINE_SCHEMA: schema };
  sql = await connectSql();
  // Python declares the pipeline and both jobs tables.
  const [version, dj] = pyOut('import platform, datajoint, lab.make_debug as m; m.Stats.jobs; m.Summary.jobs; print(platform.python_version()); print(datajoint.__version__)').split('\n').slice(-2);
  firstLine = `Python ${version} (${py}) · DataJoint ${dj}`;
  resultDir = mkdtempSync(join(tmpdir(), 'dj-runner-make-'));
});
after(async () => {
  rmSync(resultDir, { recursive: true, force: true });
  await sql?.query(`DROP DATABASE IF EXISTS \`${schema}\``);
  await sql?.end();
  await (await testServer()).stop();
});

test('default: DataJoint runs the key in its transaction, the rows it inserted are counted, then rolled back; the jobs untouched', async () => {
  await reset();
  const jobsBefore = await jobRows();
  const r = make('Stats', '{"item_id": 1}', '--make-kwargs', '{"scale": 2}');
  assert.equal(await r.done, 0, r.stderr());
  assert.equal(lines(r.stdout())[0], firstLine);
  const message = "make() of Stats {'item_id': 1} inserted 1 row into Stats, 3 rows into Stats.Detail; rolled back, nothing kept";
  assert.equal(lastLine(r.stdout()), message);
  assert.deepEqual(r.result(), { v: 1, status: 'rolled-back', message, rows: { Stats: 1, 'Stats.Detail': 3 } });
  noTemporaryFiles();
  assert.deepEqual(await made(), nothingMade, 'nothing kept');
  assert.deepEqual(await jobRows(), jobsBefore, 'the jobs rows unchanged');
  // make ran once, inside the transaction, with the kwargs (and self.upstream worked).
  assert.deepEqual(await steps(), [['Stats', 'make', 1, true, { scale: 2 }]]);

  // A three-part make: fetch and compute outside, then DataJoint's re-fetch and insert inside.
  const t = make('Summary', '{"item_id": 3}');
  assert.equal(await t.done, 0, t.stderr());
  const summary = "make() of Summary {'item_id': 3} inserted 1 row into Summary; rolled back, nothing kept";
  assert.equal(lastLine(t.stdout()), summary);
  assert.deepEqual(t.result(), { v: 1, status: 'rolled-back', message: summary, rows: { Summary: 1 } });
  assert.deepEqual((await steps()).slice(1), [
    ['Summary', 'fetch', 3, false, { scale: 1 }],
    ['Summary', 'compute', 3, false, {}],
    ['Summary', 'fetch', 3, true, { scale: 1 }],
    ['Summary', 'insert', 3, true, {}],
  ]);
  assert.deepEqual(await made(), nothingMade);
  assert.deepEqual(await jobRows(), jobsBefore);
});

test('--until compute: make_fetch and make_compute only, outside any transaction; nothing inserted; a make() of its own refused', async () => {
  await reset();
  const jobsBefore = await jobRows();
  const r = make('Summary', '{"item_id": 1}', '--until', 'compute', '--make-kwargs', '{"scale": 3}');
  assert.equal(await r.done, 0, r.stderr());
  assert.equal(lines(r.stdout())[0], firstLine);
  const line = lastLine(r.stdout());
  const m = /^make_compute\(\) of Summary \{'item_id': 1\} returned (.*); nothing inserted \(--until compute\)$/.exec(line);
  assert.ok(m, line);
  // What make_compute returned (its 500-character note cut short).
  assert.ok(m[1]!.startsWith("({'doubled': 18, 'note': 'xxx"), m[1]);
  assert.ok(m[1]!.endsWith('…'));
  assert.equal(m[1]!.length, 200);
  assert.deepEqual(r.result(), { v: 1, status: 'computed', message: line, rows: {} });
  assert.deepEqual(await steps(), [
    ['Summary', 'fetch', 1, false, { scale: 3 }],
    ['Summary', 'compute', 1, false, {}],
  ]);
  assert.deepEqual(await made(), nothingMade);
  assert.deepEqual(await jobRows(), jobsBefore);

  const own = make('Stats', '{"item_id": 1}', '--until', 'compute');
  assert.equal(await own.done, 2, own.stderr());
  const refusal = '--until compute needs a three-part make (make_fetch, make_compute, make_insert); Stats defines make()';
  assert.equal(lastLine(own.stderr()), `djx: ${refusal}`);
  assert.deepEqual(own.result(), { v: 1, status: 'refused', message: refusal, rows: {} });
  assert.equal((await steps()).length, 2, 'nothing ran');
});

test('--keep --reserve-jobs: a real populate of the key, committed, its pending job reserved and completed; a key reserved elsewhere is not made', async () => {
  await reset();
  const r = make('Stats', '{"item_id": 1}', '--keep', '--reserve-jobs', '--make-kwargs', '{"scale": 2}');
  assert.equal(await r.done, 0, r.stderr());
  const message = "make() of Stats {'item_id': 1} inserted 1 row into Stats, 3 rows into Stats.Detail; committed";
  assert.equal(lastLine(r.stdout()), message);
  assert.deepEqual(r.result(), { v: 1, status: 'committed', message, rows: { Stats: 1, 'Stats.Detail': 3 } });
  assert.deepEqual(await rows(`SELECT item_id, total FROM ${q('__stats')}`), [{ item_id: 1, total: 6 }]);
  assert.equal(await count('__stats__detail', 'item_id = 1'), 3);
  // Completed: DataJoint deletes a finished job (jobs.keep_completed is off); the others stay pending.
  assert.deepEqual(
    (await jobRows()).stats.map((j) => [j.item_id, j.status]),
    [
      [2, 'pending'],
      [3, 'pending'],
    ],
  );
  assert.deepEqual(await steps(), [['Stats', 'make', 1, true, { scale: 2 }]]);

  // Item 3's job held by a worker on another host: populate takes nothing.
  await sql.query(`UPDATE ${q('~~stats')} SET status = 'reserved', host = 'elsewhere', pid = 4242, reserved_time = CURRENT_TIMESTAMP(3) WHERE item_id = 3`);
  const jobsBefore = await jobRows();
  const held = make('Stats', '{"item_id": 3}', '--keep', '--reserve-jobs');
  assert.equal(await held.done, 1, held.stderr());
  const notMade = "populate() of Stats {'item_id': 3} made nothing: its job is reserved by another worker (host elsewhere, pid 4242)";
  assert.equal(lastLine(held.stderr()), `djx: ${notMade}`);
  assert.deepEqual(held.result(), { v: 1, status: 'not-made', message: notMade, rows: {} });
  assert.equal(await count('__stats', 'item_id = 3'), 0);
  assert.deepEqual(await jobRows(), jobsBefore);
  assert.equal((await steps()).length, 1, 'make did not run');
});

test('make raises: rolled back, exit 1 with the traceback, status failed; the default mode writes no error job, --keep --reserve-jobs does', async () => {
  await reset();
  const jobsBefore = await jobRows();
  const r = make('Stats', '{"item_id": 2}');
  assert.equal(await r.done, 1, r.stderr());
  assert.match(r.stderr(), /Traceback \(most recent call last\):/);
  assert.match(r.stderr(), /make_debug\.py", line \d+, in make\n/);
  assert.equal(lastLine(r.stderr()), 'ValueError: item 2 is marked to fail', "Python's own report of the uncaught exception comes last");
  assert.ok(r.stderr().includes("djx: make() of Stats {'item_id': 2} failed: ValueError: item 2 is marked to fail (rolled back)\n"));
  assert.deepEqual(r.result(), { v: 1, status: 'failed', message: 'ValueError: item 2 is marked to fail', rows: {} });
  // make inserted Stats and two Details before raising: all rolled back.
  assert.deepEqual(await steps(), [['Stats', 'make', 2, true, { scale: 1 }]]);
  assert.deepEqual(await made(), nothingMade);
  assert.deepEqual(await jobRows(), jobsBefore, 'no error job');

  const kept = make('Stats', '{"item_id": 2}', '--keep', '--reserve-jobs');
  assert.equal(await kept.done, 1, kept.stderr());
  assert.equal(lastLine(kept.stderr()), 'ValueError: item 2 is marked to fail');
  assert.deepEqual(kept.result(), { v: 1, status: 'failed', message: 'ValueError: item 2 is marked to fail', rows: {} });
  assert.deepEqual(await made(), nothingMade);
  assert.deepEqual(
    (await jobRows()).stats.map((j) => [j.item_id, j.status, j.error_message]),
    [
      [1, 'pending', ''],
      [2, 'error', 'ValueError: item 2 is marked to fail'],
      [3, 'pending', ''],
    ],
    'a real populate records the error, as DataJoint does',
  );
});

test('refusals (unknown attribute, no matching key, several, not an object, not JSON, a list value, bad options): exit 2, one djx: line, status refused, nothing run', async () => {
  await reset();
  const jobsBefore = await jobRows();
  const cases: Array<[string, string[], string]> = [
    ['{"itm": 1}', [], '--key "{\\"itm\\": 1}" refused: Attribute `itm` is not in the key source of Stats (`item_id`)'],
    ['{"item_id": 99}', [], '--key "{\\"item_id\\": 99}" refused: it matches no key of the key source of Stats, not exactly one'],
    ['{}', [], '--key "{}" refused: it matches 3 keys of the key source of Stats, not exactly one'],
    ['[{"item_id": 1}]', [], `--key "[{\\"item_id\\": 1}]" is not a JSON object of the key's attributes and values`],
    ['"item_id = 1"', [], `--key "\\"item_id = 1\\"" is not a JSON object of the key's attributes and values`],
    ['item_id = 1', [], '--key "item_id = 1" is not valid JSON (Expecting value: line 1 column 1 (char 0))'],
    ['{"item_id": ["1\' OR 1=1"]}', [], '--key "{\\"item_id\\": [\\"1\' OR 1=1\\"]}" refused: the value of `item_id` is not a single value (a string, number, boolean or null)'],
    ['{"item_id": 1}', ['--reserve-jobs'], '--reserve-jobs takes the key\'s job only with --keep (without it the run is rolled back and never touches the jobs table)'],
    ['{"item_id": 1}', ['--make-kwargs', '[1]'], '--make-kwargs "[1]" is not a JSON object'],
    ['{"item_id": 1}', ['--until', 'insert'], "argument --until: invalid choice: 'insert' (choose from 'compute')"],
  ];
  for (const [key, extra, message] of cases) {
    const r = make('Stats', key, ...extra);
    assert.equal(await r.done, 2, `${key} ${extra.join(' ')}\n${r.stderr()}`);
    assert.equal(lastLine(r.stderr()), `djx: ${message}`);
    assert.deepEqual(r.result(), { v: 1, status: 'refused', message, rows: {} });
    assert.doesNotMatch(r.stdout(), /make\(\) of/);
  }
  const both = make('Summary', '{"item_id": 1}', '--keep', '--until', 'compute');
  assert.equal(await both.done, 2, both.stderr());
  assert.equal(both.result().message, '--until compute inserts nothing; it cannot be combined with --keep');
  const none = make('Nothing', '{"item_id": 1}');
  assert.equal(await none.done, 2, none.stderr());
  assert.match(lastLine(none.stderr()), /^djx: lab\.make_debug has no class Nothing$/);
  assert.deepEqual(none.result(), { v: 1, status: 'refused', message: 'lab.make_debug has no class Nothing', rows: {} });
  noTemporaryFiles();
  assert.deepEqual(await steps(), [], 'no make ran');
  assert.deepEqual(await made(), nothingMade);
  assert.deepEqual(await jobRows(), jobsBefore);
});

test('a key already in the target: nothing runs, status already-done, exit 0', async () => {
  await reset();
  await sql.query(`INSERT INTO ${q('__stats')} (item_id, total) VALUES (3, 1)`);
  for (const extra of [[], ['--keep', '--reserve-jobs']]) {
    const r = make('Stats', '{"item_id": 3}', ...extra);
    assert.equal(await r.done, 0, r.stderr());
    const message = "Stats {'item_id': 3}: already computed; nothing to run";
    assert.equal(lastLine(r.stdout()), message);
    assert.deepEqual(r.result(), { v: 1, status: 'already-done', message, rows: {} });
  }
  assert.deepEqual(await steps(), []);
  assert.deepEqual(await made(), { stats: 1, detail: 0, summary: 0 });
});

test('the password from the file the extension writes (DATAJOINT_VSCODE_PASSWORD_FILE), not from DJ_PASS', async () => {
  await reset();
  const dir = mkdtempSync(join(tmpdir(), 'dj-runner-pw-'));
  const file = join(dir, 'password');
  envOverride = { DJ_PASS: undefined, [PASSWORD_FILE_ENV]: file };
  try {
    writeFileSync(file, dbEnv.DJ_PASS!, { mode: 0o600 });
    const run = make('Stats', '{"item_id": 1}');
    assert.equal(await run.done, 0, run.stderr());
    assert.equal(run.result().status, 'rolled-back');
    // A wrong password in the file is refused at login: the file is what the run used.
    writeFileSync(file, 'not the password', { mode: 0o600 });
    const wrong = make('Stats', '{"item_id": 1}');
    assert.equal(await wrong.done, 2, wrong.stderr());
    assert.equal(wrong.result().status, 'refused');
    assert.ok(!wrong.stderr().includes('not the password'), 'the password is never printed');
  } finally {
    envOverride = {};
    rmSync(dir, { recursive: true, force: true });
  }
});
