// The command lines and environments of populate runs (client/populate/launchArgs.ts): the
// CLI and the Python runner get the same options, the same side channel and stop requests,
// and the connection in DJ_* variables only; a Python run gets its interpreter's activation
// variables and none of Electron's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionVariables, populateArgs, populateEnv, pythonPopulateArgs, shownArgs } from '../../../client/populate/launchArgs';
import { connectionEnv } from '../../../client/debug/debugLaunch';
import type { Credentials } from '../../../client/connection/connectionManager';
import type { PythonLaunch } from '../../../client/python/pythonLaunch';
import type { PopulateRequest } from '../../../client/populate/populateRequest';

const PASSWORD = 's3cret pass';
const creds: Credentials = { target: { backend: 'mysql', host: 'db.lab', port: 3307, user: 'ana', databaseName: undefined, tls: false, passwordFromEnvironment: undefined, sources: {} }, password: PASSWORD };

const request: PopulateRequest = {
  className: 'Doubled',
  module: '/ws/lab/tables.py',
  options: { reserveJobs: true, suppressErrors: true, processes: 2, limit: 5, restrictions: ['id > 3', '{"id": 4}'], priority: 3, makeKwargs: { factor: 10 } },
};

const launch: PythonLaunch = {
  interpreter: { executable: '/ws/.venv/bin/python', args: ['-X', 'utf8'], source: 'setting', env: { VIRTUAL_ENV: '/ws/.venv', PATH: '/ws/.venv/bin:/usr/bin', PYTHONHOME: undefined }, description: 'setting', skipped: [] },
  runner: '/ext/python/datajoint_vscode_runner.py',
  probe: { python: '/ws/.venv/bin/python', pythonVersion: '3.11.7', datajoint: '2.3.5' },
};

const OPTIONS = ['--restriction=id > 3', '--restriction={"id": 4}', '--limit', '5', '--reserve-jobs', '--processes', '2', '--suppress-errors', '--priority', '3', '--make-kwargs', '{"factor":10}'];

test('the CLI and the Python runner take the same options; each its own plumbing; the command line shown without it', () => {
  const cli = populateArgs('/ext/dist/cli.js', { ...request, module: '/ws/lab/pipeline.ts' });
  assert.deepEqual(cli, ['/ext/dist/cli.js', 'populate', '/ws/lab/pipeline.ts', 'Doubled', '--json-events', '3', '--progress', 'always', '--stop-on-stdin', ...OPTIONS]);
  assert.deepEqual(shownArgs(cli), ['populate', '/ws/lab/pipeline.ts', 'Doubled', ...OPTIONS]);
  const py = pythonPopulateArgs(launch, request, '/ws');
  assert.deepEqual(py, ['-X', 'utf8', '/ext/python/datajoint_vscode_runner.py', 'populate', '--module', '/ws/lab/tables.py', '--class', 'Doubled', '--workspace', '/ws', ...OPTIONS, '--json-events', '3', '--stop-on-stdin']);
  // Defaults give no arguments: one process, no empty make_kwargs.
  assert.deepEqual(pythonPopulateArgs(launch, { ...request, options: { processes: 1, makeKwargs: {} } }, '/ws').slice(10), ['--json-events', '3', '--stop-on-stdin']);
  for (const args of [cli, py]) assert.ok(!args.some((a) => a.includes(PASSWORD)), 'no password on a command line');
});

test('the connection goes in DJ_* variables; a Python run gets its activation, unbuffered UTF-8 output, no ELECTRON_RUN_AS_NODE', () => {
  const saved = process.env.PYTHONHOME;
  process.env.PYTHONHOME = '/somewhere/else';
  try {
    const node = populateEnv(creds, 120);
    assert.equal(node.ELECTRON_RUN_AS_NODE, '1');
    assert.deepEqual([node.DJ_BACKEND, node.DJ_HOST, node.DJ_PORT, node.DJ_USER, node.DJ_PASS, node.DJ_USE_TLS, node.COLUMNS], ['mysql', 'db.lab', '3307', 'ana', PASSWORD, 'false', '120']);
    const py = populateEnv(creds, undefined, launch);
    assert.equal(py.ELECTRON_RUN_AS_NODE, undefined);
    assert.equal(py.VIRTUAL_ENV, '/ws/.venv');
    assert.equal(py.PATH, '/ws/.venv/bin:/usr/bin');
    assert.ok(!('PYTHONHOME' in py), 'PYTHONHOME removed, as activation does');
    assert.equal(py.PYTHONUNBUFFERED, '1');
    assert.equal(py.PYTHONIOENCODING, 'utf-8');
    assert.equal(py.DJ_PASS, PASSWORD);
    assert.equal(py.COLUMNS, undefined, 'no width given: none passed on');
  } finally {
    if (saved === undefined) delete process.env.PYTHONHOME;
    else process.env.PYTHONHOME = saved;
  }
});

