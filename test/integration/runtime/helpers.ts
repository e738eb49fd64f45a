// Database access for the runtime integration tests: the server given by the test script
// (DJ_TEST_*), or a throwaway one started here when a file runs on its own. Every file
// uses its own schema names with a random suffix and drops them at the end.
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { Connection } from '../../../runtime/index';
import { createPipeline, type Pipeline } from '../../../examples/pipeline/pipeline';

export interface TestServer {
  host: string;
  port: number;
  user: string;
  password: string;
  socket?: string;
  stop(): Promise<void>;
}

let serverPromise: Promise<TestServer> | undefined;

export function testServer(): Promise<TestServer> {
  serverPromise ??= (async (): Promise<TestServer> => {
    const env = process.env;
    if (env.DJ_TEST_HOST && env.DJ_TEST_PORT && env.DJ_TEST_USER) {
      return { host: env.DJ_TEST_HOST, port: Number(env.DJ_TEST_PORT), user: env.DJ_TEST_USER, password: env.DJ_TEST_PASSWORD ?? '', socket: env.DJ_TEST_SOCKET, stop: async () => undefined };
    }
    // @ts-expect-error: plain ESM script without type declarations
    const { startMariaDB } = (await import('../../../scripts/mariadb.mjs')) as { startMariaDB(): Promise<TestServer> };
    return startMariaDB();
  })();
  return serverPromise;
}

export async function connect(overrides: Record<string, unknown> = {}): Promise<Connection> {
  const s = await testServer();
  return Connection.connect({ host: s.host, port: s.port, user: s.user, password: s.password, ignoreConfigFile: true, env: {}, ...overrides });
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
 * The example pipeline declared in a schema of its own for the calling test file (before
 * its tests), dropped after them; `ready` receives the connection and the pipeline.
 * Returns the schema name.
 */
export function declareExamplePipeline(prefix: string, ready: (conn: Connection, p: Pipeline) => void | Promise<void>): string {
  const db = schemaName(prefix);
  let conn: Connection | undefined;
  before(async () => {
    conn = await connect();
    const p = createPipeline(db, { connection: conn });
    await p.schema.declare();
    await ready(conn, p);
  });
  after(async () => {
    if (conn) {
      await dropSchemas(conn, [db]);
      await conn.close();
    }
    await (await testServer()).stop();
  });
  return db;
}
