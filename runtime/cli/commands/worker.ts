// `djx worker <pipeline module> [--tables A,B] [--skip C,D] [--priority N] [--max-calls N]
//   [--clear-errors <regex>]... [--duration S] [--idle S] [--poll S] [--processes N]
//   [--json-events <fd|path>] [--stop-on-stdin] [--python <interpreter>] [--workspace DIR]`
// Populates every Computed/Imported table the module exports, parents before children,
// with reserved jobs, in rounds until no work is left (runtime/worker/loop.ts says when it
// ends), and prints a summary per table on stderr. A Python module (`.py`, or --python)
// runs the Python runner's `worker` with the same options instead
// (python/datajoint_vscode_runner.py), so one command line serves both languages.
// Exit: 0 no work left (or --idle / --duration reached) and no make of this worker failed;
// 1 a make failed; 2 usage or connection errors (also the server lost mid-run, after the
// summary); 130 stopped by SIGINT / SIGTERM / a stop request.
import { spawn } from 'node:child_process';
import { existsSync, fstatSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { constants } from 'node:os';
import type { Writable } from 'node:stream';
import { InvalidArgumentError, type Command } from 'commander';
import { autoPopulatedTables, loadPipelineModule, PipelineLoadError, setWorkerEntry, type PopulateEvent } from '../../populate/index';
import { hooksOf, type AutoPopulatedClass } from '../../populate/adapter';
import {
  checkWorkerOptions,
  compilePatterns,
  dependencyOrder,
  parseNames,
  runPipelineWorker,
  selectTables,
  WorkerStop,
  type WorkerResult,
  type WorkerStreamEvent,
} from '../../worker/index';
import { bindingOf } from '../../worker/order';
import { openEventSink, type EventSink } from '../populate/event-sink';
import { listenForStopRequests } from '../populate/stop-requests';
import { collect, EXIT_DONE, EXIT_INTERRUPTED, EXIT_KEY_FAILED, EXIT_USAGE, failWith, parseCount, UsageError } from '../exit';
import { ERROR_PREFIX } from '../name';

interface WorkerCliOptions {
  tables?: string[];
  skip?: string[];
  priority?: number;
  maxCalls?: number;
  clearErrors?: string[];
  duration?: number;
  idle?: number;
  poll?: number;
  processes?: number;
  jsonEvents?: string;
  stopOnStdin?: boolean;
  python?: string;
  workspace?: string;
}

function seconds(name: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} expects a number of seconds >= 0.`);
    return n;
  };
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('populate every Computed and Imported table of a pipeline module, parents first, with reserved jobs, until no work is left')
    .argument('<module>', 'pipeline module: .ts or .js (our runtime), or .py (DataJoint for Python, through the Python runner)')
    .option('--tables <names>', 'only these classes (comma-separated, repeatable)', parseNames)
    .option('--skip <names>', 'never these classes (comma-separated, repeatable)', parseNames)
    .option('--priority <n>', 'only jobs of priority <= n; priority of the jobs each refresh adds', parseCount('--priority'))
    .option('--max-calls <n>', 'at most n keys per table per round', parseCount('--max-calls'))
    .option('--clear-errors <regex>', 'before each round, delete error jobs whose error_message matches (JavaScript regex; repeatable), so they are retried', collect)
    .option('--duration <s>', 'stop after s seconds (the key in progress is finished); until then, look for new work every --poll seconds', seconds('--duration'))
    .option('--idle <s>', 'stop once no key was made for s seconds; until then, look for new work every --poll seconds', seconds('--idle'))
    .option('--poll <s>', 'seconds between looks for new work while there is none (default 5)', seconds('--poll'))
    .option('-p, --processes <n>', "populate's worker processes per table", parseCount('--processes', 1))
    .option('--json-events <fd|path>', "worker and populate events as JSON lines on a side channel: an inherited file descriptor >= 3, or a file")
    .option('--stop-on-stdin', 'also take stop requests as lines on stdin (SIGINT or SIGTERM)')
    .option('--python <interpreter>', 'run a Python pipeline with this interpreter (default: $DJ_PYTHON, else python3); implied by a .py module')
    .option('--workspace <dir>', 'Python: the folder first on sys.path (the module is imported below it)')
    .action(async (modulePath: string, opts: WorkerCliOptions) => {
      const code = isPython(modulePath, opts) ? await runPythonWorker(modulePath, opts) : await runWorker(modulePath, opts);
      process.exitCode = code;
      // A make abandoned by a second stop request may still hold timers; its transaction
      // is rolled back and its job pending again (populate.ts does the same).
      if (code === EXIT_INTERRUPTED) process.stdout.write('', () => process.exit(code));
    });
}

function isPython(modulePath: string, opts: WorkerCliOptions): boolean {
  return opts.python !== undefined || /\.py$/i.test(modulePath);
}

async function runWorker(modulePath: string, opts: WorkerCliOptions): Promise<number> {
  // Installed first: a SIGTERM while the module loads stops the worker, it does not kill it.
  const stop = new WorkerStop();
  const uninstall = stop.install();
  const stopListening = opts.stopOnStdin ? listenForStopRequests() : undefined;
  // Workers of --processes N re-enter the CLI through populate's hidden command.
  setWorkerEntry({ file: process.argv[1]!, args: ['populate-worker'], execArgv: process.execArgv });
  let sink: EventSink | undefined;
  let tables: AutoPopulatedClass[] = [];
  try {
    if (opts.jsonEvents !== undefined) sink = openEventSink(opts.jsonEvents);
    const clearErrors = compilePatterns(opts.clearErrors ?? []);
    const options = {
      tables: opts.tables,
      skip: opts.skip,
      priority: opts.priority,
      maxCalls: opts.maxCalls,
      clearErrors,
      durationS: opts.duration,
      idleS: opts.idle,
      pollS: opts.poll,
      processes: opts.processes,
    };
    checkWorkerOptions(options);
    const mod = await loadPipelineModule(modulePath);
    const all = autoPopulatedTables(mod);
    if (all.length === 0) throw new PipelineLoadError(`${modulePath} exports no Computed or Imported table`);
    const selected = selectTables(all, options, modulePath);
    if (selected.length === 0) throw new UsageError(`no table left to run: --tables and --skip exclude every table of ${modulePath}`);
    for (const t of selected) {
      try {
        hooksOf(t);
      } catch (e) {
        throw new PipelineLoadError(`Cannot populate ${t.name} of ${modulePath}: ${(e as Error).message}`);
      }
    }
    tables = await dependencyOrder(selected);
    process.stderr.write(`worker: ${tables.map((t) => t.name).join(' → ')}\n`);
    const onEvent = sink ? (e: WorkerStreamEvent) => sink!.write(e as unknown as PopulateEvent) : undefined;
    const result = await runPipelineWorker(tables, { ...options, stop, onEvent, workerModule: modulePath });
    sink?.write({ v: 1, event: 'summary', rounds: result.rounds, stoppedBy: result.stoppedBy, durationMs: result.durationMs, tables: result.tables } as unknown as PopulateEvent);
    printSummary(result);
    if (result.connectionLost) {
      process.stderr.write(`${ERROR_PREFIX}the connection to ${result.connectionLost.server} was lost: ${result.connectionLost.message}\n`);
      return EXIT_USAGE;
    }
    if (result.stoppedBy === 'SIGINT' || result.stoppedBy === 'SIGTERM') return EXIT_INTERRUPTED;
    return result.tables.some((t) => t.failed > 0) ? EXIT_KEY_FAILED : EXIT_DONE;
  } catch (e) {
    return failWith(e);
  } finally {
    stopListening?.();
    sink?.close();
    uninstall();
    const conns = new Set(await Promise.all(tables.map((t) => bindingOf(t).connection().catch(() => undefined))));
    for (const c of conns) await c?.close().catch(() => undefined);
  }
}

const STOPPED_BY: Record<WorkerResult['stoppedBy'], string> = {
  done: 'no work left',
  idle: 'idle',
  duration: 'duration reached',
  SIGINT: 'stopped by SIGINT',
  SIGTERM: 'stopped by SIGTERM',
  connectionLost: 'the server went away',
};

function printSummary(r: WorkerResult): void {
  process.stderr.write(`worker: ${r.rounds} round${r.rounds === 1 ? '' : 's'}, ${STOPPED_BY[r.stoppedBy]}\n`);
  const width = Math.max(...r.tables.map((t) => t.table.length));
  for (const t of r.tables) {
    const left = t.left === null ? 'not run' : `${t.left} left`;
    process.stderr.write(`  ${t.table.padEnd(width)}  ${t.made} made, ${t.failed} failed, ${t.skipped} skipped, ${left}\n`);
  }
}

// ------------------------------------------------------------------- Python pipelines

/** python/datajoint_vscode_runner.py beside the bundle (dist/ and the .vsix) or in the sources. */
function runnerPath(): string {
  const candidates = [join(__dirname, '..', 'python', 'datajoint_vscode_runner.py'), join(__dirname, '..', '..', '..', 'python', 'datajoint_vscode_runner.py')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new UsageError(`the Python runner datajoint_vscode_runner.py is missing (looked in ${candidates.join(', ')})`);
  return found;
}

/** The same options for the Python runner's `worker`. */
function pythonArgs(modulePath: string, o: WorkerCliOptions): string[] {
  const a = ['worker', '--module', resolve(modulePath)];
  const add = (flag: string, v: string | number | undefined) => {
    if (v !== undefined) a.push(flag, String(v));
  };
  add('--workspace', o.workspace !== undefined ? resolve(o.workspace) : undefined);
  if (o.tables?.length) add('--tables', o.tables.join(','));
  if (o.skip?.length) add('--skip', o.skip.join(','));
  add('--priority', o.priority);
  add('--max-calls', o.maxCalls);
  for (const p of o.clearErrors ?? []) add('--clear-errors', p);
  add('--duration', o.duration);
  add('--idle', o.idle);
  add('--poll', o.poll);
  add('--processes', o.processes);
  add('--json-events', o.jsonEvents);
  if (o.stopOnStdin) a.push('--stop-on-stdin');
  return a;
}

/**
 * Runs the Python runner as a child with this process's stdin, stdout, stderr and the
 * --json-events descriptor. Signals sent to this process alone (a container's stop, a
 * launcher's kill) are passed on as lines on a pipe (DJX_RELAY_FD); one sent to the whole
 * process group or job (Ctrl-C in a terminal, SLURM's SIGTERM to every process of the job)
 * reaches the runner directly too, and the runner counts a direct and a relayed request
 * that come together as one (its WorkerState: RELAY_WINDOW_S).
 */
async function runPythonWorker(modulePath: string, opts: WorkerCliOptions): Promise<number> {
  const interpreter = opts.python ?? process.env.DJ_PYTHON ?? 'python3';
  let runner: string;
  try {
    runner = runnerPath();
    if (opts.clearErrors) compilePatterns(opts.clearErrors);
  } catch (e) {
    return failWith(e);
  }
  const stdio: Array<'inherit' | 'ignore' | 'pipe' | number> = ['inherit', 'inherit', 'inherit'];
  if (opts.jsonEvents !== undefined && /^\d+$/.test(opts.jsonEvents) && Number(opts.jsonEvents) >= 3) {
    const fd = Number(opts.jsonEvents);
    try {
      fstatSync(fd);
    } catch {
      process.stderr.write(`${ERROR_PREFIX}--json-events ${fd}: file descriptor ${fd} is not open (the caller must pass it to djx)\n`);
      return EXIT_USAGE;
    }
    for (let i = 3; i < fd; i++) stdio.push('ignore');
    stdio.push(fd);
  }
  const relayFd = stdio.length;
  stdio.push('pipe');
  const child = spawn(interpreter, [runner, ...pythonArgs(modulePath, opts)], { stdio, env: { ...process.env, DJX_RELAY_FD: String(relayFd) } });
  const relayPipe = child.stdio[relayFd] as Writable | null;
  // The runner gone: nothing to tell it any more.
  relayPipe?.on('error', () => undefined);
  const relay = (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) relayPipe?.write(`${sig}\n`);
  };
  process.on('SIGINT', relay);
  process.on('SIGTERM', relay);
  try {
    return await new Promise<number>((resolvePromise) => {
      child.on('error', (e) => {
        process.stderr.write(`${ERROR_PREFIX}cannot run the Python interpreter ${JSON.stringify(interpreter)} (--python, DJ_PYTHON): ${e.message}\n`);
        resolvePromise(EXIT_USAGE);
      });
      child.on('close', (code, signal) => resolvePromise(code ?? 128 + (signal ? constants.signals[signal] : 0)));
    });
  } finally {
    process.off('SIGINT', relay);
    process.off('SIGTERM', relay);
  }
}
