// PostgreSQL (reference: adapters/postgres.py, declare.py: declare on PostgreSQL; notes
// §4.9). DDL strings follow what DataJoint for Python 2.x sends, statement by statement,
// so that its tables and ours are the same; introspection reads pg_catalog and
// information_schema and reports types as the reference's heading sees them.
import { createHash } from 'node:crypto';
import type { DataJointError } from '../errors/index';
import type { ColumnRow, ColumnSpec, Dialect, EnumTypeSpec, Sql, TableSpec } from './types';
import { translatePgError, type ErrorContext } from './postgres-errors';
import { platformColumnsFor } from './platform';

// adapters/postgres.py: CORE_TYPE_MAP (the parametrized types are handled in coreTypeToSql).
const CORE_TO_SQL: Record<string, string> = {
  int64: 'bigint',
  int32: 'integer',
  int16: 'smallint',
  int8: 'smallint',
  float32: 'real',
  float64: 'double precision',
  bool: 'boolean',
  uuid: 'uuid',
  bytes: 'bytea',
  json: 'jsonb',
  date: 'date',
};

// adapters/postgres.py: SQL_TO_CORE_MAP, for unmarked columns (notes §5.7).
const SQL_TO_CORE: Record<string, string> = {
  bigint: 'int64',
  integer: 'int32',
  smallint: 'int16',
  real: 'float32',
  'double precision': 'float64',
  boolean: 'bool',
  uuid: 'uuid',
  bytea: 'bytes',
  jsonb: 'json',
  json: 'json',
  date: 'date',
};

// information_schema.columns data_type for the other spellings PostgreSQL accepts.
const TYPE_ALIASES: Record<string, string> = {
  int: 'integer',
  int4: 'integer',
  int2: 'smallint',
  int8: 'bigint',
  serial: 'integer',
  serial4: 'integer',
  smallserial: 'smallint',
  serial2: 'smallint',
  bigserial: 'bigint',
  serial8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  float: 'double precision',
  double: 'double precision',
  bool: 'boolean',
  varchar: 'character varying',
  char: 'character',
  timestamptz: 'timestamp with time zone',
  timetz: 'time with time zone',
  decimal: 'numeric',
};

// declare.py: SINGLETON_DEFINITION and JOB_METADATA_DEFINITION as the reference compiles
// them (2.3.5): `_singleton = 1 : bool # singleton primary key` after the declared
// columns, the job columns after it, each with its marker comment.
const SINGLETON: ColumnSpec = { name: '_singleton', sqlType: 'boolean', defaultClause: "NOT NULL DEFAULT '1'", comment: ':bool:singleton primary key' };
const JOB_METADATA: ColumnSpec[] = [
  { name: '_job_start_time', sqlType: 'timestamp(3)', defaultClause: 'DEFAULT NULL', comment: ':datetime(3):when computation began' },
  { name: '_job_duration', sqlType: 'real', defaultClause: 'DEFAULT NULL', comment: ':float32:computation duration in seconds' },
  { name: '_job_version', sqlType: 'varchar(64)', defaultClause: "NOT NULL DEFAULT ''", comment: ':varchar(64):code version' },
];

/** `enum('a', 'b')` → its values as the reference reads them (adapters/postgres.py: core_type_to_sql). */
function enumValues(coreType: string): string[] | undefined {
  const m = /^enum\s*\((.+)\)$/is.exec(coreType.trim());
  // A plain split at commas, each piece trimmed of spaces and then of quote characters:
  // a value containing a comma splits as it does in the reference.
  return m ? m[1].split(',').map((v) => v.trim().replace(/^['"]+|['"]+$/g, '')) : undefined;
}

/** Python's sorted(): by code point, not by UTF-16 unit. */
function byCodePoint(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d) return d;
  }
  return x.length - y.length;
}

/** `enum_` + the first 8 hex digits of the MD5 of the sorted values joined by `_`. */
export function enumTypeName(values: string[]): string {
  return 'enum_' + createHash('md5').update([...values].sort(byCodePoint).join('_'), 'utf8').digest('hex').slice(0, 8);
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));

/** The end of the '…' literal starting at `start` ('' doubles a quote), or -1. */
function literalEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] !== "'") continue;
    if (text[i + 1] === "'") i++;
    else return i + 1;
  }
  return -1;
}

