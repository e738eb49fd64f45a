// The per-table job queue `~~name` exactly as DataJoint for Python 2.x declares it, so
// that Python and TypeScript workers share one queue (jobs.py: Job._generate_definition,
// declared through declare.py; layout in the reference notes §4.3 and §7.1).
import { qi, qualified } from './session';

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

// declare.py: match_type — the core categories, anchored, in the reference's order.
const CORE_TO_SQL: Array<[RegExp, (t: string) => string]> = [
  [/^float32$/i, () => 'float'],
  [/^float64$/i, () => 'double'],
  [/^int64$/i, () => 'bigint'],
  [/^int32$/i, () => 'int'],
  [/^int16$/i, () => 'smallint'],
  [/^int8$/i, () => 'tinyint'],
  [/^bool$/i, () => 'tinyint'],
  [/^uuid$/i, () => 'binary(16)'],
  [/^json$/i, () => 'json'],
  [/^bytes$/i, () => 'longblob'],
  [/^date$/i, (t) => t],
  [/^datetime(\s*\(\d+\))?$/i, (t) => t],
  [/^char\s*\(\d+\)$/i, (t) => t],
  [/^varchar\s*\(\d+\)$/i, (t) => t],
  [/^enum\s*\(.+\)$/is, (t) => t],
  [/^decimal\s*\(\d+\s*,\s*\d+\)$/i, (t) => t],
];

/** SQL type and stored comment of an attribute declared with `type` (core: marker; native: none). */
export function compileKeyType(type: string): { sqlType: string; comment: string } {
  const t = type.trim();
  for (const [re, toSql] of CORE_TO_SQL) {
    if (re.test(t)) return { sqlType: toSql(t), comment: `:${t}:` };
  }
  // Native types pass through verbatim; display widths never appear because the
  // reference reads them back with widths stripped (heading.py).
  return { sqlType: t.replace(/^((?:tiny|small|medium|big)?int)\s*\(\d+\)/i, '$1'), comment: '' };
}

function column(name: string, sqlType: string, clause: string, comment: string): string {
  return `${qi(name)} ${sqlType} ${clause}${comment ? ` COMMENT "${comment.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : ''}`;
}

/** The secondary part of the generated definition: name, SQL type, default clause, marker. */
const JOB_COLUMNS: Array<[string, string, string, string]> = [
  ['status', "enum('pending', 'reserved', 'success', 'error', 'ignore')", 'NOT NULL', ":enum('pending', 'reserved', 'success', 'error', 'ignore'):"],
  ['priority', 'tinyint', 'NOT NULL', ':int8:'],
  ['created_time', 'datetime(3)', 'NOT NULL DEFAULT CURRENT_TIMESTAMP(3)', ':datetime(3):'],
  ['scheduled_time', 'datetime(3)', 'NOT NULL DEFAULT CURRENT_TIMESTAMP(3)', ':datetime(3):'],
  ['reserved_time', 'datetime(3)', 'DEFAULT NULL', ':datetime(3):'],
  ['completed_time', 'datetime(3)', 'DEFAULT NULL', ':datetime(3):'],
  ['duration', 'double', 'DEFAULT NULL', ':float64:'],
  ['error_message', 'varchar(2047)', "NOT NULL DEFAULT ''", ':varchar(2047):'],
  ['error_stack', 'longblob', 'DEFAULT NULL', ':<blob>:'],
  ['user', 'varchar(255)', "NOT NULL DEFAULT ''", ':varchar(255):'],
  ['host', 'varchar(255)', "NOT NULL DEFAULT ''", ':varchar(255):'],
  ['pid', 'int', "NOT NULL DEFAULT '0'", ':int32:'],
  ['connection_id', 'bigint', "NOT NULL DEFAULT '0'", ':int64:'],
  ['version', 'varchar(64)', "NOT NULL DEFAULT ''", ':varchar(64):'],
];

/** The CREATE TABLE statement the reference sends for the jobs table of `targetTable`. */
export function jobsTableDdl(database: string, targetTable: string, keys: readonly JobKeyColumn[]): string {
  if (keys.length === 0) {
    throw new Error(
      `Cannot create jobs table for ${qualified(database, targetTable)}: no FK-derived primary key attributes found.`,
    );
  }
  const parts: string[] = [];
  for (const k of keys) {
    const { sqlType, comment } = compileKeyType(k.type);
    parts.push(column(k.name, sqlType, 'NOT NULL', comment));
  }
  for (const [name, sqlType, clause, comment] of JOB_COLUMNS) parts.push(column(name, sqlType, clause, comment));
  parts.push(`PRIMARY KEY (${keys.map((k) => qi(k.name)).join(', ')})`);
  parts.push('index (`status`,`priority`,`scheduled_time`)');
  const comment = `Job queue for ${qualified(database, targetTable)}`;
  return `CREATE TABLE IF NOT EXISTS ${qualified(database, jobsTableName(targetTable))} (\n${parts.join(',\n')}\n) ENGINE=InnoDB, COMMENT "${comment}"`;
}

/** lineage.py: the per-schema `~lineage` table, created before every lineage write. */
export function lineageTableDdl(database: string): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${qualified(database, '~lineage')} (\n` +
    '`table_name` VARCHAR(64) NOT NULL COMMENT "table name within the schema",\n' +
    '`attribute_name` VARCHAR(64) NOT NULL COMMENT "attribute name",\n' +
    '`lineage` VARCHAR(255) NOT NULL COMMENT "origin: schema.table.attribute",\n' +
    'PRIMARY KEY (`table_name`, `attribute_name`)\n) ENGINE=InnoDB'
  );
}

/** jobs.py: messages above 2047 characters keep their first 2035 and end in `...truncated`. */
// Counted in code points, as Python's len() and the column's varchar(2047) count them.
export function truncateErrorMessage(message: string): string {
  const chars = Array.from(message);
  if (chars.length <= ERROR_MESSAGE_LENGTH) return message;
  return chars.slice(0, ERROR_MESSAGE_LENGTH - TRUNCATION_APPENDIX.length).join('') + TRUNCATION_APPENDIX;
}
