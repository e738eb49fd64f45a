// The contract every SQL backend implements. All SQL the runtime sends is built through
// a Dialect (quoting, type maps, DDL formatting, introspection, error translation), so a
// PostgreSQL dialect can follow without touching tables or queries
// (reference: adapters/base.py).
import type { DataJointError } from '../errors/index';

/** SQL text with its bound values, in placeholder order. */
export interface Sql {
  sql: string;
  params: unknown[];
}

export interface ColumnSpec {
  name: string;
  /** The SQL type, e.g. `int`, `varchar(64)`, `longblob`. */
  sqlType: string;
  /** `NOT NULL`, `DEFAULT NULL`, `NOT NULL DEFAULT '5'` or '' (FK copies that are nullable). */
  defaultClause: string;
  /** Full comment as stored (type marker + user comment); '' for none. */
  comment: string;
}

export interface ForeignKeySpec {
  columns: string[];
  refSchema: string;
  refTable: string;
  refColumns: string[];
}

export interface IndexSpec {
  unique: boolean;
  /** Emitted by a `-> [unique] Parent` line: `UNIQUE INDEX (a, b)` rather than `unique index (a,b)`. */
  fromForeignKey?: boolean;
  /** Already-formatted index members: quoted names or expressions. */
  members: string[];
}

export interface TableSpec {
  schema: string;
  table: string;
  columns: ColumnSpec[];
  primaryKey: string[];
  foreignKeys: ForeignKeySpec[];
  /** In definition-line order (FK unique indexes and declared indexes interleaved). */
  indexes: IndexSpec[];
  comment: string;
}

/** One row of column introspection, normalized. */
export interface ColumnRow {
  name: string;
  /** As reported, e.g. `int(11) unsigned`. */
  type: string;
  nullable: boolean;
  default: string | null;
  key: string;
  extra: string;
  comment: string;
}

export interface ForeignKeyRow {
  constraint: string;
  schema: string;
  table: string;
  column: string;
  refSchema: string;
  refTable: string;
  refColumn: string;
}

export interface IndexRow {
  indexName: string;
  column: string | null;
  nonUnique: boolean;
  seq: number;
}

export interface Dialect {
  readonly name: 'mysql' | 'postgresql';
  quote(identifier: string): string;
  /** `db`.`table` */
  qualified(schema: string, table: string): string;
  /** Core DataJoint type as written (`int32`, `varchar(64)`, `datetime(3)`) → SQL type. */
  coreTypeToSql(coreType: string): string | undefined;
  /** Reverse map for unmarked columns (§5.7), after display widths are removed. */
  sqlToCoreType(sqlType: string): string | undefined;
  /** Removes integer/float display widths: `int(11) unsigned` → `int unsigned`. */
  normalizeSqlType(reported: string): string;
  /** `COMMENT "…"` literal content escaping for DDL. */
  escapeComment(text: string): string;
  /** Single-quoted SQL string literal for DDL defaults. */
  quoteString(text: string): string;
  formatColumn(column: ColumnSpec): string;
  createTable(spec: TableSpec): string;
  createSchema(name: string): string;
  dropSchema(name: string): string;
  dropTable(schema: string, table: string): string;
  /** Statements run on every new session (sql_mode etc.). */
  sessionInit(): string[];
  startTransaction(): string;
  /** Turns implicit transactions on or off for a session (`SET autocommit = 0|1`). */
  autocommit(on: boolean): string;
  commit(): string;
  rollback(): string;

  // Introspection (reference: adapters/mysql.py list_tables_sql, get_columns_sql, ...).
  listSchemas(): Sql;
  schemaExists(name: string): Sql;
  listTables(schema: string): Sql;
  tableInfo(schema: string, table?: string): Sql;
  columns(schema: string, table: string): Sql;
  parseColumnRow(row: Record<string, unknown>): ColumnRow;
  primaryKey(schema: string, table: string): Sql;
  foreignKeys(schema: string): Sql;
  referencingForeignKeys(schema: string, table: string): Sql;
  indexes(schema: string, table: string): Sql;

  // Query assembly.
  limitOffset(limit?: number, offset?: number): string;
  /**
   * `INSERT INTO t (cols) VALUES <values>`; `skip` keeps existing rows with the same primary
   * key (table.py: insert skip_duplicates, via ON DUPLICATE KEY UPDATE so that other
   * errors still surface), `replace` overwrites them.
   */
  insert(schema: string, table: string, columns: string[], values: string, mode: 'insert' | 'skip' | 'replace', primaryKey: string[]): string;
  /** The keyword that lets the server apply the column default (NULL for nullable columns). */
  readonly defaultKeyword: string;

  /** Translates a driver/server error into a one-line DataJointError. */
  translateError(error: unknown, context?: { schema?: string; table?: string; host?: string; port?: number; user?: string }): DataJointError;
}
