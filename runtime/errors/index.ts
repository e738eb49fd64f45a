// Errors a user can cause (bad settings, refused login, a missing schema, a conflicting
// table...) are DataJointError subclasses with a stable `code` and a one-line message:
// the CLI and the extension print `message` as is, without a stack. Messages never
// contain a password. Codes follow the reference's exception classes
// (errors.py / connection.py: translate_query_error).

export type ErrorCode =
  | 'config'
  | 'unreachable'
  | 'login'
  | 'access'
  | 'lostConnection'
  | 'unknownSchema'
  | 'missingTable'
  | 'duplicate'
  | 'integrity'
  | 'querySyntax'
  | 'unknownAttribute'
  | 'missingAttribute'
  | 'declaration'
  | 'tableConflict'
  | 'transaction'
  | 'fetch1'
  | 'value'
  | 'usage'
  | 'server';

export class DataJointError extends Error {
  readonly code: ErrorCode;
  /** The server's numeric error code when the error came from MySQL. */
  readonly serverCode?: number;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; serverCode?: number }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = code;
    this.serverCode = options?.serverCode;
    this.name = new.target.name;
  }
  /** One line for terminals and notifications: `DuplicateError: Duplicate entry ...`. */
  toOneLine(): string {
    return `${this.name}: ${this.message.split('\n')[0]}`;
  }
}

export class ConfigError extends DataJointError {
  constructor(message: string) {
    super('config', message);
  }
}
export class ConnectionError extends DataJointError {}
export class AccessError extends DataJointError {}
export class LostConnectionError extends DataJointError {}
export class MissingSchemaError extends DataJointError {}
export class MissingTableError extends DataJointError {}
export class DuplicateError extends DataJointError {}
export class IntegrityError extends DataJointError {}
export class QuerySyntaxError extends DataJointError {}
export class UnknownAttributeError extends DataJointError {}
export class MissingAttributeError extends DataJointError {}
export class TransactionError extends DataJointError {}
export class ValueError extends DataJointError {}
export class UsageError extends DataJointError {}

/** A diagnostic as `djx lint` reports it; kept structural so this module imports nothing. */
export interface DeclarationProblem {
  code: string;
  severity: string;
  message: string;
  span: { start: number; end: number };
}

/** A definition refused before any SQL ran; `problems` are the lint diagnostics. */
export class DeclarationError extends DataJointError {
  readonly table: string;
  readonly problems: DeclarationProblem[];
  constructor(table: string, message: string, problems: DeclarationProblem[] = []) {
    super('declaration', message);
    this.table = table;
    this.problems = problems;
  }
}

/** An existing table differs from its definition; we report instead of altering it. */
export class TableConflictError extends DataJointError {
  readonly table: string;
  readonly differences: string[];
  constructor(table: string, differences: string[]) {
    super('tableConflict', `Table ${table} already exists with a different definition: ${differences.join('; ')}`);
    this.table = table;
    this.differences = differences;
  }
}
