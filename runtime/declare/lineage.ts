// `~lineage` rows, written after every declaration exactly as the reference writes them
// (lineage.py: ensure_lineage_table, insert_lineages; table.py: _populate_lineage), so
// that DataJoint for Python finds lineage for our tables.
import type { Connection } from '../connection/index';
import type { Dialect, TableSpec } from '../dialect/index';
import type { ForeignKeyOrigin } from './compile';

export const LINEAGE_TABLE = '~lineage';

/**
 * lineage.py: ensure_lineage_table — built with the adapter's column format rather than
 * declared, so PostgreSQL gets no comments at all (its format has none, and no COMMENT ON).
 */
export function lineageTableSpec(schema: string): TableSpec {
  return {
    schema,
    table: LINEAGE_TABLE,
    columns: [
      { name: 'table_name', sqlType: 'VARCHAR(64)', defaultClause: 'NOT NULL', comment: 'table name within the schema' },
      { name: 'attribute_name', sqlType: 'VARCHAR(64)', defaultClause: 'NOT NULL', comment: 'attribute name' },
      { name: 'lineage', sqlType: 'VARCHAR(255)', defaultClause: 'NOT NULL', comment: 'origin: schema.table.attribute' },
    ],
    primaryKey: ['table_name', 'attribute_name'],
    foreignKeys: [],
    indexes: [],
    comment: '',
    noCommentStatements: true,
  };
}

/** The statements that create `~lineage` when it is missing (CREATE TABLE IF NOT EXISTS). */
export function lineageTableStatements(dialect: Dialect, schema: string): string[] {
  return dialect.createTable(lineageTableSpec(schema));
}

async function lookup(conn: Connection, schema: string, table: string, attribute: string): Promise<string | undefined> {
  const d = conn.dialect;
  const exists = await conn.query(d.tableInfo(schema, LINEAGE_TABLE).sql, d.tableInfo(schema, LINEAGE_TABLE).params);
  if (!exists.length) return undefined;
  const rows = await conn.query(`SELECT lineage FROM ${d.qualified(schema, LINEAGE_TABLE)} WHERE table_name = ? AND attribute_name = ?`, [table, attribute]);
  return rows.length ? String(rows[0].lineage) : undefined;
}

async function currentRows(conn: Connection, schema: string, table: string): Promise<Map<string, string> | undefined> {
  const d = conn.dialect;
  const info = d.tableInfo(schema, LINEAGE_TABLE);
  if (!(await conn.query(info.sql, info.params)).length) return undefined;
  const rows = await conn.query(`SELECT attribute_name AS name, lineage FROM ${d.qualified(schema, LINEAGE_TABLE)} WHERE table_name = ?`, [table]);
  return new Map(rows.map((r) => [String(r.name), String(r.lineage)]));
}

export async function writeLineage(conn: Connection, schema: string, table: string, primaryKey: string[], origins: ForeignKeyOrigin[]): Promise<void> {
  const d = conn.dialect;
  const lt = d.qualified(schema, LINEAGE_TABLE);
  const entries = new Map<string, string>();
  for (const o of origins) {
    if (entries.has(o.attribute)) continue;
    const parent = await lookup(conn, o.parentSchema, o.parentTable, o.parentAttribute);
    if (parent === undefined) {
      process.emitWarning(`Lineage for \`${o.parentSchema}\`.\`${o.parentTable}\`.\`${o.parentAttribute}\` not found; using it as origin.`);
    }
    entries.set(o.attribute, parent ?? `${o.parentSchema}.${o.parentTable}.${o.parentAttribute}`);
  }
  for (const k of primaryKey) if (!entries.has(k)) entries.set(k, `${schema}.${table}.${k}`);
  // Already right (the usual case when a pipeline starts): write nothing, so concurrent
  // workers and read-only users do not rewrite the same rows.
  const current = await currentRows(conn, schema, table);
  if (current && current.size === entries.size && [...entries].every(([k, v]) => current.get(k) === v)) return;
  for (const statement of lineageTableStatements(d, schema)) await conn.execute(statement);
  await conn.execute(`DELETE FROM ${lt} WHERE table_name = ?`, [table]);
  if (!entries.size) return;
  const values = [...entries].map(() => '(?, ?, ?)').join(', ');
  const params = [...entries].flatMap(([attr, lineage]) => [table, attr, lineage]);
  await conn.execute(
    `INSERT INTO ${lt} (${d.quote('table_name')}, ${d.quote('attribute_name')}, ${d.quote('lineage')}) VALUES ${values}` +
      d.upsertTail(['table_name', 'attribute_name'], ['lineage']),
    params,
  );
}
