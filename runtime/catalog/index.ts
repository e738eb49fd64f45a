// Reads any schema back — declared by DataJoint for Python or by us — as plain data:
// tables, tiers, attributes with DataJoint types, keys, foreign keys, parts, row counts,
// jobs tables (reference: heading.py _init_from_database, dependencies.py, schemas.py).
import type { Dialect, ForeignKeyRow, IndexRow } from '../dialect/index';
import { MissingSchemaError, MissingTableError } from '../errors/index';
import { jobsTableName, parseTableName } from './names';
import type { CatalogAttribute, CatalogForeignKey, CatalogIndex, CatalogTable, JobsTableInfo, TableSummary, TypeCategory } from './types';

export * from './types';
export * from './names';
export { describeDefinition, type ParentNamer } from './describe';
export { catalogSnapshot, parseCatalogSnapshot, type CatalogSnapshot, type SnapshotOptions } from './snapshot';
export { compareWithDeclared, type HeadingDifference, type DeclaredComparison } from './compare-heading';

/** What the catalog needs of a connection. */
export interface Queryable {
  readonly dialect: Dialect;
  query(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
}

// heading.py: the comment marker `:type:comment`.
const MARKER = /^:([^:]+):(.*)$/s;

interface RawColumn {
  name: string;
  sqlType: string;
  nullable: boolean;
  default: string | null;
  inKey: boolean;
  autoIncrement: boolean;
  marker?: string;
  comment: string;
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));

/**
 * Column and foreign-key reads are cached per Catalog (a heading needs the columns of
 * its parents too); call invalidate() to see changes made since, e.g. on a view refresh.
 */
export class Catalog {
  private readonly columnCache = new Map<string, RawColumn[]>();
  private readonly fkCache = new Map<string, Promise<ForeignKeyRow[]>>();
  constructor(private readonly db: Queryable) {}

  private get dialect(): Dialect {
    return this.db.dialect;
  }

  /** Forgets cached columns (after declaring or dropping tables). */
  invalidate(schema?: string): void {
    if (schema === undefined) {
      this.columnCache.clear();
      this.fkCache.clear();
      return;
    }
    for (const k of [...this.columnCache.keys()]) if (k.startsWith(`${schema}\u0000`)) this.columnCache.delete(k);
    this.fkCache.delete(schema);
  }

  async listSchemas(): Promise<string[]> {
    const q = this.dialect.listSchemas();
    const rows = await this.db.query(q.sql, q.params);
    const system = new Set(['information_schema', 'mysql', 'performance_schema', 'sys']);
    return rows.map((r) => str(r.name)).filter((n) => !system.has(n));
  }

  async schemaExists(schema: string): Promise<boolean> {
    const q = this.dialect.schemaExists(schema);
    return (await this.db.query(q.sql, q.params)).length > 0;
  }

  private async requireSchema(schema: string): Promise<void> {
    if (!(await this.schemaExists(schema))) throw new MissingSchemaError('unknownSchema', `Schema \`${schema}\` does not exist`);
  }

  /** All table names of a schema, hidden ones included. */
  async tableNames(schema: string): Promise<string[]> {
    const q = this.dialect.listTables(schema);
    return (await this.db.query(q.sql, q.params)).map((r) => str(r.name));
  }

  /** User tables in dependency order, each part right after its master (schemas.py: list_tables). */
  async listTables(schema: string): Promise<TableSummary[]> {
    await this.requireSchema(schema);
    const q = this.dialect.tableInfo(schema);
    const rows = await this.db.query(q.sql, q.params);
    const names = new Set(rows.map((r) => str(r.name)));
    const summaries = new Map<string, TableSummary>();
    for (const r of rows) {
      const name = str(r.name);
      const parsed = parseTableName(name);
      if (!parsed) continue;
      const s: TableSummary = {
        schema,
        name,
        tier: parsed.tier,
        className: parsed.className,
        comment: str(r.comment),
        estimatedRows: Number(r.estimated_rows ?? 0),
      };
      if (parsed.master !== undefined) s.master = parsed.master;
      if ((parsed.tier === 'Computed' || parsed.tier === 'Imported') && names.has(jobsTableName(name))) s.jobsTable = jobsTableName(name);
      summaries.set(name, s);
    }
    const fks = await this.foreignKeyRows(schema);
    return topologicalOrder([...summaries.values()], fks);
  }