test("on PostgreSQL the backend and the database go in DJ_BACKEND and DJ_DATABASE_NAME; the editor's own are not inherited", () => {
  const pg: Credentials = { ...creds, target: { ...creds.target, backend: 'postgresql', port: 5432, databaseName: 'lab', tls: undefined } };
  const saved = { DJ_BACKEND: process.env.DJ_BACKEND, DJ_DATABASE_NAME: process.env.DJ_DATABASE_NAME };
  process.env.DJ_BACKEND = 'postgresql';
  process.env.DJ_DATABASE_NAME = 'elsewhere';
  try {
    for (const env of [populateEnv(pg), populateEnv(pg, undefined, launch)]) {
      assert.deepEqual([env.DJ_BACKEND, env.DJ_HOST, env.DJ_PORT, env.DJ_DATABASE_NAME, env.DJ_USER, env.DJ_PASS], ['postgresql', 'db.lab', '5432', 'lab', 'ana', PASSWORD]);
    }
    // A MySQL run: the backend said, and no database name left over from the editor's environment.
    const my = populateEnv(creds);
    assert.equal(my.DJ_BACKEND, 'mysql');
    assert.ok(!('DJ_DATABASE_NAME' in my));
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});

test('on the local database: the CLI finds it by its folder (DJ_BACKEND=embedded), DataJoint for Python gets the endpoint it is served on', () => {
  const local: Credentials = {
    target: {
      backend: 'postgresql',
      host: '127.0.0.1',
      port: 40123,
      user: 'postgres',
      databaseName: 'postgres',
      tls: false,
      passwordFromEnvironment: undefined,
      sources: {},
      local: { dir: '/ws/lab/.datajoint', dataDir: '/ws/lab/.datajoint/pgdata', reason: 'no database server is configured' },
    },
    password: 'served-pw',
  };
  const saved = { DJ_HOST: process.env.DJ_HOST, DJ_PASS: process.env.DJ_PASS, DJ_EMBEDDED_DIR: process.env.DJ_EMBEDDED_DIR };
  process.env.DJ_HOST = 'editor.lab';
  process.env.DJ_PASS = 'editor-pw';
  process.env.DJ_EMBEDDED_DIR = '/elsewhere';
  try {
    const node = populateEnv(local, 100);
    assert.deepEqual([node.DJ_BACKEND, node.DJ_EMBEDDED_DIR], ['embedded', '/ws/lab/.datajoint']);
    for (const k of ['DJ_HOST', 'DJ_PORT', 'DJ_USER', 'DJ_PASS', 'DJ_DATABASE_NAME']) assert.ok(!(k in node), `${k} is not passed to the CLI`);
    assert.deepEqual(connectionVariables(local, 'node'), { DJ_BACKEND: 'embedded', DJ_EMBEDDED_DIR: '/ws/lab/.datajoint' });
    const py = populateEnv(local, undefined, launch);
    assert.deepEqual(
      [py.DJ_BACKEND, py.DJ_HOST, py.DJ_PORT, py.DJ_USER, py.DJ_PASS, py.DJ_DATABASE_NAME, py.DJ_USE_TLS],
      ['postgresql', '127.0.0.1', '40123', 'postgres', 'served-pw', 'postgres', 'false'],
    );
    assert.ok(!('DJ_EMBEDDED_DIR' in py));
    // A server that takes no password still gets one: no client waits at a prompt.
    assert.equal(populateEnv({ ...local, password: '' }, undefined, launch).DJ_PASS, 'postgres');
    // Debug make(): the same split.
    assert.equal(connectionEnv(local, '/tmp/pw', 'node').DJ_BACKEND, 'embedded');
    assert.equal(connectionEnv(local, '/tmp/pw', 'python').DJ_PORT, '40123');
    // A server's variables do not depend on who runs.
    assert.deepEqual(connectionVariables(creds, 'node'), connectionVariables(creds, 'python'));
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});
