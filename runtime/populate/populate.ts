// populate(): DataJoint's computation model (autopopulate.py: populate,
// _populate_direct, _populate_distributed; reference notes §6). Direct mode walks
// `keySource - target` in key order, a batch at a time; distributed mode claims jobs
// from the `~~name` table. With processes > 1 the same happens in worker processes.
import { cpus } from 'node:os';
import { JobQueue, type Completion, type JobsTarget } from '../jobs/queue';
import { jobVersion, workerIdentity } from '../jobs/identity';
import { qi, type SqlSession } from '../jobs/session';
import { openControl, type ControlConnection } from './control';
import { Interrupt, handleStopSignals } from './interrupt';
import { keyInTarget, progressSql, remainingKeysSql, type KeySource } from './keysource';
import { checkOptions, type PopulateOptions, type PopulateResult } from './options';
import { MakeError, Report } from './report';
import { closeSeries, errorMessage, openSeries, populateKey, type Outcome, type RunContext } from './runner';
import type { Key, PopulateTarget, Restriction } from './target';
import { runWorkers } from './workers';

const ALL = { sql: 'TRUE', params: [] as unknown[] };
const BATCH = 1000;

/** Keys of `source - target` in key order, read a batch at a time. */
export async function* remainingKeys(session: SqlSession, source: KeySource, target: PopulateTarget, batch = BATCH): AsyncGenerator<Key> {
  let after: unknown[] | undefined;
  for (;;) {
    const q = remainingKeysSql(source, target, ALL, after, batch);
    const rows = await session.query(q.sql, q.params);
    for (const r of rows) {
      const key: Key = {};
      for (const k of source.primaryKey) key[k] = r[k];
      yield key;
    }
    if (rows.length < batch) return;
    const last = rows[rows.length - 1]!;
    after = source.primaryKey.map((k) => last[k]);
  }
}

/** (remaining, total) over the restricted key source (autopopulate.py: progress). */
export async function progressOf(session: SqlSession, source: KeySource, target: PopulateTarget): Promise<{ remaining: number; total: number }> {
  const q = progressSql(source, target, ALL);
  const [row] = await session.query<{ total: unknown; remaining: unknown }>(q.sql, q.params);
  return { remaining: Number(row?.remaining ?? 0), total: Number(row?.total ?? 0) };
}

export async function jobsTargetOf(target: PopulateTarget): Promise<JobsTarget> {
  return {
    database: target.database,
    tableName: target.tableName,
    keyColumns: await target.jobKeyColumns(),
    keySource: await target.keySource([]),
  };
}

/** Eligible pending jobs of the (restricted) key source: the run's expected total. */
async function pendingCount(session: SqlSession, queue: JobQueue, source: KeySource, priority?: number): Promise<number> {
  const on = queue.target.keyColumns.map((k) => `${qi('$s')}.${qi(k.name)} = ${qi('$j')}.${qi(k.name)}`).join(' AND ');
  const [row] = await session.query<{ n: unknown }>(
    `SELECT COUNT(*) AS n FROM ${queue.fullName} AS ${qi('$j')} WHERE ${qi('$j')}.status = 'pending' AND ${qi('$j')}.scheduled_time <= CURRENT_TIMESTAMP(3)` +
      (priority !== undefined ? ` AND ${qi('$j')}.priority <= ?` : '') +
      ` AND EXISTS (SELECT 1 FROM (${source.sql.sql}) AS ${qi('$s')} WHERE ${on})`,
    [...(priority !== undefined ? [priority] : []), ...source.sql.params],
  );
  return Number(row?.n ?? 0);
}

