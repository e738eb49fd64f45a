// Shared setup of the populate and jobs tests: a server of the test backend (the test
// script's, or a throwaway one; DJ_TEST_BACKEND, test/integration/runtime/helpers.ts), a
// schema of its own per test file, and the counting pipeline loaded with the environment
// that its worker processes inherit.
//
// The tests inspect and change tables behind the runtime's back through `env.sql`, a plain
// connection with mysql2's `query(sql, params) => [rows]` shape on both backends. The tests
// write MySQL's spelling; on PostgreSQL it is translated (toPostgres): backtick quotes, `?`
// placeholders (an array value expands to a list, an array of arrays to rows, as mysql2
// does), `INTERVAL n UNIT`, and CREATE/DROP DATABASE (a PostgreSQL schema). What has no
// such spelling (server sessions, locks, open transactions) is in the helpers below,
// written for each backend.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { testServer, type Backend, type TestServer } from '../runtime/helpers';
import { fragmentsFor, type SqlFragments } from '../../../runtime/dialect/fragments';
import { numberPlaceholders } from '../../../runtime/connection/placeholders';
import { sessionFromMysql, sessionFromPg, type SqlSession } from '../../../runtime/jobs/session';

export const PIPELINE = join(__dirname, '..', '..', 'fixtures', 'pipelines', 'counting.ts');

export type Pipeline = typeof import('../../fixtures/pipelines/counting');

export type SqlRow = Record<string, unknown>;
/** What a statement answers, as mysql2 gives it: rows, or for writes the affected-row count. */
export type SqlOutput = SqlRow[] | { affectedRows: number };

/** A plain connection of the test backend. */
export interface TestSql {
  readonly backend: Backend;
  /** mysql2's shape on both backends: `[rows]`, or `[{ affectedRows }]` for a write. */
  query(sql: string, params?: readonly unknown[]): Promise<[SqlOutput]>;
  /** The same connection as the runtime's job queue sees one (jobs/session.ts). */
  readonly session: SqlSession;
  end(): Promise<void>;
  /** Closed at once, as a lost connection. */
  destroy(): void;
}

export interface Env {
  schema: string;
  backend: Backend;
  /** The backend's SQL pieces (quoting, session ids), as the runtime writes them. */
  q: SqlFragments;
  pipeline: Pipeline;
  /** A plain connection for inspecting and changing tables behind the runtime's back. */
  sql: TestSql;
  close(): Promise<void>;
}

// ---- translation of the tests' MySQL spelling for PostgreSQL ----

/** `sql` with backtick-quoted names double-quoted; '…' strings are left alone. */
function doubleQuoteNames(sql: string): string {
  let out = '';
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'") {
      let j = i + 1;
      while (j < sql.length && !(sql[j] === "'" && sql[j + 1] !== "'")) j += sql[j] === "'" ? 2 : 1;
      out += sql.slice(i, j + 1);
      i = j;
    } else if (c === '`') {
      const j = sql.indexOf('`', i + 1);
      out += `"${sql.slice(i + 1, j).replace(/"/g, '""')}"`;
      i = j;
    } else out += c;
  }
  return out;
}

/** `$n` placeholders with mysql2's expansion of array values, renumbered; the flat values. */
function expandArrays(sql: string, params: readonly unknown[]): { sql: string; params: unknown[] } {
  const flat: unknown[] = [];
  const text = sql.replace(/\$(\d+)\b/g, (_m, n: string) => {
    const v = params[Number(n) - 1];
    const one = (x: unknown) => {
      flat.push(x);
      return `$${flat.length}`;
    };
    if (!Array.isArray(v)) return one(v);
    if (v.every(Array.isArray)) return (v as unknown[][]).map((row) => `(${row.map(one).join(', ')})`).join(', ');
    return v.map(one).join(', ');
  });
  return { sql: text, params: flat };
}

