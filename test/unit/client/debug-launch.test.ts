// The debug configurations of "Debug make() for this key" (client/debug/debugLaunch.ts):
// `djx make` under Node's inspector and the Python runner's `make` under debugpy get the
// same options; the connection is in the configuration's environment, never an argument;
// the three-part make is recognised from the class's own methods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isThreePartMake, makeOptionArgs, nodeConfiguration, pythonConfiguration, type DebugRequest } from '../../../client/debug/debugLaunch';
import { parseMakeResult, PASSWORD_FILE_ENV, type MakeStatus } from '../../../runtime/populate/make-protocol';
import type { Credentials } from '../../../client/connection/connectionManager';
import type { PythonInterpreter } from '../../../client/python/interpreter';

const PASSWORD = 's3cret pass';
const creds: Credentials = { target: { backend: 'mysql', host: 'db.lab', port: 3307, user: 'ana', databaseName: undefined, tls: false, passwordFromEnvironment: undefined, sources: {} }, password: PASSWORD };
const request: DebugRequest = {
  className: 'Stats',
  module: '/ws/lab/tables.py',
  key: { session_id: 3, probe: 'a b' },
  mode: 'rollback',
  reserveJobs: false,
  resultFile: '/tmp/r/result.json',
  passwordFile: '/tmp/r/password',
  runId: 'run-1',
  cwd: '/ws',
};
const interpreter: PythonInterpreter = {
  executable: '/ws/.venv/bin/python',
  args: ['-X', 'utf8'],
  source: 'setting',
  env: { VIRTUAL_ENV: '/ws/.venv', PYTHONHOME: undefined },
  description: 'setting',
  skipped: [],
};

test('the options: the key as JSON, how the run ends, make kwargs, the result file', () => {
  assert.deepEqual(makeOptionArgs(request), ['--key', '{"session_id":3,"probe":"a b"}', '--result-file', '/tmp/r/result.json']);
  assert.deepEqual(makeOptionArgs({ ...request, mode: 'compute', makeKwargs: { f: 2 } }), ['--key', '{"session_id":3,"probe":"a b"}', '--until', 'compute', '--make-kwargs', '{"f":2}', '--result-file', '/tmp/r/result.json']);
  assert.deepEqual(makeOptionArgs({ ...request, mode: 'keep', reserveJobs: true }).slice(2, 4), ['--keep', '--reserve-jobs']);
  assert.deepEqual(makeOptionArgs({ ...request, mode: 'keep' }).slice(2, 4), ['--keep', '--result-file']);
  // A reservation belongs to a kept run only: a rolled-back make never touches the jobs table.
  assert.ok(!makeOptionArgs({ ...request, reserveJobs: true }).includes('--reserve-jobs'));
});

test('TypeScript: djx make under the built-in Node debugger; the password in neither its arguments nor its environment', () => {
  const c = nodeConfiguration({ ...request, module: '/ws/pipeline.ts' }, '/ext/dist/cli.js', { executable: '/usr/bin/node', electronAsNode: false }, creds, ['/ext/dist/**']);
  assert.equal(c.type, 'node');
  assert.equal(c.request, 'launch');
  assert.equal(c.program, '/ext/dist/cli.js');
  assert.deepEqual((c.args as string[]).slice(0, 3), ['make', '/ws/pipeline.ts', 'Stats']);
  // A debugger launching in a terminal types the environment into its command line.
  assert.deepEqual(c.env, { DJ_BACKEND: 'mysql', DJ_HOST: 'db.lab', DJ_PORT: '3307', DJ_USER: 'ana', [PASSWORD_FILE_ENV]: '/tmp/r/password', DJ_USE_TLS: 'false' });
  assert.ok(!JSON.stringify(c).includes(PASSWORD));
  // On PostgreSQL the backend and the database travel too (the debugger merges this env
  // over the editor's, so DJ_BACKEND is always set, never inherited).
  const pgCreds: Credentials = { ...creds, target: { ...creds.target, backend: 'postgresql', port: 5432, databaseName: 'lab', tls: undefined } };
  const pg = nodeConfiguration({ ...request, module: '/ws/pipeline.ts' }, '/ext/dist/cli.js', { executable: '/usr/bin/node', electronAsNode: false }, pgCreds, []);
  assert.deepEqual(pg.env, { DJ_BACKEND: 'postgresql', DJ_HOST: 'db.lab', DJ_PORT: '5432', DJ_DATABASE_NAME: 'lab', DJ_USER: 'ana', [PASSWORD_FILE_ENV]: '/tmp/r/password' });
  assert.ok(!JSON.stringify(pg).includes(PASSWORD));
  assert.deepEqual(c.skipFiles, ['<node_internals>/**', '/ext/dist/**']);
  assert.equal(c.datajointRunId, 'run-1');
  assert.equal(c.console, 'integratedTerminal');
  const electron = nodeConfiguration(request, '/ext/dist/cli.js', { executable: '/opt/code/code', electronAsNode: true }, creds, []);
  assert.equal(electron.runtimeExecutable, '/opt/code/code');
  assert.equal((electron.env as Record<string, string>).ELECTRON_RUN_AS_NODE, '1');
});

