// populate()'s options: the reference's (autopopulate.py: populate, notes §6.2) in
// camelCase, plus `limit`, the name users know from the docs (our decision).
import { checkCommitWindow } from './commit-groups';
import type { ConnectionLost, PopulateEvent } from './events';
import type { LeftCounts } from './left';
import type { Key, MakeKwargs } from './target';

export interface PopulateOptions {
  /** Record failed keys and go on instead of stopping at the first error. */
  suppressErrors?: boolean;
  /** With suppressErrors: errorList holds the thrown objects instead of `Class: message` texts. */
  returnExceptionObjects?: boolean;
  /** Work from the `~~name` jobs table (distributed mode), shared with other workers. */
  reserveJobs?: boolean;
  /** At most this many keys are attempted (the reference's max_calls). */
  maxCalls?: number;
  /** Same as maxCalls (0.14's and the docs' name); the smaller wins when both are given. */
  limit?: number;
  /** A progress bar on stderr. */
  displayProgress?: boolean;
  /** Worker processes, each with its own connection; never more than there are keys. */
  processes?: number;
  /** Passed to make(key, kwargs) — to makeFetch for three-part makes. */
  makeKwargs?: MakeKwargs;
  /** reserveJobs: only jobs with priority <= this; also the priority of jobs the refresh adds. */
  priority?: number;
  /** reserveJobs: refresh the jobs table first (default: the jobs.auto_refresh setting). */
  refresh?: boolean;
  /** Every event of the run (the CLI's `--json` stream). */
  onEvent?: (event: PopulateEvent) => void;
  /**
   * processes > 1: the module the workers import to find this table (default: the main
   * script), and its export name (default: the class name).
   */
  workerModule?: string;
  exportName?: string;
  /** Handle SIGINT/SIGTERM during the run (default true). */
  handleSignals?: boolean;
  /**
   * Keys whose makes are short commit together: the keys started within this many
   * milliseconds (at most 32) are one transaction, each key after a savepoint, so that a
   * failing key is undone alone (commit-groups.ts). Default 20; 0 commits every key
   * alone, as the reference does. A make that takes this long commits alone anyway.
   */
  commitWindowMs?: number;
}

export interface PopulateResult {
  successCount: number;
  /** [key, "Class: message"], or [key, error] with returnExceptionObjects. */
  errorList: Array<[Key, unknown]>;
  /** The signal of the first stop request that stopped the run early, if any. */
  interrupted: 'SIGINT' | 'SIGTERM' | null;
  /** Keys interrupted by a second stop request: their jobs are pending again, not errors. */
  interruptedCount: number;
  /** Keys still missing at the end, by reason (left.ts); null when they could not be counted. */
  left: LeftCounts | null;
  /** The database server went away mid-run (what was done before is committed), or null. */
  connectionLost: ConnectionLost | null;
}

export function checkOptions(o: PopulateOptions): { budget: number; processes: number; commitWindowMs: number } {
  const count = (name: string, v: number | undefined, min: number): number | undefined => {
    if (v === undefined || v === null) return undefined;
    if (!Number.isInteger(v) || v < min) throw new RangeError(`populate: ${name} must be an integer >= ${min}, got ${String(v)}.`);
    return v;
  };
  const maxCalls = count('maxCalls', o.maxCalls, 0);
  const limit = count('limit', o.limit, 0);
  const processes = count('processes', o.processes, 1) ?? 1;
  if (o.priority !== undefined && (!Number.isInteger(o.priority) || o.priority < 0 || o.priority > 127)) {
    throw new RangeError(`populate: priority must be an integer from 0 to 127, got ${String(o.priority)}.`);
  }
  if (!o.reserveJobs && (o.priority !== undefined || o.refresh !== undefined)) {
    // The reference ignores them silently in direct mode; say so instead.
    process.emitWarning('populate: priority and refresh only apply with reserveJobs.', { code: 'DJ_POPULATE_OPTION' });
  }
  const budget = Math.min(maxCalls ?? Infinity, limit ?? Infinity);
  return { budget, processes, commitWindowMs: checkCommitWindow(o.commitWindowMs) };
}
