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
  /**
   * Added for a non-unique foreign key on a backend that does not index foreign keys
   * itself (PostgreSQL, declare.py: prepare_declare #1512).
   */
  supportsForeignKey?: boolean;
  /** Already-formatted index members: quoted names or expressions. */
  members: string[];
  /** The column names, in member order, when every member is a plain attribute. */
  columns?: string[];
}

/** An enum declared as a type of its own (PostgreSQL), in the table's schema. */
export interface EnumTypeSpec {
  /** Unqualified, e.g. `enum_dbf08e00`. */
  name: string;
  /** In declaration order, as they go into `AS ENUM (...)`. */
  values: string[];
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
  /** Enum types the columns use, in first-use order; created before the table where enums are types. */
  enumTypes?: EnumTypeSpec[];
  /**
   * A table the reference creates with its own DDL rather than through declare.py
   * (`~lineage`: lineage.py ensure_lineage_table): no separate COMMENT statements on
   * backends that keep comments out of line. MySQL's inline comments are unaffected.
   */
  noCommentStatements?: boolean;
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
  /** declare.py: declare — the longest table name the backend takes (64 MySQL, 63 PostgreSQL). */
  readonly maxTableNameLength: number;
  /**
   * The server indexes foreign-key columns by itself (InnoDB); when false, declaration adds
   * a supporting index for each non-unique foreign key the other indexes do not cover (#1512).
   */
  readonly indexesForeignKeys: boolean;
  /** Index members may be expressions (JSON paths); when false only attributes are declarable. */
  readonly expressionIndexes: boolean;
  quote(identifier: string): string;
  /** `db`.`table` */
  qualified(schema: string, table: string): string;
  /**
   * Core DataJoint type as written (`int32`, `varchar(64)`, `datetime(3)`) → SQL type.
   * PostgreSQL needs `schema` for `enum(...)` (the type lives in the table's schema:
   * `"schema"."enum_<hash>"`) and throws without it.
   */
  coreTypeToSql(coreType: string, schema?: string): string | undefined;
  /** The enum type a core `enum(...)` needs where enums are types of their own (PostgreSQL); else undefined. */
  enumType(coreType: string): EnumTypeSpec | undefined;
  /** Reverse map for unmarked columns (§5.7), after display widths are removed. */
  sqlToCoreType(sqlType: string): string | undefined;
  /**
   * The type as the reference's heading reports it, for comparing and for copying into
   * foreign keys. MySQL: integer/float display widths removed (`int(11) unsigned` → `int
   * unsigned`). PostgreSQL: declared spellings mapped to information_schema's
   * (`timestamp(3)` → `timestamp without time zone`, `numeric(5,2)` → `decimal(5,2)`,
   * `"lab"."enum_ab12cd34"` → `enum_ab12cd34`).
   */
  normalizeSqlType(reported: string): string;
  /** Comment literal content escaping for DDL (MySQL `COMMENT "…"`, PostgreSQL `IS '…'`). */
  escapeComment(text: string): string;
  /** Single-quoted SQL string literal for DDL defaults. */
  quoteString(text: string): string;
  /**
   * The comment stored for an attribute line: the type marker (core and codec types) and
   * the user comment (declare.py: compile_attribute). PostgreSQL stores the reference's
   * `"` → `\"` escaping literally.
   */
  attributeComment(typeMarker: string | undefined, userComment: string): string;
  /**
   * The user comment as written in the definition, from what the server stores after the
   * type marker: the inverse of attributeComment's escaping. MySQL: as stored (the server
   * unescaped `\"` itself). PostgreSQL: each `\"` back to `"`, so a table reads back
   * with the comment it was declared with, as on MySQL.
   */
  readUserComment(stored: string): string;
  /**
   * The column a foreign key copies from a parent's primary-key attribute (declare.py:
   * compile_foreign_key; heading.py: sql_comment): its SQL type as the parent's heading
   * reports it (PostgreSQL: enum types qualified with the parent's schema) and its comment
   * (MySQL: the parent's user comment, `:uuid:`-marked for uuid; PostgreSQL: none).
   */
  copiedColumn(parent: { sqlType: string; type: string; comment: string }, parentSchema: string): { sqlType: string; comment: string };
  /**
   * The hidden columns of `table`, which follow the declared ones (declare.py:
   * SINGLETON_DEFINITION, JOB_METADATA_DEFINITION): `_singleton` when `needsSingleton` (no
   * primary key declared), the `_job_*` metadata when `addJobMetadata` and the table is
   * a Computed or Imported master (dialect/platform.ts).
   */
  platformColumns(table: string, needsSingleton: boolean, addJobMetadata: boolean): ColumnSpec[];
  formatColumn(column: ColumnSpec): string;
  /**
   * Every statement that declares the table, in the order they must run. MySQL: the one
   * CREATE TABLE. PostgreSQL: an idempotent CREATE TYPE per enum type (a DO block that
   * ignores an existing type), CREATE TABLE IF NOT EXISTS, CREATE [UNIQUE] INDEX per index,
   * COMMENT ON TABLE, COMMENT ON COLUMN per commented column. None takes parameters; run
   * them one by one, outside a transaction (DDL on MySQL commits one).
   */
  createTable(spec: TableSpec): string[];
  createSchema(name: string): string;
  dropSchema(name: string): string;
  dropTable(schema: string, table: string): string;
  /** Statements run on every new session (sql_mode etc.). */
  sessionInit(): string[];
  /**
   * Begins a transaction explicitly (MySQL: `START TRANSACTION WITH CONSISTENT SNAPSHOT`,
   * PostgreSQL: `BEGIN`, as adapters/postgres.py start_transaction_sql).
   */
  startTransaction(): string;
  /**
   * True when sessions have an autocommit switch (MySQL). PostgreSQL has none: a session
   * runs each statement in its own transaction unless one is opened with
   * startTransaction(), so a series of transactions on PostgreSQL sends
   * startTransaction() before each one instead of turning autocommit off.
   */
  readonly sessionAutocommit: boolean;
  /**
   * Turns implicit transactions on or off for a session (MySQL: `SET autocommit = 0|1`).
   * PostgreSQL (sessionAutocommit false): returns '' for both — there is nothing to send,
   * and a caller that sends it anyway sends an empty statement, which the server accepts
   * and ignores. It never returns `BEGIN`: autocommit(false) on MySQL lasts for every
   * following transaction, a BEGIN only for one.
   */
  autocommit(on: boolean): string;
  commit(): string;
  rollback(): string;
  /**
   * Savepoints: populate commits a group of keys at once, each key's make after a savepoint
   * so that a failing key is undone alone (populate/commit-groups.ts). The same on both
   * servers; quoted as every identifier is.
   */
  savepoint(name: string): string;
  rollbackToSavepoint(name: string): string;
  releaseSavepoint(name: string): string;
  /**
   * PostgreSQL: a failed statement aborts the whole transaction (nothing runs until a
   * rollback). MySQL undoes the failed statement alone (InnoDB's statement rollback), so a
   * key whose only writes are plain inserts can be undone by deleting them, without a
   * savepoint of its own (connection/step-undo.ts).
   */
  readonly failedStatementAbortsTransaction: boolean;
  /**
   * Where a failed statement does not abort the transaction (MySQL), the errors after which
   * the server has rolled back the whole transaction all the same: `'always'` (InnoDB's
   * deadlock victim), `'onTimeoutSetting'` (a lock wait timeout, which ends the transaction
   * only on a server started with innodb_rollback_on_timeout: `rollbackOnTimeoutQuery`
   * tells), undefined for a statement rolled back alone. Statements the caller runs after
   * such an error would otherwise run outside the transaction it believes open.
   */
  transactionEndedBy(error: DataJointError): 'always' | 'onTimeoutSetting' | undefined;
  /** One row, one column `v`: 1 when a lock wait timeout rolls back the whole transaction. */
  readonly rollbackOnTimeoutQuery?: string;

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
   * A column's first `length` units and its whole length in those units, as two select
   * expressions, for a grid that never reads a large value whole (runtime/rows/page.ts):
   * `bytes` of a binary column (SUBSTRING … FROM … FOR, OCTET_LENGTH), `chars` of a text or
   * JSON column (characters, not bytes: CHAR_LENGTH; PostgreSQL casts json/jsonb to text
   * first, MySQL reads a JSON column as its text by itself). `column` is quoted already.
   */
  prefixOf(column: string, length: number, unit: 'bytes' | 'chars'): { prefix: string; length: string };
  /**
   * `INSERT INTO t (cols) VALUES <values>`; `skip` keeps existing rows with the same primary
   * key (table.py: insert skip_duplicates, via ON DUPLICATE KEY UPDATE on MySQL and
   * ON CONFLICT (pk) DO NOTHING on PostgreSQL, so that other errors still surface),
   * `replace` overwrites them (MySQL REPLACE, PostgreSQL ON CONFLICT (pk) DO UPDATE).
   */
  insert(schema: string, table: string, columns: string[], values: string, mode: 'insert' | 'skip' | 'replace', primaryKey: string[]): string;
  /** ` ON DUPLICATE KEY UPDATE …` / ` ON CONFLICT (key) DO UPDATE SET …` with `assignments`. */
  upsertClause(key: readonly string[], assignments: string): string;
  /** The value the INSERT offered for `column`, inside upsertClause's assignments. */
  insertedValue(column: string): string;
  /**
   * The tail of an INSERT that overwrites `update` columns of an existing row with the same
   * primary key (MySQL: ` ON DUPLICATE KEY UPDATE c = VALUES(c)`, PostgreSQL:
   * ` ON CONFLICT (pk) DO UPDATE SET c = EXCLUDED.c`).
   */
  upsertTail(primaryKey: string[], update: string[]): string;
  /** The keyword that lets the server apply the column default (NULL for nullable columns). */
  readonly defaultKeyword: string;

  /** Translates a driver/server error into a one-line DataJointError. */
  translateError(error: unknown, context?: { schema?: string; table?: string; host?: string; port?: number; user?: string }): DataJointError;
}
