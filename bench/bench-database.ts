// What the database benchmarks share: the server (the test script's through DJ_TEST_*, or
// a throwaway MariaDB) and a schema of many tables in DataJoint's layout.
import type { Connection } from '../runtime/connection/index';

export interface BenchDatabase {
  host: string;
  port: number;
  user: string;
  password: string;
  stop(): Promise<void>;
}

export async function benchDatabase(): Promise<BenchDatabase> {
  const e = process.env;
  if (e.DJ_TEST_HOST) return { host: e.DJ_TEST_HOST, port: Number(e.DJ_TEST_PORT), user: e.DJ_TEST_USER ?? '', password: e.DJ_TEST_PASSWORD ?? '', stop: async () => undefined };
  const script = '../scripts/mariadb.mjs';
  return ((await import(script)) as { startMariaDB(): Promise<BenchDatabase> }).startMariaDB();
}

/**
 * `schema` afresh with `count` tables: lookups, manual tables referencing them, and
 * computed ones, with the column comments and table names DataJoint writes.
 */
export async function declareManyTables(conn: Connection, schema: string, count: number): Promise<void> {
  const q = conn.dialect.quote(schema);
  await conn.execute(`DROP DATABASE IF EXISTS ${q}`);
  await conn.execute(`CREATE DATABASE ${q}`);
  for (let i = 0; i < count; i++) {
    const kind = i % 4;
    const name = kind === 0 ? `#lookup_n${i}` : kind === 3 ? `__computed_n${i}` : `manual_n${i}`;
    const fk = kind === 0 ? '' : `, parent_id int NOT NULL COMMENT ":int32:", FOREIGN KEY (parent_id) REFERENCES ${q}.\`#lookup_n${i - kind}\` (id)`;
    await conn.execute(
      `CREATE TABLE ${q}.\`${name}\` (id int NOT NULL COMMENT ":int32:id", note varchar(64) NOT NULL DEFAULT '' COMMENT ":varchar(64):"${fk}, PRIMARY KEY (id)) ENGINE=InnoDB COMMENT "table ${i}"`,
    );
  }
}
