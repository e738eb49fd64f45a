// The DataJoint blob format (`<blob>` values and the jobs tables' `error_stack`),
// byte-compatible with DataJoint for Python's blob.py. See reference §8.

export { BlobError } from './errors';
export { packBlob, type PackOptions } from './pack';
export { unpackBlob, type UnpackOptions } from './unpack';
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
} from './types';
export { packErrorStack, errorStackText, readErrorStack } from './error-stack';
