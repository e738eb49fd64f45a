// One connection object per server: a mysql2 pool, the dialect that builds its SQL, and
// transactions pinned to one pooled session through AsyncLocalStorage, so that every
// query issued inside `transaction(async () => …)` (including those of make() hooks) runs
// in that transaction without passing a handle around (reference: connection.py).
import { AsyncLocalStorage } from 'node:async_hooks';
import { inspect } from 'node:util';
import mysql from 'mysql2/promise';
import type { Pool, PoolConnection, PoolOptions } from 'mysql2/promise';
import { loadSettings, type LoadOptions, type Settings, type SettingsOverrides } from '../config/index';
import { mysqlDialect, type Dialect } from '../dialect/index';
import { ConfigError, DataJointError, TransactionError } from '../errors/index';
import { MYSQL2_TYPE_OPTIONS } from '../values/index';

export interface ConnectOptions extends LoadOptions {
  /** Fully resolved settings; when given, no file or environment is read. */
  settings?: Settings;
  /** Shorthand for overrides.database. */
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  useTls?: boolean | Record<string, unknown>;
  /** Maximum pooled sessions (default 10). */
  connectionLimit?: number;
  /** Connect timeout in ms (default 10000). */
  connectTimeout?: number;
}

export type Row = Record<string, unknown>;

interface TxState {
  session: PoolConnection;
}

/** What both mysql2's core connection and core pool offer: a callback query. */
interface CoreQueryable {
  query(options: { sql: string; values: unknown[] }, callback: (err: unknown, result: unknown) => void): unknown;
}

