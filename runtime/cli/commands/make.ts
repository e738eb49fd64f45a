// `djx make <pipeline module> <Table> --key <json> [--keep [--reserve-jobs]] [--until compute]
//   [--make-kwargs <json>] [--result-file <path>]`
// One key's make, for a debugger to watch ("Debug make() for this key" in the extension):
// by default the key's transaction is rolled back at its end, after saying what make
// wrote (populate/make-one.ts); `--until compute` runs a three-part make's makeFetch and
// makeCompute only; `--keep` is `djx populate` of that one key (with `--reserve-jobs`,
// through its job). The Python runner's `make` takes the same options and writes the same
// result file (python/datajoint_vscode_runner.py).
// Exit 0 when make ran (or the key was already computed), 1 when make failed, 2 on usage
// or connection errors (a key that names no key or several).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { Option, type Command } from 'commander';
import { populate, MakeError } from '../../populate/index';
import { targetFromTable } from '../../populate/adapter';
import { jsonKey } from '../../populate/events';
import { findTable, loadPipelineModule } from '../../populate/load';
import { KeyChoiceError, keyOfSource, makeOneKey, type MakeOneResult } from '../../populate/make-one';
import { keyInTarget } from '../../populate/keysource';
import { EXIT_DONE, EXIT_KEY_FAILED, EXIT_USAGE, failWith } from '../exit';
import { OptionValueError, parseJsonObject } from '../populate/option-values';
import { PASSWORD_FILE_ENV, type MakeResultFile } from '../../populate/make-protocol';
import { ERROR_PREFIX } from '../name';

interface MakeCliOptions {
  key: string;
  keep?: boolean;
  reserveJobs?: boolean;
  until?: 'compute';
  makeKwargs?: string;
  resultFile?: string;
}

export function register(program: Command): void {
  program
    .command('make')
    .description("run one key's make for debugging: rolled back at its end unless --keep")
    .argument('<module>', 'pipeline module (.ts or .js) that exports the table class')
    .argument('<table>', 'class name of the Computed or Imported table')
    .requiredOption('-k, --key <json>', 'the key, a JSON object naming one key of the key source')
    .option('--keep', "commit the key's result, as djx populate of that key does")
    .option('--reserve-jobs', 'with --keep: through the jobs table (reserve, then complete or record the error)')
    .addOption(new Option('--until <step>', 'three-part make: stop after makeCompute (nothing is inserted)').choices(['compute']))
    .option('--make-kwargs <json>', 'JSON object passed to make(key, kwargs)')
    .option('--result-file <path>', 'write the outcome as JSON to this file (for the extension)')
    .action(async (modulePath: string, tableName: string, opts: MakeCliOptions) => {
      process.exitCode = await runMake(modulePath, tableName, opts);
    });
}

function describeRows(rows: Record<string, number>): string {
  const parts = Object.entries(rows)
    .filter(([, n], i) => n > 0 || i === 0)
    .map(([t, n]) => `${n} ${n === 1 ? 'row' : 'rows'} into ${t}`);
  return parts.join(', ');
}

function writeResult(path: string | undefined, result: MakeResultFile): void {
  if (!path) return;
  // Whole or not at all: the extension reads it once the debug session ends. A reader that
  // is gone (its folder removed) costs the outcome's file, never the run's exit status.
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(result) + '\n');
    renameSync(tmp, path);
  } catch (e) {
    process.stderr.write(`${ERROR_PREFIX}cannot write the result file ${path}: ${(e as Error).message}\n`);
  }
}

/** The password the extension left in a file (make-protocol.ts), as DJ_PASS for this process. */
function passwordFromFile(): void {
  const file = process.env[PASSWORD_FILE_ENV];
  if (!file) return;
  process.env.DJ_PASS = readFileSync(file, 'utf8');
  delete process.env[PASSWORD_FILE_ENV];
}

