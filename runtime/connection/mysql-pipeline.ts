// mysql2 sends a session's statements one at a time, each once the previous one is
// answered. A statement of ours without parameters (populate's savepoint before each key
// of a commit group) can instead go out in the same write as the statement after it: the
// server runs the two in order and answers both, and the savepoint costs no round trip of
// its own. The two are mysql2's own Query commands, started back to back by a command that
// the connection drives like any other (its queue, its packet parser, its error paths);
// only their start and the packet numbering between them is done here. MySQL's protocol
// allows this (the server reads the next command once it has answered one); mysql2 has no
// API for it, so the connection's shape is checked first and, if it differs, the two
// statements are sent one after the other as before.
import type { DriverResult, Row } from './driver';

type Callback = (err: unknown, result?: unknown) => void;

/** mysql2's Query command, as the connection drives it (lib/commands/command.js: execute). */
interface QueryCommand {
  sql: string;
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

/** mysql2's connection has the shape the pipeline drives (else statements go one by one). */
export function canPipeline(c: Partial<CoreConnection>): c is CoreConnection {
  return (
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
 * Drives two queries sent together: both packets written at once, then the first one's
 * answer, then the second's. Each query ends as mysql2 ends it (its callback), an error
 * packet of the first included: the second was sent all the same and is answered.
 */
class Pair {
  private started = false;
  private firstDone = false;
  private secondDone = false;

  constructor(
    private readonly first: QueryCommand,
    private readonly second: QueryCommand,
  ) {}

  execute(packet: unknown, c: CoreConnection): boolean {
    if (!this.started) {
      this.started = true;
      c.stream?.cork?.();
      // Each command's first packet is number 0 (Command.execute resets the count).
      this.first.execute(packet, c);
      this.second.execute(undefined, c);
      c.stream?.uncork?.();
      // The answers: the first query's from packet number 1 on.
      c.sequenceId = 1;
      return false;
    }
    if (!this.firstDone) {
      if (this.first.execute(packet, c)) {
        this.firstDone = true;
        // The second query's answer is numbered from 1 again.
        c.sequenceId = 1;
      }
      return false;
    }
    this.secondDone = this.second.execute(packet, c);
    return this.secondDone;
  }

  /** A connection error: each query not answered yet fails with it (BaseConnection._notifyError). */
  onResult(err: unknown): void {
    if (!this.firstDone) {
      this.firstDone = true;
      this.first.onResult?.(err);
    }
    if (!this.secondDone) {
      this.secondDone = true;
      this.second.onResult?.(err);
    }
  }
}

/**
 * `first` (no parameters) and then `sql` with `values`, sent together on `connection`
 * (mysql2's core connection), or one after the other where its shape is not known.
 */
export function queryPair(connection: object, first: string, sql: string, values: unknown[]): { first: Promise<void>; second: Promise<DriverResult> } {
  const c = connection as Partial<CoreConnection>;
  if (!canPipeline(c)) {
    const core = connection as { query(o: { sql: string; values: unknown[] }, cb: Callback): unknown };
    const one = (s: string, v: unknown[]) => new Promise<DriverResult>((res, rej) => core.query({ sql: s, values: v }, (e, r) => (e ? rej(e) : res(asResult(r)))));
    const a = one(first, []);
    return { first: a.then(() => undefined), second: one(sql, values) };
  }
  let firstQuery!: QueryCommand;
  let secondQuery!: QueryCommand;
  const a = new Promise<void>((res, rej) => {
    firstQuery = c.constructor.createQuery!({ sql: first, values: [] }, undefined, (e) => (e ? rej(e) : res()), c.config);
  });
  const b = new Promise<DriverResult>((res, rej) => {
    secondQuery = c.constructor.createQuery!({ sql, values }, undefined, (e, r) => (e ? rej(e) : res(asResult(r))), c.config);
  });
  // As Connection.query does before it queues a Query: the values bound into the text.
  secondQuery.sql = c.format(sql, values);
  c.addCommand(new Pair(firstQuery, secondQuery));
  return { first: a, second: b };
}
