// `djx make`: one key's make for the debugger (runtime/populate/make-one.ts). By default
// the key's transaction is rolled back after counting what make wrote, and the jobs table
// is left as it was; `--until compute` runs a three-part make's first two steps only;
// `--keep` commits as populate does. A real server (MariaDB or PostgreSQL), real `djx`
// child processes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobsFor } from '../../../runtime/populate/index';
import { CLI } from './cli';
import { PASSWORD_FILE_ENV } from '../../../runtime/populate/make-protocol';
import { calls, PIPELINE, reset, rows, setup, type Env } from './helpers';

let env: Env;
before(async () => {
  env = await setup('djpop_make');
});
after(async () => env?.close());

interface Ran {
  code: number;
  stderr: string;
  result: { v: number; status: string; message: string; rows?: Record<string, number> } | undefined;
}

const dir = mkdtempSync(join(tmpdir(), 'djx-make-'));
let n = 0;

function make(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  const resultFile = join(dir, `result-${n++}.json`);
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'make', PIPELINE, ...args, '--result-file', resultFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', () => undefined);
  return new Promise((resolve) =>
    child.on('close', (code) =>
      resolve({ code: code ?? 1, stderr, result: existsSync(resultFile) ? (JSON.parse(readFileSync(resultFile, 'utf8')) as Ran['result']) : undefined }),
    ),
  );
}

const count = async (table: string) => Number((await rows<{ n: number }>(env, `SELECT COUNT(*) AS n FROM \`${env.schema}\`.\`${table}\``))[0]!.n);

test('default: make runs in its transaction, its rows are counted and rolled back; the jobs table is untouched', async () => {
  await reset(env, [{ subject_id: 1 }, { subject_id: 2 }]);
  await jobsFor(env.pipeline.Analysis).refresh();
  const jobsBefore = await rows(env, `SELECT subject_id, status FROM \`${env.schema}\`.\`~~analysis\` ORDER BY 1`);
  const r = await make(['Analysis', '--key', '{"subject_id": 2}']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /make\(\) of Analysis \{"subject_id":2\} inserted 1 row into Analysis, 2 rows into Analysis\.Detail; rolled back, nothing kept\n/);
  assert.deepEqual(r.result, { v: 1, status: 'rolled-back', message: r.result!.message, rows: { Analysis: 1, 'Analysis.Detail': 2 } });
  assert.deepEqual(Object.fromEntries(await calls(env, 'Analysis')), { 2: 1 }, 'make ran once, for key 2 only');
  assert.equal(await count('__analysis'), 0);
  assert.equal(await count('__analysis__detail'), 0);
  assert.deepEqual(await rows(env, `SELECT subject_id, status FROM \`${env.schema}\`.\`~~analysis\` ORDER BY 1`), jobsBefore);
});

test('a failing make: its stack and one line, exit 1, rolled back, and no error job written', async () => {
  await reset(env, [{ subject_id: 3, name: 'fail' }]);
  await jobsFor(env.pipeline.Analysis).refresh();
  const r = await make(['Analysis', '--key', '{"subject_id": 3}']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /RangeError: cannot analyse subject 3\n\s+at /);
  assert.match(r.stderr, /make\(\) of Analysis \{"subject_id":3\} failed: RangeError: cannot analyse subject 3; rolled back\n/);
  assert.equal(r.result!.status, 'failed');
  assert.equal(r.result!.message, 'RangeError: cannot analyse subject 3');
  assert.equal(await count('__analysis'), 0);
  assert.deepEqual(await rows(env, `SELECT status FROM \`${env.schema}\`.\`~~analysis\``), [{ status: 'pending' }]);
});

test('--until compute: a three-part make stops after makeCompute, inserting nothing; refused for a one-part make', async () => {
  await reset(env, [{ subject_id: 4, name: 'abc' }]);
  const r = await make(['Triple', '--key', '{"subject_id": 4}', '--until', 'compute']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /makeCompute of Triple \{"subject_id":4\} returned \{ total: 7 \}; nothing inserted\n/);
  assert.equal(r.result!.status, 'computed');
  assert.deepEqual(Object.fromEntries(await calls(env, 'Triple')), { 4: 1 }, 'makeFetch ran once: no transaction, no re-fetch');
  assert.equal(await count('__triple'), 0);
  const refused = await make(['Analysis', '--key', '{"subject_id": 4}', '--until', 'compute']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--key "\{\\"subject_id\\": 4\}" cannot stop after makeCompute: Analysis defines make\(\)/);
  assert.equal(refused.result!.status, 'refused');
  assert.equal((await calls(env, 'Analysis')).size, 0);
});

test('the three-part make rolled back: fetched, computed, re-fetched and inserted inside the transaction, then rolled back', async () => {
  await reset(env, [{ subject_id: 5, name: 'x' }]);
  const r = await make(['Triple', '--key', '{"subject_id": 5}']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.result!.rows, { Triple: 1 });
  assert.deepEqual(Object.fromEntries(await calls(env, 'Triple')), { 5: 2 }, 'makeFetch ran before and inside the transaction');
  assert.equal(await count('__triple'), 0);
});

