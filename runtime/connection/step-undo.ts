// How one step of a group of transactions (TransactionSeries.step: one key of populate's
// commit window) is undone alone when it fails, and what that costs while it succeeds.
//
// Every step used to start with a savepoint. On MySQL a failed statement undoes itself
// (InnoDB's statement rollback) and leaves the transaction open, so a step needs one only
// for what it cannot take back otherwise: its reads change nothing, and a plain insert of
// rows with their whole primary key given is taken back by deleting those rows. So the
// group's first step sets the savepoint; a later step sets it again (moving it) only with
// its first statement that is neither, and otherwise keeps, for each insert, the DELETE
// that removes exactly its rows. On a durable MySQL server a key of a short make (a fetch,
// an insert) is then two statements, not three (bench:populate: the savepoint cost ~8% of a key).
// PostgreSQL, where a failed statement aborts the transaction, keeps one savepoint a step.
import type { Dialect } from '../dialect/index';
import type { DriverResult, DriverSession } from './driver';

/** What a statement does, as its caller knows it (Connection.query, Connection.execute). */
export interface StatementContext {
  /** Schema and table, for error messages. */
  schema?: string;
  table?: string;
  /** It changes nothing (a SELECT of the query layer): a step needs no savepoint for it. */
  reads?: boolean;
  /**
   * It inserts rows whose whole primary key it gives, in types the server compares exactly
   * (runtime/table/insert.ts), and this builds the DELETE of exactly those rows.
   */
  undo?: () => { sql: string; params: unknown[] };
}

// One name for every step's savepoint: MySQL moves a savepoint of the same name,
// PostgreSQL stacks it and rolls back to the newest, which is this step's either way.
const SAVEPOINT = 'dj_key';

/** The state of one running step. */
export interface StepUndo {
  /** The step's savepoint, once it went out with one of the step's statements (or waits to). */
  savepoint?: Promise<unknown>;
  /** Statements the step sent. */
  sent: number;
  /** Inserts sent before the savepoint: undone by their DELETEs, last first. */
  inserts: Array<{ answer: Promise<DriverResult>; undo: () => { sql: string; params: unknown[] } }>;
}

/**
 * A new step. `needsSavepoint`: the group's first step (its savepoint is how a later step
 * learns that the server still holds the group's transaction) and every step on
 * PostgreSQL. Its savepoint goes out with its first statement where the session can.
 */
export function startStep(s: DriverSession, dialect: Dialect, needsSavepoint: boolean): StepUndo {
  const step: StepUndo = { sent: 0, inserts: [] };
  if (needsSavepoint) setSavepoint(s, dialect, step);
  return step;
}

function setSavepoint(s: DriverSession, dialect: Dialect, step: StepUndo): void {
  const sql = dialect.savepoint(SAVEPOINT);
  const mark = s.prefixNext ? s.prefixNext(sql) : s.query(sql, []);
  // Awaited when the step ends either way; never an unhandled rejection meanwhile.
  mark.catch(() => undefined);
  step.savepoint = mark;
}

/** A statement of the step, with the step's savepoint before it if it needs one. */
export function stepStatement(s: DriverSession, dialect: Dialect, step: StepUndo, sql: string, params: unknown[], context: StatementContext): Promise<DriverResult> {
  step.sent++;
  if (step.savepoint === undefined && !context.reads) {
    if (context.undo) {
      const answer = s.query(sql, params);
      step.inserts.push({ answer, undo: context.undo });
      return answer;
    }
    setSavepoint(s, dialect, step);
  }
  return s.query(sql, params);
}

/**
 * After the step's function resolved: a savepoint set at its start that no statement took
 * is dropped. True when the step's savepoint reached the server (the group then has one).
 */
export async function settleStep(s: DriverSession, step: StepUndo): Promise<boolean> {
  if (!step.savepoint) return false;
  const dropped = s.dropPrefix?.() ?? false;
  await step.savepoint;
  return !dropped;
}

/**
 * Undoes a failed step in the open transaction and resolves when the group's earlier steps
 * are known to be intact; rejects when they are not (the server ended the transaction, the
 * session is gone, or an insert's rows could not be deleted exactly), and the caller must
 * then end the session so that the server rolls the whole group back.
 */
export async function undoStep(s: DriverSession, dialect: Dialect, step: StepUndo): Promise<void> {
  if (step.savepoint) {
    // Nothing of this step reached the server (its savepoint still waits): nothing to undo.
    if (s.dropPrefix?.()) return;
    await step.savepoint;
    await s.query(dialect.rollbackToSavepoint(SAVEPOINT), []);
  } else {
    if (step.sent === 0) return;
    // The transaction the group's first step set its savepoint in is still open exactly when
    // the savepoint is still there (an InnoDB deadlock, a KILL end it, savepoints with it).
    await s.query(dialect.releaseSavepoint(SAVEPOINT), []);
    await s.query(dialect.savepoint(SAVEPOINT), []);
  }
  for (const insert of [...step.inserts].reverse()) {
    // A failed insert undid itself.
    const inserted = await insert.answer.then(
      (r) => r.affected,
      () => 0,
    );
    if (inserted === 0) continue;
    const { sql, params } = insert.undo();
    const deleted = (await s.query(sql, params)).affected;
    if (deleted !== inserted) throw new Error(`undoing an insert of the failed step deleted ${deleted} rows, not the ${inserted} it inserted`);
  }
}