export async function populateTarget(target: PopulateTarget, restrictions: readonly Restriction[], options: PopulateOptions = {}): Promise<PopulateResult> {
  const { budget, processes: requested } = checkOptions(options);
  if (target.inTransaction()) throw new Error('Populate cannot be called during a transaction.');
  const mode = options.reserveJobs ? 'reserved' : 'direct';
  const source = await target.keySource(restrictions);
  const control = await openControl(target.server);
  const interrupt = new Interrupt();
  const restore = options.handleSignals === false ? () => undefined : handleStopSignals(interrupt);
  try {
    let queue: JobQueue | undefined;
    let total: number;
    if (options.reserveJobs) {
      queue = new JobQueue(control.session, await jobsTargetOf(target), target.jobs);
      if (options.refresh ?? target.jobs.autoRefresh) {
        // delay -1 s: jobs added now are eligible at once despite clock granularity (autopopulate.py).
        await queue.refresh({ source, priority: options.priority, delay: -1 });
      } else {
        await queue.declare();
      }
      total = await pendingCount(control.session, queue, source, options.priority);
    } else {
      total = (await progressOf(control.session, source, target)).remaining;
    }
    total = Math.min(total, budget);
    let processes = Math.max(1, Math.min(requested, total));
    if (processes > cpus().length) {
      process.emitWarning(`populate: ${processes} processes on ${cpus().length} CPU cores.`, { code: 'DJ_POPULATE_PROCESSES' });
    }
    const report = new Report(options, target.name, target.database, mode, total);
    await report.start(processes);
    // Claims compare against the unrestricted key source only when there are restrictions.
    const claimSource = restrictions.length > 0 ? source : undefined;
    if (processes > 1) {
      return await runWorkers({ target, options, source, claimSource, queue, control, interrupt, report, budget, processes });
    }
    return await runSerial(target, options, source, claimSource, queue, control, interrupt, report, budget);
  } finally {
    restore();
    await control.close();
  }
}

/** The next key, and whether it is already in the target. */
interface NextKey {
  raw: Key;
  inTarget: boolean;
}

