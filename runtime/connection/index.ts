// One connection object per server: a pool of sessions (mysql2 for MySQL and MariaDB,
// node-postgres for PostgreSQL, runtime/connection/driver.ts), the dialect that builds its SQL, and
// transactions pinned to one pooled session through AsyncLocalStorage, so that every
// query issued inside `transaction(async () => …)` (including those of make() hooks) runs
// in that transaction without passing a handle around (reference: connection.py).
// With no server configured the connection goes to the workspace's embedded PostgreSQL
// (runtime/embedded): found through its discovery file, or started as a process of its own.
import { AsyncLocalStorage } from 'node:async_hooks';
import { inspect } from 'node:util';
import { loadSettings, type LoadOptions, type Settings, type SettingsOverrides } from '../config/index';
import { mysqlDialect, postgresDialect, type Dialect } from '../dialect/index';
import { ConfigError, DataJointError, TransactionError } from '../errors/index';
import { embeddedLocation, idleExitFrom, startEmbeddedServer, type EmbeddedEndpoint } from '../embedded/locate';
import { DEFAULT_CONNECT_TIMEOUT_MS, type Driver, type DriverSession, type Row } from './driver';
import { openMysql } from './mysql-driver';
import { openPostgres } from './pg-driver';
import { settleStep, startStep, stepStatement, undoStep, type StatementContext, type StepUndo } from './step-undo';

export type { Row } from './driver';
export type { StatementContext } from './step-undo';

export interface ConnectOptions extends LoadOptions {
  /** Fully resolved settings; when given, no file or environment is read. */
  settings?: Settings;
  /** Shorthand for overrides.database. */
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  useTls?: boolean | Record<string, unknown>;
  /** Shorthand for overrides.database.backend; `embedded`: the workspace's embedded PostgreSQL. */
  backend?: 'mysql' | 'postgresql' | 'embedded';
  /** Maximum pooled sessions (default 10; always 1 on the embedded database). */
  connectionLimit?: number;
  /** Connect timeout in ms (default 10000). */
  connectTimeout?: number;
}

interface TxState {
  session: DriverSession;
  /** Inside TransactionSeries.step: how the step is undone alone when it fails. */
  step?: StepUndo;
  /**
   * A statement's error after which the server had rolled back the whole transaction
   * (Dialect.transactionEndedBy). Nothing more runs in it, and it cannot commit.
   */
  serverEnded?: DataJointError;
}

/** Why a transaction whose server side had ended refuses its statements and its commit. */
function endedTransactionError(ended: DataJointError, what: string): TransactionError {
  return new TransactionError('transaction', `${what}: the server had rolled back the whole transaction with an earlier statement's error (${ended.message}), so the statements before it are gone and later ones would run outside it`, { cause: ended });
}

/**
 * One pooled session set aside for a run of transactions (populate's loop over keys).
 * Its transactions start implicitly with their first statement (autocommit off), so a
 * key costs no START TRANSACTION round trip; each is committed or rolled back as with
 * `Connection.transaction`.
 */
