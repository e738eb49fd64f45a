// One connection object per server: a pool of sessions (mysql2 for MySQL and MariaDB,
// node-postgres for PostgreSQL, runtime/connection/driver.ts), the dialect that builds its SQL, and
// transactions pinned to one pooled session through AsyncLocalStorage, so that every
// query issued inside `transaction(async () => …)` (including those of make() hooks) runs
// in that transaction without passing a handle around (reference: connection.py).
import { AsyncLocalStorage } from 'node:async_hooks';
import { inspect } from 'node:util';
import { loadSettings, type LoadOptions, type Settings, type SettingsOverrides } from '../config/index';
import { mysqlDialect, postgresDialect, type Dialect } from '../dialect/index';
import { ConfigError, DataJointError, TransactionError } from '../errors/index';
import type { Driver, DriverSession, Row } from './driver';
import { openMysql } from './mysql-driver';
import { openPostgres } from './pg-driver';

export type { Row } from './driver';

export interface ConnectOptions extends LoadOptions {
  /** Fully resolved settings; when given, no file or environment is read. */
  settings?: Settings;
  /** Shorthand for overrides.database. */
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  useTls?: boolean | Record<string, unknown>;
  /** Shorthand for overrides.database.backend. */
  backend?: 'mysql' | 'postgresql';
  /** Maximum pooled sessions (default 10). */
  connectionLimit?: number;
  /** Connect timeout in ms (default 10000). */
  connectTimeout?: number;
}

interface TxState {
  session: DriverSession;
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
   * that fails ends the session: what was queued behind it fails and rolls back too.
   */
  transactionSent<T>(fn: () => Promise<T>): Promise<{ value: T; committed: Promise<void> }>;
  /** The server's id of the session the next transaction runs on, once it has one. */
  connectionId(): number | undefined;
  /** Settles (never rejects) when the last COMMIT sent by transactionSent has its answer. */
  commitAnswered(): Promise<void>;
  /**
   * Rolls back whatever is still open on the session and gives it back to the pool with
   * autocommit on again; later transactions on the series are refused.
   */
  close(): Promise<void>;
}

const BRAND = Symbol.for('datajoint.connection');

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
  private readonly tx = new AsyncLocalStorage<TxState>();
  private closed = false;

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
    const settings = options.settings ?? loadSettings({ ...options, overrides });
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

  /** `mysql` (MySQL, MariaDB) or `postgresql`. */
  get backend(): 'mysql' | 'postgresql' {
    return this.dialect.name;
  }

  private async open(options: ConnectOptions): Promise<void> {
    this.poolLimit = options.connectionLimit ?? 10;
    const open = this.dialect.name === 'postgresql' ? openPostgres : openMysql;
    try {
      const { driver, info } = await open(this.settings, { connectionLimit: this.poolLimit, connectTimeout: options.connectTimeout ?? 10_000 }, this.dialect.sessionInit());
      this.driver = driver;
      this.connectionId = info.connectionId;
      this.serverVersion = info.serverVersion;
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
  async query<T extends Row = Row>(sql: string, params: unknown[] = [], context: { schema?: string; table?: string } = {}): Promise<T[]> {
    const result = await this.run(sql, params, context);
    return (result.rows ?? []) as T[];
  }

  /** Runs a statement and returns the number of rows it affected. */
  async execute(sql: string, params: unknown[] = [], context: { schema?: string; table?: string } = {}): Promise<number> {
    return (await this.run(sql, params, context)).affected;
  }

  private async run(sql: string, params: unknown[], context: { schema?: string; table?: string }) {
    if (this.closed || !this.driver) throw new DataJointError('usage', 'The connection is closed');
    const driver = this.driver;
    const state = this.tx.getStore();
    try {
      return await (state ? state.session.query(sql, params) : driver.query(sql, params));
    } catch (e) {
      const err = this.translate(e, context);
      // connection.py: query — reconnect once when not inside a transaction.
      if (err.code === 'lostConnection' && !state && this.settings.database.reconnect) {
        try {
          return await driver.query(sql, params);
        } catch (e2) {
          throw this.translate(e2, context);
        }
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
    const session = await this.pooledSession();
    let gone = false;
    try {
      return await this.runTransaction(session, fn, this.dialect.startTransaction(), () => (gone = true));
    } finally {
      if (gone) session.destroy();
      else session.release();
    }
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
    const refuseClosed = () => {
      if (closed) throw new TransactionError('transaction', 'This transaction series is closed');
      if (this.tx.getStore()) throw new TransactionError('transaction', 'Nested transactions are not supported');
    };
    const drop = () => {
      session?.destroy();
      session = undefined;
    };
    const acquire = async (): Promise<DriverSession> => {
      const s = await this.pooledSession();
      if (implicit) {
        try {
          await s.query(this.dialect.autocommit(false), []);
        } catch (e) {
          s.destroy();
          throw this.translate(e);
        }
      }
      return (session = s);
    };
    return {
      connectionId: () => session?.serverId,
      commitAnswered: () => lastCommit,
      transaction: async <T>(fn: () => Promise<T>): Promise<T> => {
        refuseClosed();
        return this.runTransaction(session ?? (await acquire()), fn, begin, drop);
      },
      transactionSent: async <T>(fn: () => Promise<T>): Promise<{ value: T; committed: Promise<void> }> => {
        refuseClosed();
        const s = session ?? (await acquire());
        const value = await this.runTransaction(s, fn, begin, drop, true);
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
        return { value, committed };
      },
      close: async () => {
        closed = true;
        const s = session;
        session = undefined;
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
    if (this.closed || !this.driver) throw new DataJointError('usage', 'The connection is closed');
    try {
      return await this.driver.session();
    } catch (e) {
      throw this.translate(e);
    }
  }

  /**
   * `fn` on `session`: COMMIT when it resolves (unless the caller sends it), ROLLBACK when
   * it throws; `gone` when even ROLLBACK fails.
   */
  private async runTransaction<T>(session: DriverSession, fn: () => Promise<T>, begin: string | undefined, gone: () => void, callerCommits = false): Promise<T> {
    try {
      if (begin) await session.query(begin, []);
      const result = await this.tx.run({ session }, fn);
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
    return `Connection { ${db.user ?? '?'}@${db.host}:${db.port}, id ${this.connectionId}${this.closed ? ', closed' : ''} }`;
  }

  toJSON(): Record<string, unknown> {
    const db = this.settings.database;
    return { host: db.host, port: db.port, user: db.user, connectionId: this.connectionId, serverVersion: this.serverVersion };
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
