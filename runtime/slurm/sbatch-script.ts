// A readable sbatch script for a pool of workers: an array job of N tasks, each running one
// `djx worker <module> …` (worker-command.ts) that populates the module's tables through the
// jobs queue the tasks share. A pure function of its options: the extension writes the
// text into the workspace (to be read, committed and reused) and `djx slurm script` prints
// it. No password is ever written: each task reads the connection from its environment
// (sbatch passes the submitting shell's on, --export=ALL), datajoint.json or .secrets in
// its working directory.
//
// Stopping: the worker replaces the batch shell (`exec`), so it is the process SLURM
// signals. `--signal=B:TERM@<grace>` sends it SIGTERM <grace> seconds before the time
// limit; it finishes (or gives back) the key in progress and exits. scancel, and the time
// limit itself, send SIGTERM too, then SIGKILL after the cluster's KillWait.
import { checkEnvironment, LaunchOptionError, workerArgs, type WorkerCommandOptions } from './worker-command';

export interface SbatchOptions {
  /** The job's name (`#SBATCH --job-name`), also the log files' prefix. */
  jobName: string;
  /** Number of workers: the array's tasks 0..N-1. */
  workers: number;
  /** The partition; default: the cluster's default partition. */
  partition?: string;
  /** The time limit in SLURM's spelling: `minutes`, `h:mm:ss`, `d-hh`, `d-hh:mm`, … */
  time: string;
  cpusPerTask?: number;
  /** Memory per node (one task per node here): `4G`, `500M`, or megabytes. */
  memory?: string;
  /** Seconds before the time limit at which the worker is told to stop (SIGTERM). Default 120. */
  graceSeconds?: number;
  /** Where the tasks' output goes (`--output`), relative to the working directory or absolute. */
  logDir: string;
  /** The tasks' working directory (where datajoint.json / .secrets are); default: where sbatch runs. */
  workdir?: string;
  /** At most this many tasks at once (`--array=0-(N-1)%max`). */
  maxRunning?: number;
  account?: string;
  /** The program that is `djx`: its argv, e.g. ['djx'] or [node, '/path/dist/cli.js']. Default ['djx']. */
  djx?: readonly string[];
  /**
   * Instead of `djx`: a launcher (launcher.ts) to run when no `djx` is on the task's PATH, by
   * its absolute path. The script then names no Node or CLI of a VS Code version, and says
   * so in the task's log when neither exists.
   */
  launcher?: string;
  /** Plain variables set for the tasks (never a secret: refused). */
  environment?: Readonly<Record<string, string>>;
  worker: WorkerCommandOptions;
}

export const DEFAULT_GRACE_SECONDS = 120;

// SLURM's time formats (sbatch(1) --time).
const TIME_FORMATS: ReadonlyArray<[RegExp, (m: RegExpMatchArray) => number]> = [
  [/^(\d+)$/, (m) => Number(m[1]) * 60],
  [/^(\d+):(\d{1,2})$/, (m) => Number(m[1]) * 60 + Number(m[2])],
  [/^(\d+):(\d{1,2}):(\d{1,2})$/, (m) => Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])],
  [/^(\d+)-(\d{1,2})$/, (m) => Number(m[1]) * 86400 + Number(m[2]) * 3600],
  [/^(\d+)-(\d{1,2}):(\d{1,2})$/, (m) => Number(m[1]) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60],
  [/^(\d+)-(\d{1,2}):(\d{1,2}):(\d{1,2})$/, (m) => Number(m[1]) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4])],
];

/** A SLURM time limit in seconds; throws a LaunchOptionError for what sbatch would refuse. */
export function timeLimitSeconds(time: string): number {
  const t = time.trim();
  for (const [re, seconds] of TIME_FORMATS) {
    const m = re.exec(t);
    if (m) {
      const s = seconds(m);
      if (s <= 0) break;
      return s;
    }
  }
  throw new LaunchOptionError('--time', `"${time}" is not a SLURM time limit (minutes, mm:ss, hh:mm:ss, d-hh, d-hh:mm or d-hh:mm:ss, above 0)`);
}

