export type { Dialect, Sql, ColumnSpec, ForeignKeySpec, IndexSpec, TableSpec, ColumnRow, ForeignKeyRow, IndexRow, EnumTypeSpec } from './types';
export { MySqlDialect, mysqlDialect } from './mysql';
export { PostgresDialect, postgresDialect } from './postgres';
export { embeddedFragments, fragmentsFor, mysqlFragments, postgresFragments, type SqlFragments } from './fragments';

import { mysqlDialect } from './mysql';
import { postgresDialect } from './postgres';
import type { Dialect } from './types';

export function dialectFor(backend: 'mysql' | 'postgresql'): Dialect {
  return backend === 'postgresql' ? postgresDialect : mysqlDialect;
}
