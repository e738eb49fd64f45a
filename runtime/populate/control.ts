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
import mysql from 'mysql2/promise';
import { mysqlDialect } from '../dialect/index';
import { sessionFromMysql, type Row, type SqlSession } from '../jobs/session';
import type { ServerAddress } from './target';

export interface ControlConnection {
  session: SqlSession;
  close(): Promise<void>;
}

function sslOptions(tls: ServerAddress['tls']): Array<Record<string, unknown> | undefined> {
  if (tls === false) return [undefined];
  if (tls === true) return [{}];
  if (tls === null) return [{ rejectUnauthorized: false }, undefined];
  return [tls];
}

async function connect(server: ServerAddress, ssl: Record<string, unknown> | undefined): Promise<mysql.Connection> {
  const conn = await mysql.createConnection({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    ssl,
    // The same value forms as the runtime core's pool, so keys compare equal.
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    jsonStrings: true,
    charset: 'utf8mb4',
    enableKeepAlive: true,
    multipleStatements: false,
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
  return conn;
}

/** mysql2 marks errors after which the connection is unusable as fatal. */
function isLost(e: unknown): boolean {
  const err = e as { fatal?: boolean; code?: string; message?: string };
  return err?.fatal === true || err?.code === 'PROTOCOL_CONNECTION_LOST' || /closed state/i.test(err?.message ?? '');
}

export async function openControl(server: ServerAddress): Promise<ControlConnection> {
  let lastError: unknown;
  for (const ssl of sslOptions(server.tls)) {
    let conn: mysql.Connection;
    try {
      conn = await connect(server, ssl);
    } catch (e) {
      lastError = e;
      continue;
    }
    let current = sessionFromMysql(conn);
    let inTransaction = false;
    let closed = false;
    const reopen = async () => {
      conn.destroy();
      conn = await connect(server, ssl);
      current = sessionFromMysql(conn);
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
    const session: SqlSession = {
      query: <T extends Row = Row>(sql: string, params?: readonly unknown[]) => retry(() => current.query<T>(sql, params)),
      execute: (sql, params) => retry(() => current.execute(sql, params)),
      connectionId: () => retry(() => current.connectionId()),
      // A transaction cut off by a lost connection is run once more on a new one. The
      // queue's transactions may run twice: a claim reads the connection's id inside it,
      // so a reservation whose COMMIT went through before the loss names the dead
      // connection, whose holder is then known gone (refresh and Recover re-pend it).
      transaction: async (fn) => {
        await retry(() => current.query('SELECT 1'));
        const attempt = async () => {
          inTransaction = true;
          try {
            return await current.transaction(fn);
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
      },
    };
    return {
      session,
      close: async () => {
        closed = true;
        await conn.end().catch(() => conn.destroy());
      },
    };
  }
  throw lastError;
}
