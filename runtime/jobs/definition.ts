// The per-table job queue `~~name` exactly as DataJoint for Python 2.x declares it, so
// that Python and TypeScript workers share one queue (jobs.py: Job._generate_definition,
// declared through declare.py; layout in the reference notes §4.3, §4.9 and §7.1). The
// generated definition is laid out here as a TableSpec and declared by the dialect.
import { addEnumType } from '../declare/compile';
import { lineageTableStatements } from '../declare/lineage';
import { mysqlDialect, type ColumnSpec, type Dialect, type EnumTypeSpec, type TableSpec } from '../dialect/index';

/** lineage.py: the per-schema `~lineage` table on any backend, created before every lineage write. */
export { lineageTableStatements };

export const JOB_STATUSES = ['pending', 'reserved', 'success', 'error', 'ignore'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** jobs.py: ERROR_MESSAGE_LENGTH / TRUNCATION_APPENDIX */
export const ERROR_MESSAGE_LENGTH = 2047;
export const TRUNCATION_APPENDIX = '...truncated';

/** One primary-key column of the jobs table: a FK-derived primary-key attribute of the target. */
export interface JobKeyColumn {
  name: string;
  /**
   * The type as the reference writes it in the generated definition: the target
   * attribute's original (core) type when known, else its SQL type (`int`, `varchar(16)`).
   */
  type: string;
}

/** `__analysis` -> `~~analysis`: every leading underscore removed (jobs.py: Job.__init__). */
export function jobsTableName(targetTable: string): string {
  return `~~${targetTable.replace(/^_+/, '')}`;
}

// declare.py: match_type — the core categories, anchored, in the reference's order; the
// simple ones by their canonical name, the parametrized ones as written.
const CORE_CATEGORIES: Array<[RegExp, string | undefined]> = [
  [/^float32$/i, 'float32'],
  [/^float64$/i, 'float64'],
  [/^int64$/i, 'int64'],
  [/^int32$/i, 'int32'],
  [/^int16$/i, 'int16'],
  [/^int8$/i, 'int8'],
  [/^bool$/i, 'bool'],
  [/^uuid$/i, 'uuid'],
  [/^json$/i, 'json'],
  [/^bytes$/i, 'bytes'],
  [/^date$/i, 'date'],
  [/^datetime(\s*\(\d+\))?$/i, undefined],
  [/^char\s*\(\d+\)$/i, undefined],
  [/^varchar\s*\(\d+\)$/i, undefined],
  [/^enum\s*\(.+\)$/is, undefined],
  [/^decimal\s*\(\d+\s*,\s*\d+\)$/i, undefined],
];

/**
 * SQL type and stored comment of a key attribute declared with `type` (core: marker;
 * native: none), on `dialect` (default MySQL) for a table in `database` (PostgreSQL enums).
 */
export function compileKeyType(type: string, dialect: Dialect = mysqlDialect, database?: string): { sqlType: string; comment: string } {
  const t = type.trim();
  for (const [re, core] of CORE_CATEGORIES) {
    if (re.test(t)) return { sqlType: dialect.coreTypeToSql(core ?? t, database) ?? t, comment: dialect.attributeComment(t, '') };
  }
  // Native types pass through verbatim; display widths never appear because the
  // reference reads them back with widths stripped (heading.py).
  const native = t.replace(/^((?:tiny|small|medium|big)?int)\s*\(\d+\)/i, '$1');
  // A PostgreSQL enum key reads back by its type name, which needs its schema here.
  return { sqlType: database === undefined ? native : dialect.copiedColumn({ sqlType: native, type: native, comment: '' }, database).sqlType, comment: '' };
}

/** The secondary part of the generated definition (jobs.py: _generate_definition): name, type, default clause. */
const JOB_COLUMNS: Array<[string, string, string]> = [
  ['status', "enum('pending', 'reserved', 'success', 'error', 'ignore')", 'NOT NULL'],
  ['priority', 'int8', 'NOT NULL'],
  ['created_time', 'datetime(3)', 'NOT NULL DEFAULT CURRENT_TIMESTAMP(3)'],
  ['scheduled_time', 'datetime(3)', 'NOT NULL DEFAULT CURRENT_TIMESTAMP(3)'],
  ['reserved_time', 'datetime(3)', 'DEFAULT NULL'],
  ['completed_time', 'datetime(3)', 'DEFAULT NULL'],
  ['duration', 'float64', 'DEFAULT NULL'],
  ['error_message', `varchar(${ERROR_MESSAGE_LENGTH})`, "NOT NULL DEFAULT ''"],
  ['error_stack', '<blob>', 'DEFAULT NULL'],
  ['user', 'varchar(255)', "NOT NULL DEFAULT ''"],
  ['host', 'varchar(255)', "NOT NULL DEFAULT ''"],
  ['pid', 'int32', "NOT NULL DEFAULT '0'"],
  ['connection_id', 'int64', "NOT NULL DEFAULT '0'"],
  ['version', 'varchar(64)', "NOT NULL DEFAULT ''"],
];

/** The jobs table of `targetTable` as declare.py lays out the generated definition on `dialect`. */
export function jobsTableSpec(dialect: Dialect, database: string, targetTable: string, keys: readonly JobKeyColumn[]): TableSpec {
  if (keys.length === 0) {
    throw new Error(`Cannot create jobs table for ${dialect.qualified(database, targetTable)}: no FK-derived primary key attributes found.`);
  }
  const columns: ColumnSpec[] = [];
  const enumTypes: EnumTypeSpec[] = [];
  const addEnum = (type: string) => addEnumType(enumTypes, dialect.enumType(type.trim()));
  for (const k of keys) {
    columns.push({ name: k.name, ...compileKeyType(k.type, dialect, database), defaultClause: 'NOT NULL' });
    addEnum(k.type);
  }
  for (const [name, type, defaultClause] of JOB_COLUMNS) {
    const sqlType = type === '<blob>' ? dialect.coreTypeToSql('bytes')! : dialect.coreTypeToSql(type, database)!;
    columns.push({ name, sqlType, defaultClause, comment: dialect.attributeComment(type, '') });
    addEnum(type);
  }
  const indexed = ['status', 'priority', 'scheduled_time'];
  const spec: TableSpec = {
    schema: database,
    table: jobsTableName(targetTable),
    columns,
    primaryKey: keys.map((k) => k.name),
    foreignKeys: [],
    indexes: [{ unique: false, members: indexed.map((c) => dialect.quote(c)), columns: indexed }],
    comment: `Job queue for ${dialect.qualified(database, targetTable)}`,
  };
  if (enumTypes.length) spec.enumTypes = enumTypes;
  return spec;
}

/** The statements the reference sends to declare the jobs table of `targetTable` on `dialect`, in order. */
export function jobsTableStatements(dialect: Dialect, database: string, targetTable: string, keys: readonly JobKeyColumn[]): string[] {
  return dialect.createTable(jobsTableSpec(dialect, database, targetTable, keys));
}

/** The CREATE TABLE statement the reference sends for the jobs table of `targetTable` (MySQL). */
export function jobsTableDdl(database: string, targetTable: string, keys: readonly JobKeyColumn[]): string {
  return jobsTableStatements(mysqlDialect, database, targetTable, keys)[0];
}

/** lineage.py: the per-schema `~lineage` table, created before every lineage write (MySQL). */
export function lineageTableDdl(database: string): string {
  return lineageTableStatements(mysqlDialect, database)[0];
}

/** jobs.py: messages above 2047 characters keep their first 2035 and end in `...truncated`. */
// Counted in code points, as Python's len() and the column's varchar(2047) count them.
export function truncateErrorMessage(message: string): string {
  const chars = Array.from(message);
  if (chars.length <= ERROR_MESSAGE_LENGTH) return message;
  return chars.slice(0, ERROR_MESSAGE_LENGTH - TRUNCATION_APPENDIX.length).join('') + TRUNCATION_APPENDIX;
}
