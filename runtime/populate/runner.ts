// One key through make, in the reference's order (autopopulate.py: _populate1; notes
// §6.5, §6.6): reserve (done by the caller), a transaction per key whose first statement
// checks the key is still missing, make (or the three-part make with its re-fetch
// verification), the job marked complete, commit, the hidden job metadata; or the job
// marked error. The job's completion is the transaction's last statement (the reference
// completes it after the commit, on its own): a worker killed between the two would leave
// a reservation for a key already in the target, which no Python worker ever recovers.
// Target rows are locked before the job row, the order every other writer of both keeps.
import { JobQueue } from '../jobs/queue';
import type { WorkerIdentity } from '../jobs/identity';
import type { SqlSession, TransactionSeriesLike } from '../jobs/session';
import { canonicalHash } from './hash';
import { keyInTargetSql } from './keysource';
import { isLostSession } from './lost-session';
import { InterruptedError, settledWithin, type Interrupt } from './interrupt';
import type { Key, MakeKwargs, PopulateTarget } from './target';

export interface RunContext {
  target: PopulateTarget;
  /** The worker's own connection: job queue and, on interrupt, killing the make's session. */
  control: SqlSession;
  queue?: JobQueue;
  who?: WorkerIdentity;
  kwargs: MakeKwargs;
  interrupt: Interrupt;
  jobMetadata: boolean;
  version: string;
  /** The target session's transaction series, when the caller opened one (a loop over keys). */
  series?: TransactionSeriesLike;
  /** The job queue on make's session, so that a job's completion joins make's transaction. */
  makeQueue?: JobQueue;
}

/** Opens the target session's transaction series when it has one (closed with closeSeries). */
export function openSeries(ctx: RunContext): void {
  ctx.series ??= ctx.target.session.series?.();
}

export async function closeSeries(ctx: RunContext): Promise<void> {
  const s = ctx.series;
  ctx.series = undefined;
  await s?.close();
}

export type Outcome =
  | {
      status: 'done';
      durationMs: number;
      /** With `commitLater`: settles when the server answers the key's COMMIT. */
      committed?: Promise<void>;
      /** With `step`: made in the series' open group, committed when the caller commits the group. */
      inGroup?: boolean;
      /** With `completeWithGroup`: the job's completion is the caller's, in the group's last statement. */
      completionDeferred?: boolean;
    }
  | { status: 'skipped' }
  | {
      status: 'failed';
      error: unknown;
      message: string;
      /** With `step`: the server ended the whole group's transaction, its earlier keys' work too. */
      groupLost?: boolean;
      /** Not this key's failure (see KeyOptions.afterOthers): no error job; to be made again, alone. */
      again?: boolean;
    }
  | { status: 'interrupted'; error: InterruptedError; message: string };

/**
 * How a run loop ended (populate.ts: one process; workers.ts: several): the failure that
 * stopped it (without suppressErrors), if any.
 */
export interface RunEnd {
  firstError?: { key: Key; message: string; error: unknown };
}

/** `ErrorClass: message`, or the class alone for an empty message (autopopulate.py: _populate1). */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) {
    const name = e.name || e.constructor?.name || 'Error';
    return e.message ? `${name}: ${e.message}` : name;
  }
  return `Error: ${String(e)}`;
}

// tsx loads a pipeline module under a data: URL that embeds its whole source; frames
// keep only the file path it carries, so stored stacks stay readable and small.
const TSX_FRAME = /data:text\/javascript,\S*?\?filePath=([^\s):]+)/g;

function stackOf(e: unknown): string {
  if (e instanceof Error && e.stack) return e.stack.replace(TSX_FRAME, (_m, path: string) => decodeURIComponent(path).replace(/\?namespace=.*$/, ''));
  return errorMessage(e);
}

/** Raised inside make's transaction when the key is already in the target: roll back, skip. */
class AlreadyDone extends Error {}

export class ChangedInputsError extends Error {
  constructor(table: string) {
    super(`Referential integrity failed! The makeFetch data of ${table} changed between makeCompute and makeInsert.`);
    this.name = 'DataJointError';
  }
}

function localDatetime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}


/** A duplicate-key error: make inserted a key that may have been computed meanwhile. */
function isDuplicate(e: unknown): boolean {
  const err = e as { code?: unknown; errno?: unknown; serverCode?: unknown };
  return err?.code === 'duplicate' || err?.code === 'ER_DUP_ENTRY' || err?.errno === 1062 || err?.serverCode === 1062;
}

