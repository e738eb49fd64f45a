// Which Python populates a Python table (client/python/interpreter.ts): the Python
// Environments extension, then the Python extension, then the setting, then python3 on
// PATH. Neither extension can be installed in the offline test VS Code, so their APIs are
// fakes here, of the shapes they publish (client/python/pythonApis.ts); the setting and PATH
// paths also run in the real VS Code (test/extension/suite/python-populate.suite.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Uri } from 'vscode';
import { activationEnv, pickInterpreterCommand, resolveInterpreter, settingPath, type InterpreterSources } from '../../../client/python/interpreter';
import type { PythonEnvironment, PythonEnvironmentsApi, PythonExtensionApi, ResolvedEnvironment } from '../../../client/python/pythonApis';

const scope = { fsPath: '/ws/lab/pipeline.py' } as Uri;

function envsApi(env: PythonEnvironment | undefined, calls: unknown[] = [], variables?: Record<string, string>): PythonEnvironmentsApi {
  return {
    getEnvironment: async (s) => {
      calls.push(s);
      return env;
    },
    ...(variables ? { getEnvironmentVariables: async () => variables } : {}),
  };
}

const condaEnv: PythonEnvironment = {
  envId: { id: 'conda:lab', managerId: 'ms-python.python:conda' },
  name: 'lab',
  displayName: 'lab (3.12.1)',
  version: '3.12.1',
  environmentPath: { fsPath: '/opt/conda/envs/lab' },
  execInfo: { run: { executable: '/opt/conda/envs/lab/bin/python' }, activatedRun: { executable: 'conda', args: ['run', '-n', 'lab', 'python'] } },
  sysPrefix: '/opt/conda/envs/lab',
};

function pythonApi(resolved: ResolvedEnvironment | undefined, calls: unknown[] = [], variables?: Record<string, string>): PythonExtensionApi {
  return {
    ready: Promise.resolve(),
    environments: {
      getActiveEnvironmentPath: (resource) => {
        calls.push(resource);
        return { id: 'venv-id', path: '/ws/.venv/bin/python' };
      },
      resolveEnvironment: async (e) => {
        calls.push(e);
        return resolved;
      },
      ...(variables ? { getEnvironmentVariables: () => variables } : {}),
    },
  };
}

const venvResolved: ResolvedEnvironment = {
  id: 'venv-id',
  path: '/ws/.venv/bin/python',
  executable: { uri: { fsPath: '/ws/.venv/bin/python' }, sysPrefix: '/ws/.venv' },
  environment: { type: 'VirtualEnvironment', name: '.venv', folderUri: { fsPath: '/ws/.venv' } },
  version: { major: 3, minor: 11, micro: 7 },
  tools: ['Venv'],
};

const marker = (files: string[]) => (p: string) => files.includes(p);

function sources(over: Partial<InterpreterSources>): InterpreterSources {
  return {
    pythonEnvs: async () => undefined,
    pythonExtension: async () => undefined,
    setting: () => '',
    workspaceFolder: '/ws',
    platform: 'linux',
    exists: () => false,
    ...over,
  };
}

test('a datajoint.python.interpreter that is set comes first: the extensions, which always name some environment, are not asked', async () => {
  const got = await resolveInterpreter(
    scope,
    sources({
      pythonEnvs: async () => assert.fail('Python Environments is not asked when the setting is set'),
      pythonExtension: async () => assert.fail('the Python extension is not asked when the setting is set'),
      setting: () => '/opt/lab/bin/python',
    }),
  );
  assert.equal(got.source, 'setting');
  assert.equal(got.executable, '/opt/lab/bin/python');
  assert.deepEqual(got.skipped, []);
});

test('no setting: the Python Environments extension: its environment for the file, its run executable, conda activated', async () => {
  const calls: unknown[] = [];
  const got = await resolveInterpreter(
    scope,
    sources({
      pythonEnvs: async () => envsApi(condaEnv, calls, { LAB_DATA: '/data' }),
      pythonExtension: async () => assert.fail('the Python extension is not asked when Python Environments answers'),
      exists: marker(['/opt/conda/envs/lab/conda-meta']),
    }),
  );
  assert.deepEqual(calls, [scope], 'asked for the file itself');
  assert.equal(got.source, 'python-envs');
  assert.equal(got.executable, '/opt/conda/envs/lab/bin/python', 'the interpreter itself, not the conda run wrapper');
  assert.deepEqual(got.args, []);
  assert.equal(got.env.CONDA_PREFIX, '/opt/conda/envs/lab');
  assert.equal(got.env.CONDA_DEFAULT_ENV, 'lab');
  assert.equal(got.env.PATH?.split(':')[0], '/opt/conda/envs/lab/bin');
  assert.equal(got.env.LAB_DATA, '/data', "the workspace's .env variables as the extension gives them");
  assert.ok('PYTHONHOME' in got.env && got.env.PYTHONHOME === undefined, 'PYTHONHOME removed, as activation does');
  assert.equal(got.description, 'Python Environments: lab (3.12.1)');
});

