// Which Python runs a Python table's populate, for the file that defines it, in this order
// (issue 11):
//   1. the setting `datajoint.python.interpreter`, when set (the issue names it third, but
//      the extensions below always name some environment, so it would never be reached);
//   2. the Python Environments extension's environment for the file (getEnvironment(scope));
//   3. the Python extension's active environment (getActiveEnvironmentPath + resolveEnvironment);
//   4. `python3` on PATH (`python` on Windows).
// A source that is missing, fails or names nothing passes to the next; why is kept in
// `skipped` for the output channel.
//
// Activation: the interpreter is spawned directly (the run needs its fd 3 side channel and
// its stdin for stop requests, which a wrapper such as `conda run` does not hand through),
// with the variables an activation script sets: the environment's bin folder first on PATH,
// VIRTUAL_ENV for a venv, CONDA_PREFIX/CONDA_DEFAULT_ENV for a conda environment, no
// PYTHONHOME; and the workspace's `.env` variables as the extensions give them.
// No vscode import (types only): unit-tested with fakes of the published API shapes.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Uri } from 'vscode';
import { PYTHON_SELECT_INTERPRETER_COMMAND, type PythonEnvironmentsApi, type PythonExtensionApi } from './pythonApis';

export type InterpreterSource = 'python-envs' | 'python' | 'setting' | 'path';

export interface PythonInterpreter {
  /** What to spawn, and the arguments before the script. */
  executable: string;
  args: string[];
  source: InterpreterSource;
  /** Variables to set over the extension host's environment; undefined: remove. */
  env: Record<string, string | undefined>;
  /** For messages: "Python Environments: .venv (3.11.7)", "setting datajoint.python.interpreter". */
  description: string;
  /** Why the sources before this one gave nothing. */
  skipped: string[];
}

export interface InterpreterSources {
  /** The Python Environments extension's API; undefined when it is not installed. */
  pythonEnvs(): Promise<PythonEnvironmentsApi | undefined>;
  /** The Python extension's API; undefined when it is not installed. */
  pythonExtension(): Promise<PythonExtensionApi | undefined>;
  /** The value of `datajoint.python.interpreter` for the scope ('' when unset). */
  setting(): string;
  /** The workspace folder of the file, for `${workspaceFolder}` and relative paths. */
  workspaceFolder: string | undefined;
  platform?: NodeJS.Platform;
  exists?(path: string): boolean;
}

export const INTERPRETER_SETTING = 'datajoint.python.interpreter';

/** The environment a process of the interpreter gets: its activation over `base`, none of Electron's. */
export function interpreterProcessEnv(interpreter: Pick<PythonInterpreter, 'env'>, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const [k, v] of Object.entries(interpreter.env)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  delete env.ELECTRON_RUN_AS_NODE;
  return env;
}

/**
 * The action that picks another interpreter: the Python extension's "Select Interpreter"
 * when that command exists, else the setting.
 */
