// The debug configurations of "Debug make() for this key": the key's make run by
// `djx make` (runtime/cli/commands/make.ts) under Node's inspector (VS Code's built-in
// JavaScript debugger, type `node`), or by the Python runner's `make` under debugpy (the
// Python Debugger extension's type `debugpy`; without that extension, our own type whose
// adapter is the interpreter's `python -m debugpy.adapter`). Both take the same options
// and write the same result file (runtime/populate/make-protocol.ts). The connection
// travels in DJ_* variables of the configuration's environment, never in an argument, and
// the password not even there: a debugger that launches in a terminal types the
// environment into the terminal's command line, so the password waits in a file (0600)
// whose path is passed instead.
// No vscode import: unit-tested (test/unit/client/debug-launch.test.ts).
import type { Credentials } from '../connection/connectionManager';
import { connectionVariables, type Runner } from '../populate/launchArgs';
import type { PythonInterpreter } from '../python/interpreter';
import type { JsonKey } from '../../runtime/populate/events';
import { PASSWORD_FILE_ENV } from '../../runtime/populate/make-protocol';

/** The configuration's field that names its run among VS Code's sessions. */
export const RUN_ID_FIELD = 'datajointRunId';

/** How the run ends: rolled back (default), up to makeCompute (three-part make), or kept. */
export type DebugMode = 'rollback' | 'compute' | 'keep';

/** The Python Debugger extension's launch type, and ours when it is not installed. */
export const DEBUGPY_TYPE = 'debugpy';
export const FALLBACK_PYTHON_TYPE = 'datajoint-python';
export const DEBUGPY_EXTENSION_ID = 'ms-python.debugpy';

export interface DebugRequest {
  className: string;
  module: string;
  /** The key, as the jobs and events carry it. */
  key: JsonKey;
  mode: DebugMode;
  /** With `keep`: through the jobs table (the key had a job). */
  reserveJobs: boolean;
  makeKwargs?: Record<string, unknown>;
  /** Where the run writes its outcome. */
  resultFile: string;
  /** Where the run finds the password (written by the caller, mode 0600). */
  passwordFile: string;
  /** Identifies the session among VS Code's (its configuration carries it). */
  runId: string;
  cwd: string;
}

/** The options after the table, the same for both languages. */
export function makeOptionArgs(r: DebugRequest): string[] {
  const args = ['--key', JSON.stringify(r.key)];
  if (r.mode === 'compute') args.push('--until', 'compute');
  if (r.mode === 'keep') {
    args.push('--keep');
    if (r.reserveJobs) args.push('--reserve-jobs');
  }
  if (r.makeKwargs && Object.keys(r.makeKwargs).length) args.push('--make-kwargs', JSON.stringify(r.makeKwargs));
  args.push('--result-file', r.resultFile);
  return args;
}

/** The connection without its password, for a configuration's `env` (merged by the debugger over its own). */
export function connectionEnv(creds: Credentials, passwordFile: string, runner: Runner): Record<string, string> {
  return { ...connectionVariables(creds, runner), [PASSWORD_FILE_ENV]: passwordFile };
}

export function sessionName(r: Pick<DebugRequest, 'className' | 'key' | 'mode'>, python: boolean): string {
  const what = r.mode === 'compute' ? `up to ${python ? 'make_compute' : 'makeCompute'}` : r.mode === 'keep' ? 'kept' : 'rolled back';
  return `make() ${r.className} ${JSON.stringify(r.key)} (${what})`;
}

/** A configuration VS Code starts; the fields beyond type/request/name are the debugger's. */
export interface LaunchConfiguration {
  type: string;
  request: 'launch';
  name: string;
  [field: string]: unknown;
}

export interface NodeRuntime {
  /** `node` found on PATH, else the editor's own executable run as Node. */
  executable: string;
  electronAsNode: boolean;
}

export function nodeConfiguration(r: DebugRequest, cli: string, node: NodeRuntime, creds: Credentials, skip: readonly string[]): LaunchConfiguration {
  return {
    type: 'node',
    request: 'launch',
    name: sessionName(r, false),
    runtimeExecutable: node.executable,
    program: cli,
    args: ['make', r.module, r.className, ...makeOptionArgs(r)],
    cwd: r.cwd,
    env: { ...connectionEnv(creds, r.passwordFile, 'node'), ...(node.electronAsNode ? { ELECTRON_RUN_AS_NODE: '1' } : {}) },
    console: 'integratedTerminal',
    // Stepping stays in the pipeline's code, not in the bundled CLI's.
    skipFiles: ['<node_internals>/**', ...skip],
    [RUN_ID_FIELD]: r.runId,
  };
}

export function pythonConfiguration(r: DebugRequest, type: string, runner: string, interpreter: PythonInterpreter, workspace: string, creds: Credentials): LaunchConfiguration {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(interpreter.env)) if (v !== undefined) env[k] = v;
  return {
    type,
    request: 'launch',
    name: sessionName(r, true),
    program: runner,
    args: ['make', '--module', r.module, '--class', r.className, '--workspace', workspace, ...makeOptionArgs(r)],
    // As the Python Debugger extension's launch.json spells it (debugpy's adapter takes both).
    python: interpreter.executable,
    ...(interpreter.args.length ? { pythonArgs: interpreter.args } : {}),
    cwd: r.cwd,
    env: { ...env, ...connectionEnv(creds, r.passwordFile, 'python'), PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' },
    console: 'integratedTerminal',
    // Breakpoints in the pipeline hit; the runner and DataJoint are stepped over.
    justMyCode: true,
    [RUN_ID_FIELD]: r.runId,
  };
}

/**
 * Whether a class's make is the three-part one (make_fetch, make_compute, make_insert and
 * no make of its own; autopopulate.py: AutoPopulate.make), read from its module's text.
 */
export function isThreePartMake(text: string, className: string, python: boolean): boolean {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => new RegExp(`^\\s*(?:export\\s+)?(?:default\\s+)?class\\s+${className}\\b`).test(l));
  if (start < 0) return false;
  const indent = /^\s*/.exec(lines[start]!)![0].length;
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (!l.trim()) continue;
    const ind = /^\s*/.exec(l)![0].length;
    // Python: the body ends at the next line as far left as the class; TS/JS: at the next class.
    if (python ? ind <= indent : ind <= indent && /^\s*(?:export\s+)?(?:default\s+)?(?:abstract\s+)?class\s/.test(l)) {
      end = i;
      break;
    }
  }
  const body = lines.slice(start + 1, end).join('\n');
  const defines = (name: string) =>
    python ? new RegExp(`^\\s*(?:async\\s+)?def\\s+${name}\\s*\\(`, 'm').test(body) : new RegExp(`^\\s*(?:(?:public|static|override|async)\\s+)*${name}\\s*(?:\\(|=)`, 'm').test(body);
  const [fetch, compute, insert] = python ? ['make_fetch', 'make_compute', 'make_insert'] : ['makeFetch', 'makeCompute', 'makeInsert'];
  return defines(fetch!) && defines(compute!) && defines(insert!) && !defines('make');
}
