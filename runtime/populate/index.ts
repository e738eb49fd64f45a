// The populate API of the runtime (autopopulate.py: AutoPopulate.populate, progress,
// jobs): functions over a Computed/Imported class.
//
//   const { successCount, errorList } = await populate(Analysis, { subject_id: 1 }, { reserveJobs: true, processes: 2 });
//   const { remaining, total } = await progress(Analysis);
//   const jobs = jobsFor(Analysis); await jobs.refresh(); await jobs.errors(); await jobs.retry();
import { targetFromTable, type AutoPopulatedClass } from './adapter';
import type { PopulateOptions, PopulateResult } from './options';
import { populateTarget } from './populate';
import { progressOf } from './keysource';
import type { Restriction } from './target';

export { targetFromTable, targetFromCatalog, isAutoPopulatedClass, type AutoPopulatedClass } from './adapter';
export { loadPipelineModule, findTable, autoPopulatedTables, PipelineLoadError } from './load';
export { populateTarget, jobsTargetOf, ConnectionLostError } from './populate';
export { progressOf, remainingKeys } from './keysource';
export { describeLeft, type LeftCounts } from './left';
export type { PopulateOptions, PopulateResult } from './options';
export type { PopulateTarget, MakeHooks, Key, MakeKwargs } from './target';
export { MakeError } from './report';
export { ChangedInputsError } from './runner';
export { setWorkerEntry, type WorkerEntry } from './workers';
export * from './events';
export { TableJobs, jobsFor } from './table-jobs';

const OPTION_NAMES = new Set<string>([
  'suppressErrors',
  'returnExceptionObjects',
  'reserveJobs',
  'maxCalls',
  'limit',
  'displayProgress',
  'processes',
  'makeKwargs',
  'priority',
  'refresh',
  'onEvent',
  'workerModule',
  'exportName',
  'handleSignals',
  'commitWindowMs',
]);

function isOptions(v: unknown): v is PopulateOptions {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => OPTION_NAMES.has(k));
}

/** Splits `(...restrictions, options?)`: a trailing object made only of option names is the options. */
export function splitArgs(args: ReadonlyArray<Restriction | PopulateOptions>): { restrictions: Restriction[]; options: PopulateOptions } {
  const last = args[args.length - 1];
  if (args.length > 0 && isOptions(last)) return { restrictions: args.slice(0, -1) as Restriction[], options: last };
  return { restrictions: args as Restriction[], options: {} };
}

/**
 * Computes the missing rows of `table`: make(key) for every key of `keySource - table`
 * (restricted by the restrictions given), each in its own transaction. Without
 * suppressErrors the first failure rejects with a MakeError naming the key.
 */
export async function populate(table: AutoPopulatedClass, ...args: Array<Restriction | PopulateOptions>): Promise<PopulateResult> {
  const { restrictions, options } = splitArgs(args);
  return populateTarget(await targetFromTable(table), restrictions, options);
}

/** autopopulate.py: progress — how many keys of the (restricted) key source are still missing. */
export async function progress(table: AutoPopulatedClass, ...restrictions: Restriction[]): Promise<{ remaining: number; total: number }> {
  const target = await targetFromTable(table);
  return progressOf(target.session, await target.keySource(restrictions), target);
}
