// What Connection needs of a database client library: pooled sessions that run one
// statement at a time with `?` placeholders. mysql2 (MySQL, MariaDB) and node-postgres
// (PostgreSQL) each sit behind it, so transactions, reconnects and error translation are
// written once, in Connection.

export type Row = Record<string, unknown>;

/** How long opening a session may take before it fails as unreachable, unless told otherwise. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface DriverResult {
  /** The rows of a statement that returns rows (SELECT, RETURNING); undefined otherwise. */
  rows: Row[] | undefined;
  /** Rows changed by INSERT/UPDATE/DELETE; rows returned by a SELECT. */
  affected: number;
}

/** One server session taken from the pool. */
export interface DriverSession {
  query(sql: string, params: unknown[]): Promise<DriverResult>;
  /** The server's id of this session (MySQL CONNECTION_ID(), PostgreSQL pg_backend_pid()). */
  readonly serverId: number;
  /** Back to the pool. */
  release(): void;
  /** Closed and never reused (a session in an unknown state). */
  destroy(): void;
  /**
   * Closes the session's connection from outside the code using it: the server rolls back
   * its open transaction and its next statement fails. The release or destroy that follows
   * (once that code notices) does no harm.
   */
  cut(): void;
  /**
   * PostgreSQL: the open transaction is aborted (a statement failed and nothing but a
   * rollback runs until then), as the server's last answer said; no round trip.
   */
  transactionAborted?(): boolean;
  /**
   * `sql` (no parameters) goes out with this session's next statement, in the same write,
   * and costs no round trip of its own (MySQL: mysql-pipeline.ts). Settles with its answer,
   * or at once when dropped before any statement followed.
   */
  prefixNext?(sql: string): Promise<void>;
  /** Drops a prefix that no statement has taken yet; true when there was one. */
  dropPrefix?(): boolean;
  /** The statements in one write, each answered in turn (MySQL: mysql-pipeline.ts); a promise for each. */
  queryAll?(statements: ReadonlyArray<{ sql: string; params: readonly unknown[] }>): Promise<DriverResult>[];
}

export interface Driver {
  /** On any pooled session. */
  query(sql: string, params: unknown[]): Promise<DriverResult>;
  session(): Promise<DriverSession>;
  end(): Promise<void>;
  /** True for errors raised by the server or the client library (translated), false for the caller's own. */
  isDriverError(error: unknown): boolean;
  /**
   * MySQL sessions can turn autocommit off, so a series of transactions needs no START;
   * PostgreSQL has no such session mode: every transaction begins with BEGIN.
   */
  readonly implicitTransactions: boolean;
}

/** What the first session reports when the driver is opened. */
export interface ServerInfo {
  connectionId: number;
  serverVersion: string;
}
