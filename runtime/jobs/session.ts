// The few SQL operations the jobs queue and populate need, independent of which
// connection object carries them: the runtime core's Connection, or a bare mysql2 or
// node-postgres connection (tests, the worker processes' own queue connection).
import type { Connection as Mysql2Connection, PoolConnection, ResultSetHeader } from 'mysql2/promise';
import type pg from 'pg';
import { mysqlFragments, postgresFragments, type SqlFragments } from '../dialect/fragments';
import { pgQuery } from '../connection/pg-driver';

/** SQL text with its bound values in placeholder order. */
export interface Sql {
  sql: string;
  params: unknown[];
}

export type Row = Record<string, unknown>;

export interface SqlSession {
  /** The backend's forms of the statements the queue and populate write. */
  readonly sql: SqlFragments;
  /** Rows of a SELECT. */
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** A statement that changes rows; resolves to the server's affected-row count. */
  execute(sql: string, params?: readonly unknown[]): Promise<number>;
  /**
   * Runs `fn` inside one transaction on one physical connection: COMMIT when it
   * resolves, ROLLBACK when it throws. Nested calls are refused, as in the reference
   * (connection.py: start_transaction).
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** The server-side id of the connection that runs this session's statements. */
  connectionId(): Promise<number>;
  /**
   * One session set aside for many transactions in a row, each started implicitly by
   * its first statement on MySQL, by BEGIN on PostgreSQL (connection/index.ts: TransactionSeries); populate's loop uses
   * it to save a round trip per key. Sessions without it use `transaction`.
   */
  series?(): TransactionSeriesLike;
  /**
   * Ends the transactions in progress on this session from outside them (their server
   * sessions closed, so the server rolls them back). Sessions on the embedded database have
   * it: there a statement of another session that would end them (pg_terminate_backend)
   * waits for them to end first.
   */
  abortTransaction?(): void;
}

export interface TransactionSeriesLike {
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Resolves when COMMIT is sent; `committed` settles with the answer (connection/index.ts). */
  transactionSent?<T>(fn: () => Promise<T>): Promise<{ value: T; committed: Promise<void> }>;
  /** The server's id of the session the next transaction runs on, once it has one. */
  connectionId(): number | undefined;
  /** Fulfils when the last COMMIT sent by transactionSent has its answer, whatever it is (never rejects). */
  commitAnswered?(): Promise<void>;
  /** One step of a group of transactions committed together (connection/index.ts: TransactionSeries.step). */
  step?<T>(fn: () => Promise<T>): Promise<T>;
  commitGroup?(): Promise<void>;
  /** commitGroup with one statement just before the COMMIT (connection/index.ts: TransactionSeries.commitGroupWith). */
  commitGroupWith?(final: readonly Sql[]): Promise<void>;
  close(): Promise<void>;
}

/** `transaction` of a session on one connection: BEGIN, `fn`, COMMIT (ROLLBACK when it throws); no nesting. */
function transactions(run: (sql: string) => Promise<unknown>, begin: string): SqlSession['transaction'] {
  let inTransaction = false;
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (inTransaction) throw new Error('Nested transactions are not supported.');
    inTransaction = true;
    try {
      await run(begin);
      let result: T;
      try {
        result = await fn();
      } catch (e) {
        await run('ROLLBACK').catch(() => undefined);
        throw e;
      }
      await run('COMMIT');
      return result;
    } finally {
      inTransaction = false;
    }
  };
}

/** A session over one dedicated mysql2 connection (never a pool: transactions need one). */
export function sessionFromMysql(conn: Mysql2Connection | PoolConnection): SqlSession {
  let cachedId: number | undefined;
  // The core connection's callback query: mysql2/promise captures a stack trace per
  // statement, a cost populate's claims pay for every key.
  const core = (conn as unknown as { connection: { query(o: { sql: string; values: unknown[] }, cb: (err: unknown, res: unknown) => void): unknown } }).connection;
  const run = (sql: string, params: readonly unknown[] = []): Promise<unknown> =>
    new Promise((resolve, reject) => {
      core.query({ sql, values: params as unknown[] }, (err, res) => (err ? reject(err) : resolve(res)));
    });
  return {
    sql: mysqlFragments,
    async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      return (await run(sql, params)) as T[];
    },
    async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
      return ((await run(sql, params)) as ResultSetHeader).affectedRows;
    },
    transaction: transactions(run, 'START TRANSACTION'),
    async connectionId(): Promise<number> {
      if (cachedId === undefined) {
        const rows = (await run('SELECT CONNECTION_ID() AS id')) as Row[];
        cachedId = Number(rows[0]!.id);
      }
      return cachedId;
    },
  };
}

/** A session over one dedicated node-postgres client. */
export function sessionFromPg(client: pg.Client | pg.PoolClient): SqlSession {
  let cachedId: number | undefined;
  const run = (sql: string, params: readonly unknown[] = []): Promise<pg.QueryResult> => client.query(pgQuery(sql, params));
  return {
    sql: postgresFragments,
    async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      return (await run(sql, params)).rows as T[];
    },
    async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
      const r = await run(sql, params);
      return r.fields && r.fields.length > 0 ? r.rows.length : (r.rowCount ?? 0);
    },
    transaction: transactions(run, 'BEGIN'),
    async connectionId(): Promise<number> {
      cachedId ??= Number((await run('SELECT pg_backend_pid() AS id')).rows[0]!.id);
      return cachedId;
    },
  };
}