test('--keep --reserve-jobs: committed through its job, which is complete; --keep again: already computed', async () => {
  await reset(env, [{ subject_id: 6 }, { subject_id: 7 }]);
  await jobsFor(env.pipeline.Analysis).refresh();
  const r = await make(['Analysis', '--key', '{"subject_id": 6}', '--keep', '--reserve-jobs']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.result!.status, 'committed');
  assert.deepEqual(await rows(env, `SELECT subject_id FROM \`${env.schema}\`.__analysis`), [{ subject_id: 6 }]);
  assert.equal(await count('__analysis__detail'), 2);
  assert.deepEqual(await rows(env, `SELECT subject_id, status FROM \`${env.schema}\`.\`~~analysis\` ORDER BY 1`), [{ subject_id: 7, status: 'pending' }]);
  const again = await make(['Analysis', '--key', '{"subject_id": 6}', '--keep']);
  assert.equal(again.code, 0);
  assert.equal(again.result!.status, 'already-done');
  assert.match(again.stderr, /Analysis \{"subject_id":6\}: already computed; nothing to run\n/);
  assert.deepEqual(Object.fromEntries(await calls(env, 'Analysis')), { 6: 1 });
});

test('--keep --reserve-jobs of an error job: not made, and said why; a failure under --keep records the error job', async () => {
  await reset(env, [{ subject_id: 8, name: 'fail' }]);
  const failed = await make(['Analysis', '--key', '{"subject_id": 8}', '--keep', '--reserve-jobs']);
  assert.equal(failed.code, 1, failed.stderr);
  assert.equal(failed.result!.status, 'failed');
  assert.match(failed.stderr, /its job is an error job\n/);
  assert.deepEqual(await rows(env, `SELECT status, error_message FROM \`${env.schema}\`.\`~~analysis\``), [{ status: 'error', error_message: 'RangeError: cannot analyse subject 8' }]);
  const blocked = await make(['Analysis', '--key', '{"subject_id": 8}', '--keep', '--reserve-jobs']);
  assert.equal(blocked.code, 1);
  assert.equal(blocked.result!.status, 'not-made');
  assert.deepEqual(Object.fromEntries(await calls(env, 'Analysis')), { 8: 1 });
});

test('a key that names no key or an unknown attribute is refused before make runs (exit 2)', async () => {
  await reset(env, [{ subject_id: 9 }, { subject_id: 10 }]);
  const cases: Array<[string, RegExp]> = [
    ['{"subject_id": 99}', /matches no key of the key source of Analysis/],
    ['{}', /names no attribute of the key source of Analysis \(subject_id/],
    ['{"subject": 9}', /names subject, not in the key source of Analysis/],
    ['[9]', /is not a JSON object/],
    ['{"subject_id": "9; DROP TABLE x"}', /cannot name a key of Analysis: expected an integer, got "9; DROP TABLE x"/],
  ];
  for (const [key, message] of cases) {
    const r = await make(['Analysis', '--key', key]);
    assert.equal(r.code, 2, `${key}: ${r.stderr}`);
    assert.match(r.stderr, message, key);
    assert.match(r.stderr, /^djx: --key /m);
    assert.equal(r.result!.status, 'refused');
  }
  assert.equal((await calls(env, 'Analysis')).size, 0, 'make never ran');
});

test('the password from the file the extension writes (DATAJOINT_VSCODE_PASSWORD_FILE), not from DJ_PASS', async () => {
  await reset(env, [{ subject_id: 11 }]);
  const file = join(dir, 'password');
  const { DJ_PASS: password, ...rest } = process.env;
  writeFileSync(file, password!, { mode: 0o600 });
  const r = await make(['Analysis', '--key', '{"subject_id": 11}'], { ...rest, [PASSWORD_FILE_ENV]: file });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.result!.status, 'rolled-back');
  writeFileSync(file, 'not the password', { mode: 0o600 });
  const wrong = await make(['Analysis', '--key', '{"subject_id": 11}'], { ...rest, [PASSWORD_FILE_ENV]: file });
  assert.equal(wrong.code, 2, wrong.stderr);
  assert.equal(wrong.result!.status, 'refused');
  assert.ok(!wrong.stderr.includes('not the password'), 'the password is never printed');
});

test('a result file that cannot be written costs the file, not the run', async () => {
  await reset(env, [{ subject_id: 12 }]);
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'make', PIPELINE, 'Analysis', '--key', '{"subject_id": 12}', '--result-file', join(dir, 'gone', 'result.json')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stderr);
  assert.match(stderr, /rolled back, nothing kept\n/);
  assert.match(stderr, /djx: cannot write the result file .*gone\/result\.json/);
});
