// `Table.jobs` of the reference as an object over one class: the job lists by status,
// refresh, ignore and unignore, retry (deleting error rows) and progress (jobs.py: Job; notes §7.9).
import type { JobStatus } from '../jobs/definition';
import { JobQueue, type ErrorEntry, type JobCounts, type JobRow, type RecoverOptions, type RecoverResult, type RefreshOptions, type RefreshResult } from '../jobs/queue';
import { errorGroups, type ErrorGroup } from '../jobs/triage';
import { durationStats, type DurationStats } from '../jobs/durations';
import { sessionNames } from '../jobs/session-names';
import { isAutoPopulatedClass, targetFromTable, type AutoPopulatedClass } from './adapter';
import { jobsTargetOf } from './populate';
import { progressOf, remainingKeys } from './keysource';
import type { Key, PopulateTarget, Restriction } from './target';

export class TableJobs {
  private state?: Promise<{ target: PopulateTarget; queue: JobQueue }>;

  /** A table class, or a target already resolved (e.g. from the catalog). */
  constructor(readonly table: AutoPopulatedClass | PopulateTarget) {}

  private async get(): Promise<{ target: PopulateTarget; queue: JobQueue }> {
    this.state ??= (async () => {
      const target = isAutoPopulatedClass(this.table) ? await targetFromTable(this.table) : (this.table as PopulateTarget);
      return { target, queue: new JobQueue(target.session, await jobsTargetOf(target), target.jobs, true) };
    })();
    return this.state;
  }

  /** The queue itself, for everything else (claim, reserve, complete, error). */
  async queue(): Promise<JobQueue> {
    return (await this.get()).queue;
  }

  /** The attributes of the table's key source: what a key restriction may name. */
  async keySourceAttributes(): Promise<string[]> {
    return (await this.get()).target.keySourceAttributes();
  }

  /** `~~name` */
  async tableName(): Promise<string> {
    return (await this.get()).queue.tableName;
  }

  async list(status?: JobStatus, limit?: number): Promise<JobRow[]> {
    return (await this.get()).queue.list({ status, limit });
  }
  pending(limit?: number): Promise<JobRow[]> {
    return this.list('pending', limit);
  }
  reserved(limit?: number): Promise<JobRow[]> {
    return this.list('reserved', limit);
  }
  errors(limit?: number): Promise<JobRow[]> {
    return this.list('error', limit);
  }
  ignored(limit?: number): Promise<JobRow[]> {
    return this.list('ignore', limit);
  }
  completed(limit?: number): Promise<JobRow[]> {
    return this.list('success', limit);
  }

  /** The job row of one key, if it has one. */
  async jobOf(key: Key): Promise<JobRow | undefined> {
    const [row] = await (await this.get()).queue.list({ keys: [key], limit: 1 });
    return row;
  }

  /** Adds pending jobs for the (restricted) key source, removes stale ones, re-pends orphans. */
  async refresh(restrictions: readonly Restriction[] = [], options: Omit<RefreshOptions, 'source'> = {}): Promise<RefreshResult> {
    const { target, queue } = await this.get();
    return queue.refresh({ ...options, source: restrictions.length ? await target.keySource(restrictions) : undefined });
  }

  /**
   * Re-pends the reservations whose holder is known to be dead (a reserved row's `holder`
   * is `gone`), and with `olderThan` those reserved longer than that whose holder is not
   * known to be alive; a key already in the table has its job completed instead.
   */
  async recover(options: RecoverOptions = {}): Promise<RecoverResult> {
    return (await this.get()).queue.recover(options);
  }

  /**
   * How long the makes took: from the table's `_job_*` columns (add_job_metadata), else
   * from the jobs table's success rows (keep_completed); undefined when neither has any.
   */
  async durations(): Promise<DurationStats | undefined> {
    const { target, queue } = await this.get();
    const q = target.session.sql;
    if (await target.hasJobMetadata()) {
      const own = await durationStats(target.session, { kind: 'target', table: q.qualified(target.database, target.tableName), keyNames: target.primaryKey });
      if (own) return own;
    }
    if (!(await queue.exists())) return undefined;
    return durationStats(target.session, { kind: 'jobs', table: queue.fullName, keyNames: queue.target.keyColumns.map((k) => k.name) });
  }

