// Each worker keeps one dedicated connection for the job queue. Its id is what the
// reservations record, so it must live exactly as long as the worker: a pooled session
// could be closed while idle and make a live reservation look orphaned. When it is lost
// (server restart, network), it is reopened and the new id is recorded from then on
// (our decision, notes 11.3 #20); reservations made on the old one are re-pended by the
// next refresh, like those of a dead worker.
//
// No connection that carries a user's text allows several statements per query (issue
// 10: a string restriction that closed the queries around it ran a DROP TABLE here).
// String restrictions run on this connection (refresh, restricted claims, counts), so it
// runs one statement per query, the queue's own claims included (jobs/queue.ts: claimJob,
// a transaction of single statements).
import { sessionName } from '../connection/session-name';
import { AsyncLocalStorage } from 'node:async_hooks';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { mysqlDialect, postgresDialect } from '../dialect/index';
import { sessionFromMysql, sessionFromPg, type Row, type SqlSession } from '../jobs/session';
import { embeddedFragments } from '../dialect/fragments';
import { embeddedLocation, startEmbeddedServer } from '../embedded/locate';
import { pgTypes, startupOptions } from '../connection/pg-driver';
import { openWithTls } from '../connection/tls';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../connection/driver';
import { MYSQL2_TYPE_OPTIONS } from '../values/index';
import { isPgSessionLost } from '../dialect/postgres-errors';
import type { ServerAddress } from './target';

export interface ControlConnection {
  session: SqlSession;
  close(): Promise<void>;
}

/** One dedicated server session, as the backend's client library gives it. */
interface RawSession {
  session: SqlSession;
  destroy(): void;
  end(): Promise<void>;
}

async function connectMysql(server: ServerAddress, ssl: Record<string, unknown> | undefined, timeoutMs: number): Promise<RawSession> {
  const conn = await mysql.createConnection({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    ssl,
    // The same value forms as the runtime core's pool, so keys compare equal.
    ...MYSQL2_TYPE_OPTIONS,
    connectTimeout: timeoutMs,
    charset: 'utf8mb4',
    enableKeepAlive: true,
    multipleStatements: false,
    // The reservations name this connection: a SLURM task is told by it, as by the pool's.
    ...(sessionName() ? { connectAttributes: { program_name: sessionName() } } : {}),
  });
  // A lost connection surfaces on the next query (and is reopened there), not as a crash.
  conn.on('error', () => undefined);
  // The sql_mode of every runtime connection (connection.py): string restrictions are
  // lexed as query/condition.ts assumes (no ANSI_QUOTES, no NO_BACKSLASH_ESCAPES).
  try {
    for (const sql of mysqlDialect.sessionInit()) await conn.query(sql);
  } catch (e) {
    conn.destroy();
    throw e;
  }
  return { session: sessionFromMysql(conn), destroy: () => conn.destroy(), end: () => conn.end() };
}

// The same value forms as the runtime core's PostgreSQL pool (connection/pg-driver.ts).
async function connectPostgres(server: ServerAddress, ssl: Record<string, unknown> | undefined, timeoutMs: number): Promise<RawSession> {
  // The embedded database's server of the moment: the one the target was made with may have
  // exited (idle, killed) and another serve the directory on another port.
  const at = server.embedded ? await startEmbeddedServer(embeddedLocation(server.embedded.dir)) : server;
  const client = new pg.Client({
    host: at.host,
    port: at.port,
    user: server.user,
    // The embedded folder's password, read from its file by startEmbeddedServer.
    password: at.password,
    database: server.database ?? 'postgres',
    ssl: ssl ?? false,
    keepAlive: true,
    // node-postgres waits forever by default: a server that accepts no session must fail
    // the worker's start as it fails the pool's.
    connectionTimeoutMillis: timeoutMs,
    types: pgTypes,
    options: startupOptions(postgresDialect.sessionInit()),
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }
  const session = sessionFromPg(client);
  return {
    // Holders on the embedded database are told apart by host and pid only (fragments.ts).
    session: server.embedded ? { ...session, sql: embeddedFragments } : session,
    destroy: () => void client.end().catch(() => undefined),
    end: () => client.end(),
  };
}

/** Errors after which the session is unusable (mysql2 marks them fatal; pg: isPgSessionLost). */
function isLost(e: unknown): boolean {
  const err = e as { fatal?: boolean; code?: string; message?: string };
  return (
    err?.fatal === true ||
    err?.code === 'PROTOCOL_CONNECTION_LOST' ||
    err?.code === 'ECONNRESET' ||
    /closed state/i.test(err?.message ?? '') ||
    isPgSessionLost(e)
  );
}

export interface ControlOptions {
  /** How long opening its session may take (default: the pool's, DEFAULT_CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number;
}

export async function openControl(server: ServerAddress, options: ControlOptions = {}): Promise<ControlConnection> {
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const connect = server.backend === 'postgresql' ? connectPostgres : connectMysql;
  // The TLS option that worked is the one every reopen uses.
  let ssl: Record<string, unknown> | undefined;
  let raw = await openWithTls(server.tls, (option) => {
    ssl = option;
    return connect(server, option, timeoutMs);
  });
  let current = raw.session;
  let inTransaction = false;
  let closed = false;
  const reopen = async () => {
    raw.destroy();
    raw = await connect(server, ssl, timeoutMs);
    current = raw.session;
  };
  // Statements outside a transaction are retried once on a fresh connection.
  const retry = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (e) {
      if (closed || inTransaction || !isLost(e)) throw e;
      await reopen();
      return run();
    }
  };
  // One user of the session at a time: a statement sent while a transaction (a claim
  // read ahead) is open would run inside it, and on PostgreSQL a failing one would abort
  // that claim. Statements inside the transaction's own function pass straight through.
  const insideTransaction = new AsyncLocalStorage<true>();
  let turn: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(run: () => Promise<T>): Promise<T> => {
    if (insideTransaction.getStore()) return run();
    const result = turn.then(run, run);
    turn = result.catch(() => undefined);
    return result;
  };
  const session: SqlSession = {
    sql: current.sql,
    query: <T extends Row = Row>(sql: string, params?: readonly unknown[]) => exclusive(() => retry(() => current.query<T>(sql, params))),
    execute: (sql, params) => exclusive(() => retry(() => current.execute(sql, params))),
    connectionId: () => exclusive(() => retry(() => current.connectionId())),
    // A transaction cut off by a lost connection is run once more on a new one. The
    // queue's transactions may run twice: a claim reads the connection's id inside it,
    // so a reservation whose COMMIT went through before the loss names the dead
    // connection. While this worker runs on this host its holder still reads as alive
    // (holder.ts goes by the process); once it exits, refresh and Recover re-pend it, and
    // on another host only the time rule (orphanTimeout, --older-than) takes it back.
    transaction: (fn) =>
      exclusive(async () => {
        const attempt = async () => {
          inTransaction = true;
          try {
            return await insideTransaction.run(true, () => current.transaction(fn));
          } finally {
            inTransaction = false;
          }
        };
        try {
          return await attempt();
        } catch (e) {
          if (closed || !isLost(e)) throw e;
          await reopen();
          return attempt();
        }
      }),
  };
  return {
    session,
    close: async () => {
      closed = true;
      await raw.end().catch(() => raw.destroy());
    },
  };
}
