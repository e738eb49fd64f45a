// How the runtime's mysql2 connections must be configured for encodeValue/decodeValue:
// decodeValue expects raw values exactly as mysql2 returns them with these options.
//
// - supportBigNumbers + bigNumberStrings: BIGINT and DECIMAL arrive as strings, so int64
//   becomes a bigint and decimals stay exact strings (nothing goes through a double).
// - decimalNumbers: false: DECIMAL stays a string even when small.
// - dateStrings: DATE/DATETIME/TIMESTAMP arrive as text, so no local-time-zone conversion
//   happens in the driver and datetime(6) keeps its microseconds; decodeValue reads the
//   text as UTC (DataJoint's convention, reference §2.2).
// - jsonStrings: JSON arrives as text on MySQL as on MariaDB (where json is longtext).
// - timezone 'Z': should a Date ever be bound directly, it is written as UTC. encodeValue
//   itself sends dates and datetimes as strings.
// The session's time_zone is left as the server has it, as DataJoint for Python leaves
// it: datetime columns are DATETIME (no zone conversion), and the jobs tables compare
// CURRENT_TIMESTAMP(3) across workers of both languages, which only agrees when every
// session reads the same clock zone.

import type { ConnectionOptions } from 'mysql2';

export const MYSQL2_TYPE_OPTIONS = Object.freeze({
  supportBigNumbers: true,
  bigNumberStrings: true,
  decimalNumbers: false,
  dateStrings: true,
  jsonStrings: true,
  timezone: 'Z',
} as const satisfies ConnectionOptions);