// One process: the next key is claimed (or read and checked) on the control connection
// while the current key's transaction runs on its own session, so a key costs the make's
// own statements and a COMMIT in sequence. A done job's completion rides along with the
// claim after next; a key claimed but never started (stop, limit, error) is released.
async function runSerial(
  target: PopulateTarget,
  options: PopulateOptions,
  source: KeySource,
  claimSource: KeySource | undefined,
  queue: JobQueue | undefined,
  control: ControlConnection,
  interrupt: Interrupt,
  report: Report,
  budget: number,
): Promise<PopulateResult> {
  const ctx: RunContext = {
    target,
    control: control.session,
    queue,
    who: queue ? await workerIdentity(control.session, target.jobs.versionMethod) : undefined,
    kwargs: options.makeKwargs ?? {},
    interrupt,
    jobMetadata: await target.hasJobMetadata(),
    version: jobVersion(target.jobs.versionMethod),
    deferComplete: true,
  };
  const keys = queue ? undefined : remainingKeys(control.session, source, target);
  const next = async (completing: Completion | undefined): Promise<NextKey | undefined> => {
    if (queue) {
      const job = await queue.claimJob(ctx.who!, { priority: options.priority, source: claimSource, completing });
      return job && { raw: job.key, inTarget: job.inTarget };
    }
    const n = await keys!.next();
    return n.done ? undefined : { raw: n.value, inTarget: await keyInTarget(control.session, target, n.value) };
  };
  let attempts = 0;
  /** Done jobs whose completion is not written yet (at most one while claims run ahead). */
  const completions: Completion[] = [];
  let ahead: Promise<NextKey | undefined> | undefined = budget > 0 && !interrupt.stopped ? next(undefined) : undefined;
  /** The previous key: made, its COMMIT sent, the answer still to come. */
  let committing: { raw: Key; key: Key; outcome: Outcome & { status: 'done' } } | undefined;
  /** The failure that ends the run (without suppressErrors). */
  let stop: { key: Key; message: string; error: unknown } | undefined;

  const record = (key: Key, outcome: Outcome): void => {
    if ((outcome.status === 'done' || outcome.status === 'skipped') && outcome.completing) completions.push(outcome.completing);
    if (outcome.status === 'done') report.keyDone(key, outcome.durationMs, process.pid);
    else if (outcome.status === 'failed' || outcome.status === 'interrupted') {
      report.keyFailed(key, outcome.message, outcome.error, process.pid);
      if (outcome.status === 'failed' && !options.suppressErrors) stop ??= { key, message: outcome.message, error: outcome.error };
    }
  };
  // The answer to a COMMIT sent earlier. One that failed (the session was lost or ended
  // by a signal) may still have been applied: the database says which.
  // Resolves true when the session was lost under that COMMIT.
  const settle = async (c: NonNullable<typeof committing>): Promise<boolean> => {
    try {
      await c.outcome.committed;
      record(c.key, c.outcome);
      return false;
    } catch (e) {
      const landed = await keyInTarget(control.session, target, c.raw).then(
        (yes) => (yes ? 'yes' : 'no'),
        () => 'unknown' as const,
      );
      if (landed === 'yes') record(c.key, c.outcome);
      else {
        const message = errorMessage(e);
        // Unknown (the control connection is down too): the job stays reserved, so the
        // next refresh re-pends it and a worker finds out whether the key is done.
        if (queue && landed === 'no') await queue.error(c.raw, message, e instanceof Error ? (e.stack ?? message) : message, ctx.who);
        record(c.key, { status: 'failed', error: e, message });
      }
      return true;
    }
  };

  let closingError: unknown;
  openSeries(ctx);
  try {
    while (ahead && !stop) {
      const item = await ahead;
      ahead = undefined;
      if (!item) break;
      if (interrupt.stopped) {
        if (queue) await queue.release(item.raw, await control.session.connectionId());
        break;
      }
      attempts++;
      if (attempts < budget) {
        while (completions.length > 1) {
          const c = completions.shift()!;
          await queue!.complete(c.key, c.durationSeconds);
        }
        ahead = next(completions.shift());
        // Settled below (awaited or released); a rejection is seen there, not as unhandled.
        ahead.catch(() => undefined);
      }
      const key = target.decodeKey(item.raw);
      // This key's make queues behind the previous key's COMMIT on the same session.
      const running: Promise<Outcome> = item.inTarget
        ? Promise.resolve({ status: 'skipped', completing: queue ? { key: item.raw } : undefined })
        : populateKey(ctx, item.raw, key, { checked: true, commitLater: true });
      let lost = false;
      let settleError: unknown;
      if (committing) {
        const c = committing;
        committing = undefined;
        // Whatever happens here, this key's make is awaited before anything else touches
        // its session (closing the series under a running make would commit half of it).
        lost = await settle(c).catch((e: unknown) => {
          settleError = e;
          return false;
        });
      }
      let outcome = await running;
      // This make was queued on the session lost under the previous COMMIT: it never had
      // a chance, so it runs once more on a new session.
      if (lost && outcome.status === 'failed' && !interrupt.stopped && isLostSession(outcome.error)) {
        outcome = await populateKey(ctx, item.raw, key, { checked: true });
      }
      if (outcome.status === 'done' && outcome.committed) committing = { raw: item.raw, key, outcome };
      else if (settleError === undefined) record(key, outcome);
      if (settleError !== undefined) throw settleError;
    }
  } finally {
    if (committing) {
      const c = committing;
      committing = undefined;
      // An error already on its way out wins over one from settling the last key.
      await settle(c).catch((e: unknown) => {
        closingError ??= e;
      });
    }
    await closeSeries(ctx);
    if (ahead) {
      const unstarted = await ahead.catch(() => undefined);
      if (unstarted && queue) await queue.release(unstarted.raw, await control.session.connectionId());
    }
    for (const c of completions) await queue?.complete(c.key, c.durationSeconds);
    await keys?.return(undefined);
  }
  if (closingError !== undefined) throw closingError;
  if (stop) throw new MakeError(target.name, stop.key, stop.message, stop.error, report.end(null));
  return report.end(interrupt.signal);
}

/** The error of a statement whose session is gone (translated or straight from the driver). */
function isLostSession(e: unknown): boolean {
  const err = e as { code?: unknown; fatal?: unknown; serverCode?: unknown; errno?: unknown };
  // 1927: ER_CONNECTION_KILLED (MariaDB), the session ended by KILL.
  return err?.code === 'lostConnection' || err?.fatal === true || err?.code === 'PROTOCOL_CONNECTION_LOST' || err?.serverCode === 1927 || err?.errno === 1927;
}