/**
 * information_schema.columns column_default → the plain value MySQL reports: casts
 * dropped (`'a'::lab.enum_x` → `a`, `''::character varying` → ``), NULL as null,
 * parenthesised negative numbers unwrapped; expressions (CURRENT_TIMESTAMP, nextval) as
 * they are.
 */
export function plainDefault(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null;
  let s = str(raw).trim();
  if (s.startsWith("'")) {
    const end = literalEnd(s, 0);
    if (end > 0 && (end === s.length || s.slice(end).startsWith('::'))) return s.slice(1, end - 1).replace(/''/g, "'");
    return s;
  }
  s = s.replace(/::[\w\s."[\]]+(\(\d+(,\d+)?\))?$/, '');
  if (/^null$/i.test(s)) return null;
  const paren = /^\((-?[\d.eE+-]+)\)$/.exec(s);
  return paren ? paren[1] : s;
}

export class PostgresDialect implements Dialect {
  readonly name = 'postgresql' as const;
  readonly failedStatementAbortsTransaction = true;
  readonly defaultKeyword = 'DEFAULT';
  // adapters/postgres.py: max_table_name_length (NAMEDATALEN - 1).
  readonly maxTableNameLength = 63;
  // adapters/postgres.py: auto_indexes_foreign_keys is False.
  readonly indexesForeignKeys = false;
  readonly expressionIndexes = false;
  readonly sessionAutocommit = false;

  quote(identifier: string): string {
    return '"' + identifier.replace(/"/g, '""') + '"';
  }

  qualified(schema: string, table: string): string {
    return `${this.quote(schema)}.${this.quote(table)}`;
  }

  coreTypeToSql(coreType: string, schema?: string): string | undefined {
    // adapters/postgres.py: core_type_to_sql, for the spellings declare.py: match_type accepts as core.
    const t = coreType.trim();
    if (t in CORE_TO_SQL) return CORE_TO_SQL[t];
    // The parameters as written (the reference keeps them verbatim); no space before `(`
    // except for datetime, whose precision it extracts.
    let m = /^datetime(\s*\(\d+\))?$/.exec(t);
    if (m) return `timestamp${(m[1] ?? '').trim()}`;
    if (/^(var)?char\(\d+\)$/.test(t)) return t;
    m = /^decimal(\(\d+\s*,\s*\d+\))$/.exec(t);
    if (m) return `numeric${m[1]}`;
    const values = t.startsWith('enum(') ? enumValues(t) : undefined;
    if (values) {
      if (schema === undefined) throw new Error(`The PostgreSQL type of ${t} lives in a schema: pass the table's schema`);
      return `${this.quote(schema)}.${this.quote(enumTypeName(values))}`;
    }
    return undefined;
  }

  enumType(coreType: string): EnumTypeSpec | undefined {
    const t = coreType.trim();
    const values = t.startsWith('enum(') ? enumValues(t) : undefined;
    return values ? { name: enumTypeName(values), values } : undefined;
  }

  sqlToCoreType(sqlType: string): string | undefined {
    const t = this.normalizeSqlType(sqlType);
    if (t in SQL_TO_CORE) return SQL_TO_CORE[t];
    // adapters/postgres.py: sql_type_to_core — any timestamp is a datetime (its precision
    // is not in information_schema's data_type).
    const ts = /^timestamp(\(\d+\))?\b/.exec(t);
    if (ts) return `datetime${ts[1] ?? ''}`;
    if (/^(var)?char\(\d+\)$/.test(t)) return t;
    if (/^decimal\(\d+,\d+\)$/.test(t)) return t;
    return undefined;
  }

  normalizeSqlType(reported: string): string {
    // adapters/postgres.py: parse_column_info — information_schema's data_type, with the
    // length of char/varchar and the precision and scale of numeric put back; enums by
    // their type name. Declared spellings are mapped onto those.
    let t = reported.trim().replace(/\s+/g, ' ');
    // A schema-qualified or quoted name (an enum type) reads back as the bare name.
    const qualified = /^(?:(?:"(?:[^"]|"")+"|\w+)\.)?("(?:[^"]|"")+"|\w+)$/.exec(t);
    if (qualified && (qualified[1] !== t || t.startsWith('"'))) {
      if (qualified[1].startsWith('"')) return qualified[1].slice(1, -1).replace(/""/g, '"');
      t = qualified[1];
    }
    t = t.toLowerCase().replace(/\s*\(\s*/g, '(').replace(/\s*,\s*/g, ',').replace(/\s*\)/g, ')');
    if (/\[\d*\]$/.test(t)) return 'ARRAY';
    const m = /^([a-z][a-z0-9 ]*?)(?:\((\d+)(?:,(\d+))?\))?( with(?:out)? time zone)?$/.exec(t);
    if (!m) return t;
    const base = TYPE_ALIASES[m[1]] ?? m[1];
    const [, , p, s, zone] = m;
    if (base === 'timestamp' || base === 'time') return `${base} ${zone?.trim() ?? 'without time zone'}`;
    if (base === 'character varying') return p ? `varchar(${p})` : base;
    if (base === 'character') return `char(${p ?? 1})`;
    if (base === 'numeric') return p ? (s && Number(s) > 0 ? `decimal(${p},${s})` : `decimal(${p})`) : base;
    // float(p) is real up to 24 binary digits, double precision above.
    if (m[1] === 'float' && p !== undefined) return Number(p) <= 24 ? 'real' : 'double precision';
    // data_type carries no other parameter (bit(3), interval(2), time(3) with time zone...).
    return base;
  }

  escapeComment(text: string): string {
    // adapters/postgres.py: table_comment_ddl, column_comment_ddl — single quotes doubled;
    // backslashes are literal under standard_conforming_strings (sessionInit turns it on).
    return text.replace(/'/g, "''");
  }

  quoteString(text: string): string {
    return "'" + text.replace(/'/g, "''") + "'";
  }

  attributeComment(typeMarker: string | undefined, userComment: string): string {
    // declare.py: compile_attribute escapes `"` in the user comment for MySQL's COMMENT "…";
    // on PostgreSQL the escaped text is what COMMENT ON stores.
    const user = userComment.replace(/"/g, '\\"');
    return typeMarker !== undefined ? `:${typeMarker}:${user}` : user;
  }

  // attributeComment put one backslash before every `"`; COMMENT ON kept it.
  readUserComment(stored: string): string {
    return stored.replace(/\\"/g, '"');
  }

  copiedColumn(parent: { sqlType: string; type: string; comment: string }, parentSchema: string): { sqlType: string; comment: string } {
    // declare.py: compile_foreign_key — the parent heading's type, an enum type qualified
    // with the parent's schema; the comment is dropped (format_column_definition has none
    // and only declared attributes get COMMENT ON COLUMN).
    const sqlType = parent.sqlType.startsWith('enum_') ? `${this.quote(parentSchema)}.${this.quote(parent.sqlType)}` : parent.sqlType;
    return { sqlType, comment: '' };
  }

  platformColumns(table: string, needsSingleton: boolean, addJobMetadata: boolean): ColumnSpec[] {
    return platformColumnsFor(table, needsSingleton, addJobMetadata, { singleton: SINGLETON, jobMetadata: JOB_METADATA });
  }

  formatColumn(c: ColumnSpec): string {
    // adapters/postgres.py: format_column_definition — comments go into COMMENT ON.
    return c.defaultClause ? `${this.quote(c.name)} ${c.sqlType} ${c.defaultClause}` : `${this.quote(c.name)} ${c.sqlType}`;
  }

  createTable(spec: TableSpec): string[] {
    const table = this.qualified(spec.schema, spec.table);
    const out: string[] = [];
    // table.py: declare runs each CREATE TYPE and ignores its failure (an existing type:
    // the names are content hashes, shared by every table with the same values). Here the
    // statement itself ignores exactly that, so other failures still surface.
    for (const e of spec.enumTypes ?? []) {
      // Labels are string literals (a quote in a label doubled: the reference interpolates
      // them bare, so `enum('it''s')` breaks its CREATE TYPE), inside a dollar-quoted body
      // whose tag no label contains.
      const create = `CREATE TYPE ${this.qualified(spec.schema, e.name)} AS ENUM (${e.values.map((v) => this.quoteString(v)).join(', ')})`;
      let tag = 'dj';
      while (create.includes(`$${tag}$`)) tag += '_';
      out.push(`DO $${tag}$ BEGIN ${create}; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $${tag}$`);
    }
    // declare.py: declare — columns, primary key and foreign keys joined by ",\n"; the
    // empty table options leave a trailing space.
    const parts: string[] = spec.columns.map((c) => this.formatColumn(c));
    parts.push(`PRIMARY KEY (${spec.primaryKey.map((k) => this.quote(k)).join(', ')})`);
    for (const fk of spec.foreignKeys) {
      parts.push(
        `FOREIGN KEY (${fk.columns.map((k) => this.quote(k)).join(', ')}) REFERENCES ${this.qualified(fk.refSchema, fk.refTable)} ` +
          `(${fk.refColumns.map((k) => this.quote(k)).join(', ')}) ON UPDATE CASCADE ON DELETE RESTRICT`,
      );
    }
    out.push(`CREATE TABLE IF NOT EXISTS ${table} (\n${parts.join(',\n')}\n) `);
    // adapters/base.py: create_index_ddl — named after the table and the first 30
    // characters of the columns joined by `_`.
    for (const ix of spec.indexes) {
      const cols = ix.columns;
      if (!cols) throw new Error(`Cannot declare ${table}: PostgreSQL indexes take attributes only`);
      const name = `idx_${spec.table}_${cols.join('_').slice(0, 30)}`;
      out.push(`CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX ${this.quote(name)} ON ${table} (${cols.map((c) => this.quote(c)).join(', ')})`);
    }
    if (spec.noCommentStatements) return out;
    // declare.py: declare — the table comment even when empty, then every column that has one.
    out.push(`COMMENT ON TABLE ${table} IS '${this.escapeComment(spec.comment)}'`);
    for (const c of spec.columns) {
      if (c.comment) out.push(`COMMENT ON COLUMN ${table}.${this.quote(c.name)} IS '${this.escapeComment(c.comment)}'`);
    }
    return out;
  }

  createSchema(name: string): string {
    return `CREATE SCHEMA ${this.quote(name)}`;
  }

  dropSchema(name: string): string {
    // adapters/postgres.py: drop_schema_sql — CASCADE takes the enum types along.
    return `DROP SCHEMA IF EXISTS ${this.quote(name)} CASCADE`;
  }

  dropTable(schema: string, table: string): string {
    // Without the reference's CASCADE: a table still referenced from another schema is
    // refused, as on MySQL, rather than losing the other table's foreign key.
    return `DROP TABLE IF EXISTS ${this.qualified(schema, table)}`;
  }

  sessionInit(): string[] {
    // The server default since 9.1; comments and defaults are written for it (backslashes literal).
    return ['SET standard_conforming_strings = on'];
  }

  startTransaction(): string {
    // adapters/postgres.py: start_transaction_sql.
    return 'BEGIN';
  }
  // No such switch on PostgreSQL, for either value of `on`: see Dialect.sessionAutocommit.
  autocommit(on: boolean): string {
    return '';
  }
  commit(): string {
    return 'COMMIT';
  }
  rollback(): string {
    return 'ROLLBACK';
  }
  savepoint(name: string): string {
    return `SAVEPOINT ${this.quote(name)}`;
  }
  rollbackToSavepoint(name: string): string {
    return `ROLLBACK TO SAVEPOINT ${this.quote(name)}`;
  }
  releaseSavepoint(name: string): string {
    return `RELEASE SAVEPOINT ${this.quote(name)}`;
  }
  // Every failed statement aborts its transaction here (DriverSession.transactionAborted).
  transactionEndedBy(): undefined {
    return undefined;
  }

  listSchemas(): Sql {
    // adapters/postgres.py: list_schemas_sql, also without the toast and temporary schemas.
    return {
      sql:
        "SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name NOT IN ('pg_catalog', 'information_schema') " +
        "AND schema_name NOT LIKE 'pg\\_toast%' AND schema_name NOT LIKE 'pg\\_temp\\_%' ORDER BY schema_name",
      params: [],
    };
  }

  schemaExists(name: string): Sql {
    // pg_namespace rather than information_schema.schemata, which hides schemas the user
    // has no privilege on: CREATE SCHEMA would then fail on an existing one.
    return { sql: 'SELECT nspname AS name FROM pg_catalog.pg_namespace WHERE nspname = ?', params: [name] };
  }

  listTables(schema: string): Sql {
    return {
      sql: "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name",
      params: [schema],
    };
  }

  tableInfo(schema: string, table?: string): Sql {
    // obj_description by oid: the reference's `'db' || '.' || 't'` regclass cast fails for
    // names that need quotes (`#method`, `~lineage`). reltuples is -1 before the first ANALYZE.
    const base =
      "SELECT c.relname AS name, COALESCE(obj_description(c.oid, 'pg_class'), '') AS comment, GREATEST(c.reltuples, 0)::bigint AS estimated_rows " +
      "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relkind IN ('r', 'p')";
    return table === undefined
      ? { sql: `${base} ORDER BY c.relname`, params: [schema] }
      : { sql: `${base} AND c.relname = ?`, params: [schema, table] };
  }

  columns(schema: string, table: string): Sql {
    // adapters/postgres.py: get_columns_sql, the table's oid joined rather than cast.
    return {
      sql:
        'SELECT c.column_name, c.data_type, c.udt_name, c.is_nullable, c.column_default, c.is_identity, ' +
        'c.character_maximum_length, c.numeric_precision, c.numeric_scale, col_description(t.oid, c.ordinal_position) AS column_comment ' +
        'FROM information_schema.columns c JOIN pg_catalog.pg_namespace n ON n.nspname = c.table_schema ' +
        'JOIN pg_catalog.pg_class t ON t.relnamespace = n.oid AND t.relname = c.table_name ' +
        'WHERE c.table_schema = ? AND c.table_name = ? ORDER BY c.ordinal_position',
      params: [schema, table],
    };
  }

  parseColumnRow(row: Record<string, unknown>): ColumnRow {
    // adapters/postgres.py: parse_column_info — enums by their type name, char/varchar with
    // their length, numeric as decimal(p,s) (decimal(p) without scale).
    let type = str(row.data_type);
    if (type === 'USER-DEFINED') type = str(row.udt_name);
    const len = row.character_maximum_length;
    const precision = row.numeric_precision;
    const scale = row.numeric_scale;
    if (type === 'character' && len !== null && len !== undefined) type = `char(${str(len)})`;
    else if (type === 'character varying' && len !== null && len !== undefined) type = `varchar(${str(len)})`;
    else if (type === 'numeric' && precision !== null && precision !== undefined) {
      type = scale !== null && scale !== undefined && Number(scale) > 0 ? `decimal(${str(precision)},${str(scale)})` : `decimal(${str(precision)})`;
    }
    const rawDefault = row.column_default;
    // The reference has no auto_increment on PostgreSQL; serial and identity columns are its equivalent here.
    const auto = str(row.is_identity) === 'YES' || /^nextval\(/i.test(str(rawDefault));
    return {
      name: str(row.column_name),
      type,
      nullable: str(row.is_nullable) === 'YES',
      default: auto ? null : plainDefault(rawDefault),
      key: '',
      extra: auto ? 'auto_increment' : '',
      comment: str(row.column_comment),
    };
  }

  primaryKey(schema: string, table: string): Sql {
    return {
      sql:
        'SELECT a.attname AS name FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class c ON c.oid = con.conrelid ' +
        'JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord) ' +
        "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum WHERE n.nspname = ? AND c.relname = ? AND con.contype = 'p' ORDER BY k.ord",
      params: [schema, table],
    };
  }

  /** Foreign-key columns in pg_constraint (adapters/postgres.py: load_foreign_keys_sql), in creation order. */
  private foreignKeyRows(where: string, order: string, params: unknown[]): Sql {
    return {
      sql:
        'SELECT con.conname AS "constraint", n1.nspname AS "schema", c1.relname AS "table", a1.attname AS "column", ' +
        'n2.nspname AS "refSchema", c2.relname AS "refTable", a2.attname AS "refColumn" FROM pg_catalog.pg_constraint con ' +
        'JOIN pg_catalog.pg_class c1 ON c1.oid = con.conrelid JOIN pg_catalog.pg_namespace n1 ON n1.oid = c1.relnamespace ' +
        'JOIN pg_catalog.pg_class c2 ON c2.oid = con.confrelid JOIN pg_catalog.pg_namespace n2 ON n2.oid = c2.relnamespace ' +
        'CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(attnum, refattnum, ord) ' +
        'JOIN pg_catalog.pg_attribute a1 ON a1.attrelid = c1.oid AND a1.attnum = k.attnum ' +
        'JOIN pg_catalog.pg_attribute a2 ON a2.attrelid = c2.oid AND a2.attnum = k.refattnum ' +
        `WHERE con.contype = 'f' AND ${where} ORDER BY ${order}, con.oid, k.ord`,
      params,
    };
  }

  foreignKeys(schema: string): Sql {
    return this.foreignKeyRows('n1.nspname = ?', 'c1.relname', [schema]);
  }

  referencingForeignKeys(schema: string, table: string): Sql {
    return this.foreignKeyRows('n2.nspname = ? AND c2.relname = ?', 'n1.nspname, c1.relname', [schema, table]);
  }

  indexes(schema: string, table: string): Sql {
    // Key columns only (not INCLUDE ones); an expression has attnum 0 and no column.
    return {
      sql:
        'SELECT ic.relname AS "indexName", a.attname AS "column", NOT i.indisunique AS "nonUnique", k.ord AS seq ' +
        'FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ' +
        'JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) ' +
        'LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum AND k.attnum > 0 ' +
        'WHERE n.nspname = ? AND c.relname = ? AND NOT i.indisprimary AND k.ord <= i.indnkeyatts ORDER BY ic.relname, k.ord',
      params: [schema, table],
    };
  }

  prefixOf(column: string, length: number, unit: 'bytes' | 'chars'): { prefix: string; length: string } {
    const n = Math.max(1, Math.floor(length));
    if (unit === 'bytes') return { prefix: `SUBSTRING(${column} FROM 1 FOR ${n})`, length: `OCTET_LENGTH(${column})` };
    // json and jsonb have no SUBSTRING: their text (a no-op cast for text and varchar).
    const text = `CAST(${column} AS text)`;
    return { prefix: `SUBSTRING(${text} FROM 1 FOR ${n})`, length: `CHAR_LENGTH(${text})` };
  }

  limitOffset(limit?: number, offset?: number): string {
    // PostgreSQL takes OFFSET without LIMIT.
    const l = limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(limit))}`;
    return offset ? `${l} OFFSET ${Math.max(0, Math.floor(offset))}` : l;
  }

  insert(schema: string, table: string, columns: string[], values: string, mode: 'insert' | 'skip' | 'replace', primaryKey: string[]): string {
    let sql = `INSERT INTO ${this.qualified(schema, table)} (${columns.map((c) => this.quote(c)).join(', ')}) VALUES ${values}`;
    // adapters/postgres.py: skip_duplicates_clause — only a primary-key conflict is skipped.
    const target = primaryKey.length ? ` (${primaryKey.map((k) => this.quote(k)).join(', ')})` : '';
    if (mode === 'skip') sql += ` ON CONFLICT${target} DO NOTHING`;
    if (mode === 'replace') {
      // The reference sends MySQL's REPLACE, which PostgreSQL lacks; an update of the row in place instead.
      const update = columns.filter((c) => !primaryKey.includes(c));
      sql += update.length ? this.upsertTail(primaryKey, update) : ` ON CONFLICT${target} DO NOTHING`;
    }
    return sql;
  }

  upsertClause(key: readonly string[], assignments: string): string {
    return ` ON CONFLICT (${key.map((k) => this.quote(k)).join(', ')}) DO UPDATE SET ${assignments}`;
  }

  insertedValue(column: string): string {
    return `EXCLUDED.${this.quote(column)}`;
  }

  upsertTail(primaryKey: string[], update: string[]): string {
    return this.upsertClause(primaryKey, update.map((c) => `${this.quote(c)} = ${this.insertedValue(c)}`).join(', '));
  }

  translateError(error: unknown, context: ErrorContext = {}): DataJointError {
    return translatePgError(error, context);
  }
}

export const postgresDialect = new PostgresDialect();
