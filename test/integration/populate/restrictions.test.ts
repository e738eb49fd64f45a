// Restrictions never run SQL beyond the one condition meant (issue 10). A canary table
// in another schema must survive every form of hostile or malformed restriction, through
// `djx populate` (with and without --reserve-jobs), `djx progress`, `djx jobs` and the
// populate API; each malformed form is refused with one line before anything runs (no
// make, no job row). A typo'd key restriction is refused by the CLI (exit 2, with the
// known attributes) and warned about by the API, which keeps the reference's semantics
// (unknown attributes ignored). Option errors name the option that is wrong.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobsFor, populate, progress } from '../../../runtime/populate/index';
import { openControl } from '../../../runtime/populate/control';
import { DEFAULT_BACKEND, testServer } from '../runtime/helpers';
import { checkCondition } from '../../../runtime/query/condition';
import { not } from '../../../runtime/query/expression';
import { PIPELINE, range, reset, rows, setup, type Env } from './helpers';

const CLI = join(__dirname, '..', '..', '..', 'runtime', 'cli', 'populate', 'standalone.ts');

let env: Env;
let canary: string;
before(async () => {
  env = await setup('djpop_restrict');
  canary = `${env.schema}_canary`;
  await env.sql.query(`CREATE DATABASE \`${canary}\``);
  await env.sql.query(`CREATE TABLE \`${canary}\`.canary (id int PRIMARY KEY, v int NOT NULL)`);
});
after(async () => {
  await env?.sql.query(`DROP DATABASE IF EXISTS \`${canary}\``);
  await env?.close();
});
beforeEach(async () => {
  await reset(env, range(3).map((subject_id) => ({ subject_id, name: subject_id === 2 ? "a;b -- c /* ( # d'" : '' })));
  await env.sql.query(`DELETE FROM \`${canary}\`.canary`);
  await env.sql.query(`INSERT INTO \`${canary}\`.canary VALUES (1, 1)`);
});

/** The canary is untouched, no make ran, no job row was added. */
async function nothingRan(): Promise<void> {
  assert.deepEqual(await rows(env, `SELECT id, v FROM \`${canary}\`.canary`), [{ id: 1, v: 1 }], 'canary untouched');
  assert.deepEqual(await rows(env, `SELECT subject_id FROM \`${env.schema}\`.make_calls`), [], 'no make ran');
  assert.deepEqual(await rows(env, `SELECT subject_id FROM \`${env.schema}\`.__analysis`), [], 'no key computed');
  const jobs = await rows(env, 'SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [env.schema, '~~analysis']);
  if (jobs.length) assert.deepEqual(await rows(env, `SELECT subject_id FROM \`${env.schema}\`.\`~~analysis\``), [], 'no job row');
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function dj(args: string[]): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, ...out })));
}

const target = () => `\`${canary}\`.canary`;
// Shaped to close the queries the runtime builds around a restriction (issue 10).
const closing = (statement: string) =>
  `subject_id = 1)) AS \`$src\` WHERE TRUE) AS \`$ks\`; ${statement}; SELECT * FROM (SELECT * FROM (SELECT 1 AS subject_id FROM DUAL WHERE (1`;
const hostile = () => [
  closing(`DROP TABLE ${target()}`),
  closing(`UPDATE ${target()} SET v = 666`),
  `subject_id = 1; DROP TABLE ${target()}`,
  `subject_id = 1; UPDATE ${target()} SET v = 666`,
  `subject_id = 1 -- ; DROP TABLE ${target()}`,
  `subject_id = 1 # comment`,
  `subject_id = 1 /* comment */`,
  `subject_id = 1 /*! ; DROP TABLE ${target()} */`,
  '(subject_id = 1',
  'subject_id = 1)',
  '',
  '   ',
  "name = 'unterminated",
  'name = "unterminated',
  '`subject_id = 1',
  'subject_id = ?',
];

const refusal = (text: string) => `djx: --restriction ${JSON.stringify(text)} is not one SQL condition: it ${checkCondition(text)}\n`;