test('Python Environments without an environment for the file, or failing: the Python extension active environment', async () => {
  for (const envs of [async () => envsApi(undefined), async () => Promise.reject(new Error('API not ready'))]) {
    const calls: unknown[] = [];
    const got = await resolveInterpreter(
      scope,
      sources({ pythonEnvs: envs, pythonExtension: async () => pythonApi(venvResolved, calls, { FROM_DOTENV: '1' }), exists: marker(['/ws/.venv/pyvenv.cfg']) }),
    );
    assert.equal(got.source, 'python');
    assert.equal(got.executable, '/ws/.venv/bin/python');
    assert.deepEqual(calls[0], scope, 'the active environment of the file');
    assert.deepEqual(calls[1], { id: 'venv-id', path: '/ws/.venv/bin/python' }, 'resolved from its path');
    assert.equal(got.env.VIRTUAL_ENV, '/ws/.venv');
    assert.equal(got.env.PATH?.split(':')[0], '/ws/.venv/bin');
    assert.equal(got.env.FROM_DOTENV, '1');
    assert.equal(got.description, 'Python extension: .venv (3.11.7)');
    assert.equal(got.skipped.length, 2, got.skipped.join('; '));
    assert.match(got.skipped[1]!, /^Python Environments: (no environment for the file|API not ready)$/);
  }
});

test('the setting (paths relative to the workspace, ${workspaceFolder}); neither it nor an extension: python3 on PATH', async () => {
  const fromSetting = await resolveInterpreter(scope, sources({ setting: () => '.venv-test/bin/python', exists: marker(['/ws/.venv-test/pyvenv.cfg']) }));
  assert.equal(fromSetting.source, 'setting');
  assert.equal(fromSetting.executable, '/ws/.venv-test/bin/python');
  assert.equal(fromSetting.env.VIRTUAL_ENV, '/ws/.venv-test');
  assert.deepEqual(fromSetting.skipped, []);
  assert.equal(settingPath('${workspaceFolder}/env/bin/python', '/ws'), '/ws/env/bin/python');
  assert.equal(settingPath('python3.12', '/ws'), 'python3.12', 'a bare command stays a PATH look-up');

  const unresolved = await resolveInterpreter(scope, sources({ pythonExtension: async () => pythonApi(undefined) }));
  assert.equal(unresolved.source, 'path');
  assert.equal(unresolved.executable, 'python3');
  assert.deepEqual(unresolved.env, {});
  assert.match(unresolved.skipped.join('\n'), /Python extension: the active environment \/ws\/\.venv\/bin\/python could not be resolved/);
  assert.equal((await resolveInterpreter(scope, sources({ platform: 'win32' }))).executable, 'python');
});

test("the action to pick another interpreter: the Python extension's Select Interpreter when it is there, else the setting", () => {
  assert.deepEqual(pickInterpreterCommand(['workbench.action.openSettings', 'python.setInterpreter']), { title: 'Select Interpreter', command: 'python.setInterpreter', args: [] });
  assert.deepEqual(pickInterpreterCommand(['workbench.action.openSettings']), { title: 'Open Setting', command: 'workbench.action.openSettings', args: ['datajoint.python.interpreter'] });
});

test('activation variables on a real folder: a venv by its pyvenv.cfg, a conda environment by conda-meta', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dj-activation-'));
  try {
    const venv = join(dir, 'venv');
    mkdirSync(join(venv, 'bin'), { recursive: true });
    writeFileSync(join(venv, 'pyvenv.cfg'), 'home = /usr/bin\n');
    const v = activationEnv(join(venv, 'bin', 'python'), venv, { PATH: '/usr/bin' }, 'linux');
    assert.deepEqual(v, { PYTHONHOME: undefined, VIRTUAL_ENV: venv, PATH: `${join(venv, 'bin')}:/usr/bin` });
    const conda = join(dir, 'conda');
    mkdirSync(join(conda, 'conda-meta'), { recursive: true });
    const c = activationEnv(join(conda, 'python.exe'), conda, { Path: 'C:\\Windows' }, 'win32');
    assert.equal(c.CONDA_PREFIX, conda);
    assert.equal(c.Path?.split(';')[0], conda, 'Windows: the Path key the environment has, the prefix first');
    assert.ok(c.Path?.endsWith(';C:\\Windows'));
    const global = activationEnv('/usr/local/bin/python3', join(dir, 'nothing'), { PATH: '/bin' }, 'linux');
    assert.deepEqual(global, { PYTHONHOME: undefined, PATH: '/usr/local/bin:/bin' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
