// populate(): DataJoint's computation model (autopopulate.py: populate,
// _populate_direct, _populate_distributed; reference notes §6). Direct mode walks
// `keySource - target` in key order, a batch at a time; distributed mode claims jobs
// from the `~~name` table. With processes > 1 the same happens in worker processes.
import { cpus } from 'node:os';
import { JobQueue, type JobsTarget } from '../jobs/queue';
import { jobVersion, workerIdentity } from '../jobs/identity';
import type { SqlSession } from '../jobs/session';
import { openControl, type ControlConnection } from './control';
import { Interrupt, handleStopSignals } from './interrupt';
import { keyInTarget, keysInTarget, progressOf, remainingKeys, type KeySource } from './keysource';
import { checkOptions, type PopulateOptions, type PopulateResult } from './options';
import type { ConnectionLost } from './events';
import { isLostSession } from './lost-session';
import { countLeft, type LeftCounts } from './left';
import { MakeError, Report } from './report';
import { groupDue, KeyPace, type CommitGroup } from './commit-groups';
import { closeSeries, errorMessage, openSeries, populateKey, type Outcome, type RunContext, type RunEnd } from './runner';
import type { Key, PopulateTarget, Restriction, ServerAddress } from './target';
import { runWorkers } from './workers';

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
  const q = session.sql;
  const on = queue.target.keyColumns.map((k) => `${q.quote('$s')}.${q.quote(k.name)} = ${q.quote('$j')}.${q.quote(k.name)}`).join(' AND ');
  const [row] = await session.query<{ n: unknown }>(
    `SELECT COUNT(*) AS n FROM ${queue.fullName} AS ${q.quote('$j')} WHERE ${q.quote('$j')}.status = 'pending' AND ${q.quote('$j')}.scheduled_time <= CURRENT_TIMESTAMP(3)` +
      (priority !== undefined ? ` AND ${q.quote('$j')}.priority <= ?` : '') +
      ` AND EXISTS (SELECT 1 FROM (${source.sql.sql}) AS ${q.quote('$s')} WHERE ${on})`,
    [...(priority !== undefined ? [priority] : []), ...source.sql.params],
  );
  return Number(row?.n ?? 0);
}

