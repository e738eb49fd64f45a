// The `~~name` job queue of one auto-populated table (jobs.py: Job), written in
// set-based SQL: refresh adds every new key with one INSERT … SELECT, workers claim the
// next pending job with SELECT … FOR UPDATE SKIP LOCKED, and reservations whose holder is
// known to be dead are re-pended (holder.ts; reference notes §7; our decisions at the top).
import { retryDeadlocks } from './deadlock';
import { jobsTableName, jobsTableStatements, lineageTableStatements, truncateErrorMessage, JOB_STATUSES, type JobKeyColumn, type JobStatus } from './definition';
import type { Row, Sql, SqlSession } from './session';
import type { SqlFragments } from '../dialect/fragments';
import { dialectFor } from '../dialect/index';
import { packErrorStack } from '../blob/index';
import type { WorkerIdentity } from './identity';
import { holderState, type HolderState } from './holder';
import { keyInTarget, keyListSql, keysInTarget, notInTarget, restrictedSource, type KeySource } from '../populate/keysource';

export type Key = Record<string, unknown>;

export interface JobsTarget {
  database: string;
  /** The auto-populated table, e.g. `__analysis`. */
  tableName: string;
  /** The jobs table's primary key: the target's FK-derived primary-key attributes. */
  keyColumns: readonly JobKeyColumn[];
  keySource: KeySource;
}

export interface JobsSettingsLike {
  keepCompleted: boolean;
  staleTimeout: number;
  defaultPriority: number;
}

export const DEFAULT_JOBS_SETTINGS: JobsSettingsLike = { keepCompleted: false, staleTimeout: 3600, defaultPriority: 5 };

export interface RefreshOptions {
  /** The key source restricted by populate's restrictions (default: all of it). */
  source?: KeySource;
  /** Seconds until the new jobs become eligible (server clock); may be negative. */
  delay?: number;
  priority?: number;
  staleTimeout?: number;
  /**
   * Reserved longer than this many seconds: back to pending (the reference's rule), unless
   * the holder is known to be alive. Reservations of holders known dead always are.
   */
  orphanTimeout?: number;
}

export interface RecoverOptions {
  /** Also take reservations older than this many seconds whose holder may be dead (the time rule). */
  olderThan?: number;
  /** The priority the re-pended jobs get (default: each keeps its own). */
  priority?: number;
  /** Only the reservations of this worker process (the Workers view's Recover of one holder). */
  holder?: { host: string; pid: number };
}

/** What recovery did with the reservations it took from their holders. */
export interface RecoverResult {
  /** Back to pending. */
  rePended: Key[];
  /** Already in the target: completed (deleted, or `success` with keep_completed), never re-pended. */
  completed: Key[];
}

export interface RefreshResult {
  added: number;
  removed: number;
  orphaned: number;
  rePended: number;
}

export type JobCounts = Record<JobStatus | 'total', number>;

/** A finished job whose completion is still to be written. */
export interface Completion {
  key: Key;
  durationSeconds?: number;
}

export interface ClaimOptions {
  /** Only jobs of this priority or more urgent (lower). */
  priority?: number;
  /** The restricted key source: only its keys are claimed. */
  source?: KeySource;
  /** The previous job to mark complete first (one round trip less per job). */
  completing?: Completion;
}

/** A reserved job, and whether its key is already in the target (then make is skipped). */
export interface ClaimedJob {
  key: Key;
  inTarget: boolean;
}

export interface JobRow {
  key: Key;
  status: JobStatus;
  priority: number;
  createdTime: Date | null;
  scheduledTime: Date | null;
  reservedTime: Date | null;
  completedTime: Date | null;
  duration: number | null;
  errorMessage: string;
  user: string;
  host: string;
  pid: number;
  connectionId: number;
  version: string;
  /** Of a reserved job: whether its holder still lives (holder.ts); null for other statuses. */
  holder: HolderState | null;
}

/** An error job as triage needs it (runtime/jobs/triage.ts): key, message, when and where; no stack. */
export interface ErrorEntry {
  key: Key;
  errorMessage: string;
  completedTime: Date | null;
  reservedTime: Date | null;
  priority: number;
  host: string;
  pid: number;
  user: string;
  version: string;
}

/**
 * Keys bound by one statement at most when acting on a set of keys: a group of thousands
 * in several statements, within the 65535 parameters MySQL and PostgreSQL bind.
 */
export const KEY_BATCH = 500;

/** Validated priority: the column is int8, so 0..127 (our decision, notes 11.3 #13). */
export function checkPriority(p: number): number {
  if (!Number.isInteger(p) || p < 0 || p > 127) throw new RangeError(`Job priority must be an integer from 0 to 127, got ${p}.`);
  return p;
}

const ALL: Sql = { sql: 'TRUE', params: [] };

/** SQL: the connection recorded on a row of `jobs` (a quoted alias or name) is open on the server. */
const OPEN = (q: SqlFragments, jobs: string): string => q.sessionOpen(`${jobs}.connection_id`);

