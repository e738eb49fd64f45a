// The public API of the DataJoint runtime for TypeScript.
export { Connection, conn, setDefaultConnection, EMBEDDED_LABEL, type ConnectOptions, type EmbeddedConnectionInfo } from './connection/index';
export { loadSettings, findConfigFile, defaultSettings, redact, type Settings, type SettingsOverrides, type DatabaseSettings, type JobsSettings, type LoadOptions } from './config/index';
export { Schema, type SchemaOptions } from './schema/index';
export { Table, Manual, Lookup, Imported, Computed, Part, AutoPopulated, type TableClass } from './table/tiers';
export { TIER, BINDING, tierOf, bindingOf, isBound, type Tier, type TableBinding, type BindableClass } from './table/binding';
export { withDirectInsert } from './table/shared';
export type { InsertOptions } from './table/insert';
export { QueryExpression, not, Not, isQuerySource, type Restriction, type Row, type FetchOptions, type QuerySource } from './query/expression';
export type { DeleteOptions, DeleteResult } from './query/delete';
export { encodeValue, decodeValue, USE_DEFAULT } from './query/values';
export * from './catalog/index';
export { mysqlDialect, MySqlDialect, postgresDialect, PostgresDialect, type Dialect } from './dialect/index';
export * from './errors/index';
export { resolvedFromCatalog } from './declare/check';
export { populate, progress, jobsFor, TableJobs, MakeError, ChangedInputsError, type PopulateOptions, type PopulateResult, type Key, type MakeKwargs } from './populate/index';
export { packBlob, unpackBlob, type PackOptions, type UnpackOptions } from './blob/index';
// The values a make() reads from and writes to `<blob>` attributes (blob.py's types).
export {
  BlobTuple,
  Complex,
  DateTime,
  Decimal,
  LocalDate,
  LocalTime,
  MatCell,
  MatStruct,
  NDArray,
  StructuredArray,
  Uuid,
  type DType,
  type DateTimeUnit,
  type NDData,
  type NumericDType,
  type TypedData,
} from './blob/index';
