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
import { TransactionError } from '../errors/index';
import type { DriverResult, DriverSession } from './driver';

/**
 * What a statement does, as the runtime's own callers know it (the query layer's reads,
 * insert.ts): under a symbol, so that no user's statement context claims it by accident.
 */
export const STATEMENT_EFFECT = Symbol('datajoint.statementEffect');

export interface StatementEffect {
  /** It changes nothing (a SELECT of the query layer): a step needs no savepoint for it. */
  reads?: boolean;
  /**
   * It inserts rows whose whole primary key it gives, in types the server compares exactly
   * (runtime/table/insert.ts), and this builds the DELETE of exactly those rows.
   */
  undo?: () => { sql: string; params: unknown[] };
}

/** How a statement is named in errors (Connection.query, Connection.execute), and what it does. */
export interface StatementContext {
  schema?: string;
  table?: string;
  [STATEMENT_EFFECT]?: StatementEffect;
}

/** A read of the query layer. */
export const READS: StatementContext = { [STATEMENT_EFFECT]: { reads: true } };

// The savepoint of a group's first step: on MySQL it stays where that step set it, the proof
// that the server still holds the group's transaction (an InnoDB deadlock or a KILL end the
// transaction and its savepoints with it). PostgreSQL sets it for every step: there a name
// is stacked, and ROLLBACK TO undoes the newest, which is the step's own.
const GROUP_SAVEPOINT = 'dj_key';
// A later step's own savepoint on MySQL, set before its first statement that neither reads
// nor carries its undo. Never the group's: the statements before it may have ended the
// transaction, and a savepoint set after that would sit in a new one.
const STEP_SAVEPOINT = 'dj_step';

/** The state of one running step. */
export interface StepUndo {
  /** The step's own savepoint, once it went out with one of the step's statements (or waits to). */
  savepoint?: Promise<unknown>;
  /** Its name: the group's (the first step; every step on PostgreSQL) or the step's. */
  savepointName?: string;
  /** Statements the step sent. */
  sent: number;
  /** Inserts sent before the savepoint: undone by their DELETEs, last first. */
  inserts: Array<{ answer: Promise<DriverResult>; undo: () => { sql: string; params: unknown[] } }>;
  /**
   * The step's function has settled: a statement of it still on its way (a branch of a
   * Promise.all that another branch's error rejected) would run after the undo, or in the
   * next step's transaction, and is refused.
   */
  ended?: boolean;
}

/**
 * A new step. `first`: the group's first step, whose savepoint the others check the
 * transaction by; on PostgreSQL (`everyStep`) every step sets one. It goes out with the
 * step's first statement where the session can.
 */
export function startStep(s: DriverSession, dialect: Dialect, first: boolean): StepUndo {
  const step: StepUndo = { sent: 0, inserts: [] };
  if (first || dialect.failedStatementAbortsTransaction) setSavepoint(s, dialect, step, GROUP_SAVEPOINT);
  return step;
}

function setSavepoint(s: DriverSession, dialect: Dialect, step: StepUndo, name: string): void {
  const sql = dialect.savepoint(name);
  const mark = s.prefixNext ? s.prefixNext(sql) : s.query(sql, []);
  // Awaited when the step ends either way; never an unhandled rejection meanwhile.
  mark.catch(() => undefined);
  step.savepoint = mark;
  step.savepointName = name;
}

/** A statement of the step, with the step's savepoint before it if it needs one. */
export function stepStatement(s: DriverSession, dialect: Dialect, step: StepUndo, sql: string, params: unknown[], context: StatementContext): Promise<DriverResult> {
  if (step.ended) return Promise.reject(new TransactionError('transaction', "a statement of a key's make came after the make had ended (a promise it did not await): refused, so that it cannot run outside the key's transaction"));
  step.sent++;
  const effect = context[STATEMENT_EFFECT];
  if (step.savepoint === undefined && !effect?.reads) {
    if (effect?.undo) {
      const answer = s.query(sql, params);
      step.inserts.push({ answer, undo: effect.undo });
      return answer;
    }
    setSavepoint(s, dialect, step, STEP_SAVEPOINT);
  }
  return s.query(sql, params);
}

/**
 * After the step's function resolved: a savepoint set at its start that no statement took
 * is dropped. True when the group's savepoint reached the server (the group then has one).
 */
export async function settleStep(s: DriverSession, step: StepUndo): Promise<boolean> {
  step.ended = true;
  if (!step.savepoint) return false;
  const dropped = s.dropPrefix?.() ?? false;
  await step.savepoint;
  return !dropped && step.savepointName === GROUP_SAVEPOINT;
}

/**
 * Undoes a failed step in the open transaction and resolves when the group's earlier steps
 * are known to be intact; rejects when they are not (the server ended the transaction, the
 * session is gone, or an insert's rows could not be deleted exactly), and the caller must
 * then end the session so that the server rolls the whole group back.
 */
export async function undoStep(s: DriverSession, dialect: Dialect, step: StepUndo): Promise<void> {
  step.ended = true;
  if (step.savepoint) {
    // Nothing of this step reached the server (its savepoint still waits): nothing to undo.
    if (s.dropPrefix?.()) return;
    await step.savepoint;
    await s.query(dialect.rollbackToSavepoint(step.savepointName!), []);
  } else if (step.sent === 0) return;
  if (step.savepointName !== GROUP_SAVEPOINT) {
    // A later step on MySQL: the group's savepoint is still there exactly when the server
    // still holds the group's transaction. RELEASE drops the step's own savepoint too.
    await s.query(dialect.releaseSavepoint(GROUP_SAVEPOINT), []);
    await s.query(dialect.savepoint(GROUP_SAVEPOINT), []);
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
    if (deleted !== inserted) throw new TransactionError('transaction', `undoing an insert of the failed key deleted ${deleted} rows, not the ${inserted} it inserted`);
  }
}