export interface TransactionSeries {
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * As transaction, but resolves once `fn` is done and COMMIT is sent; `committed`
   * settles with the server's answer. What runs on the series meanwhile (the next key's
   * make) queues behind that COMMIT on the same session, so its statements still see
   * the committed rows, and its JavaScript overlaps the COMMIT's round trip. A COMMIT
   * that fails ends the session. On MySQL what was queued behind it fails and rolls back
   * too; on PostgreSQL the next transaction's BEGIN, which nothing of it had followed yet,
   * goes out again on a new session.
   */
  transactionSent<T>(fn: () => Promise<T>): Promise<{ value: T; committed: Promise<void> }>;
  /** The server's id of the session the next transaction runs on, once it has one. */
  connectionId(): number | undefined;
  /** Settles (never rejects) when the last COMMIT sent by transactionSent has its answer. */
  commitAnswered(): Promise<void>;
  /**
   * Runs `fn` as one step of the series' open group of transactions (opened by the first
   * step; committed by commitGroup): after a savepoint, sent without waiting for its
   * answer. When `fn` throws, the group is rolled back to that savepoint, so earlier
   * steps keep their work, and StepFailed carries the error; `groupKept` is false when
   * the server had already ended the whole transaction (an InnoDB deadlock) or the
   * session is gone, so that the group's earlier steps are lost.
   */
  step<T>(fn: () => Promise<T>): Promise<T>;
  /** Sends COMMIT for the open group, if any; the promise settles with the server's answer. */
  commitGroup(): Promise<void>;
  /**
   * As commitGroup, with `final` as the group's last statements, sent together where the
   * session can (populate completes a group's jobs so: one write, not a round trip a key).
   * COMMIT follows only once every one succeeded; when one fails the group is rolled back
   * and the promise rejects with GroupLost. What runs on the series meanwhile waits for
   * that choice.
   */
  commitGroupWith(final: ReadonlyArray<{ sql: string; params: readonly unknown[] }>): Promise<void>;
  /**
   * Rolls back whatever is still open on the session and gives it back to the pool with
   * autocommit on again; later transactions on the series are refused.
   */
  close(): Promise<void>;
}

/**
 * The COMMIT of a group of steps that the server had already ended: none of its steps
 * is committed (TransactionSeries.commitGroup).
 */
