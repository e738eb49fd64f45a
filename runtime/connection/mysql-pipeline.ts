// mysql2 sends a session's statements one at a time, each once the previous one is
// answered. Several can instead go out in one write (populate's savepoint with a make's
// first statement; a commit group's job completions): the server runs them in order and
// answers each, and only the first costs a round trip. They are mysql2's own Query
// commands, started back to back by a command that the connection drives like any other
// (its queue, its packet parser, its error paths); only their start and the packet
// numbering between them is done here. MySQL's protocol allows this (the server reads the
// next command once it has answered one); mysql2 has no API for it, so the connection's
// shape is checked first and, if it differs, the statements go one after the other.
//
// A statement alone goes the same way, as one Query command: mysql2's query() builds its
// command through BaseConnection.createQuery, which costs ~2.8 us a statement (its options
// object, measured against ~0.15 us for the command itself), about 3% of a short make's key
// in populate. Where a tracer listens on mysql2's tracing channel (an APM tool), every
// statement goes through query() instead, so that the tracer sees each one.
import { tracingChannel } from 'node:diagnostics_channel';
import type { DriverResult, Row } from './driver';

type Callback = (err: unknown, result?: unknown) => void;

/** mysql2's Query command, as the connection drives it (lib/commands/command.js: execute). */
interface QueryCommand {
  sql: string;
  values: unknown[];
  execute(packet: unknown, connection: CoreConnection): boolean;
  onResult?: Callback;
}

/** What of mysql2's core connection (lib/base/connection.js) the pipeline uses. */
interface CoreConnection {
  config: unknown;
  sequenceId: number;
  stream?: { cork?(): void; uncork?(): void };
  addCommand(command: object): unknown;
  format(sql: string, values: unknown[]): string;
  _resetSequenceId(): void;
  constructor: { createQuery?(options: { sql: string; values: unknown[] }, values: undefined, callback: Callback, config: unknown): QueryCommand };
}

/** A Query command's options: the statement, and what BaseConnection.createQuery takes from the connection's config. */
interface QueryOptions {
  sql: string;
  values: unknown[];
  rowsAsArray: unknown;
  infileStreamFactory: unknown;
}

type QueryClass = new (options: QueryOptions, callback: Callback) => QueryCommand;

/**
 * mysql2's tracing channel of query() (lib/tracing.js). A new object, but its sub-channels
 * (tracing:mysql2:query:start, …) are Node's, shared by name with mysql2's own.
 */
const queryTracing = tracingChannel('mysql2:query');

/** A tracer listens. TracingChannel.hasSubscribers came in Node 20.13; before it, its start channel says (as mysql2's shouldTrace reads it). */
function traced(): boolean {
  return (queryTracing as { hasSubscribers?: boolean }).hasSubscribers ?? queryTracing.start.hasSubscribers;
}

/**
 * mysql2's Query class (lib/commands/query.js, not exported), from a command createQuery
 * made: one for the process, as the runtime's bundle carries one mysql2.
 */
let queryClass: QueryClass | undefined;

function newQuery(c: CoreConnection, sql: string, values: unknown[], callback: Callback): QueryCommand {
  const config = c.config as { rowsAsArray?: unknown; infileStreamFactory?: unknown };
  queryClass ??= c.constructor.createQuery!({ sql: '', values: [] }, undefined, () => undefined, c.config).constructor as QueryClass;
  return new queryClass({ sql, values, rowsAsArray: config.rowsAsArray, infileStreamFactory: config.infileStreamFactory }, callback);
}

/** mysql2's connection has the shape the pipeline drives (else statements go one by one). */
export function canPipeline(c: Partial<CoreConnection>): c is CoreConnection {
  return (
    // mysql2's debug output names the current command's state, which a pair does not have.
    !(c.config as { debug?: unknown } | undefined)?.debug &&
    typeof c.addCommand === 'function' &&
    typeof c.format === 'function' &&
    typeof c._resetSequenceId === 'function' &&
    typeof c.sequenceId === 'number' &&
    typeof c.constructor?.createQuery === 'function'
  );
}

function asResult(result: unknown): DriverResult {
  if (Array.isArray(result)) return { rows: result as Row[], affected: result.length };
  return { rows: undefined, affected: Number((result as { affectedRows?: number } | undefined)?.affectedRows ?? 0) };
}

/**
 * Drives queries sent together: every packet written at once, then each query's answer
 * in turn. Each query ends as mysql2 ends it (its callback), an error packet included:
 * the ones after it were sent all the same and are answered.
 */
class Chain {
  /** The query whose answer comes next; -1 before any is sent. */
  private index = -1;
  /** The packet number each answer starts at: one past that query's last packet sent (a statement of 16 MiB or more is several). */
  private readonly answers: number[] = [];

  constructor(private readonly queries: readonly QueryCommand[]) {}

  execute(packet: unknown, c: CoreConnection): boolean {
    if (this.index < 0) {
      c.stream?.cork?.();
      try {
        // Each command's packets are numbered from 0 (Command.execute resets the count).
        for (const q of this.queries) {
          q.execute(packet, c);
          this.answers.push(c.sequenceId);
        }
      } finally {
        c.stream?.uncork?.();
      }
      this.index = 0;
      c.sequenceId = this.answers[0]!;
      return false;
    }
    if (!this.queries[this.index]!.execute(packet, c)) return false;
    this.index++;
    if (this.index === this.queries.length) return true;
    c.sequenceId = this.answers[this.index]!;
    return false;
  }

  /** A connection error: each query not answered yet fails with it (BaseConnection._notifyError). */
  onResult(err: unknown): void {
    for (let i = Math.max(this.index, 0); i < this.queries.length; i++) this.queries[i]!.onResult?.(err);
    this.index = this.queries.length;
  }
}

/**
 * The statements sent together on `connection` (mysql2's core connection), or one after
 * the other where its shape is not known; a promise for each one's answer.
 */
export function queryChain(connection: object, statements: ReadonlyArray<{ sql: string; values: readonly unknown[] }>): Promise<DriverResult>[] {
  const c = connection as Partial<CoreConnection>;
  if (!canPipeline(c) || traced()) {
    const core = connection as { query(o: { sql: string; values: unknown[] }, cb: Callback): unknown };
    return statements.map((st) => new Promise<DriverResult>((res, rej) => core.query({ sql: st.sql, values: [...st.values] }, (e, r) => (e ? rej(e) : res(asResult(r))))));
  }
  const queries: QueryCommand[] = [];
  const answers = statements.map(
    (st) =>
      new Promise<DriverResult>((res, rej) => {
        queries.push(newQuery(c, st.sql, [...st.values], (e, r) => (e ? rej(e) : res(asResult(r)))));
      }),
  );
  // As Connection.query does before it queues a Query: the values bound into the text.
  // A value that cannot be written fails its statement, as mysql2's own query would; the
  // others go out together.
  const sendable: QueryCommand[] = [];
  queries.forEach((q, i) => {
    try {
      q.sql = c.format(statements[i]!.sql, q.values);
      sendable.push(q);
    } catch (e) {
      q.onResult?.(e);
    }
  });
  if (sendable.length === 1) c.addCommand(sendable[0]!);
  else if (sendable.length > 1) c.addCommand(new Chain(sendable));
  return answers;
}
