// What a run leaves undone, and why: the keys of the (restricted) key source still missing
// from the target at the end, each counted under one reason, so that a run never reports
// success while keys are silently left behind (a `--processes` parent killed earlier, an
// error job from another run, an orphaned reservation with `--no-refresh`…).
import { holderState } from '../jobs/holder';
import type { JobQueue } from '../jobs/queue';
import type { SqlSession } from '../jobs/session';
import type { EndLeft } from './events';
import { notInTarget, progressOf, restrictedSource, type KeySource } from './keysource';
import type { PopulateTarget } from './target';

/** Counts of missing keys by reason; `total` is their sum (declared with the end event). */
export type LeftCounts = EndLeft;

interface RunTally {
  /** Keys that failed in this run. */
  failed: number;
  interrupted: number;
}

const ZERO: LeftCounts = { total: 0, error: 0, ignored: 0, reserved: 0, orphaned: 0, interrupted: 0, notScheduled: 0, pending: 0 };

export async function countLeft(session: SqlSession, target: PopulateTarget, source: KeySource, queue: JobQueue | undefined, run: RunTally): Promise<LeftCounts> {
  const q = session.sql;
  const src = restrictedSource(q, source, { sql: 'TRUE', params: [] });
  // The missing keys, each once (a key source may repeat keys).
  const missing =
    `(SELECT ${source.unique ? '' : 'DISTINCT '}${source.primaryKey.map((k) => `${q.quote('$ks')}.${q.quote(k)}`).join(', ')} ` +
    `FROM ${src.sql} WHERE ${notInTarget(q, source, target)}) AS ${q.quote('$m')}`;
  const left = { ...ZERO };
  if (!queue || !(await queue.exists())) {
    // progressOf's count: from the smaller side where it can, cheaper than counting the
    // anti-join of the key source with the target.
    left.total = (await progressOf(session, source, target)).remaining;
    // Direct mode works from `keySource - target` alone: a key it failed is still missing.
    left.error = Math.min(run.failed, left.total);
    left.interrupted = Math.min(run.interrupted, left.total - left.error);
    if (queue) left.notScheduled = left.total - left.error - left.interrupted;
    else left.pending = left.total - left.error - left.interrupted;
    return left;
  }
  const on = queue.target.keyColumns.map((k) => `${q.quote('$j')}.${q.quote(k.name)} = ${q.quote('$m')}.${q.quote(k.name)}`).join(' AND ');
  const reserved = `${q.quote('$j')}.status = 'reserved'`;
  // One row per reason, and per holder for reservations (there are few holders).
  const rows = await session.query<{ reason: string; cid: unknown; host: unknown; pid: unknown; open: unknown; n: unknown }>(
    `SELECT CASE WHEN ${q.quote('$j')}.status IS NULL THEN 'none' WHEN ${q.quote('$j')}.status = 'pending' AND ${q.quote('$j')}.scheduled_time > CURRENT_TIMESTAMP(3) THEN 'later' ELSE ${q.text(`${q.quote('$j')}.status`)} END AS reason, ` +
      `CASE WHEN ${reserved} THEN ${q.quote('$j')}.connection_id ELSE 0 END AS cid, CASE WHEN ${reserved} THEN ${q.quote('$j')}.host ELSE '' END AS host, ` +
      `CASE WHEN ${reserved} THEN ${q.quote('$j')}.pid ELSE 0 END AS pid, ` +
      `CASE WHEN ${reserved} AND ${q.sessionOpen(`${q.quote('$j')}.connection_id`)} THEN 1 ELSE 0 END AS open, COUNT(*) AS n ` +
      `FROM ${missing} LEFT JOIN ${queue.fullName} AS ${q.quote('$j')} ON ${on} GROUP BY 1, 2, 3, 4, 5`,
    src.params,
  );
  for (const r of rows) {
    const n = Number(r.n);
    left.total += n;
    if (r.reason === 'error') left.error += n;
    else if (r.reason === 'ignore') left.ignored += n;
    else if (r.reason === 'none' || r.reason === 'later') left.notScheduled += n;
    else if (r.reason === 'reserved') {
      // Orphaned only when the holder is known to be dead: the one rule of jobs/holder.ts
      // that refresh and `djx jobs recover` apply too.
      const gone = holderState({ host: String(r.host), pid: Number(r.pid), connectionOpen: Number(r.open) === 1 }) === 'gone';
      if (gone) left.orphaned += n;
      else left.reserved += n;
    } else left.pending += n;
  }
  // This run's interrupted keys are pending again: say why they are left.
  left.interrupted = Math.min(run.interrupted, left.pending);
  left.pending -= left.interrupted;
  return left;
}

/** One line for people: "2 keys left: 1 error job — djx jobs retry; 1 interrupted", or undefined when none. */
export function describeLeft(left: LeftCounts, opts: { reserveJobs: boolean; refreshed: boolean }): string | undefined {
  if (left.total === 0) return undefined;
  const n = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;
  const parts: string[] = [];
  if (left.error) parts.push(opts.reserveJobs ? `${n(left.error, 'error job')} — djx jobs retry` : `${n(left.error, 'failed key')} — fix make and run again`);
  if (left.ignored) parts.push(`${n(left.ignored, 'ignored job')} — djx jobs list --status ignore`);
  if (left.reserved) parts.push(`${left.reserved} reserved by ${left.reserved === 1 ? 'another running worker' : 'other running workers'}`);
  if (left.orphaned) {
    const gone = left.orphaned === 1 ? 'a worker that is gone' : 'workers that are gone';
    parts.push(
      opts.refreshed
        ? `${left.orphaned} reserved by ${gone} (orphaned) — djx jobs recover, or the next run's refresh`
        : `${left.orphaned} reserved by ${gone} (orphaned, not computed: --no-refresh) — djx jobs recover, or run again without --no-refresh`,
    );
  }
  if (left.interrupted) parts.push(`${left.interrupted} interrupted (pending again)`);
  if (left.notScheduled) parts.push(`${left.notScheduled} not yet scheduled (no job yet, or scheduled later) — run with a refresh`);
  if (left.pending) parts.push(`${left.pending} not attempted (limit, stop or priority)`);
  return `${n(left.total, 'key')} left: ${parts.join('; ')}`;
}