describe('a hostile or malformed --restriction is refused before anything runs', () => {
  test('the exact line for the injection of issue 10', async () => {
    const text = closing(`DROP TABLE ${target()}`);
    const run = await dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs', '-r', text]);
    assert.equal(run.stderr, `djx: --restriction ${JSON.stringify(text)} is not one SQL condition: it has a \`)\` without its \`(\` at character 15\n`);
    assert.equal(run.code, 2);
    await nothingRan();
  });

  test('djx populate --reserve-jobs, every form', async () => {
    for (const text of hostile()) {
      const run = await dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs', '--restriction', text]);
      assert.equal(run.stderr, refusal(text), text);
      assert.equal(run.code, 2, text);
      await nothingRan();
    }
  });

  test('djx populate (direct) and djx progress', async () => {
    for (const text of hostile().slice(0, 6)) {
      for (const args of [
        ['populate', PIPELINE, 'Analysis', '-r', text],
        ['progress', PIPELINE, '--table', 'Analysis', '-r', text],
      ]) {
        const run = await dj(args);
        assert.equal(run.stderr, refusal(text), `${args[0]}: ${text}`);
        assert.equal(run.code, 2, text);
        assert.equal(run.stdout, '');
        await nothingRan();
      }
    }
  });

  test('inside a JSON array restriction', async () => {
    const inner = `subject_id = 1; DROP TABLE ${target()}`;
    const text = JSON.stringify(['subject_id = 2', inner]);
    const run = await dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs', '-r', text]);
    assert.equal(run.stderr, `djx: --restriction ${JSON.stringify(text)} has ${JSON.stringify(inner)}, which is not one SQL condition: it ${checkCondition(inner)}\n`);
    assert.equal(run.code, 2);
    await nothingRan();
  });

  test('the populate API, as a string, in an array and negated', async () => {
    const { Analysis } = env.pipeline;
    for (const text of hostile()) {
      for (const r of [text, [text], not(text), ['subject_id = 2', not([text])]]) {
        for (const reserveJobs of [true, false]) {
          await assert.rejects(populate(Analysis, r as never, { reserveJobs }), (e: Error) => {
            assert.equal(e.name, 'UsageError');
            assert.equal(e.message, `Restriction ${JSON.stringify(text)} is not one SQL condition: it ${checkCondition(text)}`);
            return true;
          });
        }
      }
      await assert.rejects(progress(Analysis, text), /is not one SQL condition/);
      await assert.rejects(jobsFor(Analysis).refresh([text]), /is not one SQL condition/);
      await assert.rejects(jobsFor(Analysis).progress(text), /is not one SQL condition/);
      await nothingRan();
    }
  });

  test('djx jobs --key: values are bound, bad JSON names --key', async () => {
    const bad = `{"subject_id": "1; DROP TABLE ${target()}"`;
    for (const action of ['list', 'retry', 'clear', 'ignore']) {
      const run = await dj(['jobs', action, PIPELINE, '--table', 'Analysis', '--key', bad]);
      assert.equal(run.code, 2, action);
      assert.match(run.stderr, /^djx: --key "\{\\"subject_id\\": \\"1; DROP TABLE [^\n]*" is not valid JSON \([^\n]*\)\n$/, action);
    }
    await nothingRan();
    const value = JSON.stringify({ subject_id: `1; DROP TABLE ${target()}` });
    const run = await dj(['jobs', 'list', PIPELINE, '--table', 'Analysis', '--key', value]);
    assert.equal(run.code, 0, run.stderr);
    await nothingRan();
  });
});

describe('the control connection', () => {
  test('runs one statement per query, the queue\'s own claims included', async () => {
    const s = await testServer();
    const control = await openControl({ host: s.host, port: s.port, user: s.user, password: s.password, tls: false, backend: s.backend, ...(s.database ? { database: s.database } : {}) });
    const pg = env.backend === 'postgresql';
    // MySQL refuses a second statement as a syntax error; PostgreSQL's extended protocol, as
    // "cannot insert multiple commands into a prepared statement".
    const refused = pg ? /cannot insert multiple commands/ : /SQL syntax/;
    const t = pg ? `"${canary}".canary` : target();
    try {
      // Beneath the condition check: text that reached this connection still could not add a statement.
      await assert.rejects(control.session.query(`SELECT 1; DROP TABLE ${t}`), refused);
      await assert.rejects(control.session.execute(`UPDATE ${t} SET v = v; DROP TABLE ${t}`), refused);
      await assert.rejects(control.session.query(`SELECT 1 -- \n; DROP TABLE ${t}`), refused);
      // No second connection carries several statements: the session offers no batches.
      assert.equal('multi' in control.session, false);
      // The queue's statements still run, one per query, with bound values (a session variable).
      await control.session.execute(pg ? "SELECT set_config('dj.x', ?, false)" : 'SET @dj_x = ?', [pg ? '7' : 7]);
      const [row] = await control.session.query<{ x: unknown }>(pg ? "SELECT current_setting('dj.x') AS x" : 'SELECT @dj_x AS x');
      assert.equal(Number(row!.x), 7);
      await nothingRan();
    } finally {
      // The server is the file's (helpers.ts: env.close stops it).
      await control.close();
    }
  });
});

describe('valid conditions with quoted `;`, comments and parentheses still restrict', () => {
  // MySQL reads "…" as a string, PostgreSQL as a name.
  const text =
    DEFAULT_BACKEND === 'postgresql'
      ? "name = 'a;b -- c /* ( # d''' AND 'why?' = E'why?' AND \"name\" <> 'x?'"
      : "name = 'a;b -- c /* ( # d''' AND 'why?' = \"why?\"";
  test('djx populate --reserve-jobs and djx progress', async () => {
    const p = await dj(['progress', PIPELINE, '--table', 'Analysis', '-r', text, '--json']);
    assert.equal(p.code, 0, p.stderr);
    assert.equal((JSON.parse(p.stdout) as Array<{ total: number }>)[0]!.total, 1);
    const run = await dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs', '-r', text]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await rows(env, `SELECT subject_id FROM \`${env.schema}\`.__analysis`), [{ subject_id: 2 }]);
  });
  test('the API', async () => {
    const r = await populate(env.pipeline.Analysis, text, { reserveJobs: true });
    assert.equal(r.successCount, 1);
    assert.deepEqual(await rows(env, `SELECT subject_id FROM \`${env.schema}\`.__analysis`), [{ subject_id: 2 }]);
  });
});

describe('a key restriction naming attributes the key source lacks', () => {
  const refused = (option: string, text: string, unknown: string, where: string, known: string) =>
    `djx: ${option} ${JSON.stringify(text)} refused: Attribute \`${unknown}\` is not in ${where} (${known}), so it restricts nothing\n`;

  test('the CLI refuses it, listing the known attributes (populate, progress, jobs --key)', async () => {
    for (const text of ['{"subjct_id": 3}', '{"name": "x"}', '[{"subject_id": 1}, {"subjct_id": 3}]']) {
      const unknown = text.includes('subjct_id') ? 'subjct_id' : 'name';
      for (const extra of [[], ['--reserve-jobs']]) {
        const run = await dj(['populate', PIPELINE, 'Analysis', ...extra, '-r', text]);
        assert.equal(run.stderr, refused('--restriction', text, unknown, 'the key source of Analysis', '`subject_id`'), text);
        assert.equal(run.code, 2);
      }
      const p = await dj(['progress', PIPELINE, '--table', 'Analysis', '-r', text]);
      assert.equal(p.stderr, refused('--restriction', text, unknown, 'the key source of Analysis', '`subject_id`'), text);
      assert.equal(p.code, 2);
      await nothingRan();
    }
    for (const action of ['list', 'retry', 'ignore', 'clear']) {
      const run = await dj(['jobs', action, PIPELINE, '--table', 'Analysis', '--key', '{"subjct_id": 3}']);
      assert.equal(run.stderr, refused('--key', '{"subjct_id": 3}', 'subjct_id', 'the job key of Analysis', '`subject_id`'), action);
      assert.equal(run.code, 2);
    }
    await nothingRan();
    // Known attributes still work.
    const ok = await dj(['populate', PIPELINE, 'Analysis', '-r', '{"subject_id": 3}']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(await rows(env, `SELECT subject_id FROM \`${env.schema}\`.__analysis`), [{ subject_id: 3 }]);
  });

  test('the API warns and, as the reference, ignores the attribute', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const r = await populate(env.pipeline.Analysis, { subjct_id: 3 });
      assert.equal(r.successCount, 3, 'every key, as DataJoint for Python computes');
      // The warning event is emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    const ours = warnings.filter((w) => (w as { code?: string }).code === 'DJ_UNKNOWN_ATTRIBUTES');
    assert.equal(ours.length, 1);
    assert.equal(ours[0]!.message, 'populate Analysis: Attribute `subjct_id` is not in its key source (`subject_id`), so it restricts nothing.');
  });
});

describe('option errors name their option', () => {
  test('--make-kwargs', async () => {
    const run = await dj(['populate', PIPELINE, 'Analysis', '--make-kwargs', '{x']);
    assert.match(run.stderr, /^djx: --make-kwargs "\{x" is not valid JSON \([^\n]+\)\n$/);
    assert.equal(run.code, 2);
    const arr = await dj(['populate', PIPELINE, 'Analysis', '--make-kwargs', '[1]']);
    assert.equal(arr.stderr, 'djx: --make-kwargs "[1]" is not a JSON object\n');
    assert.equal(arr.code, 2);
    await nothingRan();
  });
  test('djx jobs retry --key', async () => {
    const run = await dj(['jobs', 'retry', PIPELINE, '--key', '{bad']);
    assert.match(run.stderr, /^djx: --key "\{bad" is not valid JSON \([^\n]+\)\n$/);
    assert.equal(run.code, 2);
  });
  test('--restriction with bad JSON', async () => {
    const run = await dj(['populate', PIPELINE, 'Analysis', '-r', '{"subject_id": }']);
    assert.match(run.stderr, /^djx: --restriction "\{\\"subject_id\\": \}" is not valid JSON \([^\n]+\)\n$/);
    assert.equal(run.code, 2);
  });
});

describe('--restriction-file: a restriction too long for a command line', () => {
  test('a JSON array of 10,000 keys (over the 128 KiB one argument may have) restricts as --restriction would', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dj-rfile-'));
    try {
      // Keys 1 and 3 of the three subjects, hidden among 9,998 that have no subject.
      const keys = [{ subject_id: 1 }, { subject_id: 3 }, ...range(9998, 100).map((subject_id) => ({ subject_id }))];
      const file = join(dir, 'keys.json');
      writeFileSync(file, JSON.stringify(keys));
      assert.ok(statSync(file).size > 128 * 1024, 'longer than one argument may be');
      const run = await dj(['populate', PIPELINE, 'Analysis', '--reserve-jobs', '--restriction-file', file, '--json']);
      assert.equal(run.code, 0, run.stderr);
      const done = (await rows<{ subject_id: number }>(env, 'SELECT subject_id FROM `' + env.schema + '`.__analysis ORDER BY subject_id')).map((r) => Number(r.subject_id));
      assert.deepEqual(done, [1, 3]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a file that cannot be read, or holds no single condition, is refused by its path, before anything runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dj-rfile-'));
    try {
      const missing = join(dir, 'none.json');
      const gone = await dj(['populate', PIPELINE, 'Analysis', '--restriction-file', missing]);
      assert.equal(gone.code, 2);
      assert.equal(gone.stderr, `djx: --restriction-file ${JSON.stringify(missing)} cannot be read (ENOENT)\n`);
      const bad = join(dir, 'bad.txt');
      writeFileSync(bad, `subject_id = 1; DROP TABLE ${target()}`);
      const refused = await dj(['populate', PIPELINE, 'Analysis', '--restriction-file', bad]);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, new RegExp(`^djx: --restriction-file ${JSON.stringify(bad).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not one SQL condition: it has \`;\``));
      const typo = join(dir, 'typo.json');
      writeFileSync(typo, '[{"subjct_id": 1}]');
      const unknown = await dj(['populate', PIPELINE, 'Analysis', '--restriction-file', typo]);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /refused: Attribute `subjct_id` is not in the key source of Analysis/);
      assert.doesNotMatch(unknown.stderr, /subjct_id\\": 1/, 'the file is named by its path, not quoted');
      await nothingRan();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
