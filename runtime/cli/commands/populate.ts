// `djx populate <pipeline module> <Table> [--restriction <sql or json>]... [--limit N]
//   [--reserve-jobs] [--processes N] [--suppress-errors] [--priority N] [--json]
//   [--json-events <fd|path>] [--progress <auto|always|never>]`
// Loads the module (TypeScript through tsx, no build step), runs populate with a progress
// bar on stderr (progress-bar.ts) and a summary, and writes the run's events
// (runtime/populate/events.ts) as JSON lines on stdout with --json or on a side channel
// with --json-events (event-sink.ts). The summary says what was done and what is left and
// why (runtime/populate/left.ts). Exits 0 when all keys were done, 1 when a key failed or
// keys are left because of errors, 2 on usage or connection errors (also when the server
// goes away mid-run, after the summary), 130 when stopped by Ctrl-C / a stop request.
// Credentials come from the environment and datajoint.json only.
import { Option, type Command } from 'commander';
import { populate, ConnectionLostError, describeLeft, MakeError, setWorkerEntry, type PopulateEvent, type PopulateResult } from '../../populate/index';
import { findTable, loadPipelineModule } from '../../populate/load';
import { runWorker } from '../../populate/worker';
import { openEventSink, type EventSink } from '../populate/event-sink';
import { listenForStopRequests } from '../populate/stop-requests';
import { PopulateProgressBar, PROGRESS_MODES, wantsBar, type ProgressMode } from '../populate/progress-bar';
import { targetFromTable } from '../../populate/adapter';
import { collect, tolerateClosedStdout, EXIT_DONE, EXIT_INTERRUPTED, EXIT_KEY_FAILED, EXIT_USAGE, failWith, parseCount } from '../exit';
import { parseJsonObject, parseRestriction, readRestrictionFile, refuseUnknownAttributes } from '../populate/option-values';
import { ERROR_PREFIX } from '../name';

interface PopulateCliOptions {
  restriction?: string[];
  restrictionFile?: string[];
  limit?: number;
  maxCalls?: number;
  reserveJobs?: boolean;
  processes?: number;
  suppressErrors?: boolean;
  priority?: number;
  refresh?: boolean;
  makeKwargs?: string;
  json?: boolean;
  jsonEvents?: string;
  /** `--progress <mode>`, or false for `--no-progress`. */
  progress?: ProgressMode | false;
  stopOnStdin?: boolean;
  commitWindow?: number;
}

export function register(program: Command): void {
  program
    .command('populate')
    .description('compute the missing rows of a Computed or Imported table')
    .argument('<module>', 'pipeline module (.ts or .js) that exports the table class')
    .argument('<table>', 'class name of the Computed or Imported table')
    .option('-r, --restriction <condition>', 'SQL condition or JSON object/array restricting the key source (repeatable, combined with AND)', collect)
    .option('--restriction-file <path>', 'a file holding one restriction as --restriction takes it, for one too long for a command line (repeatable)', collect)
    .option('-l, --limit <n>', 'attempt at most n keys', parseCount('--limit'))
    .option('--max-calls <n>', 'same as --limit (the reference name)', parseCount('--max-calls'))
    .option('--reserve-jobs', 'work through the jobs table, sharing keys with other workers')
    .option('-p, --processes <n>', 'worker processes', parseCount('--processes', 1))
    .option('--suppress-errors', 'record failed keys and go on')
    .option('--priority <n>', 'with --reserve-jobs: only jobs of priority <= n; priority of new jobs', parseCount('--priority'))
    .option('--no-refresh', 'with --reserve-jobs: do not refresh the jobs table first')
    .option('--make-kwargs <json>', 'JSON object passed to make(key, kwargs)')
    .option('--commit-window <ms>', 'keys of short makes started within ms milliseconds (at most 32) commit together, each after a savepoint; 0 commits every key alone (default 20)', parseCount('--commit-window'))
    .option('--json', 'one JSON event per line on stdout (start, progress, keyDone, keyFailed, end); no bar unless --progress always')
    .option('--json-events <fd|path>', 'the same JSON events on a side channel: an inherited file descriptor >= 3, or a file (created or truncated); stdout and stderr stay human output')
    .addOption(new Option('--progress <mode>', 'progress bar on stderr: auto (on a terminal), always (also through pipes, as wide as $COLUMNS), never').choices(PROGRESS_MODES))
    .option('--no-progress', 'same as --progress never')
    .option('--stop-on-stdin', 'also take stop requests as lines on stdin (SIGINT or SIGTERM: the first stops after the key in progress, the second interrupts it), for callers that cannot send signals')
    .action(async (modulePath: string, tableName: string, opts: PopulateCliOptions) => {
      const code = await runPopulate(modulePath, tableName, opts);
      process.exitCode = code;
      // A make abandoned by a second stop request may still hold timers; its transaction
      // is already rolled back and its job pending again, so leave once the output is flushed.
      if (code === EXIT_INTERRUPTED) process.stdout.write('', () => process.exit(code));
    });

  // Worker processes of `--processes N` re-enter the CLI here.
  program.command('populate-worker', { hidden: true }).action(() => new Promise<void>(() => runWorker()));
}

