// `djx slurm script|submit <module> [options]`: a pool of `djx worker` processes as a SLURM
// array job (runtime/slurm/sbatch-script.ts), for terminals and CI, as the extension's
// "Run Workers on SLURM…" does.
//   script   prints the sbatch script (or writes it with --out)
//   submit   writes it (default slurm/<module>-workers.sbatch), makes its log folder and
//            submits it with the cluster's own `sbatch --parsable`; prints the job id
// The script never holds a password: the tasks read the connection from their environment
// (sbatch passes the submitting shell's on), datajoint.json or .secrets.
// Exit 0 on success, 2 on bad options or when sbatch fails or is missing.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { sbatchScript, type SbatchOptions } from '../../slurm/sbatch-script';
import { submitScript } from '../../slurm/cluster';
import { collect, EXIT_DONE, failWith, parseCount } from '../exit';

export interface WorkerCliOptions {
  tables?: string;
  skip?: string;
  priority?: number;
  maxCalls?: number;
  clearErrors?: string;
  duration?: number;
  idle?: number;
  poll?: number;
  python?: string;
}

interface SlurmCliOptions extends WorkerCliOptions {
  workers: number;
  partition?: string;
  time: string;
  cpusPerTask?: number;
  mem?: string;
  grace?: number;
  logDir?: string;
  jobName?: string;
  maxRunning?: number;
  account?: string;
  chdir?: string;
  djx?: string;
  env?: string[];
  out?: string;
}

