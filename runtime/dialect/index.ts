export type { Dialect, Sql, ColumnSpec, ForeignKeySpec, IndexSpec, TableSpec, ColumnRow, ForeignKeyRow, IndexRow } from './types';
export { MySqlDialect, mysqlDialect } from './mysql';
