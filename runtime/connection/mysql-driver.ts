// The Driver for MySQL and MariaDB, through mysql2.
import mysql from 'mysql2/promise';
import type { Pool, PoolConnection, PoolOptions } from 'mysql2/promise';
import type { Settings } from '../config/index';
import { MYSQL2_TYPE_OPTIONS } from '../values/index';
import type { Driver, DriverResult, DriverSession, Row, ServerInfo } from './driver';
import { openWithTls, type OpenOptions } from './tls';
import { sessionName } from './session-name';
import { queryChain } from './mysql-pipeline';

/** What both mysql2's core connection and core pool offer: a callback query. */
interface CoreQueryable {
  query(options: { sql: string; values: unknown[] }, callback: (err: unknown, result: unknown) => void): unknown;
}

// The callback API, not mysql2/promise's query(): the promise wrapper captures a stack
// trace for every statement (~10 us each, a sixth of populate's time per key); errors
// are translated by the Connection, where the awaiting caller's async stack is attached.
// mysql2's typings call PoolConnection.connection a promise connection; it is the core one.
function coreQuery(target: object, sql: string, values: unknown[]): Promise<DriverResult> {
  return new Promise((resolve, reject) => {
    (target as unknown as CoreQueryable).query({ sql, values }, (err, result) => {
      if (err) return reject(err);
      if (Array.isArray(result)) return resolve({ rows: result as Row[], affected: result.length });
      resolve({ rows: undefined, affected: Number((result as { affectedRows?: number }).affectedRows ?? 0) });
    });
  });
}

function session(s: PoolConnection): DriverSession {
  const core = s.connection as unknown as object;
  /** A statement to send together with the next one (DriverSession.prefixNext). */
  let prefix: { sql: string; settle: (e?: unknown) => void } | undefined;
  /** The statements in one write, after the prefix if one waits. */
  const takeAll = (statements: ReadonlyArray<{ sql: string; params: readonly unknown[] }>): Promise<DriverResult>[] => {
    const p = prefix;
    prefix = undefined;
    const answers = queryChain(core, [...(p ? [{ sql: p.sql, values: [] }] : []), ...statements.map((st) => ({ sql: st.sql, values: st.params }))]);
    if (p) answers.shift()!.then(() => p.settle(), (e: unknown) => p.settle(e));
    return answers;
  };
  return {
    query: (sql, params) => takeAll([{ sql, params }])[0]!,
    queryAll: takeAll,
    prefixNext: (sql) => {
      if (prefix) throw new Error('prefixNext: a statement already waits to be sent with the next one');
      return new Promise<void>((res, rej) => (prefix = { sql, settle: (e) => (e === undefined ? res() : rej(e)) }));
    },
    dropPrefix: () => {
      const p = prefix;
      prefix = undefined;
      p?.settle();
      return p !== undefined;
    },
    serverId: (s.connection as unknown as { threadId: number }).threadId,
    release: () => s.release(),
    destroy: () => s.destroy(),
    // The socket alone: the session stays checked out until the transaction gives it up.
    cut: () => (s.connection as unknown as { stream?: { destroy(): void } }).stream?.destroy(),
  };
}

function driverOf(pool: Pool): Driver {
  return {
    query: (sql, params) => coreQuery(pool.pool, sql, params),
    session: async () => session(await pool.getConnection()),
    end: () => pool.end(),
    isDriverError: (e) => typeof e === 'object' && e !== null && ('errno' in e || 'sqlMessage' in e),
    implicitTransactions: true,
  };
}

function poolOptions(settings: Settings, options: OpenOptions, ssl: PoolOptions['ssl'] | undefined): PoolOptions {
  const db = settings.database;
  return {
    host: db.host,
    port: db.port,
    user: db.user ?? undefined,
    password: db.password ?? undefined,
    ssl,
    connectionLimit: options.connectionLimit,
    connectTimeout: options.connectTimeout,
    // Exact values: bigint/decimal as strings, dates as text, JSON as text; the value
    // mapping (runtime/values) turns them into JS values by DataJoint type.
    ...MYSQL2_TYPE_OPTIONS,
    charset: 'utf8mb4',
    enableKeepAlive: true,
    multipleStatements: false,
    // A SLURM task's sessions say which task they are (session-name.ts).
    ...(sessionName() ? { connectAttributes: { program_name: sessionName() } } : {}),
  } as PoolOptions;
}

/** Opens the pool and checks the login; throws the driver's error untranslated. */
export async function openMysql(settings: Settings, options: OpenOptions, init: readonly string[]): Promise<{ driver: Driver; info: ServerInfo }> {
  return openWithTls(settings.database.useTls, async (ssl) => {
    const pool = mysql.createPool(poolOptions(settings, options, ssl as PoolOptions['ssl']));
    // mysql2 queues commands per session, so these run before any query on it.
    pool.on('connection', (s) => {
      for (const sql of init) s.query(sql);
    });
    // Idle pooled sockets must not keep the process alive: a script that forgets
    // close() still exits, as it would with DataJoint for Python.
    const socketOf = (s: unknown) => (s as { stream?: { ref?: () => void; unref?: () => void } }).stream;
    pool.on('acquire', (s) => socketOf(s)?.ref?.());
    pool.on('release', (s) => socketOf(s)?.unref?.());
    try {
      const s = await pool.getConnection();
      try {
        const [rows] = await s.query('SELECT connection_id() AS id, @@version AS version');
        const r = (rows as Row[])[0]!;
        return { driver: driverOf(pool), info: { connectionId: Number(r.id), serverVersion: String(r.version) } };
      } finally {
        s.release();
      }
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw e;
    }
  });
}