export class GroupLost extends Error {
  constructor(override readonly cause: unknown) {
    super(`the group's transaction was ended by the server before its COMMIT: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'GroupLost';
  }
}

/** A step of a group of transactions failed (TransactionSeries.step). */
export class StepFailed extends Error {
  constructor(
    override readonly cause: unknown,
    /** The group's earlier steps are still in the open transaction. */
    readonly groupKept: boolean,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'StepFailed';
  }
}

const ABORTED_TRANSACTION =
  'a statement of this transaction failed and was caught, which aborts the transaction on PostgreSQL (nothing else runs in it until it is rolled back): it is rolled back, not committed';
const ABORTED_STEP =
  'a statement of this key failed and was caught, which aborts the transaction on PostgreSQL (nothing else runs in it until it is rolled back): the key is rolled back';

const BRAND = Symbol.for('datajoint.connection');

/** How the local database is named wherever a connection is shown. */
export const EMBEDDED_LABEL = 'Local database — this workspace';

/** The embedded database a connection uses (Connection.embedded). */
export interface EmbeddedConnectionInfo {
  /** The folder of the embedded database (database.embedded_dir). */
  dir: string;
  /** PGlite's data directory in it. */
  dataDir: string;
  /** OS pid of the process serving it when this connection (re)opened. */
  serverPid: number;
}

// Errors after which the embedded database's server is found (or started) again: it
// exited (idle, killed) and another may serve the directory on another port by now.
const SERVER_AWAY = new Set(['unreachable', 'lostConnection']);

export class Connection {
  static readonly [BRAND] = true;
  readonly dialect: Dialect;
  readonly settings: Settings;
  /** The server's id for the session that opened first (MySQL connection_id(), PostgreSQL pg_backend_pid()). */
  connectionId = 0;
  /** e.g. `10.11.6-MariaDB-0+deb12u1`, `PostgreSQL 15.18 (Debian 15.18-0+deb12u1)`. */
  serverVersion = '';
  private driver: Driver | undefined;
  /** Sessions the pool may open (ConnectOptions.connectionLimit). */
  poolLimit = 10;
  /** Set when this is the workspace's embedded database rather than a server. */
  embedded: EmbeddedConnectionInfo | undefined;
  private readonly tx = new AsyncLocalStorage<TxState>();
  /** Sessions inside transaction() right now (abortTransactions ends them). */
  private readonly inFlight = new Set<DriverSession>();
  /** Sessions abortTransactions ended: a statement that fails on one is not made again elsewhere. */
  private readonly aborted = new WeakSet<DriverSession>();
  private reopening: Promise<void> | undefined;
  private openOptions: ConnectOptions = {};
  private closed = false;
  /** Whether a lock wait timeout ends the whole transaction on this server (asked when one first happens). */
  private rollbackOnTimeout: Promise<boolean> | undefined;

  private constructor(settings: Settings, dialect: Dialect) {
    this.settings = settings;
    this.dialect = dialect;
  }

  /** Reads settings (explicit > env > datajoint.json > secrets > defaults), connects, and checks the login. */
  static async connect(options: ConnectOptions = {}): Promise<Connection> {
    const overrides: SettingsOverrides = { ...options.overrides, database: { ...options.overrides?.database } };
    for (const k of ['host', 'port', 'user', 'password', 'useTls', 'backend'] as const) {
      if (options[k] !== undefined) (overrides.database as Record<string, unknown>)[k] = options[k];
    }
    if (options.backend === 'embedded') {
      delete overrides.database!.backend;
      overrides.database!.embedded = true;
    }
    const settings = options.settings ?? loadSettings({ ...options, overrides });
    if (settings.database.embedded) return Connection.connectEmbedded(settings, options);
    if (!settings.database.user) {
      throw new ConfigError('Database user not configured. Set DJ_USER, database.user in datajoint.json, or pass user.');
    }
    if (settings.database.password === null) {
      throw new ConfigError('Database password not configured. Set DJ_PASS, a .secrets/database.password file, or pass password.');
    }
    const conn = new Connection(settings, settings.database.backend === 'postgresql' ? postgresDialect : mysqlDialect);
    await conn.open(options);
    return conn;
  }

  /**
   * The embedded database of `settings.database.embeddedDir`: its server's endpoint from the
   * discovery file, or a server started for it (locate.ts), as user and database `postgres`
   * with the folder's password (its `password` file), no TLS. `settings` keeps what the
   * sources said; the connection's own copy holds the endpoint and the password (what a
   * DataJoint for Python worker is given as DJ_HOST, DJ_PORT, DJ_USER and DJ_PASS).
   */
  private static async connectEmbedded(loaded: Settings, options: ConnectOptions): Promise<Connection> {
    const location = embeddedLocation(loaded.database.embeddedDir);
    const settings: Settings = {
      ...loaded,
      database: { ...loaded.database, backend: 'postgresql', user: 'postgres', password: '', useTls: false, name: 'postgres', embedded: true, embeddedDir: location.dir },
      sources: { ...loaded.sources },
    };
    for (const k of ['database.host', 'database.port', 'database.user', 'database.password', 'database.use_tls', 'database.name']) settings.sources[k] = `embedded:${location.dir}`;
    const conn = new Connection(settings, postgresDialect);
    conn.embedded = { dir: location.dir, dataDir: location.dataDir, serverPid: 0 };
    await conn.openEmbedded(options);
    return conn;
  }

  /**
   * Points this connection's settings at the server of its embedded database (starting one
   * when none runs) and opens the pool there. A server that closes between being found and
   * being reached (it was idle) is looked for once more.
   */
  private async openEmbedded(options: ConnectOptions): Promise<void> {
    const info = this.embedded!;
    const location = embeddedLocation(info.dir);
    for (let attempt = 0; ; attempt++) {
      let endpoint: EmbeddedEndpoint;
      try {
        // The idle time from the environment the settings were read from (tests pass their own).
        endpoint = await startEmbeddedServer(location, { idleExitMs: idleExitFrom(options.env ?? process.env) });
      } catch (e) {
        throw new DataJointError('unreachable', `Cannot open the ${EMBEDDED_LABEL.toLowerCase()} (${location.dataDir}): ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      this.settings.database.host = endpoint.host;
      this.settings.database.port = endpoint.port;
      this.settings.database.password = endpoint.password;
      info.serverPid = endpoint.pid;
      try {
        // One pooled session per process: the server runs one client's transaction at a
        // time, so a second session of this process waiting inside a transaction for the
        // first would wait forever (runtime/embedded/README.md).
        await this.open({ ...options, connectionLimit: 1 });
        return;
      } catch (e) {
        if (attempt >= 2 || !(e instanceof DataJointError && SERVER_AWAY.has(e.code))) throw e;
      }
    }
  }