  /** The `~~name` jobs tables of a schema and the tables they serve (schemas.py: jobs). */
  async jobsTables(schema: string): Promise<JobsTableInfo[]> {
    const names = await this.tableNames(schema);
    const set = new Set(names);
    const out: JobsTableInfo[] = [];
    for (const n of names) {
      if (!n.startsWith('~~')) continue;
      const base = n.slice(2);
      const target = set.has(`__${base}`) ? `__${base}` : set.has(`_${base}`) ? `_${base}` : undefined;
      if (target) out.push({ schema, name: n, target });
    }
    return out;
  }

  async tableExists(schema: string, table: string): Promise<boolean> {
    const q = this.dialect.tableInfo(schema, table);
    return (await this.db.query(q.sql, q.params)).length > 0;
  }

  /** Exact row count (`SELECT COUNT(*)`). */
  async countRows(schema: string, table: string): Promise<number> {
    const rows = await this.db.query(`SELECT COUNT(*) AS n FROM ${this.dialect.qualified(schema, table)}`);
    return Number(rows[0]?.n ?? 0);
  }

  /** Every user table of a schema, fully described, in dependency order. */
  async describeSchema(schema: string): Promise<CatalogTable[]> {
    const tables = await this.listTables(schema);
    const out: CatalogTable[] = [];
    for (const t of tables) out.push(await this.describeTable(schema, t.name));
    return out;
  }

  /** One table (user or hidden) with its heading, keys, foreign keys and indexes. */
  async describeTable(schema: string, table: string): Promise<CatalogTable> {
    const q = this.dialect.tableInfo(schema, table);
    const info = (await this.db.query(q.sql, q.params))[0];
    if (!info) throw new MissingTableError('missingTable', `The table \`${schema}\`.\`${table}\` is not defined.`);
    const raw = await this.rawColumns(schema, table);
    const fkRows = (await this.foreignKeyRows(schema)).filter((r) => r.table === table);
    const ixRows = await this.indexRows(schema, table);
    const primaryKey = raw.filter((c) => c.inKey).map((c) => c.name);
    const indexes = groupIndexes(ixRows);
    const foreignKeys = groupForeignKeys(fkRows, raw, indexes, this.dialect.name === 'mysql');

    const lineage = await this.lineageOf(schema, table);
    const attributes: CatalogAttribute[] = [];
    for (const c of raw) {
      let type = c.sqlType;
      let category: TypeCategory = 'native';
      let typeSource: CatalogAttribute['typeSource'] = 'sql';
      if (c.marker !== undefined) {
        type = c.marker;
        category = c.marker.startsWith('<') ? 'codec' : 'core';
        typeSource = 'marker';
      } else {
        const fk = foreignKeys.find((f) => c.name in f.attrMap);
        if (fk) {
          const origin = await this.resolveThroughForeignKey(fk.parentSchema, fk.parentTable, fk.attrMap[c.name], 0);
          const fallback = this.dialect.sqlToCoreType(c.sqlType);
          if (origin) {
            type = origin.type;
            category = origin.category;
          } else if (fallback) {
            type = fallback;
            category = 'core';
          }
          typeSource = 'foreignKey';
        }
      }
      attributes.push({
        name: c.name,
        sqlType: c.sqlType,
        type,
        category,
        typeSource,
        nullable: c.nullable,
        default: c.default,
        inKey: c.inKey,
        comment: c.comment,
        autoIncrement: c.autoIncrement,
        hidden: c.name.startsWith('_'),
      });
      if (lineage) attributes[attributes.length - 1].lineage = lineage.get(c.name) ?? null;
    }
    const parsed = parseTableName(table);
    const names = parsed && (parsed.tier === 'Computed' || parsed.tier === 'Imported') ? await this.tableNames(schema) : [];
    const result: CatalogTable = {
      schema,
      name: table,
      tier: parsed?.tier ?? 'Manual',
      className: parsed?.className ?? table,
      comment: str(info.comment),
      estimatedRows: Number(info.estimated_rows ?? 0),
      attributes,
      primaryKey,
      foreignKeys,
      indexes,
    };
    if (parsed?.master !== undefined) result.master = parsed.master;
    if (names.includes(jobsTableName(table))) result.jobsTable = jobsTableName(table);
    return result;
  }

