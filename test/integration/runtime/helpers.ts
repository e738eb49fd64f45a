// Database access for the runtime integration tests: the servers given by the test script
// (MariaDB in DJ_TEST_*, PostgreSQL in DJ_TEST_PG_*), or throwaway ones started here when a
// file runs on its own. Every file uses its own schema names with a random suffix and
// drops them at the end. A suite runs on each backend of backends():
//   for (const backend of backends()) describe(`… (${backend})`, () => { … connect({}, backend) … });
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { Connection, type SettingsOverrides } from '../../../runtime/index';
import { createPipeline, type Pipeline } from '../../../examples/pipeline/pipeline';

export type Backend = 'mysql' | 'postgresql';
export const BACKENDS: readonly Backend[] = ['mysql', 'postgresql'];

/**
 * The backend a suite runs on when it names none: DJ_TEST_BACKEND, which scripts/test.mjs
 * sets to run the database suites once on MariaDB and once on PostgreSQL.
 */
export const DEFAULT_BACKEND: Backend = process.env.DJ_TEST_BACKEND === 'postgresql' ? 'postgresql' : 'mysql';

export interface TestServer {
  backend: Backend;
  host: string;
  port: number;
  user: string;
  password: string;
  /** MariaDB's unix socket (root logs in there without a password). */
  socket?: string;
  /** PostgreSQL: the database to connect to (`postgres`). */
  database?: string;
  /** The server's pid and its temporary directory, when this process started it (PostgreSQL). */
  pid?: number;
  dir?: string;
  /** Stops the server when this file started it; a no-op for the test script's servers. */
  stop(): Promise<void>;
}

/**
 * The backends to run a suite on: both, unless DJ_TEST_BACKENDS (a comma-separated list,
 * e.g. `mysql`) restricts them.
 */
export function backends(): Backend[] {
  const raw = process.env.DJ_TEST_BACKENDS?.trim();
  if (!raw) return [...BACKENDS];
  const list = raw
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  for (const b of list) {
    if (!BACKENDS.includes(b as Backend)) throw new Error(`DJ_TEST_BACKENDS: unknown backend "${b}" (expected ${BACKENDS.join(', ')})`);
  }
  return [...new Set(list as Backend[])];
}

const servers = new Map<Backend, Promise<TestServer>>();

/** The server of a backend: the test script's, or one started here (once per process). */
export function testServer(backend: Backend = DEFAULT_BACKEND): Promise<TestServer> {
  let server = servers.get(backend);
  if (!server) {
    server = backend === 'postgresql' ? postgresServer() : mysqlServer();
    servers.set(backend, server);
  }
  return server;
}

async function mysqlServer(): Promise<TestServer> {
  const env = process.env;
  if (env.DJ_TEST_HOST && env.DJ_TEST_PORT && env.DJ_TEST_USER) {
    return { backend: 'mysql', host: env.DJ_TEST_HOST, port: Number(env.DJ_TEST_PORT), user: env.DJ_TEST_USER, password: env.DJ_TEST_PASSWORD ?? '', socket: env.DJ_TEST_SOCKET, stop: async () => undefined };
  }
  // @ts-expect-error: plain ESM script without type declarations
  const { startMariaDB } = (await import('../../../scripts/mariadb.mjs')) as { startMariaDB(): Promise<Omit<TestServer, 'backend'>> };
  const s = await startMariaDB();
  return { ...s, backend: 'mysql' };
}

async function postgresServer(): Promise<TestServer> {
  const env = process.env;
  if (env.DJ_TEST_PG_HOST && env.DJ_TEST_PG_PORT && env.DJ_TEST_PG_USER) {
    return {
      backend: 'postgresql',
      host: env.DJ_TEST_PG_HOST,
      port: Number(env.DJ_TEST_PG_PORT),
      user: env.DJ_TEST_PG_USER,
      password: env.DJ_TEST_PG_PASSWORD ?? '',
      database: env.DJ_TEST_PG_DATABASE || 'postgres',
      stop: async () => undefined,
    };
  }
  // @ts-expect-error: plain ESM script without type declarations
  const { startPostgres } = (await import('../../../scripts/postgres.mjs')) as { startPostgres(): Promise<TestServer> };
  return startPostgres();
}

/**
 * The DJ_* variables, beyond host, port, user and password, that make a connection read
 * from the environment reach `s`: on PostgreSQL the backend and the database to open
 * (DJ_BACKEND, DJ_DATABASE_NAME), which MySQL has no use for.
 */
export function backendEnv(s: TestServer): Record<string, string> {
  return s.backend === 'postgresql' ? { DJ_BACKEND: 'postgresql', DJ_DATABASE_NAME: s.database ?? 'postgres' } : {};
}