test("Python: the runner's make under debugpy with the table's interpreter and its activation variables", () => {
  const c = pythonConfiguration(request, 'debugpy', '/ext/python/datajoint_vscode_runner.py', interpreter, '/ws', creds);
  assert.equal(c.type, 'debugpy');
  assert.equal(c.program, '/ext/python/datajoint_vscode_runner.py');
  assert.equal(c.python, '/ws/.venv/bin/python');
  assert.deepEqual(c.pythonArgs, ['-X', 'utf8']);
  assert.ok(!('pythonArgs' in pythonConfiguration(request, 'debugpy', '/r.py', { ...interpreter, args: [] }, '/ws', creds)));
  assert.deepEqual((c.args as string[]).slice(0, 7), ['make', '--module', '/ws/lab/tables.py', '--class', 'Stats', '--workspace', '/ws']);
  assert.deepEqual((c.args as string[]).slice(7), makeOptionArgs(request));
  const env = c.env as Record<string, string>;
  assert.equal(env.VIRTUAL_ENV, '/ws/.venv');
  assert.ok(!('PYTHONHOME' in env), 'a variable the activation removes is not set');
  assert.equal(env[PASSWORD_FILE_ENV], '/tmp/r/password');
  assert.equal(env.DJ_BACKEND, 'mysql');
  assert.ok(!JSON.stringify(c).includes(PASSWORD));
  assert.equal(c.justMyCode, true);
});

test('the three-part make: make_fetch, make_compute and make_insert in the class itself, and no make of its own', () => {
  const py = `
@schema
class Plain(dj.Computed):
    def make(self, key):
        pass


@schema
class Three(dj.Computed):
    definition = """..."""

    def make_fetch(self, key):
        return (1,)

    def make_compute(self, key, x):
        return (x,)

    def make_insert(self, key, x):
        self.insert1(dict(key, x=x))


class Two(dj.Computed):
    def make_fetch(self, key):
        return (1,)
    def make_compute(self, key, x):
        return (x,)
`;
  assert.equal(isThreePartMake(py, 'Three', true), true);
  assert.equal(isThreePartMake(py, 'Plain', true), false);
  assert.equal(isThreePartMake(py, 'Two', true), false, 'make_insert is missing');
  assert.equal(isThreePartMake(py, 'Absent', true), false);
  const ts = `
export class Triple extends dj.Computed {
  static async makeFetch(key: dj.Row) { return 1; }
  static async makeCompute(key: dj.Row, f: unknown) { return f; }
  static async makeInsert(key: dj.Row, c: unknown) {}
}
export class Analysis extends dj.Computed {
  static override async make(key: dj.Row): Promise<void> {}
  static async makeFetch(key: dj.Row) { return 1; }
  static async makeCompute(key: dj.Row, f: unknown) { return f; }
  static async makeInsert(key: dj.Row, c: unknown) {}
}`;
  assert.equal(isThreePartMake(ts, 'Triple', false), true);
  assert.equal(isThreePartMake(ts, 'Analysis', false), false, 'its own make runs, as populate runs it');
});

test('the result file: version 1 with a status and a message, else nothing', () => {
  assert.deepEqual(parseMakeResult('{"v":1,"status":"rolled-back","message":"m","rows":{"A":1}}\n'), { v: 1, status: 'rolled-back', message: 'm', rows: { A: 1 } });
  assert.equal(parseMakeResult('{"v":2,"status":"x","message":"m"}'), undefined);
  assert.equal(parseMakeResult('{"v":1,"status":"x"'), undefined);
  assert.equal(parseMakeResult(''), undefined);
});

test("the Python runner spells the protocol's names as the extension does", () => {
  const runner = readFileSync(join(__dirname, '..', '..', '..', 'python', 'datajoint_vscode_runner.py'), 'utf8');
  assert.ok(runner.includes(`PASSWORD_FILE_ENV = "${PASSWORD_FILE_ENV}"`), 'the password file variable');
  const statuses: MakeStatus[] = ['rolled-back', 'computed', 'committed', 'not-made', 'already-done', 'failed', 'refused'];
  for (const status of statuses) assert.ok(runner.includes(`"${status}"`), `the status ${status}`);
});