  /** The `~lineage` rows of a table (lineage.py: get_table_lineages); undefined when the schema has no `~lineage`. */
  async lineageOf(schema: string, table: string): Promise<Map<string, string> | undefined> {
    if (!(await this.tableExists(schema, '~lineage'))) return undefined;
    const rows = await this.db.query(`SELECT attribute_name AS name, lineage FROM ${this.dialect.qualified(schema, '~lineage')} WHERE table_name = ?`, [table]);
    return new Map(rows.map((r) => [str(r.name), str(r.lineage)]));
  }

  /** notes §5.7: an FK-copied column's core type is the marker of the column it comes from. */
  private async resolveThroughForeignKey(schema: string, table: string, column: string, depth: number): Promise<{ type: string; category: TypeCategory } | undefined> {
    if (depth > 32) return undefined;
    let raw: RawColumn[];
    try {
      raw = await this.rawColumns(schema, table);
    } catch {
      return undefined;
    }
    const c = raw.find((x) => x.name === column);
    if (!c) return undefined;
    if (c.marker !== undefined) return { type: c.marker, category: c.marker.startsWith('<') ? 'codec' : 'core' };
    const fk = (await this.foreignKeyRows(schema)).find((r) => r.table === table && r.column === column);
    if (fk) return this.resolveThroughForeignKey(fk.refSchema, fk.refTable, fk.refColumn, depth + 1);
    return undefined;
  }

  private async rawColumns(schema: string, table: string): Promise<RawColumn[]> {
    const key = `${schema}\u0000${table}`;
    const cached = this.columnCache.get(key);
    if (cached) return cached;
    const q = this.dialect.columns(schema, table);
    const rows = await this.db.query(q.sql, q.params);
    const pk = this.dialect.primaryKey(schema, table);
    const pkNames = new Set((await this.db.query(pk.sql, pk.params)).map((r) => str(r.name)));
    const out = rows.map((row) => {
      const r = this.dialect.parseColumnRow(row);
      const m = MARKER.exec(r.comment);
      const col: RawColumn = {
        name: r.name,
        sqlType: this.dialect.normalizeSqlType(r.type),
        nullable: r.nullable,
        default: r.default,
        inKey: r.key === 'PRI' || pkNames.has(r.name),
        autoIncrement: /auto_increment/i.test(r.extra),
        // As declared: PostgreSQL keeps the escaping of `"` that MySQL's server undoes.
        comment: this.dialect.readUserComment(m ? m[2] : r.comment),
      };
      if (m) col.marker = m[1];
      return col;
    });
    this.columnCache.set(key, out);
    return out;
  }

  private foreignKeyRows(schema: string): Promise<ForeignKeyRow[]> {
    let rows = this.fkCache.get(schema);
    if (!rows) {
      rows = this.readForeignKeyRows(schema);
      rows.catch(() => this.fkCache.delete(schema));
      this.fkCache.set(schema, rows);
    }
    return rows;
  }

  private async readForeignKeyRows(schema: string): Promise<ForeignKeyRow[]> {
    const q = this.dialect.foreignKeys(schema);
    return (await this.db.query(q.sql, q.params)).map((r) => ({
      constraint: str(r.constraint),
      schema: str(r.schema),
      table: str(r.table),
      column: str(r.column),
      refSchema: str(r.refSchema),
      refTable: str(r.refTable),
      refColumn: str(r.refColumn),
    }));
  }