function seconds(name: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} expects a number of seconds > 0.`);
    return n;
  };
}

const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

/** The worker options shared by `djx slurm` and `djx k8s` (those of `djx worker`). */
export function addWorkerOptions(c: Command): Command {
  return c
    .option('--tables <A,B>', 'the workers populate only these tables')
    .option('--skip <C,D>', 'the workers skip these tables')
    .option('--priority <n>', 'only jobs of at most this priority', parseCount('--priority'))
    .option('--max-calls <n>', 'at most n keys per table and run', parseCount('--max-calls', 1))
    .option('--clear-errors <regex>', 'error jobs whose message matches go back to the queue (deadlocks, lock wait timeouts)')
    .option('--duration <s>', 'each worker stops after s seconds', seconds('--duration'))
    .option('--idle <s>', 'each worker stops after s seconds with no work', seconds('--idle'))
    .option('--poll <s>', 'seconds between looks at the queue when idle', seconds('--poll'))
    .option('--python <interpreter>', 'the Python interpreter of a .py module on the cluster');
}

export function workerOptions(module: string, o: WorkerCliOptions): SbatchOptions['worker'] {
  return {
    module,
    tables: list(o.tables),
    skip: list(o.skip),
    priority: o.priority,
    maxCalls: o.maxCalls,
    clearErrors: o.clearErrors,
    durationSeconds: o.duration,
    idleSeconds: o.idle,
    pollSeconds: o.poll,
    python: o.python,
  };
}

/** `NAME=value` pairs of --env. */
export function parseEnv(pairs: readonly string[] | undefined): Record<string, string> | undefined {
  if (!pairs?.length) return undefined;
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new InvalidArgumentError(`--env expects NAME=value, got "${p}".`);
    out[p.slice(0, i)] = p.slice(i + 1);
  }
  return out;
}

/** The module's name without folder and extension, as a job name. */
export function jobNameFor(module: string): string {
  return `${basename(module, extname(module)).replace(/[^A-Za-z0-9_.-]+/g, '-') || 'pipeline'}-workers`;
}

/** This very `djx`: the cluster's nodes usually see the login node's files (a shared home). */
function thisDjx(): string[] {
  return [process.execPath, resolve(process.argv[1]!)];
}

function scriptOptions(module: string, o: SlurmCliOptions): SbatchOptions {
  const jobName = o.jobName ?? jobNameFor(module);
  return {
    jobName,
    workers: o.workers,
    partition: o.partition,
    time: o.time,
    cpusPerTask: o.cpusPerTask,
    memory: o.mem,
    graceSeconds: o.grace,
    logDir: o.logDir ?? join('slurm', 'logs'),
    workdir: o.chdir,
    maxRunning: o.maxRunning,
    account: o.account,
    djx: o.djx ? o.djx.trim().split(/\s+/) : thisDjx(),
    environment: parseEnv(o.env),
    worker: workerOptions(module, o),
  };
}

function addScriptOptions(c: Command): Command {
  addWorkerOptions(
    c
      .argument('<module>', 'pipeline module (.ts, .js or .py) whose tables the workers populate, as the tasks\' working directory sees it')
      .option('-n, --workers <n>', 'number of workers (array tasks)', parseCount('--workers', 1), 1)
      .option('--partition <name>', 'partition (default: the cluster\'s default)')
      .option('-t, --time <limit>', 'time limit per worker (minutes, h:mm:ss, d-hh:mm, …)', '1:00:00')
      .option('-c, --cpus-per-task <n>', 'CPUs per worker', parseCount('--cpus-per-task', 1))
      .option('--mem <size>', 'memory per worker (4G, 500M)')
      .option('--grace <s>', 'SIGTERM this many seconds before the time limit (default 120, at most half the limit)', parseCount('--grace', 1))
      .option('--log-dir <dir>', 'folder of the tasks\' logs', join('slurm', 'logs'))
      .option('--job-name <name>', 'job name (default <module>-workers)')
      .option('--max-running <n>', 'at most n workers at once', parseCount('--max-running', 1))
      .option('--account <name>', 'account to charge')
      .option('--chdir <dir>', 'the tasks\' working directory (default: where sbatch runs)')
      .option('--djx <command>', 'how the nodes run djx (default: this djx, by its absolute paths)')
      .option('--env <NAME=value>', 'a plain setting for the workers (repeatable; never a password)', collect),
  );
  return c;
}

export function register(program: Command): void {
  const slurm = program.command('slurm').description('run a pool of workers as a SLURM array job');
  addScriptOptions(slurm.command('script').description('print the sbatch script of a pool of workers'))
    .option('-o, --out <file>', 'write the script here instead of stdout')
    .action((module: string, opts: SlurmCliOptions) => {
      try {
        const text = sbatchScript(scriptOptions(module, opts));
        if (opts.out) {
          mkdirSync(dirname(resolve(opts.out)), { recursive: true });
          writeFileSync(opts.out, text, { mode: 0o755 });
        } else process.stdout.write(text);
        process.exitCode = EXIT_DONE;
      } catch (e) {
        process.exitCode = failWith(e);
      }
    });
  addScriptOptions(slurm.command('submit').description('write the sbatch script and submit it with sbatch; prints the job id'))
    .option('-o, --out <file>', 'where the script is written (default slurm/<module>-workers.sbatch)')
    .action(async (module: string, opts: SlurmCliOptions) => {
      try {
        const o = scriptOptions(module, opts);
        const text = sbatchScript(o);
        const file = resolve(opts.out ?? join('slurm', `${o.jobName.replace(/-workers$/, '')}-workers.sbatch`));
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, text, { mode: 0o755 });
        // sbatch does not make the --output folder: a task writing into a missing one fails unseen.
        const cwd = o.workdir ? resolve(o.workdir) : process.cwd();
        mkdirSync(isAbsolute(o.logDir) ? o.logDir : join(cwd, o.logDir), { recursive: true });
        const id = await submitScript(file, { cwd });
        process.stderr.write(`submitted ${file} as job ${id} (${o.workers} worker${o.workers === 1 ? '' : 's'}; logs in ${o.logDir})\n`);
        process.stdout.write(`${id}\n`);
        process.exitCode = EXIT_DONE;
      } catch (e) {
        process.exitCode = failWith(e);
      }
    });
}
