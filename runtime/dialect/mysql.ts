// MySQL / MariaDB (reference: adapters/mysql.py). DDL strings follow the reference's
// layout exactly (declare.py: declare; notes §4.3), so that Python sees our tables as its own.
import {
  AccessError,
  ConnectionError,
  DataJointError,
  DuplicateError,
  IntegrityError,
  LostConnectionError,
  MissingAttributeError,
  MissingSchemaError,
  MissingTableError,
  QuerySyntaxError,
  UnknownAttributeError,
} from '../errors/index';
import type { ColumnRow, ColumnSpec, Dialect, EnumTypeSpec, Sql, TableSpec } from './types';
import { platformColumnsFor } from './platform';

// adapters/mysql.py: CORE_TYPE_MAP (the parametrized types keep their text).
const CORE_TO_SQL: Record<string, string> = {
  int8: 'tinyint',
  int16: 'smallint',
  int32: 'int',
  int64: 'bigint',
  float32: 'float',
  float64: 'double',
  bool: 'tinyint',
  uuid: 'binary(16)',
  json: 'json',
  bytes: 'longblob',
  date: 'date',
  datetime: 'datetime',
};

// adapters/mysql.py: SQL_TO_CORE_MAP, used only for unmarked columns (notes §5.7).
const SQL_TO_CORE: Record<string, string> = {
  bigint: 'int64',
  int: 'int32',
  smallint: 'int16',
  tinyint: 'int8',
  float: 'float32',
  double: 'float64',
  'binary(16)': 'uuid',
  longblob: 'bytes',
  json: 'json',
  date: 'date',
};

// connection.py: the session sql_mode DataJoint sets on every MySQL connection.
const SQL_MODE = 'NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,ONLY_FULL_GROUP_BY';

interface DriverError {
  code?: string;
  errno?: number;
  sqlMessage?: string;
  message?: string;
}

function asDriverError(e: unknown): DriverError {
  return typeof e === 'object' && e !== null ? (e as DriverError) : { message: String(e) };
}

// declare.py: SINGLETON_DEFINITION and JOB_METADATA_DEFINITION as the reference compiles
// them since 2.3.5 (what PyPI gives): `_singleton = 1 : bool # singleton primary key` after
// the declared columns, the job columns after it, each with its marker comment, as on
// PostgreSQL. Until 2.3.2 `_singleton` came first and the job columns had no comments
// (`_job_version` nullable): declare/compare.ts accepts tables of either layout.
const SINGLETON: ColumnSpec = { name: '_singleton', sqlType: 'tinyint', defaultClause: "NOT NULL DEFAULT '1'", comment: ':bool:singleton primary key' };
const JOB_METADATA: ColumnSpec[] = [
  { name: '_job_start_time', sqlType: 'datetime(3)', defaultClause: 'DEFAULT NULL', comment: ':datetime(3):when computation began' },
  { name: '_job_duration', sqlType: 'float', defaultClause: 'DEFAULT NULL', comment: ':float32:computation duration in seconds' },
  { name: '_job_version', sqlType: 'varchar(64)', defaultClause: "NOT NULL DEFAULT ''", comment: ':varchar(64):code version' },
];

export class MySqlDialect implements Dialect {
  readonly name = 'mysql' as const;
  readonly failedStatementAbortsTransaction = false;
  readonly defaultKeyword = 'DEFAULT';
  readonly maxTableNameLength = 64;
  readonly indexesForeignKeys = true;
  readonly expressionIndexes = true;
  readonly sessionAutocommit = true;

