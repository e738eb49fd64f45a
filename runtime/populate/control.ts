// Each worker keeps one dedicated connection for the job queue. Its id is what the
// reservations record, so it must live exactly as long as the worker: a pooled session
// could be closed while idle and make a live reservation look orphaned.
import mysql from 'mysql2/promise';
import { sessionFromMysql, type SqlSession } from '../jobs/session';
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

export async function openControl(server: ServerAddress): Promise<ControlConnection> {
  let lastError: unknown;
  for (const ssl of sslOptions(server.tls)) {
    try {
      return await openWith(server, ssl);
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}

async function openWith(server: ServerAddress, ssl: Record<string, unknown> | undefined): Promise<ControlConnection> {
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
    // One round trip per claim (jobs/queue.ts: claim). String restrictions are user SQL
    // by design (as in the reference), so this adds no new way in.
    multipleStatements: true,
  });
  // A killed make session or a lost server surfaces on the next query, not as a crash.
  conn.on('error', () => undefined);
  return {
    session: sessionFromMysql(conn, { multipleStatements: true }),
    close: async () => {
      await conn.end().catch(() => conn.destroy());
    },
  };
}