  /** After the embedded server went away: the pool reopened on the server serving now. */
  private reopenEmbedded(): Promise<void> {
    this.reopening ??= (async () => {
      const old = this.driver;
      this.driver = undefined;
      await old?.end().catch(() => undefined);
      await this.openEmbedded(this.openOptions);
    })().finally(() => (this.reopening = undefined));
    return this.reopening;
  }

  /** `mysql` (MySQL, MariaDB) or `postgresql` (the embedded database included). */
  get backend(): 'mysql' | 'postgresql' {
    return this.dialect.name;
  }

  /**
   * Ends the sessions of the transactions in progress from outside them: each is closed, so
   * the server rolls back what it had open, and the transaction's next statement fails. For
   * the embedded database, where a statement from another session (MySQL's KILL,
   * pg_terminate_backend) would only queue behind the very transaction it should end.
   */
  abortTransactions(): void {
    for (const s of this.inFlight) {
      this.aborted.add(s);
      s.cut();
    }
  }

  private async open(options: ConnectOptions): Promise<void> {
    this.openOptions = options;
    this.poolLimit = options.connectionLimit ?? 10;
    const open = this.dialect.name === 'postgresql' ? openPostgres : openMysql;
    try {
      const { driver, info } = await open(this.settings, { connectionLimit: this.poolLimit, connectTimeout: options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS }, this.dialect.sessionInit());
      this.driver = driver;
      this.connectionId = info.connectionId;
      // Said wherever the version is shown (status bar, logs): this is no server of the lab's.
      this.serverVersion = this.embedded ? `${EMBEDDED_LABEL} (PGlite, ${info.serverVersion})` : info.serverVersion;
    } catch (e) {
      throw this.translate(e);
    }
  }

  private translate(e: unknown, extra: { schema?: string; table?: string } = {}): DataJointError {
    const db = this.settings.database;
    return this.dialect.translateError(e, { host: db.host, port: db.port, user: db.user ?? undefined, ...extra });
  }

  /** True while the calling async context is inside `transaction()`. */
  get inTransaction(): boolean {
    return this.tx.getStore() !== undefined;
  }

  /** Runs a statement with bound values; returns rows for SELECTs, [] otherwise. */
  async query<T extends Row = Row>(sql: string, params: unknown[] = [], context: StatementContext = {}): Promise<T[]> {
    const result = await this.run(sql, params, context);
    return (result.rows ?? []) as T[];
  }

  /** Runs a statement and returns the number of rows it affected. */
  async execute(sql: string, params: unknown[] = [], context: StatementContext = {}): Promise<number> {
    return (await this.run(sql, params, context)).affected;
  }

  private async run(sql: string, params: unknown[], context: StatementContext) {
    if (this.reopening) await this.reopening.catch(() => undefined);
    if (this.closed || !this.driver) throw new DataJointError('usage', 'The connection is closed');
    const driver = this.driver;
    const state = this.tx.getStore();
    try {
      if (!state) return await driver.query(sql, params);
      if (state.serverEnded) throw endedTransactionError(state.serverEnded, 'a statement was refused');
      // Inside a step of a group (populate's key): its savepoint as it needs one (step-undo.ts).
      return await (state.step ? stepStatement(state.session, this.dialect, state.step, sql, params, context) : state.session.query(sql, params));
    } catch (e) {
      const err = this.translate(e, context);
      // Caught by the caller (a make that retries its statement), this error must not let the
      // transaction go on as if it were still open. The reference does not check this (a
      // make of DataJoint for Python that catches a deadlock commits what it runs after it).
      if (state && !state.serverEnded && (await this.endedTransaction(state.session, err))) state.serverEnded = err;
      // The embedded database's server exited: the one serving it now (maybe started here).
      if (this.embedded && SERVER_AWAY.has(err.code) && !state && this.settings.database.reconnect && !this.closed) {
        await this.reopenEmbedded();
        try {
          return await this.driver!.query(sql, params);
        } catch (e2) {
          throw this.translate(e2, context);
        }
      }
      // connection.py: query — reconnect when not inside a transaction; here past every idle
      // session of the pool that died with the first (liveSession). A statement whose
      // session was lost may have run before the loss: as in the reference, it runs again.
      if (!state) {
        let last = err;
        for (let attempt = 0; this.replaceLost(last, attempt); attempt++) {
          try {
            return await driver.query(sql, params);
          } catch (e2) {
            last = this.translate(e2, context);
          }
        }
        throw last;
      }
      throw err;
    }
  }