/** The tests' MySQL spelling as PostgreSQL's. */
export function toPostgres(sql: string, params: readonly unknown[] = []): { sql: string; params: unknown[] } {
  const quoted = doubleQuoteNames(sql)
    .replace(/INTERVAL (-?\d+) (MICROSECOND|SECOND|MINUTE|HOUR|DAY)\b/gi, (_m, n: string, unit: string) => `INTERVAL '${n} ${unit.toLowerCase()}'`)
    // A DataJoint schema is a MySQL database and a PostgreSQL schema.
    .replace(/^\s*CREATE DATABASE\b/i, 'CREATE SCHEMA')
    .replace(/^\s*DROP DATABASE\b(.*)$/is, 'DROP SCHEMA$1 CASCADE');
  return expandArrays(numberPlaceholders(quoted), params);
}

// COUNT(*) and other bigints as numbers, as mysql2 gives them; everything else as pg parses it.
const TEST_PG_TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** A new plain connection to the test server. */
export async function connectSql(backend?: Backend): Promise<TestSql> {
  const s = await testServer(backend);
  if (s.backend === 'postgresql') {
    const client = new pg.Client({ host: s.host, port: s.port, user: s.user, password: s.password, database: s.database ?? 'postgres', types: TEST_PG_TYPES });
    client.on('error', () => undefined);
    await client.connect();
    return {
      backend: 'postgresql',
      async query(sql, params = []) {
        const t = toPostgres(sql, params);
        const r = await client.query(t.sql, t.params);
        return [r.fields && r.fields.length > 0 ? (r.rows as SqlRow[]) : { affectedRows: r.rowCount ?? 0 }];
      },
      session: sessionFromPg(client),
      end: () => client.end(),
      destroy: () => {
        // As a lost connection: the socket closes, the server ends the session.
        (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      },
    };
  }
  const conn = await mysql.createConnection({ host: s.host, port: s.port, user: s.user, password: s.password });
  return {
    backend: 'mysql',
    async query(sql, params = []) {
      const [r] = await conn.query(sql, params as unknown[]);
      return [r as unknown as SqlOutput];
    },
    session: sessionFromMysql(conn),
    end: () => conn.end(),
    destroy: () => conn.destroy(),
  };
}

/** The environment the pipeline and its worker processes (and `djx` children) connect with. */
function pipelineEnv(s: TestServer, schema: string): Record<string, string> {
  return {
    DJ_HOST: s.host,
    DJ_PORT: String(s.port),
    DJ_USER: s.user,
    DJ_PASS: s.password,
    DJ_PIPELINE_SCHEMA: schema,
    DJ_USE_TLS: 'false',
    DJ_BACKEND: s.backend,
    ...(s.backend === 'postgresql' ? { DJ_DATABASE_NAME: s.database ?? 'postgres' } : {}),
  };
}

export async function setup(prefix: string): Promise<Env> {
  const s = await testServer();
  const schema = `${prefix}_${randomBytes(4).toString('hex')}`;
  if (s.backend !== 'postgresql') delete process.env.DJ_DATABASE_NAME;
  Object.assign(process.env, pipelineEnv(s, schema));
  const pipeline = (await import('../../fixtures/pipelines/counting')) as Pipeline;
  await pipeline.setupCounter();
  const sql = await connectSql();
  const q = fragmentsFor(s.backend);
  return {
    schema,
    backend: s.backend,
    q,
    pipeline,
    sql,
    async close() {
      await sql.query(`DROP DATABASE IF EXISTS \`${schema}\``);
      await sql.end();
      await pipeline.closeCounter();
      await (await pipeline.schema.connection()).close();
      // Stops the server only when this file started one (no DJ_TEST_* given).
      await s.stop();
    },
  };
}

/** Rows of a query on the plain connection. */
export async function rows<T = SqlRow>(env: Env, query: string, params: readonly unknown[] = []): Promise<T[]> {
  const [r] = await env.sql.query(query, params);
  return (Array.isArray(r) ? r : []) as T[];
}

/** Empties the data tables (parts first) and the call counter; drops jobs tables. */
export async function reset(env: Env, subjects: Array<Partial<{ subject_id: number; name: string; delay_ms: number; work: number }>>): Promise<void> {
  const q = (t: string) => `\`${env.schema}\`.\`${t}\``;
  for (const t of ['__analysis__detail', '__analysis', '__triple', '__early', '__cumulative', 'make_calls']) await env.sql.query(`DELETE FROM ${q(t)}`);
  for (const t of ['~~analysis', '~~triple', '~~early']) await env.sql.query(`DROP TABLE IF EXISTS ${q(t)}`);
  await env.sql.query(`UPDATE ${q('make_concurrency')} SET running = 0, peak = 0`);
  await env.sql.query(`DELETE FROM ${q('subject')}`);
  if (subjects.length) {
    const values = subjects.map((s) => [s.subject_id, s.name ?? '', s.delay_ms ?? 0, s.work ?? 0]);
    await env.sql.query(`INSERT INTO ${q('subject')} (subject_id, name, delay_ms, work) VALUES ?`, [values]);
  }
}

/** make calls per subject of one table. */
export async function calls(env: Env, table: string): Promise<Map<number, number>> {
  const r = await rows<{ subject_id: number; n: number }>(env, `SELECT subject_id, COUNT(*) AS n FROM \`${env.schema}\`.make_calls WHERE tbl = ? GROUP BY subject_id`, [table]);
  return new Map(r.map((x) => [Number(x.subject_id), Number(x.n)]));
}

export function range(n: number, from = 1): number[] {
  return Array.from({ length: n }, (_, i) => i + from);
}

/** The most makes of Analysis that ran at the same moment since the last reset. */
export async function peakConcurrency(env: Env): Promise<number> {
  const [r] = await rows<{ peak: number }>(env, `SELECT peak FROM \`${env.schema}\`.make_concurrency WHERE id = 1`);
  return Number(r!.peak);
}

// ---- server sessions and transactions, per backend ----

/** The server still lists a session of this id (MySQL processlist, PostgreSQL pg_stat_activity). */
export async function sessionListed(env: Env, id: number): Promise<boolean> {
  const sql = env.backend === 'postgresql' ? 'SELECT COUNT(*) AS n FROM pg_stat_activity WHERE pid = ?' : 'SELECT COUNT(*) AS n FROM information_schema.processlist WHERE id = ?';
  const [r] = await rows<{ n: number }>(env, sql, [id]);
  return Number(r!.n) > 0;
}

/** Resolves once the server no longer lists the session `id` (it has seen it close). */
export async function sessionGone(env: Env, id: number): Promise<void> {
  while (await sessionListed(env, id)) await new Promise((r) => setTimeout(r, 20));
}

/** Ends another server session, as an administrator's KILL does (its transaction rolls back). */
export async function killSession(env: Env, id: number): Promise<void> {
  if (env.backend === 'postgresql') await env.sql.query('SELECT pg_terminate_backend(?)', [id]);
  else await env.sql.query(`KILL ${Number(id)}`);
}

/**
 * Transactions open on the server besides this connection's: MySQL's innodb_trx; on
 * PostgreSQL the sessions that hold a lock on a table of this test's schema (a transaction
 * keeps its table locks to its end; an idle session holds none).
 */
export async function openTransactions(env: Env): Promise<number> {
  if (env.backend === 'postgresql') {
    // pg_terminate_backend returns before the backend has exited, and it holds its locks
    // until then; PostgreSQL lists no state for that. So the count is read again until it
    // is 0, for as long as the suite's other waits allow (cli.ts: until): a transaction left
    // open for good still counts.
    const sql = 'SELECT COUNT(DISTINCT l.pid) AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = ? AND l.pid <> pg_backend_pid()';
    const end = Date.now() + 60_000;
    for (;;) {
      const [r] = await rows<{ n: number }>(env, sql, [env.schema]);
      if (Number(r!.n) === 0 || Date.now() > end) return Number(r!.n);
      await new Promise((res) => setTimeout(res, 20));
    }
  }
  // KILL returns before the killed session has rolled back: its transaction is listed until
  // then, its session as 'Killed' (or gone). Those are waited for; any other one counts.
  for (;;) {
    const [r] = await rows<{ n: number; ending: number }>(
      env,
      "SELECT COUNT(*) AS n, COALESCE(SUM(p.ID IS NULL OR p.COMMAND = 'Killed'), 0) AS ending FROM information_schema.innodb_trx t LEFT JOIN information_schema.processlist p ON p.ID = t.trx_mysql_thread_id",
    );
    if (Number(r!.ending) === 0) return Number(r!.n);
    await new Promise((res) => setTimeout(res, 20));
  }
}
