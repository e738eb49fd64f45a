// Mapping between JS values and what mysql2 sends and returns, per DataJoint type
// (reference §2.2, §2.6). The runtime's table layer calls encodeValue for every inserted
// value and decodeValue for every fetched one, with connections opened with
// MYSQL2_TYPE_OPTIONS.

export { encodeValue, SQL_DEFAULT, isSqlDefault, type SqlDefault, type SqlParam, type Attachment } from './encode';
export { decodeValue } from './decode';
export { kindOf, kindOfType, parseEnumValues, type ValueKind, type AttributeLike } from './kind';
export { MYSQL2_TYPE_OPTIONS } from './mysql2-options';
export { AttributeValueError } from './errors';
export { formatDate, formatDateTime } from './temporal';
export { parseJson, stringifyJson } from './json';
export { DateTime, LocalDate, LocalTime, Decimal, Uuid } from '../blob/types';