// Everything a re-pended job carries, as if deleted and inserted again (jobs.py: refresh);
// the priority parameter may be NULL: the job keeps its own.
const RESET = (q: SqlFragments): string =>
  [
    `${q.quote('status')}='pending'`,
    `${q.quote('priority')}=COALESCE(?, ${q.quote('priority')})`,
    `${q.quote('created_time')}=CURRENT_TIMESTAMP(3)`,
    `${q.quote('scheduled_time')}=CURRENT_TIMESTAMP(3)`,
    ...['reserved_time', 'completed_time', 'duration', 'error_stack'].map((c) => `${q.quote(c)}=NULL`),
    ...['error_message', 'user', 'host', 'version'].map((c) => `${q.quote(c)}=''`),
    ...['pid', 'connection_id'].map((c) => `${q.quote(c)}=0`),
  ].join(', ');

/** ` LIMIT n` for a whole number n >= 0 (written into the SQL, so checked here), '' for none. */
function limitClause(limit: number | undefined): string {
  if (limit === undefined) return '';
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`A limit of jobs must be a whole number >= 0, not ${limit}`);
  return ` LIMIT ${limit}`;
}

export class JobQueue {
  readonly tableName: string;
  readonly fullName: string;
  /** The auto-populated table itself. */
  private readonly targetName: string;
  private declared = false;
  /** The backend's statement forms. */
  private readonly q: SqlFragments;

  constructor(
    readonly session: SqlSession,
    readonly target: JobsTarget,
    readonly settings: JobsSettingsLike = DEFAULT_JOBS_SETTINGS,
    /**
     * The queue's statements may run inside its caller's transactions (make's, for a job's
     * completion; a user's, around the table's jobs): a deadlock there ended the whole
     * transaction, so nothing is retried. populate's own queue, on its control connection
     * in autocommit, retries (deadlock.ts).
     */
    private readonly inCallersTransactions = false,
  ) {
    this.q = session.sql;
    this.tableName = jobsTableName(target.tableName);
    this.fullName = this.q.qualified(target.database, this.tableName);
    this.targetName = this.q.qualified(target.database, target.tableName);
    const ksKey = new Set(target.keySource.primaryKey);
    for (const k of target.keyColumns) {
      if (!ksKey.has(k.name)) {
        throw new Error(`The key source of ${this.q.qualified(target.database, target.tableName)} lacks the job key attribute ${k.name}.`);
      }
    }
  }

  private get keyNames(): string[] {
    return this.target.keyColumns.map((k) => k.name);
  }

  private keyWhere(key: Key, alias?: string): Sql {
    const params: unknown[] = [];
    const parts = this.keyNames.map((k) => {
      if (!(k in key)) throw new Error(`Job key lacks attribute ${k}: ${JSON.stringify(Object.keys(key))}`);
      params.push(key[k]);
      return `${alias ? `${this.q.quote(alias)}.` : ''}${this.q.quote(k)} = ?`;
    });
    return { sql: parts.join(' AND '), params };
  }

  /**
   * Conditions naming `keys` by their whole keys, for statements that must touch no other
   * row. On MySQL one per key: InnoDB scans a small table for an OR of keys and, at
   * REPEATABLE READ, keeps a lock on every row it read, which other workers (DataJoint for
   * Python's reserve among them) then wait on or deadlock with. PostgreSQL locks only the
   * rows it changes: one condition for them all.
   */
  private byKeys(keys: readonly Key[]): Sql[] {
    const each = keys.map((k) => this.keyWhere(k));
    if (this.q.backend === 'mysql' || each.length <= 1) return each;
    return [{ sql: each.map((p) => `(${p.sql})`).join(' OR '), params: each.flatMap((p) => p.params) }];
  }

  /**
   * One UPDATE's table and condition for the rows of `keys`. On MySQL the table is read
   * through its primary key (FORCE INDEX, which MySQL and MariaDB accept in a single-table
   * UPDATE but not in a single-table DELETE): the statement then visits exactly those rows,
   * whatever the optimizer would estimate for a small table, and waits on no other
   * worker's (see byKeys).
   */
  private updateByKeys(keys: readonly Key[]): Sql & { table: string } {
    // PostgreSQL, or one key: byKeys gives one condition.
    if (this.q.backend !== 'mysql' || keys.length <= 1) return { table: this.fullName, ...this.byKeys(keys)[0]! };
    for (const k of keys) this.keyWhere(k); // each job's whole key, or a clear error
    return { table: `${this.fullName} FORCE INDEX (PRIMARY)`, ...keyListSql(this.q, this.keyNames, keys) };
  }

  private pick(row: Row): Key {
    const key: Key = {};
    for (const k of this.keyNames) key[k] = row[k];
    return key;
  }