export async function populateTarget(target: PopulateTarget, restrictions: readonly Restriction[], options: PopulateOptions = {}): Promise<PopulateResult> {
  const { budget, processes: requested, commitWindowMs } = checkOptions(options);
  if (target.inTransaction()) throw new Error('Populate cannot be called during a transaction.');
  const mode = options.reserveJobs ? 'reserved' : 'direct';
  const source = await target.keySource(restrictions);
  const control = await openControl(target.server);
  const interrupt = new Interrupt();
  const restore = options.handleSignals === false ? () => undefined : handleStopSignals(interrupt);
  try {
    let queue: JobQueue | undefined;
    // The count feeds only the progress bar, the events and the number of workers. The
    // reference takes it from the keys it fetches all at once (autopopulate.py:
    // _populate_direct); ours reads keys a window at a time, so the count is a query of
    // its own over the whole key source, sent only when something shows it.
    const counted = Boolean(options.displayProgress) || options.onEvent !== undefined || requested > 1;
    let total = 0;
    if (options.reserveJobs) {
      queue = new JobQueue(control.session, await jobsTargetOf(target), target.jobs);
      if (options.refresh ?? target.jobs.autoRefresh) {
        // delay -1 s: jobs added now are eligible at once despite clock granularity (autopopulate.py).
        await queue.refresh({ source, priority: options.priority, delay: -1 });
      } else {
        await queue.declare();
      }
      if (counted) total = await pendingCount(control.session, queue, source, options.priority);
    } else if (counted) {
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
    let end: RunEnd;
    try {
      end =
        processes > 1
          ? await runWorkers({ target, options, source, claimSource, queue, control, interrupt, report, budget, processes })
          : await runSerial(target, options, source, claimSource, queue, control, interrupt, report, budget, commitWindowMs);
    } catch (e) {
      const lost = e instanceof ServerGone ? e.cause : (await serverGone(control)) ? e : undefined;
      if (lost === undefined) throw e;
      throw new ConnectionLostError(target.server, lost, report.end(interrupt.signal, null, connectionLost(target.server, lost)));
    }
    let left: LeftCounts | null = null;
    let lost: unknown;
    try {
      left = await countLeft(control.session, target, source, queue, { failed: report.failed, interrupted: report.interrupted });
    } catch (e) {
      if (!(await serverGone(control))) throw e;
      lost = e;
    }
    const result = report.end(end.firstError ? null : interrupt.signal, left, lost === undefined ? null : connectionLost(target.server, lost));
    if (lost !== undefined) throw new ConnectionLostError(target.server, lost, result);
    if (end.firstError) throw new MakeError(target.name, end.firstError.key, end.firstError.message, end.firstError.error, result);
    return result;
  } finally {
    restore();
    await control.close();
  }
}

/** The next key, and whether it is already in the target. */
interface NextKey {
  raw: Key;
  inTarget: boolean;
  /** Made again after its group was lost: alone, checked in its transaction, not counted twice. */
  alone?: boolean;
}

// One process: the next key is claimed (or read and checked) on the control connection
// while the current key's transaction runs on its own session, so a key costs the make's
// own statements, its job's completion and (for a make as long as the commit window) a
// COMMIT in sequence; the keys of short makes commit a window at a time
// (commit-groups.ts). A key reserved ahead waits for the answer to the previous COMMIT:
// with makes as long as the window, at most two keys are reserved at any moment, the one
// in progress and the one claimed ahead; with short ones, at most a group, the keys
// claimed for it and the next window's claim (taken while half of the current window's
// keys are still to start, so that no key waits for a claim). No claim goes beyond the
// limit, none once a stop is requested, and the keys claimed but never started (stop,
// limit, error) are released together.
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
  windowMs: number,
): Promise<RunEnd> {
  const ctx: RunContext = {
    target,
    control: control.session,
    queue,
    who: queue ? await workerIdentity(control.session, target.jobs.versionMethod) : undefined,
    kwargs: options.makeKwargs ?? {},
    interrupt,
    jobMetadata: await target.hasJobMetadata(),
    version: jobVersion(target.jobs.versionMethod),
  };
  const keys = queue ? undefined : remainingKeys(control.session, source, target);
  /** Keys made in a group that the server ended: made again, each alone. */
  const again: NextKey[] = [];
  /**
   * Keys claimed (or read) and checked together, a window's worth in one statement each
   * (commit-groups.ts: KeyPace.claimSize), not started yet. Slow keys come one at a time,
   * each checked just before it starts, as the reference checks it.
   */
  const ready: NextKey[] = [];
  const pace = new KeyPace();
  let attempts = 0;
  /** Keys handed out by `next` (claimed or read, then started or released), retries aside. */
  let taken = 0;
  /** The claim (or read) filling `ready`, while one is under way. */
  let filling: Promise<void> | undefined;
  /** How many keys the last fill took. */
  let lastFill = 0;
  const fill = (): Promise<void> => {
    const size = pace.claimSize(windowMs, budget - taken - ready.length);
    if (size < 1) return Promise.resolve();
    const run = async (): Promise<void> => {
      if (queue) {
        const jobs = await queue.claimJobs(ctx.who!, size, { priority: options.priority, source: claimSource });
        ready.push(...jobs.map((j) => ({ raw: j.key, inTarget: j.inTarget })));
        lastFill = jobs.length;
      } else {
        const raws: Key[] = [];
        while (raws.length < size) {
          const n = await keys!.next();
          if (n.done) break;
          raws.push(n.value);
        }
        const found = await keysInTarget(control.session, target, raws);
        ready.push(...raws.map((raw, i) => ({ raw, inTarget: found[i]! })));
        lastFill = raws.length;
      }
    };
    // A fill that failed stays in `filling`: the next key that needs it throws its error.
    const f = run();
    f.then(
      () => {
        if (filling === f) filling = undefined;
      },
      () => undefined,
    );
    filling = f;
    return f;
  };
  /** The failure that ends the run (without suppressErrors): no claim ahead after it. */
  let stop: RunEnd['firstError'];
  const next = async (): Promise<NextKey | undefined> => {
    const retry = again.shift();
    if (retry) return retry;
    if (ready.length === 0) await (filling ?? fill());
    const item = ready.shift();
    if (!item) return undefined;
    taken++;
    // Short keys: the next window's keys are claimed (or read) while half of this one's are
    // still to be made, so that no key waits for a claim's round trips and COMMIT. Slow
    // keys, and keys claimed one at a time, are claimed one ahead only (below, `ahead`).
    if (!filling && lastFill > 1 && ready.length <= lastFill / 2 && pace.shorterThan(windowMs) && !interrupt.stopped && !stop) {
      void fill();
    }
    return item;
  };
  let ahead: Promise<NextKey | undefined> | undefined = budget > 0 && !interrupt.stopped ? next() : undefined;
  /** Keys made in the series' open group, its COMMIT not sent yet. */
  let open: CommitGroup | undefined;
  /** Groups (and keys alone) whose COMMIT is sent, the answer still to settle. */
  const sent: CommitGroup[] = [];

  const record = async (key: Key, outcome: Outcome): Promise<void> => {
    if (outcome.status === 'done') report.keyDone(key, outcome.durationMs, process.pid);
    else if (outcome.status === 'interrupted') report.keyInterrupted();
    else if (outcome.status === 'failed') {
      // A make cut off because the server went away did not fail: the run did.
      if (isLostSession(outcome.error) && (await serverGone(control))) throw new ServerGone(outcome.error);
      report.keyFailed(key, outcome.message, outcome.error, process.pid);
      if (!options.suppressErrors) stop ??= { key, message: outcome.message, error: outcome.error };
    }
  };
  /** Sends the open group's COMMIT (also when it has no key: the series' group ends). */
  const flush = (): void => {
    const g = open;
    open = undefined;
    // The group's jobs are completed by one statement before its COMMIT (runner.ts: completeWithGroup).
    const deferred = g?.members.filter((m) => m.outcome.completionDeferred).map((m) => m.raw) ?? [];
    const final = deferred.length ? queue!.groupCompletionSql(deferred) : undefined;
    const committed = final ? ctx.series?.commitGroupWith?.(final) : ctx.series?.commitGroup?.();
    if (!committed) return;
    // Seen when settled; never an unhandled rejection meanwhile.
    committed.catch(() => undefined);
    if (g) sent.push({ ...g, committed });
  };
  // The answer to a COMMIT sent earlier. One that failed (the session was lost or ended
  // by a signal) may still have been applied: the database says which, key by key.
  // Resolves true when the session was lost under that COMMIT.
  const settle = async (g: CommitGroup): Promise<boolean> => {
    try {
      await g.committed;
      for (const m of g.members) await record(m.key, m.outcome);
      return false;
    } catch (e) {
      const groupLost = (e as Error)?.name === 'GroupLost';
      for (const m of g.members) {
        const landed = await keyInTarget(control.session, target, m.raw).then(
          (yes) => (yes ? 'yes' : 'no'),
          () => 'unknown' as const,
        );
        if (landed === 'yes') {
          // Ours when its COMMIT's answer was cut off; another worker's when the server had
          // ended our group before it.
          if (!groupLost) await record(m.key, m.outcome);
          else {
            if (queue) await queue.complete(m.raw);
            await record(m.key, { status: 'skipped' });
          }
        } else if (landed === 'unknown') {
          // The control connection is down too: the job stays reserved, so the next refresh
          // re-pends it and a worker finds out whether the key is done.
          throw new ServerGone(e);
        } else if (interrupt.aborted) {
          // Ended with the make interrupted after it: back to pending, never an error.
          if (queue) await queue.release(m.raw, await control.session.connectionId());
          report.keyInterrupted();
        } else if (groupLost || g.members.length > 1) {
          // Nothing of this key's own doing failed: it is made again, alone.
          again.push({ raw: m.raw, inTarget: false, alone: true });
        } else {
          const message = errorMessage(e);
          if (queue) await queue.error(m.raw, message, e instanceof Error ? (e.stack ?? message) : message, ctx.who);
          await record(m.key, { status: 'failed', error: e, message });
        }
      }
      return true;
    }
  };
  /** Settles every COMMIT sent; the first error is thrown once all are settled. */
  const settleSent = async (): Promise<boolean> => {
    let lost = false;
    let error: unknown;
    for (const g of sent.splice(0)) {
      try {
        lost = (await settle(g)) || lost;
      } catch (e) {
        error ??= e;
      }
    }
    if (error !== undefined) throw error;
    return lost;
  };

  const readAhead = () => {
    if ((attempts >= budget && again.length === 0) || interrupt.stopped) return;
    ahead = next();
    // Settled below (awaited or released); a rejection is seen there, not as unhandled.
    ahead.catch(() => undefined);
  };

  let closingError: unknown;
  openSeries(ctx);
  try {
    while (!stop) {
      let item = ahead ? await ahead : undefined;
      ahead = undefined;
      if (!item) {
        // Nothing more to claim or read: what is made commits now, and a key that its
        // settling hands back is made again.
        flush();
        await settleSent();
        item = again.shift();
        if (!item || stop) break;
      }
      if (interrupt.stopped) {
        if (queue) await queue.release(item.raw, await control.session.connectionId());
        break;
      }
      if (!item.alone) attempts++;
      const startedAt = performance.now();
      pace.keyStarted(startedAt);
      // Direct mode reads the next key at once; reserved mode claims it once the previous
      // COMMIT is answered (below).
      if (!queue) readAhead();
      const key = target.decodeKey(item.raw);
      // A key made alone (again) starts after the open group's COMMIT.
      if (item.alone) flush();
      // This key's make queues behind the previous COMMIT on the same session. A key
      // already in the target has its job completed at once: never left reserved.
      const running: Promise<Outcome> = item.inTarget
        ? (queue?.complete(item.raw) ?? Promise.resolve()).then(() => ({ status: 'skipped' }) as const)
        : populateKey(ctx, item.raw, key, {
            checked: !item.alone,
            commitLater: true,
            step: windowMs > 0 && !item.alone,
            afterOthers: (open?.members.length ?? 0) > 0,
            completeWithGroup: queue?.completesGroups() ?? false,
          });
      // Settled below (awaited); a rejection is seen there, not as unhandled.
      running.catch(() => undefined);
      let lost = false;
      let settleError: unknown;
      // Whatever happens here, this key's make is awaited before anything else touches its
      // session (closing the series under a running make would commit half of it).
      lost = await settleSent().catch((e: unknown) => {
        settleError = e;
        return false;
      });
      if (queue && settleError === undefined) readAhead();
      let outcome = await running;
      // This make was queued on the session lost under the previous COMMIT: it never had
      // a chance, so it runs once more on a new session.
      if (lost && outcome.status === 'failed' && !interrupt.aborted && isLostSession(outcome.error)) {
        flush();
        await settleSent().catch((e: unknown) => {
          settleError ??= e;
        });
        outcome = await populateKey(ctx, item.raw, key, { checked: true });
      }
      if (settleError !== undefined) throw settleError;
      if (outcome.status === 'done' && outcome.inGroup) {
        open ??= { members: [], started: startedAt };
        open.members.push({ raw: item.raw, key, outcome });
        if (groupDue(open, windowMs, performance.now(), interrupt.stopped, pace)) flush();
      } else if (outcome.status === 'done' && outcome.committed) {
        sent.push({ members: [{ raw: item.raw, key, outcome }], started: startedAt, committed: outcome.committed });
      } else {
        // The keys before this one are reported first: the group commits now (a failed
        // key was undone alone, connection/step-undo.ts; its row locks go with the COMMIT).
        flush();
        await settleSent();
        if (outcome.status === 'failed' && outcome.again) again.push({ raw: item.raw, inTarget: false, alone: true });
        else await record(key, outcome);
      }
    }
  } finally {
    flush();
    // An error already on its way out wins over one from settling the last keys.
    await settleSent().catch((e: unknown) => {
      closingError ??= e;
    });
    await closeSeries(ctx);
    // The claim ahead first, then the window's fill: they may still be adding jobs to `ready`.
    const next = ahead ? await ahead.catch(() => undefined) : undefined;
    await filling?.catch(() => undefined);
    const unstarted = [...(next ? [next.raw] : []), ...ready.splice(0).map((k) => k.raw), ...again.splice(0).map((k) => k.raw)];
    if (queue && unstarted.length > 0) {
      const connectionId = await control.session.connectionId().catch(() => undefined);
      // One statement for them all; should it fail, each alone, so that one bad job keeps
      // no other reserved.
      if (connectionId !== undefined) {
        try {
          await queue.releaseAll(unstarted, connectionId);
        } catch {
          for (const raw of unstarted) await queue.release(raw, connectionId).catch(() => undefined);
        }
      }
    }
    await keys?.return(undefined);
  }
  if (closingError !== undefined) throw closingError;
  return { firstError: stop };
}