export interface KeyOptions {
  /**
   * The caller has just found the key missing from the target (populate's loop checks
   * the next key while the current one's transaction runs), so the transaction skips
   * that first statement. A key computed by another worker in between then surfaces
   * as a duplicate on insert and is reported as skipped, not failed.
   */
  checked?: boolean;
  /**
   * Return once the key's COMMIT is sent (the series' transactionSent), with the outcome's
   * `committed` to wait for: the caller starts the next key meanwhile.
   */
  commitLater?: boolean;
  /**
   * Make the key as a step of the series' open group of transactions (commit-groups.ts):
   * after a savepoint, committed later with the group's other keys. Where a step is not
   * possible (the three-part make, hidden job metadata) the key commits alone.
   */
  step?: boolean;
  /**
   * With `step`: the open group already holds keys. A session lost under such a step may
   * have been lost under an earlier key: the key is then not failed but handed back
   * (`again`) to be made alone.
   */
  afterOthers?: boolean;
  /**
   * With `step`: the key's job is completed by the caller, for the whole group in one
   * statement just before the group's COMMIT (TransactionSeries.commitGroupWith), not by
   * a statement of its own in the key's step.
   */
  completeWithGroup?: boolean;
}

/** TransactionSeries.step's failure (connection/index.ts: StepFailed), by name: the series may come from another copy of the runtime. */
function stepFailure(e: unknown): { cause: unknown; groupKept: boolean } | undefined {
  const f = e as { name?: unknown; cause?: unknown; groupKept?: unknown };
  return e instanceof Error && f.name === 'StepFailed' && typeof f.groupKept === 'boolean' ? { cause: f.cause, groupKept: f.groupKept } : undefined;
}

/**
 * Runs make for one key. `raw` holds the key as the database returned it (used in SQL);
 * `key` the same key as the table's value mapping decodes it (given to make).
 */