  async exists(): Promise<boolean> {
    const rows = await this.session.query(
      'SELECT 1 AS x FROM information_schema.tables WHERE table_schema = ? AND table_name = ?',
      [this.target.database, this.tableName],
    );
    return rows.length > 0;
  }

  /** Creates the table as the reference does (and its `~lineage` rows), once per queue object. */
  async declare(): Promise<void> {
    if (this.declared) return;
    if (!(await this.exists())) {
      const dialect = dialectFor(this.q.backend);
      const create = async () => {
        for (const sql of jobsTableStatements(dialect, this.target.database, this.target.tableName, this.target.keyColumns)) await this.session.execute(sql);
        // lineage.py: a jobs table's key attributes are their own origin (notes §4.8).
        for (const sql of lineageTableStatements(dialect, this.target.database)) await this.session.execute(sql);
        const values = this.keyNames.map(() => '(?, ?, ?)').join(', ');
        const params = this.keyNames.flatMap((k) => [this.tableName, k, `${this.target.database}.${this.tableName}.${k}`]);
        await this.session.execute(
          `INSERT INTO ${this.q.qualified(this.target.database, '~lineage')} (table_name, attribute_name, lineage) VALUES ${values}` +
            this.q.upsert(['table_name', 'attribute_name'], `lineage = ${this.q.inserted('lineage')}`),
          params,
        );
      };
      // PostgreSQL's DDL is transactional: the table, its enum type, index, comments and
      // lineage rows appear together or not at all. (MySQL commits each DDL statement.)
      if (this.q.backend === 'postgresql') {
        try {
          await this.session.transaction(create);
        } catch (e) {
          // Two workers declaring at once: PostgreSQL's CREATE TABLE IF NOT EXISTS does not
          // wait for the other's uncommitted table, it fails on the catalog's unique index
          // (23505) or finds it (42P07) once that commits. The other's transaction made the
          // whole table with its lineage rows, so its table is this one.
          if (!(await this.exists())) throw e;
        }
      } else {
        await create();
      }
    }
    this.declared = true;
  }

  async drop(): Promise<void> {
    await this.session.execute(`DROP TABLE IF EXISTS ${this.fullName}`);
    this.declared = false;
  }

  /** jobs.py: refresh — in four set-based statements instead of a round trip per key. */
  async refresh(opts: RefreshOptions = {}): Promise<RefreshResult> {
    await this.declare();
    const priority = checkPriority(opts.priority ?? this.settings.defaultPriority);
    const staleTimeout = opts.staleTimeout ?? this.settings.staleTimeout;
    const ks = this.target.keySource;
    const restricted = opts.source ?? ks;
    const result: RefreshResult = { added: 0, removed: 0, orphaned: 0, rePended: 0 };
    const keyCols = this.keyNames.map((k) => this.q.quote(k));
    const ksCols = this.keyNames.map((k) => `${this.q.quote('$ks')}.${this.q.quote(k)}`);

    // Orphans first, so that their keys are pending again before anyone claims.
    const orphans = await this.recover({ olderThan: opts.orphanTimeout, priority });
    result.orphaned = orphans.rePended.length + orphans.completed.length;

    // 1. add: (key source & restrictions) - target - jobs, in one statement. Keys already
    // queued (any status) are the duplicates IGNORE skips: cheaper than an anti-join of
    // the table with itself, which makes the server copy the SELECT first. Nothing else
    // can be ignored here: the values are NOT NULL key values of the same types.
    const src = restrictedSource(this.q, restricted, ALL);
    const delayUs = Math.round((opts.delay ?? 0) * 1e6);
    const ignore = this.q.insertIgnore(this.fullName);
    // A key source that may repeat keys is made distinct in a derived table: beside DISTINCT,
    // PostgreSQL would type the 'pending' literal as text, which its enum column refuses.
    const from = restricted.unique
      ? `${src.sql} WHERE ${notInTarget(this.q, ks, this.target)}`
      : `(SELECT DISTINCT ${ksCols.join(', ')} FROM ${src.sql} WHERE ${notInTarget(this.q, ks, this.target)}) AS ${this.q.quote('$ks')}`;
    result.added = await this.retrying(() =>
      this.session.execute(
        `${ignore.head} (${keyCols.join(', ')}, status, priority, scheduled_time) ` +
          `SELECT ${ksCols.join(', ')}, 'pending', ?, ${this.q.plusMicroseconds('CURRENT_TIMESTAMP(3)')} FROM ${from}${ignore.tail}`,
        [priority, delayUs, ...src.params],
      ),
    );

    // 2. re-pend successes whose rows left the target (only kept with keep_completed).
    if (this.settings.keepCompleted) {
      const inKs = restrictedSource(this.q, restricted, ALL, '$in');
      const on = this.keyNames.map((k) => `${this.q.quote('$in')}.${this.q.quote(k)} = ${this.q.quote('$ks')}.${this.q.quote(k)}`).join(' AND ');
      result.rePended = await this.retrying(() =>
        this.session.execute(
          `UPDATE ${this.fullName} AS ${this.q.quote('$ks')} SET ${RESET(this.q)} WHERE ${this.q.quote('$ks')}.status = 'success' ` +
            `AND ${notInTarget(this.q, ks, this.target)} AND EXISTS (SELECT 1 FROM ${inKs.sql} WHERE ${on})`,
          [priority, ...inKs.params],
        ),
      );
    }

    // 3. stale: old non-ignored jobs whose key left the *unrestricted* key source (our
    // decision, notes 11.3 #12: a restricted refresh never deletes other jobs).
    if (staleTimeout > 0) {
      // Single-table DELETE (no alias: MariaDB refuses one there), outer columns fully qualified.
      const on = this.keyNames.map((k) => `${this.q.quote('$s')}.${this.q.quote(k)} = ${this.fullName}.${this.q.quote(k)}`).join(' AND ');
      result.removed = await this.retrying(() =>
        this.session.execute(
          `DELETE FROM ${this.fullName} WHERE status <> 'ignore' AND created_time < ${this.q.minusSeconds('CURRENT_TIMESTAMP(3)')} ` +
            `AND NOT EXISTS (SELECT 1 FROM (${ks.sql.sql}) AS ${this.q.quote('$s')} WHERE ${on})`,
          [staleTimeout, ...ks.sql.params],
        ),
      );
    }
    return result;
  }

