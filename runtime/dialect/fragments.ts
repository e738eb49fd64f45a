// The pieces of the runtime's own bookkeeping SQL (jobs queues, populate's checks) that
// differ between MySQL/MariaDB and PostgreSQL. Each statement is written once, from these.
// Values stay `?` placeholders; the PostgreSQL driver numbers them.
import { mysqlDialect } from './mysql';
import { postgresDialect } from './postgres';

export interface SqlFragments {
  readonly backend: 'mysql' | 'postgresql';
  quote(identifier: string): string;
  qualified(schema: string, table: string): string;
  /** `<expr> + <one ? parameter> microseconds`. */
  plusMicroseconds(expr: string): string;
  /** `<expr> - <one ? parameter> microseconds`. */
  minusMicroseconds(expr: string): string;
  /** `<expr> - <one ? parameter> seconds`. */
  minusSeconds(expr: string): string;
  /** `INSERT` that skips rows whose primary key exists: the statement's head and tail. */
  insertIgnore(table: string): { head: string; tail: string };
  /** Tail of an INSERT that instead sets `assignments` on the existing row (`col = <new value>` via `inserted`). */
  upsert(key: readonly string[], assignments: string): string;
  /** The value the INSERT offered for `column`, inside `upsert`'s assignments. */
  inserted(column: string): string;
  /** SQL boolean: a server session of id `<expr>` exists (MySQL processlist, PostgreSQL pg_stat_activity). */
  sessionOpen(expr: string): string;
  /** The login the server sees (`user@host` on MySQL, the role name on PostgreSQL). */
  readonly currentUser: string;
  /** This session's server id. */
  readonly sessionId: string;
  /** `<expr>` as text, to stand beside string literals in a CASE (PostgreSQL's enums do not mix with text). */
  text(expr: string): string;
  /** The columns of a key as one value for COUNT(DISTINCT …). */
  tuple(columns: readonly string[]): string;
  /**
   * Ends the server session of id `?`, whose open transaction the server then rolls back
   * (connection.py: cancel_transaction). Cancelling the statement alone would leave a make
   * waiting between statements inside its transaction.
   */
  readonly endSession: string;
}

// Names are quoted as the dialects quote them: one rule per backend.
const mysqlQuote = (name: string): string => mysqlDialect.quote(name);
const pgQuote = (name: string): string => postgresDialect.quote(name);

export const mysqlFragments: SqlFragments = {
  backend: 'mysql',
  quote: mysqlQuote,
  qualified: (s, t) => mysqlDialect.qualified(s, t),
  plusMicroseconds: (e) => `${e} + INTERVAL ? MICROSECOND`,
  minusMicroseconds: (e) => `${e} - INTERVAL ? MICROSECOND`,
  minusSeconds: (e) => `${e} - INTERVAL ? SECOND`,
  insertIgnore: (table) => ({ head: `INSERT IGNORE INTO ${table}`, tail: '' }),
  upsert: (key, assignments) => mysqlDialect.upsertClause(key, assignments),
  inserted: (c) => mysqlDialect.insertedValue(c),
  sessionOpen: (e) => `${e} IN (SELECT id FROM information_schema.processlist)`,
  currentUser: 'USER()',
  sessionId: 'CONNECTION_ID()',
  text: (e) => e,
  // MySQL has no row values in COUNT(DISTINCT …): the columns joined by a NUL.
  tuple: (cols) => (cols.length === 1 ? cols[0]! : `CONCAT_WS(CHAR(0), ${cols.join(', ')})`),
  endSession: 'KILL ?',
};

// The parameter is cast so that PostgreSQL knows its type without a column to infer it from.
export const postgresFragments: SqlFragments = {
  backend: 'postgresql',
  quote: pgQuote,
  qualified: (s, t) => postgresDialect.qualified(s, t),
  plusMicroseconds: (e) => `${e} + CAST(? AS bigint) * INTERVAL '1 microsecond'`,
  minusMicroseconds: (e) => `${e} - CAST(? AS bigint) * INTERVAL '1 microsecond'`,
  minusSeconds: (e) => `${e} - CAST(? AS double precision) * INTERVAL '1 second'`,
  insertIgnore: (table) => ({ head: `INSERT INTO ${table}`, tail: ' ON CONFLICT DO NOTHING' }),
  upsert: (key, assignments) => postgresDialect.upsertClause(key, assignments),
  inserted: (c) => postgresDialect.insertedValue(c),
  // Client sessions only: pg_stat_activity also lists the server's own processes, whose
  // pids a dead holder's recorded pid could match.
  sessionOpen: (e) => `${e} IN (SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend')`,
  currentUser: 'current_user',
  sessionId: 'pg_backend_pid()',
  text: (e) => `CAST(${e} AS text)`,
  tuple: (cols) => (cols.length === 1 ? cols[0]! : `ROW(${cols.join(', ')})`),
  endSession: 'SELECT pg_terminate_backend(CAST(? AS integer))',
};

// The embedded database (PGlite behind runtime/embedded's server) is one backend in
// single-user mode: pg_stat_activity lists one session (pid 42) and pg_backend_pid() is 42
// for every client, so "is the holder's session open" has no answer in SQL. It says no, and
// the holder rule (jobs/holder.ts) decides by the holder's host and pid alone: the server is
// loopback-only, so every holder runs on this machine, alive iff its process runs. The value
// stays in the expression (cast: a lone `?` has no type) so that its placeholder is bound.
export const embeddedFragments: SqlFragments = {
  ...postgresFragments,
  sessionOpen: (e) => `(CAST(${e} AS bigint) IS NULL AND FALSE)`,
};

/** The fragments of a backend; `embedded`: the workspace's embedded PostgreSQL. */
export function fragmentsFor(backend: 'mysql' | 'postgresql', options: { embedded?: boolean } = {}): SqlFragments {
  if (backend === 'postgresql') return options.embedded ? embeddedFragments : postgresFragments;
  return mysqlFragments;
}