export async function populateKey(ctx: RunContext, raw: Key, key: Key, opts: KeyOptions = {}): Promise<Outcome> {
  const { target, interrupt } = ctx;
  const hooks = target.hooks;
  const q = target.session.sql;
  const pk = Object.keys(raw);
  const whereParams = pk.map((k) => raw[k]);
  // Built when first needed: a key checked ahead and made without trouble needs neither.
  let exists: string | undefined;
  const existsSql = (): string => (exists ??= keyInTargetSql(q, target, raw, `, ${q.sessionId} AS cid`).sql);
  const checked = Boolean(opts.checked && ctx.series);
  let makeSession: number | undefined;
  const start = Date.now();
  const startHr = performance.now();

  // Not for hidden job metadata (written after the commit) nor for the three-part make,
  // whose makeFetch runs outside the transaction on another session and must see the
  // previous key committed, as its re-fetch inside the transaction will.
  const later =
    opts.commitLater && hooks.make && !ctx.jobMetadata && ctx.series?.transactionSent ? ctx.series : undefined;
  const stepped = later && opts.step && later.step ? later : undefined;
  const deferCompletion = Boolean(stepped && opts.completeWithGroup && stepped.commitGroupWith);
  if (ctx.queue) ctx.makeQueue ??= new JobQueue(target.session, ctx.queue.target, ctx.queue.settings, true);
  let commitSent: Promise<void> | undefined;
  const transaction = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (stepped) return stepped.step!(fn);
    if (later) {
      const { value, committed } = await later.transactionSent!(fn);
      commitSent = committed;
      return value;
    }
    return ctx.series ? ctx.series.transaction(fn) : target.session.transaction(fn);
  };
  const inTransaction = async (body: () => Promise<void>) =>
    transaction(async () => {
      // A make abandoned by an interrupt must not open a transaction afterwards.
      if (interrupt.aborted) throw new InterruptedError(interrupt.signal ?? 'SIGINT');
      if (checked) {
        makeSession = ctx.series!.connectionId();
      } else {
        const [row] = await target.session.query<{ e: number | string; cid: number | string }>(existsSql(), whereParams);
        makeSession = Number(row!.cid);
        if (Number(row!.e)) throw new AlreadyDone();
      }
      await target.allowInserts(body);
      // Last, after the target's rows: see the header.
      if (!deferCompletion) await ctx.makeQueue?.complete(raw, (performance.now() - startHr) / 1000);
    });

  const work = async (): Promise<void> => {
    if (hooks.makeFetch && hooks.makeCompute && hooks.makeInsert && !hooks.make) {
      // Fetch and compute outside any transaction; then re-fetch inside a short one and
      // insert only if the inputs are unchanged (notes §6.6).
      if (!checked) {
        const [pre] = await target.session.query<{ e: number | string }>(existsSql(), whereParams);
        if (Number(pre!.e)) throw new AlreadyDone();
      }
      const fetched = await hooks.makeFetch({ ...key }, ctx.kwargs);
      const before = canonicalHash(fetched);
      const computed = await hooks.makeCompute({ ...key }, fetched);
      await inTransaction(async () => {
        const again = await hooks.makeFetch!({ ...key }, ctx.kwargs);
        if (canonicalHash(again) !== before) throw new ChangedInputsError(target.name);
        await hooks.makeInsert!({ ...key }, computed);
      });
    } else if (hooks.make) {
      await inTransaction(async () => {
        await hooks.make!({ ...key }, ctx.kwargs);
      });
    } else {
      throw new TypeError(`${target.name} defines neither make(key) nor makeFetch, makeCompute and makeInsert.`);
    }
  };

  const alreadyDone = async (): Promise<Outcome> => {
    if (ctx.queue) await ctx.queue.complete(raw);
    return { status: 'skipped' };
  };

  let committed = false;
  const running = work().then(() => {
    committed = true;
  });
  let groupLost = false;
  try {
    await interrupt.race(running);
  } catch (thrown) {
    const failedStep = stepFailure(thrown);
    if (failedStep) groupLost = !failedStep.groupKept;
    const e = failedStep ? failedStep.cause : thrown;
    if (e instanceof AlreadyDone) return alreadyDone();
    // Rolled back: if the key is in the target now, another worker computed it.
    if (isDuplicate(e)) {
      const [row] = await ctx.control.query<{ e: number | string }>(existsSql(), whereParams).catch(() => [] as Array<{ e: number | string }>);
      if (Number(row?.e)) return alreadyDone();
    }
    let error = e;
    if (e instanceof InterruptedError) {
      // Roll back now rather than after make's next await: end the make's server
      // session, which discards its open transaction (connection.py: cancel_transaction).
      if (makeSession !== undefined) {
        // The previous key's COMMIT may still be queued on this session: let it be answered
        // first, so that the KILL ends only this key's transaction.
        await settledWithin(ctx.series?.commitAnswered?.(), 2000);
        // The embedded database would run the control's statement only after this very
        // transaction: there the make's session is closed from here instead.
        if (target.session.abortTransaction) target.session.abortTransaction();
        else await ctx.control.execute(ctx.control.sql.endSession, [Number(makeSession)]).catch(() => undefined);
      }
      await settledWithin(running, 2000);
      // The signal came while COMMIT was on its way: the key may be done, even when the
      // KILL cut off the commit's reply. The database knows.
      if (committed && commitSent) committed = await commitSent.then(
        () => true,
        () => false,
      );
      if (!committed) {
        const [row] = await ctx.control.query<{ e: number | string }>(existsSql(), whereParams).catch(() => [] as Array<{ e: number | string }>);
        committed = Number(row?.e) === 1;
      }
    }
    if (!committed) {
      const message = errorMessage(error);
      if (error instanceof InterruptedError) {
        // Back to pending with its place in the queue, never an error job (interrupt.ts).
        if (ctx.queue) await ctx.queue.release(raw, await ctx.control.connectionId());
        return { status: 'interrupted', error, message };
      }
      if (groupLost && opts.afterOthers && isLostSession(error)) return { status: 'failed', error, message, groupLost, again: true };
      if (ctx.queue) await ctx.queue.error(raw, message, stackOf(error), ctx.who);
      return { status: 'failed', error, message, ...(groupLost ? { groupLost } : {}) };
    }
  }
  const durationMs = performance.now() - startHr;
  if (ctx.jobMetadata) {
    const full = q.qualified(target.database, target.tableName);
    const where = pk.map((k) => `${q.quote(k)} = ?`).join(' AND ');
    await target.session.execute(
      `UPDATE ${full} SET ${q.quote('_job_start_time')} = ?, ${q.quote('_job_duration')} = ?, ${q.quote('_job_version')} = ? WHERE ${where}`,
      [localDatetime(start), durationMs / 1000, ctx.version.slice(0, 64), ...whereParams],
    );
  }
  return { status: 'done', durationMs, committed: commitSent, ...(stepped ? { inGroup: true } : {}), ...(deferCompletion && ctx.queue ? { completionDeferred: true } : {}) };
}