  /**
   * Takes reservations from holders known to be dead (holder.ts), and with `olderThan`
   * also those reserved longer than that whose holder is not known to be alive (the
   * reference's orphan_timeout, jobs.py: refresh, which takes them even from live holders:
   * we do not). A taken job whose key is already in the target is completed instead of
   * re-pended, so that no key is made twice. Each write names the holder it judged, so a
   * job re-claimed meanwhile by someone else is left alone.
   */
  async recover(opts: RecoverOptions = {}): Promise<RecoverResult> {
    const result: RecoverResult = { rePended: [], completed: [] };
    if (!(await this.exists())) return result;
    const priority = opts.priority === undefined ? null : checkPriority(opts.priority);
    const olderUs = opts.olderThan !== undefined && opts.olderThan > 0 ? Math.round(opts.olderThan * 1e6) : undefined;
    const rows = await this.session.query(
      `SELECT ${this.keyNames.map((k) => `${this.q.quote('$j')}.${this.q.quote(k)}`).join(', ')}, ${this.q.quote('$j')}.host, ${this.q.quote('$j')}.pid, ${this.q.quote('$j')}.connection_id, ` +
        `${OPEN(this.q, this.q.quote('$j'))} AS ${this.q.quote('$open')}, ` +
        `${olderUs !== undefined ? `${this.q.quote('$j')}.reserved_time < ${this.q.minusMicroseconds('CURRENT_TIMESTAMP(3)')}` : 'FALSE'} AS ${this.q.quote('$old')}, ` +
        `${this.inTargetSql(this.q.quote('$j'))} AS ${this.q.quote('$done')} FROM ${this.fullName} AS ${this.q.quote('$j')} WHERE ${this.q.quote('$j')}.status = 'reserved'` +
        (opts.holder ? ` AND ${this.q.quote('$j')}.host = ? AND ${this.q.quote('$j')}.pid = ?` : ''),
      [...(olderUs !== undefined ? [olderUs] : []), ...(opts.holder ? [opts.holder.host, opts.holder.pid] : [])],
    );
    for (const r of rows) {
      const state = holderState({ host: String(r.host ?? ''), pid: Number(r.pid ?? 0), connectionOpen: Number(r.$open) === 1 });
      if (!(state === 'gone' || (Number(r.$old) === 1 && state !== 'alive'))) continue;
      const key = this.pick(r);
      const where = this.keyWhere(key);
      const held = `${where.sql} AND status = 'reserved' AND host = ? AND pid = ? AND connection_id = ?`;
      const heldParams = [...where.params, r.host, r.pid, r.connection_id];
      if (Number(r.$done) === 1) {
        const done = this.settings.keepCompleted
          ? `UPDATE ${this.fullName} SET status = 'success', completed_time = CURRENT_TIMESTAMP(3) WHERE ${held}`
          : `DELETE FROM ${this.fullName} WHERE ${held}`;
        if ((await this.retrying(() => this.session.execute(done, heldParams))) === 1) result.completed.push(key);
      } else {
        const n = await this.retrying(() =>
          this.session.execute(`UPDATE ${this.fullName} SET ${RESET(this.q)} WHERE ${held} AND NOT ${this.inTargetSql(this.fullName)}`, [priority, ...heldParams]),
        );
        if (n === 1) result.rePended.push(key);
      }
    }
    return result;
  }