// The callback API, not mysql2/promise's query(): the promise wrapper captures a stack
// trace for every statement (~10 us each, a sixth of populate's time per key); errors
// are translated here, where the awaiting caller's async stack is still attached.
// mysql2's typings call PoolConnection.connection a promise connection; it is the core one.
function coreQuery(target: object, sql: string, values: unknown[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    (target as unknown as CoreQueryable).query({ sql, values }, (err, result) => (err ? reject(err) : resolve(result)));
  });
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
  /** The server's id for the session that opened first (`SELECT connection_id()`). */
  connectionId = 0;
  /** e.g. `10.11.6-MariaDB-0+deb12u1`. */
  serverVersion = '';
  private pool: Pool | undefined;
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
    for (const k of ['host', 'port', 'user', 'password', 'useTls'] as const) {
      if (options[k] !== undefined) (overrides.database as Record<string, unknown>)[k] = options[k];
    }
    const settings = options.settings ?? loadSettings({ ...options, overrides });
    if (settings.database.backend !== 'mysql') {
      throw new ConfigError(`database.backend "${settings.database.backend}" is not supported yet; use "mysql"`);
    }
    if (!settings.database.user) {
      throw new ConfigError('Database user not configured. Set DJ_USER, database.user in datajoint.json, or pass user.');
    }
    if (settings.database.password === null) {
      throw new ConfigError('Database password not configured. Set DJ_PASS, a .secrets/database.password file, or pass password.');
    }
    const conn = new Connection(settings, mysqlDialect);
    await conn.open(options);
    return conn;
  }

  private poolOptions(options: ConnectOptions, ssl: PoolOptions['ssl'] | undefined): PoolOptions {
    const db = this.settings.database;
    return {
      host: db.host,
      port: db.port,
      user: db.user ?? undefined,
      password: db.password ?? undefined,
      ssl,
      connectionLimit: this.poolLimit,
      connectTimeout: options.connectTimeout ?? 10_000,
      // Exact values: bigint/decimal as strings, dates as text, JSON as text; the value
      // mapping (runtime/values) turns them into JS values by DataJoint type.
      ...MYSQL2_TYPE_OPTIONS,
      charset: 'utf8mb4',
      enableKeepAlive: true,
      multipleStatements: false,
    } as PoolOptions;
  }

  private async open(options: ConnectOptions): Promise<void> {
    this.poolLimit = options.connectionLimit ?? 10;
    const tls = this.settings.database.useTls;
    const attempts: Array<PoolOptions['ssl'] | undefined> =
      tls === false ? [undefined] : tls === true ? [{}] : tls === null ? [{ rejectUnauthorized: false }, undefined] : [tls as PoolOptions['ssl']];
    let lastError: unknown;
    for (const ssl of attempts) {
      const pool = mysql.createPool(this.poolOptions(options, ssl));
      const init = this.dialect.sessionInit();
      // mysql2 queues commands per session, so these run before any query on it.
      pool.on('connection', (session) => {
        for (const sql of init) session.query(sql);
      });
      // Idle pooled sockets must not keep the process alive: a script that forgets
      // close() still exits, as it would with DataJoint for Python.
      const socketOf = (session: unknown) => (session as { stream?: { ref?: () => void; unref?: () => void } }).stream;
      pool.on('acquire', (session) => socketOf(session)?.ref?.());
      pool.on('release', (session) => socketOf(session)?.unref?.());
      try {
        const session = await pool.getConnection();
        try {
          const [rows] = await session.query('SELECT connection_id() AS id, @@version AS version');
          const r = (rows as Row[])[0];
          this.connectionId = Number(r.id);
          this.serverVersion = String(r.version);
        } finally {
          session.release();
        }
        this.pool = pool;
        return;
      } catch (e) {
        lastError = e;
        await pool.end().catch(() => undefined);
        const code = (e as { code?: string }).code ?? '';
        // use_tls unset: fall back to plain when the server has no TLS (connection.py: connect).
        const tlsFailure = /SSL|TLS|HANDSHAKE/i.test(code) || /ssl|tls/i.test(String((e as Error).message));
        if (!(tls === null && ssl !== undefined && tlsFailure)) break;
      }
    }
    throw this.translate(lastError);
  }

  private translate(e: unknown, extra: { schema?: string; table?: string } = {}): DataJointError {
    const db = this.settings.database;
    return this.dialect.translateError(e, { host: db.host, port: db.port, user: db.user ?? undefined, ...extra });
  }

  /** True while the calling async context is inside `transaction()`. */
  get inTransaction(): boolean {
    return this.tx.getStore() !== undefined;
  }

  /** Runs a statement with bound values; returns rows for SELECTs, the driver's result header otherwise. */
  async query<T extends Row = Row>(sql: string, params: unknown[] = [], context: { schema?: string; table?: string } = {}): Promise<T[]> {
    const result = await this.run(sql, params, context);
    return Array.isArray(result) ? (result as T[]) : [];
  }

  /** Runs a statement and returns the number of rows it affected. */
  async execute(sql: string, params: unknown[] = [], context: { schema?: string; table?: string } = {}): Promise<number> {
    const result = await this.run(sql, params, context);
    return Array.isArray(result) ? result.length : Number((result as { affectedRows?: number }).affectedRows ?? 0);
  }

  private async run(sql: string, params: unknown[], context: { schema?: string; table?: string }): Promise<unknown> {
    if (this.closed || !this.pool) throw new DataJointError('usage', 'The connection is closed');
    const state = this.tx.getStore();
    const target = state ? state.session.connection : this.pool.pool;
    try {
      return await coreQuery(target, sql, params);
    } catch (e) {
      const err = this.translate(e, context);
      // connection.py: query — reconnect once when not inside a transaction.
      if (err.code === 'lostConnection' && !state && this.settings.database.reconnect) {
        try {
          return await coreQuery(this.pool.pool, sql, params);
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
    try {
      return await this.runTransaction(session, fn, this.dialect.startTransaction(), () => undefined);
    } finally {
      session.release();
    }
  }

  /**
   * Sets one session aside for a series of transactions (see TransactionSeries). A
   * session that fails (lost, killed by an interrupt) is dropped and the next
   * transaction takes a fresh one.
   */
  openTransactionSeries(): TransactionSeries {
    let session: PoolConnection | undefined;
    let closed = false;
    let lastCommit: Promise<void> = Promise.resolve();
    const refuseClosed = () => {
      if (closed) throw new TransactionError('transaction', 'This transaction series is closed');
      if (this.tx.getStore()) throw new TransactionError('transaction', 'Nested transactions are not supported');
    };
    const drop = () => {
      session?.destroy();
      session = undefined;
    };
    const acquire = async (): Promise<PoolConnection> => {
      const s = await this.pooledSession();
      try {
        await coreQuery(s.connection, this.dialect.autocommit(false), []);
      } catch (e) {
        s.destroy();
        throw this.translate(e);
      }
      return (session = s);
    };
    return {
      connectionId: () => (session ? (session.connection as unknown as { threadId: number }).threadId : undefined),
      commitAnswered: () => lastCommit,
      transaction: async <T>(fn: () => Promise<T>): Promise<T> => {
        refuseClosed();
        // No START: with autocommit off the first statement opens the transaction.
        return this.runTransaction(session ?? (await acquire()), fn, undefined, drop);
      },
      transactionSent: async <T>(fn: () => Promise<T>): Promise<{ value: T; committed: Promise<void> }> => {
        refuseClosed();
        const s = session ?? (await acquire());
        const value = await this.runTransaction(s, fn, undefined, drop, true);
        const committed = coreQuery(s.connection, this.dialect.commit(), []).then(
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
          await coreQuery(s.connection, this.dialect.rollback(), []);
          await coreQuery(s.connection, this.dialect.autocommit(true), []);
          s.release();
        } catch {
          s.destroy();
        }
      },
    };
  }

  private async pooledSession(): Promise<PoolConnection> {
    if (this.closed || !this.pool) throw new DataJointError('usage', 'The connection is closed');
    try {
      return await this.pool.getConnection();
    } catch (e) {
      throw this.translate(e);
    }
  }

  /**
   * `fn` on `session`: COMMIT when it resolves (unless the caller sends it), ROLLBACK when
   * it throws; `gone` when even ROLLBACK fails.
   */
  private async runTransaction<T>(session: PoolConnection, fn: () => Promise<T>, begin: string | undefined, gone: () => void, callerCommits = false): Promise<T> {
    try {
      if (begin) await coreQuery(session.connection, begin, []);
      const result = await this.tx.run({ session }, fn);
      if (!callerCommits) await coreQuery(session.connection, this.dialect.commit(), []);
      return result;
    } catch (e) {
      try {
        await coreQuery(session.connection, this.dialect.rollback(), []);
      } catch {
        // The session is gone; the server rolled back.
        gone();
      }
      // Errors of `fn` itself (user code, DataJointErrors from queries) pass through unchanged.
      const driver = typeof e === 'object' && e !== null && ('errno' in e || 'sqlMessage' in e);
      throw driver ? this.translate(e) : e;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool?.end().catch(() => undefined);
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
