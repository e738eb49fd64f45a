// Delete with the reference's cascade (table.py: delete): rows of dependent tables are
// deleted first, children before parents, all in one transaction; a dry run reports
// the counts and rolls back.
import { Catalog, parseTableName } from '../catalog/index';
import type { Connection } from '../connection/index';
import type { Sql } from '../dialect/index';
import { DataJointError, UsageError } from '../errors/index';
import type { Compiled } from './compiled';

export interface DeleteOptions {
  /** Count what would be deleted, then roll back. */
  dryRun?: boolean;
  /**
   * 'enforce' (default) refuses deleting from a Part table directly, as its master's
   * rows would be left incomplete (table.py: delete part_integrity); 'ignore' allows it.
   */
  partIntegrity?: 'enforce' | 'ignore';
}

export interface DeleteResult {
  /** Rows deleted from the restricted table itself. */
  count: number;
  /** Rows deleted per table (`schema`.`table`), children included, in deletion order. */
  tables: Record<string, number>;
  dryRun: boolean;
}

class DryRunRollback extends Error {}

export async function deleteRows(c: Compiled, options: DeleteOptions = {}): Promise<DeleteResult> {
  if (!c.base) throw new UsageError('usage', 'delete works on a table or a restricted table, not on a join or projection');
  const { schema, table } = c.base;
  const parsed = parseTableName(table);
  if (parsed?.tier === 'Part' && (options.partIntegrity ?? 'enforce') === 'enforce') {
    throw new DataJointError('integrity', `Cannot delete from part table \`${schema}\`.\`${table}\` directly: delete from its master, or pass partIntegrity: 'ignore'`);
  }
  const conn = c.connection;
  const d = conn.dialect;
  const catalog = new Catalog(conn);
  const restriction: Sql = c.where.length
    ? { sql: c.where.map((w) => `(${w.sql})`).join(' AND '), params: c.where.flatMap((w) => w.params) }
    : { sql: 'TRUE', params: [] };
  const tables: Record<string, number> = {};
  const run = async (): Promise<number> => {
    // The restriction may name tables the cascade empties first (e.g. `Subject & Session`):
    // fix the doomed rows by primary key before deleting anything.
    const pk = (await catalog.describeTable(schema, table)).primaryKey;
    const cols = pk.map((k) => d.quote(k)).join(', ');
    const keys = await conn.query(`SELECT ${cols} FROM ${d.qualified(schema, table)} WHERE ${restriction.sql}`, restriction.params);
    if (keys.length === 0) return 0;
    const where: Sql = {
      sql: `(${cols}) IN (${keys.map(() => `(${pk.map(() => '?').join(', ')})`).join(', ')})`,
      params: keys.flatMap((k) => pk.map((name) => k[name])),
    };
    return cascade(conn, catalog, schema, table, where, tables, 0);
  };
  if (options.dryRun) {
    if (conn.inTransaction) throw new UsageError('usage', 'delete({dryRun: true}) cannot run inside a transaction');
    let count = 0;
    try {
      await conn.transaction(async () => {
        count = await run();
        throw new DryRunRollback();
      });
    } catch (e) {
      if (!(e instanceof DryRunRollback)) throw e;
    }
    return { count, tables, dryRun: true };
  }
  const count = conn.inTransaction ? await run() : await conn.transaction(run);
  return { count, tables, dryRun: false };
}

async function cascade(conn: Connection, catalog: Catalog, schema: string, table: string, where: Sql, tables: Record<string, number>, depth: number): Promise<number> {
  if (depth > 64) throw new DataJointError('integrity', `Delete cascade too deep at \`${schema}\`.\`${table}\` (cyclic foreign keys?)`);
  const d = conn.dialect;
  const self = d.qualified(schema, table);
  for (const child of await catalog.children(schema, table)) {
    const childCols = Object.keys(child.attrMap);
    const parentCols = childCols.map((k) => child.attrMap[k]);
    const childWhere: Sql = {
      sql: `(${childCols.map((k) => d.quote(k)).join(', ')}) IN (SELECT ${parentCols.map((k) => d.quote(k)).join(', ')} FROM ${self} WHERE ${where.sql})`,
      params: where.params,
    };
    await cascade(conn, catalog, child.schema, child.table, childWhere, tables, depth + 1);
  }
  const n = await conn.execute(`DELETE FROM ${self} WHERE ${where.sql}`, where.params, { schema, table });
  const key = `\`${schema}\`.\`${table}\``;
  tables[key] = (tables[key] ?? 0) + n;
  return n;
}
