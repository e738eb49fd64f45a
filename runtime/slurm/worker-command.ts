// The `djx worker <module> …` command line that a cluster's job runs: shared by the sbatch
// script (sbatch-script.ts) and the Kubernetes Job manifest (runtime/k8s/). The options are
// the worker's own (runtime/cli/commands/worker.ts); a `.py` module runs DataJoint for
// Python's populate through the shipped runner with the same options. Credentials never
// appear here: the worker reads them from its environment, datajoint.json or .secrets.

import { checkWorkerOptions as checkRunOptions, WorkerOptionError } from '../worker/options';

/** What the worker is asked to do (the `djx worker` options, by their long names). */
export interface WorkerCommandOptions {
  /** The pipeline module (.ts, .js or .py), as the job's working directory sees it. */
  module: string;
  /** Only these tables (class names). */
  tables?: readonly string[];
  /** All tables but these. */
  skip?: readonly string[];
  /** Only jobs of at most this priority (0-127, as the jobs tables take it). */
  priority?: number;
  /** At most this many keys per table and run. */
  maxCalls?: number;
  /** Error jobs whose message matches this regular expression go back to the queue first. */
  clearErrors?: string;
  /** Stop after this many seconds. */
  durationSeconds?: number;
  /** Stop after this long with no work. */
  idleSeconds?: number;
  /** Seconds between looks at the queue when idle. */
  pollSeconds?: number;
  /** The Python interpreter of a `.py` module. */
  python?: string;
}

/** Bad input for a cluster job: names the option and what is wrong. */
export class LaunchOptionError extends Error {
  override name = 'LaunchOptionError';
  readonly code = 'usage';
  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`${option}: ${problem}`);
  }
}

const CLASS_NAME = /^[A-Za-z_$][\w$]*$/;

function wholeNumber(option: string, v: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (v === undefined) return;
  if (!Number.isInteger(v) || v < min || v > max) throw new LaunchOptionError(option, `expects a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}, got ${String(v)}`);
}

function names(option: string, list: readonly string[] | undefined): void {
  for (const n of list ?? []) if (!CLASS_NAME.test(n)) throw new LaunchOptionError(option, `"${n}" is not a table class name`);
}

/** Checks the options; throws a LaunchOptionError naming the first bad one. */
export function checkWorkerOptions(o: WorkerCommandOptions): void {
  if (!o.module || /[\0\n\r]/.test(o.module)) throw new LaunchOptionError('module', 'a pipeline module path is required (one line)');
  names('--tables', o.tables);
  names('--skip', o.skip);
  wholeNumber('--max-calls', o.maxCalls, 1);
  if (o.clearErrors !== undefined) {
    try {
      new RegExp(o.clearErrors);
    } catch (e) {
      throw new LaunchOptionError('--clear-errors', `not a regular expression: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  // The worker's own rules for priority and times, so that a script never carries values
  // its every task would refuse (runtime/worker/options.ts).
  try {
    checkRunOptions({ priority: o.priority, durationS: o.durationSeconds, idleS: o.idleSeconds, pollS: o.pollSeconds });
  } catch (e) {
    if (!(e instanceof WorkerOptionError)) throw e;
    const [option = 'options', ...problem] = e.message.split(' ');
    throw new LaunchOptionError(option, problem.join(' '));
  }
  if (o.python !== undefined && (!o.python || /[\0\n\r]/.test(o.python))) throw new LaunchOptionError('--python', 'an interpreter path is required (one line)');
}

/** `worker <module> [options]`: the arguments after the `djx` program (checked first). */
export function workerArgs(o: WorkerCommandOptions): string[] {
  checkWorkerOptions(o);
  const out = ['worker', o.module];
  if (o.tables?.length) out.push('--tables', o.tables.join(','));
  if (o.skip?.length) out.push('--skip', o.skip.join(','));
  if (o.priority !== undefined) out.push('--priority', String(o.priority));
  if (o.maxCalls !== undefined) out.push('--max-calls', String(o.maxCalls));
  if (o.clearErrors !== undefined) out.push('--clear-errors', o.clearErrors);
  if (o.durationSeconds !== undefined) out.push('--duration', String(o.durationSeconds));
  if (o.idleSeconds !== undefined) out.push('--idle', String(o.idleSeconds));
  if (o.pollSeconds !== undefined) out.push('--poll', String(o.pollSeconds));
  if (o.python !== undefined) out.push('--python', o.python);
  return out;
}

/**
 * Names of environment variables that must never be written into a job's script or
 * manifest: passwords and other secrets come from the job's own environment, datajoint.json
 * / .secrets, or (Kubernetes) a Secret.
 */
export const SECRET_NAME = /PASS|SECRET|TOKEN|CREDENTIAL|PRIVATE|(^|_)KEY$/i;

/** Checks plain environment entries for a job: shell-safe names, no secrets. */
export function checkEnvironment(env: Readonly<Record<string, string>> | undefined, where: string): void {
  for (const [name, value] of Object.entries(env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new LaunchOptionError(where, `"${name}" is not an environment variable name`);
    if (SECRET_NAME.test(name)) throw new LaunchOptionError(where, `${name} looks like a secret; it is never written into a job: the job reads it from its environment, datajoint.json or .secrets`);
    if (/[\0\n\r]/.test(value)) throw new LaunchOptionError(where, `the value of ${name} must be one line`);
    // A password can hide in a value too: user:password@ of a URL or DSN.
    if (/:\/\/[^/@\s]*:[^@\s]*@/.test(value)) throw new LaunchOptionError(where, `the value of ${name} holds a password (user:password@ in a URL); it is never written into a job`);
  }
}