async function runMake(modulePath: string, tableName: string, opts: MakeCliOptions): Promise<number> {
  let close: (() => Promise<void>) | undefined;
  const done = (code: number, result: MakeResultFile): number => {
    writeResult(opts.resultFile, result);
    return code;
  };
  try {
    passwordFromFile();
    const key = parseJsonObject('--key', opts.key);
    const makeKwargs = opts.makeKwargs !== undefined ? parseJsonObject('--make-kwargs', opts.makeKwargs) : {};
    if (opts.keep && opts.until) throw new OptionValueError('--until', opts.until, 'stops before makeInsert: it cannot be combined with --keep');
    if (opts.reserveJobs && !opts.keep) throw new OptionValueError('--reserve-jobs', 'true', 'applies to --keep only: a rolled-back make never touches the jobs table');
    const mod = await loadPipelineModule(modulePath);
    const table = findTable(mod, tableName, modulePath);
    close = async () => (await (table as unknown as { connection(): Promise<{ close(): Promise<void> }> }).connection()).close();
    const target = await targetFromTable(table);
    const shown = (k: Record<string, unknown>) => JSON.stringify(jsonKey(k));
    let result: MakeOneResult;
    try {
      if (opts.keep) return done(...(await keep(target, table, key, makeKwargs, Boolean(opts.reserveJobs), shown)));
      result = await makeOneKey(target, key, opts.until === 'compute' ? 'compute' : 'rollback', makeKwargs);
    } catch (e) {
      if (e instanceof KeyChoiceError) throw new OptionValueError('--key', opts.key, e.message);
      throw e;
    }
    const what = `make() of ${tableName} ${shown(result.key)}`;
    switch (result.status) {
      case 'already-done': {
        const message = `${tableName} ${shown(result.key)}: already computed; nothing to run`;
        process.stderr.write(message + '\n');
        return done(EXIT_DONE, { v: 1, status: 'already-done', message });
      }
      case 'rolled-back': {
        const message = `${what} inserted ${describeRows(result.rows)}; rolled back, nothing kept`;
        process.stderr.write(message + '\n');
        return done(EXIT_DONE, { v: 1, status: 'rolled-back', message, rows: result.rows });
      }
      case 'computed': {
        const shownValue = inspect(result.computed, { depth: 3, breakLength: Infinity, maxArrayLength: 10, maxStringLength: 200 });
        const message = `makeCompute of ${tableName} ${shown(result.key)} returned ${shownValue.length > 200 ? `${shownValue.slice(0, 199)}…` : shownValue}; nothing inserted`;
        process.stderr.write(message + '\n');
        return done(EXIT_DONE, { v: 1, status: 'computed', message });
      }
    }
    const stack = result.error instanceof Error && result.error.stack ? result.error.stack : result.message;
    process.stderr.write(`${stack}\n${what} failed: ${result.message}; rolled back\n`);
    return done(EXIT_KEY_FAILED, { v: 1, status: 'failed', message: result.message });
  } catch (e) {
    const code = failWith(e);
    return done(code, { v: 1, status: code === EXIT_USAGE ? 'refused' : 'failed', message: e instanceof Error ? e.message : String(e) });
  } finally {
    await close?.().catch(() => undefined);
  }
}

/** `--keep`: populate of the one key, as `djx populate -r <key>` runs it. */
async function keep(
  target: Awaited<ReturnType<typeof targetFromTable>>,
  table: ReturnType<typeof findTable>,
  key: Record<string, unknown>,
  makeKwargs: Record<string, unknown>,
  reserveJobs: boolean,
  shown: (k: Record<string, unknown>) => string,
): Promise<[number, MakeResultFile]> {
  const raw = await keyOfSource(target, key);
  const label = `${target.name} ${shown(target.decodeKey(raw))}`;
  if (await keyInTarget(target.session, target, raw)) {
    const message = `${label}: already computed; nothing to run`;
    process.stderr.write(message + '\n');
    return [EXIT_DONE, { v: 1, status: 'already-done', message }];
  }
  try {
    // With reserved jobs, the key's job is made pending first even where jobs.auto_refresh
    // is off: the extension retries a failed job by deleting its row.
    await populate(table, key, { reserveJobs, refresh: reserveJobs || undefined, maxCalls: 1, makeKwargs, displayProgress: false });
  } catch (e) {
    if (!(e instanceof MakeError)) throw e;
    const cause = e.cause;
    const stack = cause instanceof Error && cause.stack ? cause.stack : e.message;
    const message = e.errorMessage;
    process.stderr.write(`${stack}\nmake() of ${label} failed: ${message}; rolled back${reserveJobs ? ', its job is an error job' : ''}\n`);
    return [EXIT_KEY_FAILED, { v: 1, status: 'failed', message }];
  }
  if (await keyInTarget(target.session, target, raw)) {
    const message = `make() of ${label} committed${reserveJobs ? ', its job complete' : ''}`;
    process.stderr.write(message + '\n');
    return [EXIT_DONE, { v: 1, status: 'committed', message }];
  }
  const message = reserveJobs
    ? `make() of ${label} did not run: its job is not pending (reserved by another worker, an error job or ignored)`
    : `make() of ${label} did not run`;
  process.stderr.write(message + '\n');
  return [EXIT_KEY_FAILED, { v: 1, status: 'not-made', message }];
}