/**
 * A connection to the test server of a backend (`backend`, else `overrides.backend`, else
 * mysql), no datajoint.json nor DJ_* environment read. The other fields of `overrides` are
 * Connection.connect's options and win over the server's address; on PostgreSQL,
 * database.backend and database.name are set (overrides.database may still change them).
 */
export async function connect(overrides: Record<string, unknown> & { backend?: Backend } = {}, backend?: Backend): Promise<Connection> {
  const { backend: named, ...options } = overrides;
  const which = backend ?? named ?? DEFAULT_BACKEND;
  const s = await testServer(which);
  const base = { host: s.host, port: s.port, user: s.user, password: s.password, ignoreConfigFile: true, env: {} };
  if (which === 'mysql') return Connection.connect({ ...base, ...options });
  const given = (options.overrides ?? {}) as SettingsOverrides;
  return Connection.connect({
    ...base,
    ...options,
    overrides: { ...given, database: { backend: 'postgresql', name: s.database ?? 'postgres', ...given.database } },
  });
}

/** `prefix_<random>`: unique per run so concurrent runs and leftovers never collide. */
export function schemaName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

export async function dropSchemas(conn: Connection, names: string[]): Promise<void> {
  for (const n of names) await conn.execute(conn.dialect.dropSchema(n));
}

export async function showCreateTable(conn: Connection, schema: string, table: string): Promise<string> {
  const rows = await conn.query(`SHOW CREATE TABLE ${conn.dialect.qualified(schema, table)}`);
  return String(rows[0]['Create Table']);
}

/**
 * What the server stores for a table, as text to compare two tables by: SHOW CREATE TABLE
 * on MySQL. PostgreSQL has no such statement; the same facts come from pg_catalog, one
 * line each, in the server's own spelling: the table comment; every column with its type
 * (an enum type with its labels), NOT NULL, default expression and comment; every
 * constraint (pg_get_constraintdef) and index (pg_get_indexdef) in creation order, with
 * their names. Other schemas appear in it by name (replace them to compare across schemas).
 */
export async function storedTableDefinition(conn: Connection, schema: string, table: string): Promise<string> {
  if (conn.backend === 'mysql') return showCreateTable(conn, schema, table);
  const rel = 'SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?';
  const [info] = await conn.query(`SELECT obj_description(c.oid, 'pg_class') AS comment FROM pg_catalog.pg_class c WHERE c.oid = (${rel})`, [schema, table]);
  if (!info) throw new Error(`no table ${schema}.${table}`);
  const lit = (v: unknown): string => (v === null || v === undefined ? 'NULL' : `'${String(v).replace(/'/g, "''")}'`);
  const lines = [`TABLE ${conn.dialect.qualified(schema, table)} COMMENT ${lit(info.comment)}`];
  const columns = await conn.query(
    'SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS def, ' +
      'col_description(a.attrelid, a.attnum) AS comment, ' +
      '(SELECT string_agg(quote_literal(e.enumlabel), \', \' ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = a.atttypid) AS labels ' +
      'FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum ' +
      `WHERE a.attrelid = (${rel}) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [schema, table],
  );
  for (const c of columns) {
    let line = `COLUMN ${conn.dialect.quote(String(c.name))} ${String(c.type)}`;
    if (c.labels !== null) line += ` AS ENUM (${String(c.labels)})`;
    if (c.not_null === true) line += ' NOT NULL';
    if (c.def !== null) line += ` DEFAULT ${String(c.def)}`;
    if (c.comment !== null) line += ` COMMENT ${lit(c.comment)}`;
    lines.push(line);
  }
  const constraints = await conn.query(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_catalog.pg_constraint WHERE conrelid = (${rel}) ORDER BY oid`,
    [schema, table],
  );
  for (const c of constraints) lines.push(`CONSTRAINT ${conn.dialect.quote(String(c.name))} ${String(c.def)}`);
  const indexes = await conn.query(`SELECT pg_get_indexdef(indexrelid) AS def FROM pg_catalog.pg_index WHERE indrelid = (${rel}) ORDER BY indexrelid`, [schema, table]);
  for (const ix of indexes) lines.push(String(ix.def));
  return lines.join('\n');
}

/**
 * The example pipeline declared in a schema of its own for the calling test file (before
 * its tests), dropped after them, on the server of `backend`; `ready` receives the
 * connection and the pipeline.
 * Returns the schema name.
 */
export function declareExamplePipeline(prefix: string, ready: (conn: Connection, p: Pipeline) => void | Promise<void>, backend: Backend = DEFAULT_BACKEND): string {
  const db = schemaName(prefix);
  let conn: Connection | undefined;
  before(async () => {
    conn = await connect({}, backend);
    const p = createPipeline(db, { connection: conn });
    await p.schema.declare();
    await ready(conn, p);
  });
  after(async () => {
    if (conn) {
      await dropSchemas(conn, [db]);
      await conn.close();
    }
    await (await testServer(backend)).stop();
  });
  return db;
}