  /**
   * Runs `fn` in one transaction on one session: committed when it resolves, rolled back
   * when it throws. Nesting is refused, as in the reference (connection.py:
   * start_transaction "Nested connections are not supported.").
   */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.tx.getStore()) throw new TransactionError('transaction', 'Nested transactions are not supported');
    const begin = this.dialect.startTransaction();
    const session = await this.liveSession((s) => (begin ? s.query(begin, []) : Promise.resolve()));
    let gone = false;
    try {
      return await this.runTransaction(session, fn, () => (gone = true));
    } finally {
      if (gone) session.destroy();
      else session.release();
    }
  }

  /**
   * A pooled session on which `first` (its first statement) has run. A session that turns
   * out lost before anything ran on it (dropped while idle, unseen by the client: a
   * firewall's idle timeout, a laptop's sleep) is dropped for another, as connection.py's
   * query reconnects outside a transaction (start_transaction's START TRANSACTION among
   * them). After a sleep every idle session of the pool may be dead: up to the pool's size
   * are tried, then a new one. Never for a session abortTransactions ended. `held`: a
   * session taken earlier (a transaction series'), tried first.
   */
  private async liveSession(first: (s: DriverSession) => Promise<unknown>, held?: DriverSession): Promise<DriverSession> {
    for (let attempt = 0; ; attempt++) {
      const s = attempt === 0 && held ? held : await this.pooledSession();
      this.inFlight.add(s);
      try {
        await first(s);
        return s;
      } catch (e) {
        s.destroy();
        const err = this.translate(e);
        if (!this.replaceLost(err, attempt) || this.aborted.has(s)) throw err;
      } finally {
        this.inFlight.delete(s);
      }
    }
  }

  /** Whether a statement that met a lost session outside a transaction goes out again (`attempt`: how many times it has). */
  private replaceLost(err: DataJointError, attempt: number): boolean {
    return err.code === 'lostConnection' && this.settings.database.reconnect && !this.closed && attempt < this.poolLimit;
  }

  /**
   * Sets one session aside for a series of transactions (see TransactionSeries). A
   * session that fails (lost, killed by an interrupt) is dropped and the next
   * transaction takes a fresh one.
   */
  openTransactionSeries(): TransactionSeries {
    let session: DriverSession | undefined;
    let closed = false;
    let lastCommit: Promise<void> = Promise.resolve();
    // Without session-wide implicit transactions (PostgreSQL), each one begins explicitly;
    // the BEGIN queues behind the previous COMMIT on the same session all the same.
    const implicit = this.driver?.implicitTransactions ?? true;
    const begin = implicit ? undefined : this.dialect.startTransaction();
    /** Settles once a group's COMMIT or ROLLBACK is queued (commitGroupWith): nothing may run before. */
    let gate: Promise<void> = Promise.resolve();
    /** The open group of steps (step, commitGroup); `lost` once the server ended it. */
    let group: { session: DriverSession; lost?: unknown; marked?: boolean } | undefined;
    const refuseInGroup = () => {
      if (group) throw new TransactionError('transaction', 'A group of steps is open on this series: commit it first');
    };
    const refuseClosed = () => {
      if (closed) throw new TransactionError('transaction', 'This transaction series is closed');
      if (this.tx.getStore()) throw new TransactionError('transaction', 'Nested transactions are not supported');
    };
    const drop = () => {
      session?.destroy();
      session = undefined;
    };
    /** COMMIT sent on `s`; the promise settles with its answer. A COMMIT that fails ends the session. */
    const sendCommit = (s: DriverSession): Promise<void> => {
      const committed = s.query(this.dialect.commit(), []).then(
        () => undefined,
        (e: unknown) => {
          if (session === s) drop();
          else s.destroy();
          throw this.translate(e);
        },
      );
      // Seen by the caller; never an unhandled rejection meanwhile.
      lastCommit = committed.catch(() => undefined);
      return committed;
    };
    /**
     * A session taken while close() ran (it waits for no transaction's start) would be
     * held by a closed series and never given back: it is ended, and the transaction refused.
     */
    const keep = (s: DriverSession): DriverSession => {
      if (closed) {
        s.destroy();
        throw new TransactionError('transaction', 'This transaction series was closed while the transaction started');
      }
      return (session = s);
    };
    const acquire = async (): Promise<DriverSession> =>
      keep(implicit ? await this.liveSession((fresh) => fresh.query(this.dialect.autocommit(false), [])) : await this.pooledSession());
    /**
     * PostgreSQL: the series' session with this transaction's BEGIN run on it. The session
     * the series holds between transactions may have been dropped while idle, unseen (a
     * firewall's idle timeout): nothing of the transaction has run yet, so liveSession
     * replaces it as it replaces a pooled one. Not the series' session meanwhile: a COMMIT
     * failing under the BEGIN ends it, and close() then has nothing to roll back (keep
     * ends it instead). MySQL begins without a statement (autocommit(false) ran when the
     * session was taken).
     */
    const begun = async (sql: string): Promise<DriverSession> => {
      const held = session;
      session = undefined;
      return keep(await this.liveSession((s) => s.query(sql, []), held));
    };
    /** The series' session, ready for a transaction's first statement. */
    const ready = async (): Promise<DriverSession> => (begin ? begun(begin) : (session ?? (await acquire())));
    const commitOpenGroup = (final?: ReadonlyArray<{ sql: string; params: readonly unknown[] }>): Promise<void> => {
      const g = group;
      group = undefined;
      if (!g) return Promise.resolve();
      if (g.lost !== undefined) return Promise.reject(new GroupLost(g.lost));
      if (this.inFlight.has(g.session)) {
        // A step still runs (a make abandoned by an interrupt): committing would commit
        // half of it. The session is ended instead, and the server rolls the group back.
        if (session === g.session) drop();
        else g.session.destroy();
        return Promise.reject(new GroupLost(new TransactionError('transaction', 'a step was still running when its group was to be committed')));
      }
      if (!final || final.length === 0) return sendCommit(g.session);
      // A COMMIT queued behind a failed statement would commit the group without it on
      // MySQL (and nothing, silently, on PostgreSQL): it waits for the answer, and so does
      // whatever the series runs next, lest it run inside this transaction.
      let decided!: () => void;
      gate = new Promise<void>((res) => (decided = res));
      const s = g.session;
      // Every one queued at once, in order, before anything of the next step.
      const answers = s.queryAll ? s.queryAll(final) : final.map((f) => s.query(f.sql, [...f.params]));
      for (const a of answers) a.catch(() => undefined);
      return Promise.all(answers).then(
        () => {
          const committed = sendCommit(s);
          decided();
          return committed;
        },
        async (e: unknown) => {
          const undone = s.query(this.dialect.rollback(), []);
          decided();
          await undone.catch(() => {
            if (session === s) drop();
            else s.destroy();
          });
          throw new GroupLost(this.driver?.isDriverError(e) ? this.translate(e) : e);
        },
      );
    };
    return {
      connectionId: () => session?.serverId,
      commitAnswered: () => lastCommit,
      step: async <T>(fn: () => Promise<T>): Promise<T> => {
        refuseClosed();
        if (group?.lost !== undefined) throw new TransactionError('transaction', 'The open group of steps was lost: commit it first');
        await gate;
        // A group's first step begins its transaction; a BEGIN that fails opens no group.
        const s = group ? (session ?? (await acquire())) : await ready();
        this.inFlight.add(s);
        try {
          group ??= { session: s };
          const mine = group;
          // The group's first step sets the savepoint that later steps' undo checks the
          // transaction by (step-undo.ts); on PostgreSQL every step sets one.
          const step = startStep(s, this.dialect, !mine.marked);
          const state: TxState = { session: s, step };
          try {
            const value = await this.tx.run(state, fn);
            if (await settleStep(s, step)) mine.marked = true;
            if (state.serverEnded) throw endedTransactionError(state.serverEnded, "the key's make went on after an error it caught");
            // PostgreSQL: a make that caught an error of its own statement leaves the
            // transaction aborted, and a COMMIT would then roll the whole group back
            // without an error. The step fails (and is rolled back to its savepoint) instead.
            if (s.transactionAborted?.()) throw new TransactionError('transaction', ABORTED_STEP);
            return value;
          } catch (e) {
            let kept = true;
            try {
              // The group's earlier steps went with the transaction: no undo can bring them back.
              if (state.serverEnded) throw state.serverEnded;
              await undoStep(s, this.dialect, step);
            } catch (undoError) {
              kept = false;
              // Unless the group was committed meanwhile (a make abandoned by an interrupt
              // that ends only after its run). Why the group is lost: what the undo met.
              if (group === mine) mine.lost = this.driver?.isDriverError(undoError) ? this.translate(undoError) : undoError;
              // The session is unusable or its transaction is over: end both for certain.
              if (session === s) drop();
              else s.destroy();
            }
            throw new StepFailed(this.driver?.isDriverError(e) ? this.translate(e) : e, kept);
          }
        } finally {
          this.inFlight.delete(s);
        }
      },
      commitGroup: (): Promise<void> => commitOpenGroup(),
      commitGroupWith: (final): Promise<void> => commitOpenGroup(final),
      transaction: async <T>(fn: () => Promise<T>): Promise<T> => {
        refuseClosed();
        refuseInGroup();
        await gate;
        return this.runTransaction(await ready(), fn, drop);
      },
      transactionSent: async <T>(fn: () => Promise<T>): Promise<{ value: T; committed: Promise<void> }> => {
        refuseClosed();
        refuseInGroup();
        await gate;
        const s = await ready();
        const value = await this.runTransaction(s, fn, drop, true);
        return { value, committed: sendCommit(s) };
      },
      close: async () => {
        closed = true;
        await gate;
        const s = session;
        session = undefined;
        group = undefined;
        if (!s) return;
        try {
          // Anything still open (a make abandoned mid-way) is undone, never committed by
          // turning autocommit back on.
          await s.query(this.dialect.rollback(), []);
          if (implicit) await s.query(this.dialect.autocommit(true), []);
          s.release();
        } catch {
          s.destroy();
        }
      },
    };
  }

  private async pooledSession(): Promise<DriverSession> {
    if (this.reopening) await this.reopening.catch(() => undefined);
    if (this.closed || !this.driver) throw new DataJointError('usage', 'The connection is closed');
    try {
      return await this.driver.session();
    } catch (e) {
      const err = this.translate(e);
      if (!(this.embedded && SERVER_AWAY.has(err.code) && this.settings.database.reconnect)) throw err;
      // Before the transaction's first statement: nothing is lost by taking a session of the
      // server that serves the embedded database now.
      await this.reopenEmbedded();
      try {
        return await this.driver!.session();
      } catch (e2) {
        throw this.translate(e2);
      }
    }
  }

  /** Whether the server rolled back the whole transaction with this statement error. */
  private endedTransaction(session: DriverSession, err: DataJointError): boolean | Promise<boolean> {
    const how = this.dialect.transactionEndedBy(err);
    if (how !== 'onTimeoutSetting' || !this.dialect.rollbackOnTimeoutQuery) return how === 'always';
    // Asked once per connection, the first time a lock wait times out; if it cannot be told, assumed.
    this.rollbackOnTimeout ??= session.query(this.dialect.rollbackOnTimeoutQuery, []).then(
      (r) => Number(r.rows?.[0]?.v) === 1,
      () => true,
    );
    return this.rollbackOnTimeout;
  }

  /**
   * `fn` on `session`: COMMIT when it resolves (unless the caller sends it), ROLLBACK when
   * it throws; `gone` when even ROLLBACK fails.
   */
  private async runTransaction<T>(session: DriverSession, fn: () => Promise<T>, gone: () => void, callerCommits = false): Promise<T> {
    this.inFlight.add(session);
    try {
      const state: TxState = { session };
      const result = await this.tx.run(state, fn);
      // `fn` caught a statement error after which nothing of it can commit. On PostgreSQL a
      // COMMIT would roll back without an error, and the caller would believe it committed.
      if (state.serverEnded) throw endedTransactionError(state.serverEnded, 'the transaction was not committed');
      if (session.transactionAborted?.()) throw new TransactionError('transaction', ABORTED_TRANSACTION);
      if (!callerCommits) await session.query(this.dialect.commit(), []);
      return result;
    } catch (e) {
      try {
        await session.query(this.dialect.rollback(), []);
      } catch {
        // The session is gone; the server rolled back.
        gone();
      }
      // Errors of `fn` itself (user code, DataJointErrors from queries) pass through unchanged.
      throw this.driver?.isDriverError(e) ? this.translate(e) : e;
    } finally {
      this.inFlight.delete(session);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.driver?.end().catch(() => undefined);
  }

  /** Printing a connection (console.log, REPL) never shows the password. */
  [inspect.custom](): string {
    const db = this.settings.database;
    const where = this.embedded ? `${EMBEDDED_LABEL} (${this.embedded.dataDir}), served on ${db.host}:${db.port} by process ${this.embedded.serverPid}` : `${db.user ?? '?'}@${db.host}:${db.port}`;
    return `Connection { ${where}, id ${this.connectionId}${this.closed ? ', closed' : ''} }`;
  }

  toJSON(): Record<string, unknown> {
    const db = this.settings.database;
    const base = { host: db.host, port: db.port, user: db.user, connectionId: this.connectionId, serverVersion: this.serverVersion };
    return this.embedded ? { ...base, embedded: { label: EMBEDDED_LABEL, dir: this.embedded.dir, dataDir: this.embedded.dataDir, serverPid: this.embedded.serverPid } } : base;
  }

  /** Brand check that survives two copies of the runtime (CLI bundle + user module). */
  static isConnection(value: unknown): value is Connection {
    return typeof value === 'object' && value !== null && (value.constructor as unknown as Record<symbol, unknown>)[BRAND] === true;
  }
}

// One process-wide connection even when two copies of the runtime are loaded (the CLI
// bundle and a user's pipeline module): kept on globalThis under a registered symbol.
interface SharedConnection {
  connection?: Connection;
  pending?: Promise<Connection>;
}
const SHARED = Symbol.for('datajoint.defaultConnection');
function sharedState(): SharedConnection {
  const g = globalThis as unknown as Record<symbol, SharedConnection | undefined>;
  return (g[SHARED] ??= {});
}

/** The process-wide connection from settings (instance.py: conn()), opened on first use. */
export function conn(options?: ConnectOptions): Promise<Connection> {
  const state = sharedState();
  if (state.connection) return Promise.resolve(state.connection);
  state.pending ??= Connection.connect(options).then(
    (c) => (state.connection = c),
    (e: unknown) => {
      state.pending = undefined;
      throw e;
    },
  );
  return state.pending;
}

/** Sets (or clears) the process-wide connection used by schemas created without one. */
export function setDefaultConnection(connection: Connection | undefined): void {
  const state = sharedState();
  state.connection = connection;
  state.pending = undefined;
}