  /** EXISTS: the target holds rows of the job key of a row of `jobs` (a quoted alias or name). */
  private inTargetSql(jobs: string): string {
    const on = this.keyNames.map((k) => `${this.q.quote('$t')}.${this.q.quote(k)} = ${jobs}.${this.q.quote(k)}`).join(' AND ');
    return `EXISTS (SELECT 1 FROM ${this.targetName} AS ${this.q.quote('$t')} WHERE ${on})`;
  }

  /**
   * The next eligible job, reserved for `who`, or undefined when none is left. With
   * SKIP LOCKED, concurrent workers never wait on or fight for the same row; the status,
   * columns and the reserved state stay those of the reference, so Python workers (which
   * reserve with a conditional UPDATE) share the queue safely.
   */
  async claim(who: WorkerIdentity, opts: ClaimOptions = {}): Promise<Key | undefined> {
    return (await this.claimJob(who, opts, false))?.key;
  }

  /**
   * As claim, and also reads whether the key is already in the target: the reference
   * checks this at the start of make's transaction (autopopulate.py: _populate1);
   * populate's loop does it here, while the previous key's transaction is still running,
   * and treats a key that appears meanwhile as done. Every statement is one query on a
   * connection that allows no more (populate/control.ts).
   */
  async claimJob(who: WorkerIdentity, opts: ClaimOptions = {}, checkTarget = true): Promise<ClaimedJob | undefined> {
    return (await this.claimJobs(who, 1, opts, checkTarget))[0];
  }

