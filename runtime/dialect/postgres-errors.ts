// PostgreSQL errors (SQLSTATE codes from node-postgres, Node socket codes) → the same
// one-line DataJointErrors and codes the MySQL dialect gives for the same situation
// (adapters/postgres.py: translate_error; mysql.ts: translateError).
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

interface PgError {
  /** SQLSTATE for server errors, `ECONNREFUSED` etc. for socket errors. */
  code?: string;
  message?: string;
}

export interface ErrorContext {
  schema?: string;
  table?: string;
  host?: string;
  port?: number;
  user?: string;
}

function asPgError(e: unknown): PgError {
  return typeof e === 'object' && e !== null ? (e as PgError) : { message: String(e) };
}

// node-postgres reports a client whose socket is gone in words, without a code.
const CLIENT_GONE = /^(Client has encountered a connection error and is not queryable|Client was closed and is not queryable|Connection terminated( unexpectedly)?)$/;
// The server's words when it ends a session (57P01-57P03), for errors whose code was lost.
const LOST = /Connection terminated|connection error and is not queryable|Client was closed|terminating connection/i;

/**
 * The PostgreSQL session is gone: ended by the server (57P01-57P03: pg_terminate_backend,
 * a shutdown), a connection failure (class 08), or pg's code-less report of a closed
 * client. The one rule the driver, populate and the control connection use.
 */
export function isPgSessionLost(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string') return /^(57P0[123]|08\w{3})$/.test(e.code);
  return error instanceof Error && CLIENT_GONE.test(error.message);
}

export function translatePgError(error: unknown, context: ErrorContext = {}): DataJointError {
  if (error instanceof DataJointError) return error;
  const e = asPgError(error);
  const msg = (e.message ?? String(error)).split('\n')[0];
  const where = context.host !== undefined ? `${context.host}:${context.port ?? 5432}` : 'the database server';
  // serverCode is numeric (MySQL's errno); a SQLSTATE stays in the cause.
  const opts = { cause: error };
  const code = e.code ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return new ConnectionError('unreachable', `Cannot connect to ${where}: connection refused (is the server running and the port right?)`, opts);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectionError('unreachable', `Cannot connect to ${where}: host not found`, opts);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ConnectionError('unreachable', `Cannot connect to ${where}: ${code === 'ETIMEDOUT' ? 'timed out' : 'network unreachable'}`, opts);
    // A reset ends a connection that was made: lost, never "cannot connect" (mysql.ts: translateError).
    case 'ECONNRESET':
    case 'EPIPE':
      return new LostConnectionError('lostConnection', `Lost connection to ${where} (${msg})`, opts);
    // Class 28: invalid authorization.
    case '28P01':
    case '28000':
      return new AccessError('login', `Login refused for user '${context.user ?? '?'}' at ${where}: wrong user name or password`, opts);
    case '42501':
      return new AccessError('access', `Permission denied: ${msg}`, opts);
    // Named in backquotes as in every other runtime message (and MySQL's 1049), whatever the backend quotes with.
    case '3F000':
      return new MissingSchemaError('unknownSchema', `Schema \`${context.schema ?? ''}\` does not exist: ${msg}`, opts);
    // The database of the connection settings (database.name) does not exist, or refuses connections.
    case '3D000':
    case '57P03':
    case '08001':
    case '08004':
      return new ConnectionError('unreachable', `Cannot connect to ${where}: ${msg}`, opts);
    // Class 08 (connection exception) and the server ending the session (57P01: pg_terminate_backend).
    case '08000':
    case '08003':
    case '08006':
    case '57P01':
    case '57P02':
      return new LostConnectionError('lostConnection', `Lost connection to ${where}: ${msg}`, opts);
    case '23505':
      return new DuplicateError('duplicate', msg, opts);
    // Foreign keys, a table still referenced (MySQL 3730), other integrity constraints.
    case '23503':
    case '2BP01':
    case '23000':
    case '23514':
      return new IntegrityError('integrity', msg, opts);
    case '42601':
      return new QuerySyntaxError('querySyntax', msg, opts);
    case '42P01':
      return new MissingTableError('missingTable', msg, opts);
    case '23502':
      return new MissingAttributeError('missingAttribute', msg, opts);
    case '42703':
      return new UnknownAttributeError('unknownAttribute', msg, opts);
    // Deadlock and serialization failure: the transaction was rolled back; MySQL's 1213 is
    // no more than a server error either.
    case '40P01':
    case '40001':
      return new DataJointError('server', `Server error ${code}: ${msg} (the transaction was rolled back)`, opts);
  }
  if (LOST.test(msg)) return new LostConnectionError('lostConnection', `Lost connection to ${where}: ${msg}`, opts);
  if (/does not support SSL|SSL/i.test(msg) && !/^[0-9A-Z]{5}$/.test(code)) {
    return new ConnectionError('unreachable', `Cannot connect to ${where}: TLS was required but could not be established (${msg})`, opts);
  }
  return new DataJointError('server', /^[0-9A-Z]{5}$/.test(code) ? `Server error ${code}: ${msg}` : msg, opts);
}
