// The options of a worker over a whole pipeline (`djx worker`), and which of the module's
// tables it runs. The names follow what users of datajoint-utilities' `dj_worker` expect
// (tables to include or skip, priority, keys per run, errors to clear for retry).

export interface WorkerOptions {
  /** Only these classes (by class name); all when absent. */
  tables?: readonly string[];
  /** Never these classes. */
  skip?: readonly string[];
  /** Only jobs of priority <= this; also the priority of the jobs each refresh adds. */
  priority?: number;
  /** Keys per table per round (populate's maxCalls); unlimited when absent. */
  maxCalls?: number;
  /** Before each round, error jobs whose error_message matches one of these are deleted (retried). */
  clearErrors?: readonly RegExp[];
  /** Stop (after the key in progress) once this many seconds have passed. */
  durationS?: number;
  /** Stop once no key was made for this many seconds. */
  idleS?: number;
  /** Seconds between looks for new work while there is none (with idle/duration, or while others hold keys). */
  pollS?: number;
  /** populate's worker processes per table. */
  processes?: number;
}

export const DEFAULT_POLL_S = 5;

/** A bad option value: the CLI exits 2 with this message. */
export class WorkerOptionError extends Error {
  override name = 'WorkerOptionError';
  readonly code = 'usage';
}

/** `--clear-errors` texts as regular expressions; a text that is not one is refused naming it. */
export function compilePatterns(texts: readonly string[]): RegExp[] {
  return texts.map((t) => {
    if (t === '') throw new WorkerOptionError('--clear-errors expects a regular expression, got an empty text (it would match every error)');
    try {
      return new RegExp(t);
    } catch (e) {
      throw new WorkerOptionError(`--clear-errors ${JSON.stringify(t)} is not a regular expression: ${(e as Error).message}`);
    }
  });
}

/** A comma-separated list of class names (`--tables A,B`), blanks dropped. */
export function parseNames(text: string, previous: string[] = []): string[] {
  return [...previous, ...text.split(',').map((s) => s.trim()).filter((s) => s !== '')];
}

/**
 * The tables the worker runs, in the order given: `--tables` and `--skip` name classes of
 * the module; an unknown name is refused (a typo would silently run nothing or everything).
 */
export function selectTables<T extends { name: string }>(all: readonly T[], options: Pick<WorkerOptions, 'tables' | 'skip'>, where: string): T[] {
  const known = new Set(all.map((t) => t.name));
  const list = () => [...known].sort().join(', ') || 'none';
  for (const [flag, names] of [['--tables', options.tables], ['--skip', options.skip]] as const) {
    const unknown = (names ?? []).filter((n) => !known.has(n));
    if (unknown.length) {
      throw new WorkerOptionError(`${flag}: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a Computed or Imported table' : 'are not Computed or Imported tables'} of ${where} (it has ${list()})`);
    }
  }
  const only = options.tables?.length ? new Set(options.tables) : undefined;
  const skip = new Set(options.skip ?? []);
  return all.filter((t) => (!only || only.has(t.name)) && !skip.has(t.name));
}

/** Refuses values no worker can run with (the CLI's parsers catch most before). */
export function checkWorkerOptions(o: WorkerOptions): void {
  const positive = (name: string, v: number | undefined, min: number) => {
    if (v !== undefined && !(Number.isFinite(v) && v >= min)) throw new WorkerOptionError(`${name} must be a number >= ${min}, got ${String(v)}`);
  };
  positive('--duration', o.durationS, 0);
  positive('--idle', o.idleS, 0);
  positive('--poll', o.pollS, 0.01);
  if (o.priority !== undefined && (!Number.isInteger(o.priority) || o.priority < 0 || o.priority > 127)) {
    throw new WorkerOptionError(`--priority must be an integer from 0 to 127, got ${String(o.priority)}`);
  }
}