/** The run's own connection cannot reach the server any more (it reconnects once to find out). */
export async function serverGone(control: ControlConnection): Promise<boolean> {
  return control.session.query('SELECT 1 AS x').then(
    () => false,
    (e: unknown) => isLostSession(e) || /ECONN|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|closed state/i.test(String((e as Error)?.message ?? e)),
  );
}

/** Raised inside a run loop when the server went away under it. */
export class ServerGone extends Error {
  constructor(override readonly cause: unknown) {
    super(errorMessage(cause));
  }
}

function connectionLost(server: ServerAddress, e: unknown): ConnectionLost {
  return { server: `${server.host}:${server.port}`, message: e instanceof Error ? e.message : String(e) };
}

/**
 * The database server went away mid-run: the keys reported done are committed, the key in
 * progress was rolled back by the server, and its job (if any) stays reserved until a
 * refresh re-pends it. `result` is the run's result as far as it is known.
 */
export class ConnectionLostError extends Error {
  readonly code = 'lostConnection';
  constructor(
    readonly server: ServerAddress,
    cause: unknown,
    readonly result: PopulateResult,
  ) {
    super(
      `lost the database server at ${server.host}:${server.port} mid-run (${cause instanceof Error ? cause.message : String(cause)}); ` +
        'the keys reported done are committed, the key in progress was rolled back. Check that the server is running and reachable, then run populate again.',
      { cause },
    );
    this.name = 'ConnectionLostError';
  }

  toOneLine(): string {
    return this.message;
  }
}