/** `4G`, `512M`, `2000` (megabytes): what --mem accepts. */
export function checkMemory(memory: string): void {
  if (!/^\d+[KMGT]?$/i.test(memory.trim()) || /^0+[KMGT]?$/i.test(memory.trim())) {
    throw new LaunchOptionError('--mem', `"${memory}" is not a memory size (a whole number with K, M, G or T; megabytes without)`);
  }
}

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One shell word: as is when it has nothing the shell reads, else in single quotes. */
export function shellQuote(word: string): string {
  if (word !== '' && SAFE_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

// A #SBATCH value: sbatch reads these lines itself, without a shell, up to the first space.
function directiveValue(option: string, value: string): string {
  if (!/^[^\s#'"\\]+$/.test(value)) throw new LaunchOptionError(option, `"${value}" may not contain spaces, quotes, backslashes or #`);
  return value;
}

function wholeNumber(option: string, v: number | undefined, min: number): void {
  if (v !== undefined && (!Number.isInteger(v) || v < min)) throw new LaunchOptionError(option, `expects a whole number >= ${min}, got ${String(v)}`);
}

/** The script's text; throws a LaunchOptionError naming the first bad option. */
export function sbatchScript(o: SbatchOptions): string {
  wholeNumber('--workers', o.workers, 1);
  wholeNumber('--cpus-per-task', o.cpusPerTask, 1);
  wholeNumber('--max-running', o.maxRunning, 1);
  if (!/^[A-Za-z0-9_.-]+$/.test(o.jobName)) throw new LaunchOptionError('--job-name', `"${o.jobName}" may hold letters, digits, _ . and - only`);
  const limit = timeLimitSeconds(o.time);
  const grace = o.graceSeconds ?? Math.min(DEFAULT_GRACE_SECONDS, Math.floor(limit / 2));
  wholeNumber('--grace', grace, 1);
  if (grace >= limit) throw new LaunchOptionError('--grace', `${grace} s is not shorter than the time limit (${limit} s)`);
  if (o.memory !== undefined) checkMemory(o.memory);
  const partition = o.partition !== undefined ? directiveValue('--partition', o.partition) : undefined;
  const account = o.account !== undefined ? directiveValue('--account', o.account) : undefined;
  const logDir = directiveValue('--log-dir', o.logDir.replace(/\/+$/, '') || '.');
  // Any folder (spaces included: a #SBATCH value cannot hold one): `cd` in the script's body.
  if (o.workdir !== undefined && (o.workdir === '' || /[\0\n\r]/.test(o.workdir))) throw new LaunchOptionError('--workdir', 'a folder is required (one line)');
  const workdir = o.workdir;
  checkEnvironment(o.environment, '--env');
  if (o.launcher !== undefined && (!o.launcher.startsWith('/') || /[\0\n\r]/.test(o.launcher))) throw new LaunchOptionError('--launcher', `an absolute path on one line is required, got ${JSON.stringify(o.launcher)}`);
  if (o.launcher !== undefined && o.djx?.length) throw new LaunchOptionError('--launcher', 'give djx or a launcher, not both');
  const djx = o.djx?.length ? o.djx : ['djx'];
  const args = workerArgs(o.worker);
  const array = `0-${o.workers - 1}${o.maxRunning ? `%${o.maxRunning}` : ''}`;
  const python = /\.py$/i.test(o.worker.module);

  const lines: string[] = [
    '#!/bin/bash',
    `# ${o.workers} DataJoint worker${o.workers === 1 ? '' : 's'} for ${o.worker.module}, as a SLURM array job.`,
    '# Written by DataJoint for VS Code ("Run Workers on SLURM…" / `djx slurm script`); edit and',
    '# commit it as you like, and submit it again with `sbatch` from the same folder.',
    '#',
    '# Every task runs one worker. The workers share the pipeline\'s jobs tables: each reserves',
    '# its own keys, so no key is made twice, and a key whose worker dies goes back to the queue.',
    `# A worker ${python ? 'runs DataJoint for Python\'s populate for every table of the module' : 'populates every Computed and Imported table of the module'} in`,
    '# dependency order, until no work is left (or its own limits below are reached).',
    '#',
    '# The database connection is NOT in this file, and no password must ever be: each task',
    '# reads it from datajoint.json and .secrets/ in its working directory, or from DJ_HOST,',
    '# DJ_USER, DJ_PASS (DJ_BACKEND, DJ_PORT, …) in its environment: sbatch passes the',
    '# submitting shell\'s environment on to the job (--export=ALL, its default).',
    '#',
    `#SBATCH --job-name=${o.jobName}`,
    `#SBATCH --array=${array}`,
  ];
  if (partition) lines.push(`#SBATCH --partition=${partition}`);
  if (account) lines.push(`#SBATCH --account=${account}`);
  lines.push(`#SBATCH --time=${o.time.trim()}`, '#SBATCH --ntasks=1');
  if (o.cpusPerTask !== undefined) lines.push(`#SBATCH --cpus-per-task=${o.cpusPerTask}`);
  if (o.memory !== undefined) lines.push(`#SBATCH --mem=${o.memory.trim()}`);
  lines.push(
    '# One log per task: <job name>-<array job id>_<task>.out (the folder must exist: created on submit).',
    `#SBATCH --output=${logDir}/%x-%A_%a.out`,
    `# SIGTERM ${grace} s before the time limit: the worker finishes or gives back the key in progress and`,
    '# exits. (scancel sends SIGTERM too; SLURM kills what is left after its KillWait.)',
    `#SBATCH --signal=B:TERM@${grace}`,
    '',
    'set -euo pipefail',
    '',
  );
  if (workdir !== undefined) lines.push('# The pipeline\'s folder: its datajoint.json, .secrets/ and modules are found from there.', `cd -- ${shellQuote(workdir)}`, '');
  const env = Object.entries(o.environment ?? {});
  if (env.length) {
    lines.push('# Plain settings for the workers (never a password).');
    for (const [name, value] of env) lines.push(`export ${name}=${shellQuote(value)}`);
    lines.push('');
  }
  lines.push(
    '# The database session is named after the task (PostgreSQL\'s application_name, seen in',
    '# pg_stat_activity), so a reservation can be traced to its SLURM job. Python workers',
    '# (libpq) read PGAPPNAME as the TypeScript ones do.',
    'export PGAPPNAME="djx-worker slurm=${SLURM_ARRAY_JOB_ID:-${SLURM_JOB_ID:-}}_${SLURM_ARRAY_TASK_ID:-0}"',
    'export DJ_SLURM_TASK="${SLURM_ARRAY_JOB_ID:-${SLURM_JOB_ID:-}}_${SLURM_ARRAY_TASK_ID:-0}"',
    '',
    'echo "task ${SLURM_ARRAY_TASK_ID:-0} of job ${SLURM_ARRAY_JOB_ID:-${SLURM_JOB_ID:-?}} on $(hostname) in $(pwd) at $(date -Is)"',
    '',
  );
  if (o.launcher !== undefined) {
    lines.push(
      '# djx: the one on PATH (the CLI installed for this account), else the launcher that DataJoint for',
      '# VS Code rewrites whenever VS Code or the extension updates, so this script outlives both.',
      `DJX_LAUNCHER=${shellQuote(o.launcher)}`,
      'if command -v djx >/dev/null 2>&1; then',
      '  DJX=djx',
      'elif [ -x "$DJX_LAUNCHER" ]; then',
      '  DJX="$DJX_LAUNCHER"',
      'else',
      '  echo "error: no djx on PATH and no launcher at $DJX_LAUNCHER: put djx on PATH, or open this workspace once in VS Code with DataJoint for VS Code, which writes the launcher there (the nodes must see that folder)" >&2',
      '  exit 127',
      'fi',
      'echo "djx: $DJX"',
      '',
      '# exec: the worker takes the place of this shell, so SLURM\'s signals reach it directly.',
      `exec "$DJX" ${args.map(shellQuote).join(' ')}`,
      '',
    );
  } else {
    lines.push(
      '# exec: the worker takes the place of this shell, so SLURM\'s signals reach it directly.',
      `exec ${[...djx, ...args].map(shellQuote).join(' ')}`,
      '',
    );
  }
  return lines.join('\n');
}