  /** Foreign keys in other tables (any schema) that reference this table: its children. */
  async children(schema: string, table: string): Promise<Array<{ schema: string; table: string; attrMap: Record<string, string> }>> {
    const q = this.dialect.referencingForeignKeys(schema, table);
    const rows = await this.db.query(q.sql, q.params);
    const groups = new Map<string, { schema: string; table: string; attrMap: Record<string, string> }>();
    for (const r of rows) {
      const key = `${str(r.schema)}\u0000${str(r.table)}\u0000${str(r.constraint)}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { schema: str(r.schema), table: str(r.table), attrMap: {} }));
      g.attrMap[str(r.column)] = str(r.refColumn);
    }
    return [...groups.values()];
  }

  private async indexRows(schema: string, table: string): Promise<IndexRow[]> {
    const q = this.dialect.indexes(schema, table);
    return (await this.db.query(q.sql, q.params)).map((r) => ({
      indexName: str(r.indexName),
      column: r.column === null || r.column === undefined ? null : str(r.column),
      nonUnique: Number(r.nonUnique) !== 0,
      seq: Number(r.seq),
    }));
  }
}

function groupIndexes(rows: IndexRow[]): CatalogIndex[] {
  const byName = new Map<string, CatalogIndex>();
  for (const r of rows) {
    // heading.py: functional indexes have no column name and are skipped.
    if (r.column === null) continue;
    let ix = byName.get(r.indexName);
    if (!ix) byName.set(r.indexName, (ix = { name: r.indexName, columns: [], unique: !r.nonUnique }));
    ix.columns.push(r.column);
  }
  return [...byName.values()];
}

/** `byName`: MySQL's rows come by constraint name; PostgreSQL's in creation order (pg_constraint oid) already. */
function groupForeignKeys(rows: ForeignKeyRow[], columns: RawColumn[], indexes: CatalogIndex[], byName: boolean): CatalogForeignKey[] {
  const byConstraint = new Map<string, CatalogForeignKey>();
  for (const r of rows) {
    let fk = byConstraint.get(r.constraint);
    if (!fk) {
      byConstraint.set(
        r.constraint,
        (fk = { constraint: r.constraint, parentSchema: r.refSchema, parentTable: r.refTable, attrMap: {}, columns: [], primary: true, aliased: false, nullable: false, unique: false }),
      );
    }
    fk.attrMap[r.column] = r.refColumn;
    fk.columns.push(r.column);
  }
  const col = new Map(columns.map((c) => [c.name, c]));
  const list = [...byConstraint.values()];
  for (const fk of list) {
    fk.primary = fk.columns.every((c) => col.get(c)?.inKey === true);
    fk.aliased = fk.columns.some((c) => fk.attrMap[c] !== c);
    fk.nullable = fk.columns.some((c) => col.get(c)?.nullable === true);
    fk.unique = indexes.some((ix) => ix.unique && ix.columns.length === fk.columns.length && ix.columns.every((c, i) => c === fk.columns[i]));
  }
  if (!byName) return list;
  // Constraint names (`t_ibfk_1`, `t_ibfk_2`, …) sort in declaration order except past 9.
  const num = (s: string): number => Number(/(\d+)$/.exec(s)?.[1] ?? 0);
  return list.sort((a, b) => num(a.constraint) - num(b.constraint) || a.constraint.localeCompare(b.constraint));
}

function topologicalOrder(tables: TableSummary[], fks: ForeignKeyRow[]): TableSummary[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const parents = new Map<string, Set<string>>();
  for (const t of tables) parents.set(t.name, new Set());
  for (const r of fks) {
    if (r.refSchema === r.schema && byName.has(r.table) && byName.has(r.refTable) && r.table !== r.refTable) parents.get(r.table)!.add(r.refTable);
  }
  // A part is listed right after its master, so it waits for the master and the master's
  // placement pulls the parts in.
  const masters = tables.filter((t) => t.tier !== 'Part' || !byName.has(t.master ?? ''));
  const partsOf = new Map<string, TableSummary[]>();
  for (const t of tables) if (t.tier === 'Part' && t.master && byName.has(t.master)) partsOf.set(t.master, [...(partsOf.get(t.master) ?? []), t]);
  const done = new Set<string>();
  const out: TableSummary[] = [];
  const group = (t: TableSummary): TableSummary[] => [t, ...(partsOf.get(t.name) ?? [])];
  const ready = (t: TableSummary): boolean => group(t).every((g) => [...parents.get(g.name)!].every((p) => done.has(p) || group(t).some((x) => x.name === p)));
  const pending = [...masters].sort((a, b) => a.name.localeCompare(b.name));
  while (pending.length) {
    let i = pending.findIndex(ready);
    if (i < 0) i = 0; // a cycle (not DataJoint-made): keep going in name order
    const [t] = pending.splice(i, 1);
    for (const g of group(t)) {
      done.add(g.name);
      out.push(g);
    }
  }
  return out;
}
