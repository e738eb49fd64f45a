// The Driver for PostgreSQL, through node-postgres (pg).
import pg from 'pg';
import type { Settings } from '../config/index';
import type { Driver, DriverResult, DriverSession, ServerInfo } from './driver';
import { numberPlaceholders } from './placeholders';
import { sessionName } from './session-name';
import { isPgSessionLost } from '../dialect/postgres-errors';
import { openWithTls, type OpenOptions } from './tls';

// Values arrive as the value mapping (runtime/values/decode.ts) reads them from MySQL:
// int8 and numeric as exact text, dates and timestamps as text read as UTC, json as text.
// bytea (Buffer), boolean, uuid (text), smaller integers and floats keep pg's parsers.
const RAW_TEXT = new Set<number>([
  pg.types.builtins.INT8,
  pg.types.builtins.NUMERIC,
  pg.types.builtins.DATE,
  pg.types.builtins.TIMESTAMP,
  pg.types.builtins.TIMESTAMPTZ,
  pg.types.builtins.TIME,
  pg.types.builtins.JSON,
  pg.types.builtins.JSONB,
]);
export const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    RAW_TEXT.has(oid) ? (value: string) => value : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

function resultOf(r: pg.QueryResult): DriverResult {
  // A statement that returns rows has a row description, even with no rows.
  if (r.fields && r.fields.length > 0) return { rows: r.rows, affected: r.rows.length };
  return { rows: undefined, affected: r.rowCount ?? 0 };
}

/**
 * A statement as pg sends it: numbered placeholders, and always the extended protocol, so
 * one statement per query even without values (pg sends a query without values as a simple
 * query, which may hold several: issue 10). `queryMode` is pg's, missing from its types.
 */
export function pgQuery(sql: string, params: readonly unknown[]): pg.QueryConfig {
  const config: pg.QueryConfig & { queryMode: 'extended' } = { text: numberPlaceholders(sql), values: [...params], queryMode: 'extended' };
  return config;
}

function run(target: pg.Pool | pg.PoolClient, sql: string, params: unknown[]): Promise<DriverResult> {
  return target.query(pgQuery(sql, params)).then(resultOf);
}

/** Statements after which a transaction is no longer aborted (or none is open). */
const ENDS_ABORT = /^\s*(BEGIN|START|COMMIT|ROLLBACK|END|ABORT)\b/i;

function session(client: pg.PoolClient): DriverSession {
  // One statement at a time per client: a COMMIT sent without waiting for its answer
  // (TransactionSeries.transactionSent) has the next statement queue behind it here,
  // not in pg's own queue, which pg 9 removes.
  let tail: Promise<unknown> = Promise.resolve();
  // The pool listens for errors of idle clients only: a session ended by the server while
  // checked out between statements (pg_terminate_backend) would otherwise crash the
  // process; its next statement reports the loss instead.
  const onError = () => undefined;
  client.on('error', onError);
  const off = () => client.removeListener('error', onError);
  // Given back (released, destroyed or cut) once; later calls do nothing.
  let returned = false;
  /** A statement failed since the last BEGIN, COMMIT, ROLLBACK or ROLLBACK TO SAVEPOINT. */
  let failed = false;
  return {
    query: (sql, params) => {
      const result = tail.then(() => run(client, sql, params));
      tail = result.catch(() => undefined);
      // Noted before the caller sees the outcome (this reaction runs first).
      result.then(
        () => {
          if (ENDS_ABORT.test(sql)) failed = false;
        },
        (e: unknown) => {
          if (e instanceof pg.DatabaseError) failed = true;
        },
      );
      return result;
    },
    serverId: (client as unknown as { processID: number }).processID,
    // pg settles a failed statement on its error, before the ReadyForQuery that says the
    // transaction is aborted: the session's own record of that error counts as well.
    transactionAborted: () => failed || client.getTransactionStatus() === 'E',
    release: () => {
      if (returned) return;
      returned = true;
      off();
      client.release();
    },
    destroy: () => {
      if (returned) return;
      returned = true;
      off();
      client.release(true);
    },
    // Out of the pool at once (which closes its socket), not when the transaction using it
    // gives it back: that one may be busy for a long time (a make sleeping inside it), and
    // pool.end() would wait for it. Its later statements fail; its release is then a no-op.
    // The error listener stays: the closed client may still report its socket's end.
    cut: () => {
      if (returned) return;
      returned = true;
      client.release(true);
    },
  };
}

function driverOf(pool: pg.Pool): Driver {
  return {
    query: (sql, params) => run(pool, sql, params),
    session: async () => session(await pool.connect()),
    end: () => pool.end(),
    // Server errors carry a SQLSTATE and a severity; socket errors a Node error code.
    isDriverError: (e) => {
      if (e instanceof pg.DatabaseError) return true;
      const code = (e as { code?: unknown } | null)?.code;
      if (e instanceof Error && typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true;
      // pg's own errors for a client whose connection is gone carry no code.
      return e instanceof Error && code === undefined && isPgSessionLost(e);
    },
    implicitTransactions: false,
  };
}

/** `SET name = value` statements as the startup packet's `-c name=value` options. */
export function startupOptions(init: readonly string[]): string | undefined {
  const options = init.map((sql) => {
    const m = /^SET\s+(\w+)\s*(?:=|TO)\s*'?([\w.-]+)'?$/i.exec(sql.trim());
    if (!m) throw new Error(`session setting ${sql} cannot be sent at startup`);
    return `-c ${m[1]}=${m[2]}`;
  });
  return options.length ? options.join(' ') : undefined;
}

/** Opens the pool and checks the login; throws the driver's error untranslated. */
export async function openPostgres(settings: Settings, options: OpenOptions, init: readonly string[]): Promise<{ driver: Driver; info: ServerInfo }> {
  const db = settings.database;
  return openWithTls(db.useTls, async (ssl) => {
    const pool = new pg.Pool({
      host: db.host,
      port: db.port,
      user: db.user ?? undefined,
      password: db.password ?? undefined,
      database: db.name ?? 'postgres',
      ssl: ssl === undefined ? false : ssl,
      max: options.connectionLimit,
      connectionTimeoutMillis: options.connectTimeout,
      keepAlive: true,
      // A SLURM task's sessions say which task they are (session-name.ts); PGAPPNAME, when
      // set, is node-postgres's own default.
      ...(!process.env.PGAPPNAME && sessionName() ? { application_name: sessionName() } : {}),
      // Idle pooled sockets do not keep the process alive, as with the MySQL driver.
      allowExitOnIdle: true,
      types: pgTypes,
      // The session settings travel in the startup packet, so they hold before any statement.
      options: startupOptions(init),
    });
    // A pooled session lost while idle is dropped by the pool; the next query reports it.
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      try {
        const r = await client.query<{ id: number; version: string }>("SELECT pg_backend_pid() AS id, current_setting('server_version') AS version");
        const row = r.rows[0]!;
        return { driver: driverOf(pool), info: { connectionId: Number(row.id), serverVersion: `PostgreSQL ${row.version}` } };
      } finally {
        client.release();
      }
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw e;
    }
  });
}