  /** The names the server knows these sessions by (a SLURM task's: runtime/connection/session-name.ts). */
  async sessionNames(connectionIds: readonly number[]): Promise<Map<number, string>> {
    return sessionNames((await this.get()).target.session, connectionIds);
  }

  async ignore(keys: readonly Key[]): Promise<number> {
    return (await this.get()).queue.ignore(keys);
  }

  /**
   * Deletes ignore jobs (all, or these keys): the keys become ordinary missing keys again,
   * which the next refresh or populate takes. jobs.py has no unignore; an ignore row is a
   * plain job row (notes §7.5: ignore inserts or updates one), so deleting it is the way back.
   */
  async unignore(keys?: readonly Key[]): Promise<number> {
    return (await this.get()).queue.delete({ status: 'ignore', keys });
  }

  /** Deletes error jobs (all, or these keys) so that the next refresh or populate retries them (jobs.py: "retry" pattern, notes §7.6). */
  async retry(keys?: readonly Key[]): Promise<number> {
    return (await this.get()).queue.delete({ status: 'error', keys });
  }

  /** Deletes jobs: all, or of one status, or these keys. */
  async clear(opts: { status?: JobStatus; keys?: readonly Key[] } = {}): Promise<number> {
    return (await this.get()).queue.delete(opts);
  }

  /**
   * The first `limit` keys still to compute, in key order, as the database returns them
   * (as job rows hold their keys: a date as its text, a uuid as its bytes), for the key
   * picker of "Debug make() for this key".
   */
  async remaining(limit: number): Promise<Key[]> {
    const { target } = await this.get();
    const out: Key[] = [];
    if (limit <= 0) return out;
    for await (const raw of remainingKeys(target.session, await target.keySource([]), target, Math.min(limit, 1000))) {
      out.push(raw);
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * The error jobs grouped by exception type and message pattern (numbers, keys, strings,
   * paths and ids folded), most keys first; the `limit` most recent errors are grouped.
   */
  async errorGroups(limit = 10_000): Promise<TableErrorGroups> {
    const { queue } = await this.get();
    const entries = await queue.errorEntries({ limit });
    const total = entries.length < limit ? entries.length : (await queue.progress()).error;
    return { groups: errorGroups(entries), grouped: entries.length, total };
  }

  /** The keys of the ignore jobs (no other column read). */
  async ignoredKeys(limit?: number): Promise<Key[]> {
    return (await this.get()).queue.keysOf('ignore', limit);
  }

  /** Retry for a set of keys of any size (a group): their error jobs deleted; returns how many. */
  async retryKeys(keys: readonly Key[]): Promise<number> {
    return (await this.get()).queue.deleteKeys('error', keys);
  }

  /** Ignore for a set of keys of any size: each key's job set to (or inserted as) `ignore`. */
  async ignoreKeys(keys: readonly Key[]): Promise<number> {
    return (await this.get()).queue.ignoreKeys(keys);
  }

  /** Ignore of a group of errors: the error jobs of these keys set to `ignore`, no other job touched; returns how many. */
  async ignoreErrors(keys: readonly Key[]): Promise<number> {
    return (await this.get()).queue.ignoreErrorKeys(keys);
  }

  /** Un-ignore for a set of keys of any size: their ignore jobs deleted; returns how many. */
  async unignoreKeys(keys: readonly Key[]): Promise<number> {
    return (await this.get()).queue.deleteKeys('ignore', keys);
  }

  /** Keys still to compute against all keys, with the jobs table's counts per status. */
  async progress(...restrictions: Restriction[]): Promise<{ remaining: number; total: number; jobs: JobCounts }> {
    const { target, queue } = await this.get();
    const p = await progressOf(target.session, await target.keySource(restrictions), target);
    return { ...p, jobs: await queue.progress() };
  }
}

/** A table's errors grouped for triage (runtime/jobs/triage.ts). */
export interface TableErrorGroups {
  groups: Array<ErrorGroup<ErrorEntry>>;
  /** Error jobs read and grouped: all of them, unless more than the limit. */
  grouped: number;
  /** Error jobs in the table. */
  total: number;
}

/** The jobs of one Computed/Imported class (the reference's `Table.jobs`). */
export function jobsFor(table: AutoPopulatedClass | PopulateTarget): TableJobs {
  return new TableJobs(table);
}