  quote(identifier: string): string {
    return '`' + identifier.replace(/`/g, '``') + '`';
  }

  qualified(schema: string, table: string): string {
    return `${this.quote(schema)}.${this.quote(table)}`;
  }

  coreTypeToSql(coreType: string): string | undefined {
    const t = coreType.trim();
    if (t in CORE_TO_SQL) return CORE_TO_SQL[t];
    // adapters/mysql.py: core_type_to_sql keeps these parametrized spellings verbatim.
    if (/^datetime\(\d+\)$/.test(t) || /^datetime\s+\(\d+\)$/.test(t)) return t.replace(/\s+/g, '');
    if (/^(var)?char\(\d+\)$/.test(t)) return t;
    if (/^decimal\(\d+\s*,\s*\d+\)$/.test(t)) return t.replace(/\s+/g, '');
    if (/^enum\s*\(.+\)$/s.test(t)) return t;
    return undefined;
  }

  enumType(): EnumTypeSpec | undefined {
    return undefined; // enums are inline column types
  }

  sqlToCoreType(sqlType: string): string | undefined {
    const t = sqlType.trim().toLowerCase();
    if (t in SQL_TO_CORE) return SQL_TO_CORE[t];
    if (/^(datetime(\(\d+\))?|(var)?char\(\d+\)|decimal\(\d+,\d+\)|enum\(.+\))$/s.test(t)) return sqlType.trim();
    return undefined;
  }

  normalizeSqlType(reported: string): string {
    // heading.py: display widths are dropped from integer and float types only.
    const t = reported.trim();
    if (/^(tiny|small|medium|big)?int(eger)?\s*\(\d+\)/i.test(t) || /^(double|float|real)\s*\(\d+\)(?!\s*,)/i.test(t)) {
      return t.replace(/\s*\(\d+\)/, '');
    }
    return t;
  }

  escapeComment(text: string): string {
    // Our decision (notes 11.3 #7): escape backslashes too, where the reference loses them.
    return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  }

  quoteString(text: string): string {
    return "'" + text.replace(/\\/g, '\\\\').replace(/'/g, "''") + "'";
  }

  attributeComment(typeMarker: string | undefined, userComment: string): string {
    // The `"` escaping of declare.py: compile_attribute happens in formatColumn, for the whole comment.
    return typeMarker !== undefined ? `:${typeMarker}:${userComment}` : userComment;
  }

  // COMMENT "…" is a string literal: the server has undone the escaping already.
  readUserComment(stored: string): string {
    return stored;
  }

  copiedColumn(parent: { sqlType: string; type: string; comment: string }): { sqlType: string; comment: string } {
    // heading.py: sql_comment — the parent's user comment, re-marked only for uuid.
    return { sqlType: parent.sqlType, comment: parent.type === 'uuid' ? `:uuid:${parent.comment}` : parent.comment };
  }

  platformColumns(table: string, needsSingleton: boolean, addJobMetadata: boolean): ColumnSpec[] {
    return platformColumnsFor(table, needsSingleton, addJobMetadata, { singleton: SINGLETON, jobMetadata: JOB_METADATA });
  }

  formatColumn(c: ColumnSpec): string {
    // adapters/mysql.py: format_column_definition
    let s = `${this.quote(c.name)} ${c.sqlType}`;
    if (c.defaultClause) s += ` ${c.defaultClause}`;
    if (c.comment) s += ` COMMENT "${this.escapeComment(c.comment)}"`;
    return s;
  }

  createTable(spec: TableSpec): string[] {
    // declare.py: declare — elements joined with ",\n", no indentation.
    const parts: string[] = spec.columns.map((c) => this.formatColumn(c));
    parts.push(`PRIMARY KEY (${spec.primaryKey.map((k) => this.quote(k)).join(', ')})`);
    for (const fk of spec.foreignKeys) {
      parts.push(
        `FOREIGN KEY (${fk.columns.map((k) => this.quote(k)).join(', ')}) REFERENCES ${this.qualified(fk.refSchema, fk.refTable)} ` +
          `(${fk.refColumns.map((k) => this.quote(k)).join(', ')}) ON UPDATE CASCADE ON DELETE RESTRICT`,
      );
    }
    for (const ix of spec.indexes) {
      // declare.py: compile_foreign_key writes `UNIQUE INDEX (a, b)`, compile_index `unique index (a,b)`.
      if (ix.fromForeignKey) parts.push(`UNIQUE INDEX (${ix.members.join(', ')})`);
      else parts.push(`${ix.unique ? 'unique index' : 'index'} (${ix.members.join(',')})`);
    }
    const options = spec.comment ? `ENGINE=InnoDB, COMMENT "${this.escapeComment(spec.comment)}"` : 'ENGINE=InnoDB';
    return [`CREATE TABLE IF NOT EXISTS ${this.qualified(spec.schema, spec.table)} (\n${parts.join(',\n')}\n) ${options}`];
  }

  createSchema(name: string): string {
    return `CREATE DATABASE ${this.quote(name)}`;
  }

  dropSchema(name: string): string {
    return `DROP DATABASE IF EXISTS ${this.quote(name)}`;
  }

  dropTable(schema: string, table: string): string {
    return `DROP TABLE IF EXISTS ${this.qualified(schema, table)}`;
  }

  sessionInit(): string[] {
    return [`SET SESSION sql_mode = '${SQL_MODE}'`];
  }

  startTransaction(): string {
    return 'START TRANSACTION WITH CONSISTENT SNAPSHOT';
  }
  autocommit(on: boolean): string {
    return `SET autocommit = ${on ? 1 : 0}`;
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
  // The MySQL manual, "InnoDB Error Handling": a deadlock rolls back the whole transaction;
  // a lock wait timeout the statement alone, unless innodb_rollback_on_timeout is set.
  transactionEndedBy(error: DataJointError): 'always' | 'onTimeoutSetting' | undefined {
    if (error.serverCode === 1213) return 'always';
    if (error.serverCode === 1205) return 'onTimeoutSetting';
    return undefined;
  }
  readonly rollbackOnTimeoutQuery = 'SELECT @@innodb_rollback_on_timeout AS v';

  listSchemas(): Sql {
    return { sql: 'SELECT schema_name AS name FROM information_schema.schemata ORDER BY schema_name', params: [] };
  }

  schemaExists(name: string): Sql {
    return { sql: 'SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name = ?', params: [name] };
  }

  listTables(schema: string): Sql {
    return {
      sql: "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY table_name",
      params: [schema],
    };
  }

  tableInfo(schema: string, table?: string): Sql {
    const base =
      "SELECT table_name AS name, table_comment AS comment, table_rows AS estimated_rows FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE'";
    return table === undefined ? { sql: base, params: [schema] } : { sql: `${base} AND table_name = ?`, params: [schema, table] };
  }

  columns(schema: string, table: string): Sql {
    return { sql: `SHOW FULL COLUMNS FROM ${this.quote(table)} IN ${this.quote(schema)}`, params: [] };
  }

  parseColumnRow(row: Record<string, unknown>): ColumnRow {
    const str = (v: unknown): string => (v === null || v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
    return {
      name: str(row.Field),
      type: str(row.Type),
      nullable: str(row.Null) === 'YES',
      default: row.Default === null || row.Default === undefined ? null : str(row.Default),
      key: str(row.Key),
      extra: str(row.Extra),
      comment: str(row.Comment),
    };
  }

  primaryKey(schema: string, table: string): Sql {
    return {
      sql: "SELECT column_name AS name FROM information_schema.key_column_usage WHERE table_schema = ? AND table_name = ? AND constraint_name = 'PRIMARY' ORDER BY ordinal_position",
      params: [schema, table],
    };
  }

  foreignKeys(schema: string): Sql {
    // dependencies.py: load — every FK of the schema's tables, in column order.
    return {
      sql:
        'SELECT constraint_name AS `constraint`, table_schema AS `schema`, table_name AS `table`, column_name AS `column`, ' +
        'referenced_table_schema AS refSchema, referenced_table_name AS refTable, referenced_column_name AS refColumn ' +
        'FROM information_schema.key_column_usage WHERE table_schema = ? AND referenced_table_name IS NOT NULL ' +
        'ORDER BY table_name, constraint_name, ordinal_position',
      params: [schema],
    };
  }

  referencingForeignKeys(schema: string, table: string): Sql {
    return {
      sql:
        'SELECT constraint_name AS `constraint`, table_schema AS `schema`, table_name AS `table`, column_name AS `column`, ' +
        'referenced_table_schema AS refSchema, referenced_table_name AS refTable, referenced_column_name AS refColumn ' +
        'FROM information_schema.key_column_usage WHERE referenced_table_schema = ? AND referenced_table_name = ? ' +
        'ORDER BY table_schema, table_name, constraint_name, ordinal_position',
      params: [schema, table],
    };
  }

  indexes(schema: string, table: string): Sql {
    return {
      sql:
        "SELECT index_name AS indexName, column_name AS `column`, non_unique AS nonUnique, seq_in_index AS seq FROM information_schema.statistics WHERE table_schema = ? AND table_name = ? AND index_name != 'PRIMARY' ORDER BY index_name, seq_in_index",
      params: [schema, table],
    };
  }

  prefixOf(column: string, length: number, unit: 'bytes' | 'chars'): { prefix: string; length: string } {
    const n = Math.max(1, Math.floor(length));
    // SUBSTRING counts bytes on a binary string and characters on text (JSON included).
    return { prefix: `SUBSTRING(${column} FROM 1 FOR ${n})`, length: unit === 'bytes' ? `OCTET_LENGTH(${column})` : `CHAR_LENGTH(${column})` };
  }

  limitOffset(limit?: number, offset?: number): string {
    if (limit === undefined && offset === undefined) return '';
    // MySQL needs a LIMIT to use OFFSET; this is its documented "all rows" value.
    const l = limit === undefined ? '18446744073709551615' : String(Math.max(0, Math.floor(limit)));
    return offset ? ` LIMIT ${l} OFFSET ${Math.max(0, Math.floor(offset))}` : ` LIMIT ${l}`;
  }

  insert(schema: string, table: string, columns: string[], values: string, mode: 'insert' | 'skip' | 'replace', primaryKey: string[]): string {
    const verb = mode === 'replace' ? 'REPLACE' : 'INSERT';
    let sql = `${verb} INTO ${this.qualified(schema, table)} (${columns.map((c) => this.quote(c)).join(', ')}) VALUES ${values}`;
    if (mode === 'skip') {
      // table.py: insert(skip_duplicates=True) — a no-op update on the first key column.
      const k = this.quote(primaryKey[0] ?? columns[0]);
      sql += ` ON DUPLICATE KEY UPDATE ${k}=${this.qualified(schema, table)}.${k}`;
    }
    return sql;
  }

  // MySQL finds the conflicting row by any unique key itself: the primary key is not named.
  upsertClause(_key: readonly string[], assignments: string): string {
    return ` ON DUPLICATE KEY UPDATE ${assignments}`;
  }

  insertedValue(column: string): string {
    return `VALUES(${this.quote(column)})`;
  }

  upsertTail(primaryKey: string[], update: string[]): string {
    return this.upsertClause(primaryKey, update.map((c) => `${this.quote(c)} = ${this.insertedValue(c)}`).join(', '));
  }

  translateError(error: unknown, context: { schema?: string; table?: string; host?: string; port?: number; user?: string } = {}): DataJointError {
    if (error instanceof DataJointError) return error;
    const e = asDriverError(error);
    const errno = e.errno;
    const msg = (e.sqlMessage ?? e.message ?? String(error)).split('\n')[0];
    const where = context.host !== undefined ? `${context.host}:${context.port ?? 3306}` : 'the database server';
    const opts = { cause: error, serverCode: errno };
    switch (e.code) {
      case 'ECONNREFUSED':
        return new ConnectionError('unreachable', `Cannot connect to ${where}: connection refused (is the server running and the port right?)`, opts);
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return new ConnectionError('unreachable', `Cannot connect to ${where}: host not found`, opts);
      case 'ETIMEDOUT':
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return new ConnectionError('unreachable', `Cannot connect to ${where}: ${e.code === 'ETIMEDOUT' ? 'timed out' : 'network unreachable'}`, opts);
      case 'PROTOCOL_CONNECTION_LOST':
      // A reset comes on a connection that was made: the server, or a firewall that dropped the
      // idle session (its idle timeout, a laptop's sleep), ended it. As pymysql's 2013 "Lost
      // connection", it is a lost connection, which connection.py: query reconnects once
      // outside a transaction; never "cannot connect".
      case 'ECONNRESET':
      case 'EPIPE':
        return new LostConnectionError('lostConnection', `Lost connection to ${where} (${msg})`, opts);
      case 'HANDSHAKE_SSL_ERROR':
      case 'HANDSHAKE_NO_SSL_SUPPORT':
        return new ConnectionError('unreachable', `Cannot connect to ${where}: TLS was required but could not be established (${msg})`, opts);
    }
    switch (errno) {
      case 1045:
        return new AccessError('login', `Login refused for user '${context.user ?? '?'}' at ${where}: wrong user name or password`, opts);
      case 1044:
      case 1142:
      case 1143:
      case 1227:
      case 1370:
        return new AccessError('access', `Permission denied: ${msg}`, opts);
      case 1049:
        return new MissingSchemaError('unknownSchema', `Schema \`${context.schema ?? ''}\` does not exist: ${msg}`, opts);
      case 2006:
      case 2013:
        return new LostConnectionError('lostConnection', `Lost connection to ${where}: ${msg}`, opts);
      case 1062:
        return new DuplicateError('duplicate', msg, opts);
      case 1216:
      case 1217:
      case 1451:
      case 1452:
      case 3730:
        return new IntegrityError('integrity', msg, opts);
      case 1064:
        return new QuerySyntaxError('querySyntax', msg, opts);
      case 1146:
        return new MissingTableError('missingTable', msg, opts);
      case 1364:
        return new MissingAttributeError('missingAttribute', msg, opts);
      case 1054:
        return new UnknownAttributeError('unknownAttribute', msg, opts);
    }
    // mysql2 marks errors after which the session is unusable as fatal (a closed socket).
    if (!errno && (error as { fatal?: unknown }).fatal === true) return new LostConnectionError('lostConnection', `Lost connection to ${where}: ${msg}`, opts);
    return new DataJointError('server', errno ? `Server error ${errno}: ${msg}` : msg, opts);
  }
}

export const mysqlDialect = new MySqlDialect();