export function pickInterpreterCommand(available: readonly string[]): { title: string; command: string; args: unknown[] } {
  return available.includes(PYTHON_SELECT_INTERPRETER_COMMAND)
    ? { title: 'Select Interpreter', command: PYTHON_SELECT_INTERPRETER_COMMAND, args: [] }
    : { title: 'Open Setting', command: 'workbench.action.openSettings', args: [INTERPRETER_SETTING] };
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The variables an activation script of the environment at `prefix` sets. */
export function activationEnv(
  executable: string,
  prefix: string | undefined,
  base: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform = process.platform,
  exists: (path: string) => boolean = existsSync,
): Record<string, string | undefined> {
  const win = platform === 'win32';
  const out: Record<string, string | undefined> = { PYTHONHOME: undefined };
  let bins: string[];
  if (prefix && exists(join(prefix, 'conda-meta'))) {
    bins = win ? [prefix, join(prefix, 'Library', 'mingw-w64', 'bin'), join(prefix, 'Library', 'usr', 'bin'), join(prefix, 'Library', 'bin'), join(prefix, 'Scripts')] : [join(prefix, 'bin')];
    out.CONDA_PREFIX = prefix;
    out.CONDA_DEFAULT_ENV = basename(prefix);
  } else if (prefix && exists(join(prefix, 'pyvenv.cfg'))) {
    bins = [join(prefix, win ? 'Scripts' : 'bin')];
    out.VIRTUAL_ENV = prefix;
  } else {
    // A global interpreter (or one whose prefix is unknown): its own folder.
    bins = isAbsolute(executable) ? [dirname(executable)] : [];
  }
  const pathKey = win ? (Object.keys(base).find((k) => k.toUpperCase() === 'PATH') ?? 'Path') : 'PATH';
  const path = base[pathKey];
  if (bins.length) out[pathKey] = [...bins, ...(path ? [path] : [])].join(win ? ';' : delimiter);
  return out;
}

/** The setting's value as a path: `~`, `${workspaceFolder}`, and relative to the workspace folder. */
export function settingPath(value: string, workspaceFolder: string | undefined): string {
  let v = value.trim().replace(/\$\{workspaceFolder\}/g, workspaceFolder ?? '');
  if (v === '~' || v.startsWith('~/')) v = join(homedir(), v.slice(1));
  // A bare name (python3.12) is looked up on PATH by spawn; a relative path is the workspace's.
  if (!isAbsolute(v) && /[\\/]/.test(v) && workspaceFolder) v = resolve(workspaceFolder, v);
  return v;
}

/** The interpreter for a file (`scope`): see the order at the top of this file. */
export async function resolveInterpreter(scope: Uri | undefined, sources: InterpreterSources): Promise<PythonInterpreter> {
  const platform = sources.platform ?? process.platform;
  const exists = sources.exists ?? existsSync;
  const skipped: string[] = [];

  // Set, it wins: both extensions always name some environment (at worst the global
  // Python they picked), so a setting tried after them would never be used.
  const setting = sources.setting().trim();
  if (setting) {
    const executable = settingPath(setting, sources.workspaceFolder);
    return {
      executable,
      args: [],
      source: 'setting',
      env: activationEnv(executable, isAbsolute(executable) ? dirname(dirname(executable)) : undefined, process.env, platform, exists),
      description: `setting ${INTERPRETER_SETTING}`,
      skipped,
    };
  }
  skipped.push(`${INTERPRETER_SETTING}: not set`);

  try {
    const api = await sources.pythonEnvs();
    if (!api) skipped.push('Python Environments: not installed');
    else {
      let env = await api.getEnvironment(scope);
      if (env && !env.execInfo && api.resolveEnvironment) env = (await api.resolveEnvironment(env)) ?? env;
      const run = env?.execInfo?.run;
      if (!env) skipped.push('Python Environments: no environment for the file');
      else if (!run?.executable) skipped.push(`Python Environments: ${env.displayName} has no interpreter to run`);
      else {
        let dotEnv: Record<string, string | undefined> = {};
        if (scope && api.getEnvironmentVariables) dotEnv = await api.getEnvironmentVariables(scope).catch(() => ({}));
        const base = { ...process.env, ...dotEnv };
        return {
          executable: run.executable,
          args: run.args ?? [],
          source: 'python-envs',
          env: { ...dotEnv, ...activationEnv(run.executable, env.sysPrefix || undefined, base, platform, exists) },
          description: `Python Environments: ${env.displayName}`,
          skipped,
        };
      }
    }
  } catch (e) {
    skipped.push(`Python Environments: ${message(e)}`);
  }

  try {
    const api = await sources.pythonExtension();
    if (!api) skipped.push('Python extension: not installed');
    else {
      await api.ready;
      const active = api.environments.getActiveEnvironmentPath(scope);
      const resolved = await api.environments.resolveEnvironment(active);
      const executable = resolved?.executable.uri?.fsPath;
      if (!executable) skipped.push(`Python extension: the active environment ${active.path} could not be resolved`);
      else {
        const dotEnv = { ...(api.environments.getEnvironmentVariables?.(scope) ?? {}) };
        const prefix = resolved.executable.sysPrefix ?? resolved.environment?.folderUri.fsPath;
        const v = resolved.version;
        return {
          executable,
          args: [],
          source: 'python',
          env: { ...dotEnv, ...activationEnv(executable, prefix, { ...process.env, ...dotEnv }, platform, exists) },
          description: `Python extension: ${resolved.environment?.name ?? executable}${v ? ` (${v.major}.${v.minor}.${v.micro})` : ''}`,
          skipped,
        };
      }
    }
  } catch (e) {
    skipped.push(`Python extension: ${message(e)}`);
  }

  const executable = platform === 'win32' ? 'python' : 'python3';
  return { executable, args: [], source: 'path', env: {}, description: `${executable} on PATH`, skipped };
}