  /**
   * Up to `count` jobs in one transaction, in the queue's order: one COMMIT for them all,
   * for populate runs whose makes are short (populate/commit-groups.ts). A restricted
   * claim takes one job, by the reference's conditional UPDATE.
   */
  async claimJobs(who: WorkerIdentity, count: number, opts: ClaimOptions = {}, checkTarget = true): Promise<ClaimedJob[]> {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`claimJobs: count must be an integer >= 1, got ${String(count)}`);
    const restricted = opts.source !== undefined && opts.source.sql.sql !== this.target.keySource.sql.sql;
    const withCheck = async (keys: Key[]): Promise<ClaimedJob[]> => {
      // Checked after the claim's COMMIT: should the check fail, the jobs go to their makes
      // all the same (a key made elsewhere meanwhile is then a duplicate, reported skipped)
      // rather than staying reserved by a run that drops them.
      const found = checkTarget ? await keysInTarget(this.session, this.target, keys).catch(() => keys.map(() => false)) : keys.map(() => false);
      return keys.map((key, i) => ({ key, inTarget: found[i]! }));
    };
    if (restricted) {
      if (opts.completing) await this.complete(opts.completing.key, opts.completing.durationSeconds);
      const key = await this.claimRestricted(who, opts.source!, opts.priority);
      return withCheck(key ? [key] : []);
    }
    const prio = opts.priority !== undefined ? ' AND priority <= ?' : '';
    const params = opts.priority !== undefined ? [opts.priority] : [];
    const done = opts.completing ? this.completionSql(opts.completing) : undefined;
    // A claim the server rolled back as a deadlock's victim reserved nothing: it runs again.
    const keys = await this.retrying(() =>
      this.session.transaction(async () => {
        // The reservation records the id of the connection this transaction runs on (a
        // control connection that was reopened has a new one): the one that lives as long
        // as the worker.
        const connectionId = await this.session.connectionId();
        // The previous job's completion shares the claim's transaction: one commit, not two.
        if (done) await this.session.execute(done.sql, done.params);
        const rows = await this.session.query(
          `SELECT ${this.keyNames.map((k) => this.q.quote(k)).join(', ')} FROM ${this.fullName} ` +
            `WHERE status = 'pending' AND scheduled_time <= CURRENT_TIMESTAMP(3)${prio} ` +
            `ORDER BY priority, scheduled_time LIMIT ${count} FOR UPDATE SKIP LOCKED`,
          params,
        );
        if (rows.length === 0) return [];
        const picked = rows.map((r) => this.pick(r));
        // Locked by this transaction; reserved by their keys, so that the UPDATE reads no
        // other row (a scan would wait on the rows of a commit group still open).
        const where = this.updateByKeys(picked);
        await this.session.execute(
          `UPDATE ${where.table} SET status = 'reserved', host = ?, pid = ?, connection_id = ?, ${this.q.quote('user')} = ?, version = ?, ` +
            `reserved_time = CURRENT_TIMESTAMP(3) WHERE ${where.sql}`,
          [who.host, who.pid, connectionId, who.user, who.version, ...where.params],
        );
        return picked;
      }),
    );
    return withCheck(keys);
  }

  /** `run` again when the server chose it as a deadlock's victim, unless it runs in a caller's transaction. */
  private retrying<T>(run: () => Promise<T>): Promise<T> {
    return this.inCallersTransactions ? run() : retryDeadlocks(run);
  }

  /** The target table already holds rows of this key (autopopulate.py: `key in self.target`). */
  async inTarget(key: Key): Promise<boolean> {
    this.keyWhere(key); // the job's whole key, or a clear error
    return keyInTarget(this.session, this.target, this.pick(key));
  }

  /**
   * Gives back a job this worker claimed but never started (populate stopped first): it
   * is pending again with its place in the queue unchanged.
   */
  async release(key: Key, connectionId: number): Promise<boolean> {
    return (await this.releaseAll([key], connectionId)) === 1;
  }

  /** release for several jobs at once, in one statement (a stopped run's unstarted claim); how many were given back. */
  async releaseAll(keys: readonly Key[], connectionId: number): Promise<number> {
    if (keys.length === 0) return 0;
    const where = this.updateByKeys(keys);
    return this.retrying(() =>
      this.session.execute(
        `UPDATE ${where.table} SET status = 'pending', reserved_time = NULL, ${this.q.quote('user')} = '', host = '', pid = 0, connection_id = 0, version = '' ` +
          `WHERE (${where.sql}) AND status = 'reserved' AND connection_id = ?`,
        [...where.params, connectionId],
      ),
    );
  }

  // A locking read would also lock the key source's rows named in the restriction
  // (MariaDB has no FOR UPDATE OF), so restricted claims read candidates without locks
  // and reserve them with the reference's conditional UPDATE.
  private async claimRestricted(who: WorkerIdentity, source: KeySource, priority?: number): Promise<Key | undefined> {
    const src = restrictedSource(this.q, source, ALL, '$r');
    const on = this.keyNames.map((k) => `${this.q.quote('$r')}.${this.q.quote(k)} = ${this.q.quote('$j')}.${this.q.quote(k)}`).join(' AND ');
    for (;;) {
      const rows = await this.session.query(
        `SELECT ${this.keyNames.map((k) => `${this.q.quote('$j')}.${this.q.quote(k)}`).join(', ')} FROM ${this.fullName} AS ${this.q.quote('$j')} ` +
          `WHERE ${this.q.quote('$j')}.status = 'pending' AND ${this.q.quote('$j')}.scheduled_time <= CURRENT_TIMESTAMP(3)` +
          (priority !== undefined ? ` AND ${this.q.quote('$j')}.priority <= ?` : '') +
          ` AND EXISTS (SELECT 1 FROM ${src.sql} WHERE ${on}) ORDER BY ${this.q.quote('$j')}.priority, ${this.q.quote('$j')}.scheduled_time LIMIT 8`,
        [...(priority !== undefined ? [priority] : []), ...src.params],
      );
      if (rows.length === 0) return undefined;
      for (const row of rows) {
        const key = this.pick(row);
        if (await this.reserve(key, who)) return key;
      }
    }
  }

  /** jobs.py: reserve — the reference's conditional UPDATE for one known key. */
  async reserve(key: Key, who: WorkerIdentity): Promise<boolean> {
    const where = this.keyWhere(key);
    const n = await this.session.execute(
      `UPDATE ${this.fullName} SET status = 'reserved', host = ?, pid = ?, connection_id = ?, ${this.q.quote('user')} = ?, version = ?, ` +
        `reserved_time = CURRENT_TIMESTAMP(3) WHERE ${where.sql} AND status = 'pending' AND scheduled_time <= CURRENT_TIMESTAMP(3)`,
      [who.host, who.pid, await this.session.connectionId(), who.user, who.version, ...where.params],
    );
    return n === 1;
  }

  /** jobs.py: complete — the row is deleted, or kept as `success` with keep_completed. */
  async complete(key: Key, durationSeconds?: number): Promise<void> {
    const c = this.completionSql({ key, durationSeconds });
    await this.retrying(() => this.session.execute(c.sql, c.params));
  }

  /** A commit group's jobs can be completed by one statement (groupCompletionSql). */
  completesGroups(): boolean {
    return !this.settings.keepCompleted;
  }

  /**
   * The statements completing the jobs of a commit group (populate/commit-groups.ts), sent
   * together in the group's transaction before its COMMIT; undefined where each job's
   * completion stays in its key's own step (keep_completed records each job's duration).
   */
  groupCompletionSql(keys: readonly Key[]): Sql[] | undefined {
    if (keys.length === 0 || !this.completesGroups()) return undefined;
    return this.byKeys(keys).map((where) => ({ sql: `DELETE FROM ${this.fullName} WHERE ${where.sql}`, params: where.params }));
  }

  private completionSql(done: Completion): Sql {
    const where = this.keyWhere(done.key);
    if (this.settings.keepCompleted) {
      const d = done.durationSeconds;
      return {
        sql: `UPDATE ${this.fullName} SET status = 'success', completed_time = CURRENT_TIMESTAMP(3)${d !== undefined ? ', duration = ?' : ''} WHERE ${where.sql}`,
        params: [...(d !== undefined ? [d] : []), ...where.params],
      };
    }
    return { sql: `DELETE FROM ${this.fullName} WHERE ${where.sql}`, params: where.params };
  }

  /** jobs.py: error — message truncated as the reference does, stack blob-encoded. */
  async error(key: Key, message: string, stack?: string, who?: WorkerIdentity): Promise<void> {
    const where = this.keyWhere(key);
    const msg = truncateErrorMessage(message);
    // blob.py: pack(str) — the stack as one blob string, compressed when long, as Python writes it.
    const blob = stack !== undefined ? packErrorStack(stack) : null;
    const n = await this.retrying(() =>
      this.session.execute(
        `UPDATE ${this.fullName} SET status = 'error', completed_time = CURRENT_TIMESTAMP(3), error_message = ?, error_stack = ? WHERE ${where.sql}`,
        [msg, blob, ...where.params],
      ),
    );
    if (n === 0) {
      // The row vanished while the make ran (deleted by hand): keep the error visible.
      await this.session.execute(
        `INSERT INTO ${this.fullName} (${this.keyNames.map((k) => this.q.quote(k)).join(', ')}, status, priority, completed_time, error_message, error_stack, ${this.q.quote('user')}, host, pid, connection_id, version) ` +
          `VALUES (${this.keyNames.map(() => '?').join(', ')}, 'error', ?, CURRENT_TIMESTAMP(3), ?, ?, ?, ?, ?, ?, ?)`,
        [
          ...this.keyNames.map((k) => key[k]),
          this.settings.defaultPriority,
          msg,
          blob,
          who?.user ?? '',
          who?.host ?? '',
          who?.pid ?? 0,
          who?.connectionId ?? 0,
          who?.version ?? '',
        ],
      );
    }
  }

  /** jobs.py: ignore — existing rows become `ignore`, new keys are inserted as `ignore`. */
  async ignore(keys: readonly Key[]): Promise<number> {
    if (keys.length === 0) return 0;
    await this.declare();
    // One row per key: PostgreSQL's ON CONFLICT refuses to update a row twice in one statement.
    const seen = new Set<string>();
    keys = keys.filter((k) => {
      const id = JSON.stringify(this.keyWhere(k).params, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
      return !seen.has(id) && Boolean(seen.add(id));
    });
    const row = `(${this.keyNames.map(() => '?').join(', ')}, 'ignore', ?)`;
    const params = keys.flatMap((key) => [...this.keyWhere(key).params, this.settings.defaultPriority]);
    await this.session.execute(
      `INSERT INTO ${this.fullName} (${this.keyNames.map((k) => this.q.quote(k)).join(', ')}, status, priority) VALUES ${keys.map(() => row).join(', ')}` +
        this.q.upsert(this.keyNames, "status = 'ignore'"),
      params,
    );
    return keys.length;
  }

  /** Deletes jobs (all, or of one status, or these keys); deleting `error` rows is the retry. */
  async delete(opts: { status?: JobStatus; keys?: readonly Key[] } = {}): Promise<number> {
    if (!(await this.exists())) return 0;
    const { sql, params } = this.filter(opts);
    return this.session.execute(`DELETE FROM ${this.fullName}${sql}`, params);
  }

  private filter(opts: { status?: JobStatus; keys?: readonly Key[] }): Sql {
    const conds: string[] = [];
    const params: unknown[] = [];
    if (opts.status) {
      if (!JOB_STATUSES.includes(opts.status)) throw new RangeError(`Unknown job status ${opts.status}; one of ${JOB_STATUSES.join(', ')}.`);
      conds.push('status = ?');
      params.push(opts.status);
    }
    if (opts.keys) {
      if (opts.keys.length === 0) conds.push('FALSE');
      else {
        const ors = opts.keys.map((k) => this.keyWhere(k));
        conds.push(`(${ors.map((w) => `(${w.sql})`).join(' OR ')})`);
        params.push(...ors.flatMap((w) => w.params));
      }
    }
    return { sql: conds.length ? ` WHERE ${conds.join(' AND ')}` : '', params };
  }

  /** Jobs of one status (or all), newest activity first. */
  async list(opts: { status?: JobStatus; keys?: readonly Key[]; limit?: number } = {}): Promise<JobRow[]> {
    if (!(await this.exists())) return [];
    const { sql, params } = this.filter(opts);
    const rows = await this.session.query(
      `SELECT *, status = 'reserved' AND ${OPEN(this.q, this.fullName)} AS ${this.q.quote('$open')} FROM ${this.fullName}${sql} ORDER BY priority, scheduled_time` +
        limitClause(opts.limit),
      params,
    );
    return rows.map((r) => ({
      key: this.pick(r),
      status: r.status as JobStatus,
      priority: Number(r.priority),
      createdTime: (r.created_time as Date | null) ?? null,
      scheduledTime: (r.scheduled_time as Date | null) ?? null,
      reservedTime: (r.reserved_time as Date | null) ?? null,
      completedTime: (r.completed_time as Date | null) ?? null,
      duration: r.duration === null || r.duration === undefined ? null : Number(r.duration),
      errorMessage: String(r.error_message ?? ''),
      user: String(r.user ?? ''),
      host: String(r.host ?? ''),
      pid: Number(r.pid ?? 0),
      connectionId: Number(r.connection_id ?? 0),
      version: String(r.version ?? ''),
      holder: r.status === 'reserved' ? holderState({ host: String(r.host ?? ''), pid: Number(r.pid ?? 0), connectionOpen: Number(r.$open) === 1 }) : null,
    }));
  }

  /** The stored stack of an errored job, decoded. */
  async errorStack(key: Key): Promise<Uint8Array | null> {
    const where = this.keyWhere(key);
    const rows = await this.session.query(`SELECT error_stack FROM ${this.fullName} WHERE ${where.sql}`, where.params);
    return (rows[0]?.error_stack as Uint8Array | null | undefined) ?? null;
  }

  /** jobs.py: progress — counts per status; zeros when the table does not exist yet. */
  async progress(): Promise<JobCounts> {
    const counts: JobCounts = { pending: 0, reserved: 0, success: 0, error: 0, ignore: 0, total: 0 };
    if (!(await this.exists())) return counts;
    const rows = await this.session.query<{ status: JobStatus; n: number }>(`SELECT status, COUNT(*) AS n FROM ${this.fullName} GROUP BY status`);
    for (const r of rows) counts[r.status] = Number(r.n);
    counts.total = JOB_STATUSES.reduce((s, k) => s + counts[k], 0);
    return counts;
  }
  /**
   * The error jobs with what triage groups them by, lightly: no stack read (a table of
   * thousands of errors stays cheap), most recent first; `limit` bounds the rows read.
   */
  async errorEntries(opts: { limit?: number } = {}): Promise<ErrorEntry[]> {
    if (!(await this.exists())) return [];
    const cols = [...this.keyNames, 'error_message', 'completed_time', 'reserved_time', 'priority', 'host', 'pid', 'user', 'version'].map((c) => this.q.quote(c));
    const rows = await this.session.query(
      `SELECT ${cols.join(', ')} FROM ${this.fullName} WHERE status = ? ORDER BY completed_time IS NULL, completed_time DESC, priority, scheduled_time` +
        limitClause(opts.limit),
      ['error'],
    );
    return rows.map((r) => ({
      key: this.pick(r),
      errorMessage: String(r.error_message ?? ''),
      completedTime: (r.completed_time as Date | null) ?? null,
      reservedTime: (r.reserved_time as Date | null) ?? null,
      priority: Number(r.priority),
      host: String(r.host ?? ''),
      pid: Number(r.pid ?? 0),
      user: String(r.user ?? ''),
      version: String(r.version ?? ''),
    }));
  }

  /** The keys of the jobs of one status, in the queue's order (no other column read). */
  async keysOf(status: JobStatus, limit?: number): Promise<Key[]> {
    if (!(await this.exists())) return [];
    const { sql, params } = this.filter({ status });
    const rows = await this.session.query(
      `SELECT ${this.keyNames.map((k) => this.q.quote(k)).join(', ')} FROM ${this.fullName}${sql} ORDER BY priority, scheduled_time` +
        limitClause(limit),
      params,
    );
    return rows.map((r) => this.pick(r));
  }

  /**
   * Deletes the jobs of these keys that have this status (`error`: the retry; `ignore`:
   * the un-ignore), KEY_BATCH keys a statement; returns how many were deleted. A key whose
   * job has another status by now is left alone.
   */
  async deleteKeys(status: JobStatus, keys: readonly Key[]): Promise<number> {
    let n = 0;
    for (let i = 0; i < keys.length; i += KEY_BATCH) n += await this.delete({ status, keys: keys.slice(i, i + KEY_BATCH) });
    return n;
  }

  /**
   * The error jobs of these keys set to `ignore`, KEY_BATCH keys a statement; returns how
   * many. A key whose job has another status by now (retried and reserved by a worker, made)
   * is left alone, as the Jobs view's groups list keys read earlier.
   */
  async ignoreErrorKeys(keys: readonly Key[]): Promise<number> {
    if (!(await this.exists())) return 0;
    let n = 0;
    for (let i = 0; i < keys.length; i += KEY_BATCH) {
      const { sql, params } = this.filter({ status: 'error', keys: keys.slice(i, i + KEY_BATCH) });
      n += await this.session.execute(`UPDATE ${this.fullName} SET status = 'ignore'${sql}`, params);
    }
    return n;
  }

  /** ignore() for a set of keys of any size, KEY_BATCH keys a statement. */
  async ignoreKeys(keys: readonly Key[]): Promise<number> {
    let n = 0;
    for (let i = 0; i < keys.length; i += KEY_BATCH) n += await this.ignore(keys.slice(i, i + KEY_BATCH));
    return n;
  }
}
