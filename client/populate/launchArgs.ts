// The command lines and environments of a populate run, for the bundled CLI and for the
// Python runner: options as arguments (both take the same ones), the plumbing of the side
// channel and of stop requests, and the connection in DJ_* variables, never in an argument.
// No vscode import: unit-tested (test/unit/client/launch-args.test.ts).
import type { Credentials } from '../connection/connectionManager';
import type { PythonLaunch } from '../python/pythonLaunch';
import type { PopulateOptions, PopulateRequest } from './populateRequest';

/** The descriptor the CLI writes its events to: the fourth entry of the child's stdio. */
export const EVENTS_FD = 3;

/**
 * Plumbing arguments: the side channel, a bar drawn although the terminal is a pipe, and
 * stop requests through stdin (Node's kill() cannot deliver SIGINT on Windows).
 */
const PLUMBING = ['--json-events', String(EVENTS_FD), '--progress', 'always', '--stop-on-stdin'];

/** The Python runner's plumbing: the same side channel and stop requests (its bar is tqdm's). */
const PYTHON_PLUMBING = ['--json-events', String(EVENTS_FD), '--stop-on-stdin'];

/** The options as arguments; the CLI and the Python runner take the same ones. */
function optionArgs(o: PopulateOptions): string[] {
  const args: string[] = [];
  // `--restriction=<text>`: a condition that starts with `-` (`-x > 1`) is a value, not
  // an option, for the CLI's and the runner's parsers alike.
  for (const c of o.restrictions ?? []) args.push(`--restriction=${c}`);
  for (const f of o.restrictionFiles ?? []) args.push(`--restriction-file=${f}`);
  if (o.limit !== undefined) args.push('--limit', String(o.limit));
  if (o.reserveJobs) args.push('--reserve-jobs');
  if (o.processes !== undefined && o.processes > 1) args.push('--processes', String(o.processes));
  if (o.suppressErrors) args.push('--suppress-errors');
  if (o.priority !== undefined) args.push('--priority', String(o.priority));
  if (o.makeKwargs !== undefined && Object.keys(o.makeKwargs).length) args.push('--make-kwargs', JSON.stringify(o.makeKwargs));
  return args;
}

/** The CLI's arguments for a request (never credentials). */
export function populateArgs(cli: string, r: PopulateRequest): string[] {
  return [cli, 'populate', r.module, r.className, ...PLUMBING, ...optionArgs(r.options)];
}

/** The Python runner's command line for a request (never credentials). */
export function pythonPopulateArgs(launch: PythonLaunch, r: PopulateRequest, workspace: string): string[] {
  return [...launch.interpreter.args, launch.runner, 'populate', '--module', r.module, '--class', r.className, '--workspace', workspace, ...optionArgs(r.options), ...PYTHON_PLUMBING];
}

export function populateEnv(creds: Credentials, columns?: number, python?: PythonLaunch): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
  if (python) {
    delete env.ELECTRON_RUN_AS_NODE;
    for (const [k, v] of Object.entries(python.interpreter.env)) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    // Lines as they are written (a pipe makes Python buffer), in UTF-8 whatever the locale.
    env.PYTHONUNBUFFERED = '1';
    env.PYTHONIOENCODING = 'utf-8';
  }
  // The width the CLI draws its bar for (the child's stderr is a pipe, not a terminal).
  if (columns !== undefined && columns > 0) env.COLUMNS = String(columns);
  else delete env.COLUMNS;
  // What the target does not name is not inherited from the editor's environment either.
  delete env.DJ_USER;
  delete env.DJ_USE_TLS;
  delete env.DJ_DATABASE_NAME;
  delete env.DJ_EMBEDDED_DIR;
  const vars = connectionVariables(creds, python ? 'python' : 'node');
  if (vars.DJ_BACKEND === 'embedded') {
    // The CLI finds the local database's server itself (and its password, if it has one).
    delete env.DJ_HOST;
    delete env.DJ_PORT;
    delete env.DJ_PASS;
    Object.assign(env, vars);
  } else {
    Object.assign(env, vars, { DJ_PASS: passwordFor(creds) });
  }
  return env;
}

/**
 * The password a run gets. On the local database: the one its folder keeps (the runtime put
 * it in the connection's settings), or a placeholder when none is known yet, so that no
 * client waits at a prompt for an empty one (the server refuses it, with a clear error).
 */
export function passwordFor(creds: Credentials): string {
  return creds.target.local && !creds.password ? 'postgres' : creds.password;
}

/**
 * Who runs with the variables: the bundled CLI (`node`: `djx populate`, `djx make`) or DataJoint for Python
 * (`python`: the runner). They differ on the local database only.
 */
export type Runner = 'node' | 'python';

/**
 * The connection's target as DJ_* variables, without the password (Populate and Debug make()
 * add it each their way). DJ_BACKEND always: a debug configuration's env is merged over the
 * editor's, whose own DJ_BACKEND may name the other backend. The same names for `djx` and
 * DataJoint for Python (both read DJ_BACKEND and DJ_DATABASE_NAME).
 *
 * On the local database the CLI gets DJ_BACKEND=embedded and its folder (DJ_EMBEDDED_DIR):
 * it finds the serving process through the folder's discovery file as the window did, and
 * starts one if the server it knew exited meanwhile, so a run never goes to a stale port.
 * DataJoint for Python, which knows no embedded backend, gets the endpoint it is served on
 * now: DJ_BACKEND=postgresql, DJ_HOST, DJ_PORT, DJ_USER, DJ_DATABASE_NAME=postgres, no TLS
 * (the server declines it). The window's own connection keeps that server alive meanwhile.
 */
export function connectionVariables(creds: Credentials, runner: Runner): Record<string, string> {
  const local = creds.target.local;
  if (local && runner === 'node') return { DJ_BACKEND: 'embedded', DJ_EMBEDDED_DIR: local.dir };
  const vars: Record<string, string> = { DJ_BACKEND: creds.target.backend, DJ_HOST: creds.target.host, DJ_PORT: String(creds.target.port) };
  if (creds.target.databaseName !== undefined) vars.DJ_DATABASE_NAME = creds.target.databaseName;
  if (creds.target.user !== undefined) vars.DJ_USER = creds.target.user;
  if (creds.target.tls !== undefined) vars.DJ_USE_TLS = String(creds.target.tls);
  return vars;
}

/** The command line as a user would type it: without the CLI's path and the plumbing. */
export function shownArgs(args: string[]): string[] {
  const out = args.slice(1);
  const at = out.findIndex((_, i) => PLUMBING.every((p, j) => out[i + j] === p));
  if (at >= 0) out.splice(at, PLUMBING.length);
  return out;
}