async function runPopulate(modulePath: string, tableName: string, opts: PopulateCliOptions): Promise<number> {
  const json = Boolean(opts.json);
  if (json) {
    // stdout carries the events; whatever make prints goes to stderr.
    for (const m of ['log', 'info', 'debug'] as const) console[m] = (...a: unknown[]) => console.error(...a);
    // A reader that went away (EPIPE) must not crash the run; the jobs still get done.
    tolerateClosedStdout();
  }
  // Workers run this same program with its hidden `populate-worker` command.
  setWorkerEntry({ file: process.argv[1]!, args: ['populate-worker'], execArgv: process.execArgv });
  let close: (() => Promise<void>) | undefined;
  const stopListening = opts.stopOnStdin ? listenForStopRequests() : undefined;
  let sink: EventSink | undefined;
  let bar: PopulateProgressBar | undefined;
  try {
    // Checked before anything runs: a caller waiting on a side channel must hear at once.
    if (opts.jsonEvents !== undefined) sink = openEventSink(opts.jsonEvents);
    const fromFiles = (opts.restrictionFile ?? []).map(readRestrictionFile);
    // As the refusals show them: a file by its path, not its (long) text.
    const texts = [...(opts.restriction ?? []), ...(opts.restrictionFile ?? [])];
    const restrictions = [...(opts.restriction ?? []).map((t) => parseRestriction(t)), ...fromFiles.map((f) => f.value)];
    const makeKwargs = opts.makeKwargs !== undefined ? parseJsonObject('--make-kwargs', opts.makeKwargs) : undefined;
    const mod = await loadPipelineModule(modulePath);
    const table = findTable(mod, tableName, modulePath);
    close = async () => (await (table as unknown as { connection(): Promise<{ close(): Promise<void> }> }).connection()).close();
    if (restrictions.some((r) => typeof r === 'object')) {
      const known = await (await targetFromTable(table)).keySourceAttributes();
      refuseUnknownAttributes('--restriction', texts, restrictions, known, `the key source of ${tableName}`);
    }
    if (wantsBar(opts.progress, json)) {
      bar = new PopulateProgressBar(tableName);
      await bar.ready();
    }
    const listeners: Array<(e: PopulateEvent) => void> = [];
    if (json) listeners.push((e) => void process.stdout.write(JSON.stringify(e) + '\n'));
    if (sink) listeners.push((e) => sink!.write(e));
    if (bar) listeners.push((e) => bar!.onEvent(e));
    const onEvent = listeners.length ? (e: PopulateEvent) => listeners.forEach((l) => l(e)) : undefined;
    let result: PopulateResult;
    const how = { reserveJobs: Boolean(opts.reserveJobs), refreshed: opts.refresh !== false };
    try {
      result = await populate(table, ...(restrictions as never[]), {
        limit: opts.limit,
        maxCalls: opts.maxCalls,
        reserveJobs: opts.reserveJobs,
        processes: opts.processes,
        suppressErrors: opts.suppressErrors,
        priority: opts.priority,
        refresh: opts.reserveJobs ? opts.refresh : undefined,
        makeKwargs,
        commitWindowMs: opts.commitWindow,
        // The CLI draws its own bar from the events (also through pipes, see progress-bar.ts).
        displayProgress: false,
        onEvent,
        workerModule: modulePath,
        exportName: tableName,
      });
    } catch (e) {
      if (e instanceof MakeError || e instanceof ConnectionLostError) {
        bar?.stop();
        if (!json) summary(tableName, e.result, how);
        process.stderr.write(`${ERROR_PREFIX}${e.message}\n`);
        return e instanceof MakeError ? EXIT_KEY_FAILED : EXIT_USAGE;
      }
      throw e;
    }
    bar?.stop();
    if (!json) summary(tableName, result, how);
    if (result.interrupted) return EXIT_INTERRUPTED;
    return result.errorList.length > 0 || (result.left?.error ?? 0) > 0 ? EXIT_KEY_FAILED : EXIT_DONE;
  } catch (e) {
    return failWith(e);
  } finally {
    stopListening?.();
    bar?.stop();
    sink?.close();
    await close?.().catch(() => undefined);
  }
}

function summary(table: string, r: PopulateResult, how: { reserveJobs: boolean; refreshed: boolean }): void {
  const failed = r.errorList.length;
  const parts = [`${r.successCount} done`, `${failed} failed`];
  if (r.interruptedCount > 0) parts.push(`${r.interruptedCount} interrupted`);
  if (r.interrupted) parts.push(`stopped by ${r.interrupted}`);
  const left = r.left ? describeLeft(r.left, how) : r.connectionLost ? 'what is left is unknown (the server went away)' : undefined;
  process.stderr.write(`${table}: ${parts.join(', ')}${left ? `; ${left}` : ''}\n`);
  for (const [key, err] of r.errorList.slice(0, 10)) {
    process.stderr.write(`  ${JSON.stringify(key, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  if (failed > 10) process.stderr.write(`  … and ${failed - 10} more (djx jobs … --status error)\n`);
}
