// The notification a populate run ends with, from the CLI's `end` event (and `start`,
// for what was expected): "Quality: 80 done, 4 failed", what is left and why, and which
// actions it offers. A run without an `end` event did not start (or died): its reason is
// the CLI's last line. No vscode import: unit-tested (test/unit/client/run-summary.test.ts).
import type { EndEvent, PopulateEvent, StartEvent } from '../../runtime/populate/events';
import { ERROR_PREFIX } from '../../runtime/cli/name';

export type SummaryLevel = 'info' | 'warning' | 'error';

export interface RunSummary {
  level: SummaryLevel;
  message: string;
  /** Whether the table has error jobs worth a look (the "Show Errors" action). */
  hasErrors: boolean;
  /** Whether the run started at all (an `end` event came). */
  started: boolean;
}

/** "1 key", "2 keys". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

// A first stop request (Cancel, Ctrl-C, SIGTERM) finishes the key in progress; a second
// interrupts it (counted in `interruptedCount`, its job pending again).
const STOPPED: Record<NonNullable<EndEvent['interrupted']>, string> = {
  SIGINT: 'stopped after the key in progress',
  SIGTERM: 'stopped after the key in progress (SIGTERM)',
};

/**
 * What is left after the run, and why: one clause each. Everything a run reports about
 * the keys it did not compute goes here, so that new `end` fields are added in one place.
 */
export function leftClauses(start: StartEvent | undefined, end: EndEvent): string[] {
  const out: string[] = [];
  if (end.connectionLost) out.push(`the database server ${end.connectionLost.server} went away`);
  const left = end.left;
  if (left) {
    if (left.total === 0) return out;
    const why: string[] = [];
    if (left.error) why.push(plural(left.error, 'error job'));
    if (left.ignored) why.push(`${left.ignored} ignored`);
    if (left.reserved) why.push(`${left.reserved} reserved by other workers`);
    if (left.orphaned) why.push(`${left.orphaned} reserved by gone workers (Recover in the Jobs view)`);
    if (left.interrupted) why.push(`${left.interrupted} interrupted`);
    if (left.notScheduled) why.push(`${left.notScheduled} not scheduled yet`);
    if (left.pending) why.push(`${left.pending} not attempted`);
    out.push(`${plural(left.total, 'key')} left${why.length ? `: ${why.join(', ')}` : ''}`);
    return out;
  }
  // A CLI without the rev 2 fields, or a count cut off by a lost server.
  const attempted = end.successCount + end.errorCount;
  if (start && start.total > attempted) out.push(`${plural(start.total - attempted, 'key')} not attempted`);
  return out;
}

/**
 * Why a run did not start: the CLI's own error line (`djx: …`), else its last line before
 * the extension's exit label (a Node stack's "Require stack" lines come after the message).
 */
export function reasonOf(transcript: string): string | undefined {
  const lines = transcript
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^\[exit code /.test(l) && !/^djx populate /.test(l));
  return lines.filter((l) => l.startsWith(ERROR_PREFIX)).at(-1)?.slice(ERROR_PREFIX.length) ?? lines.at(-1);
}

export function summarizeRun(className: string, exitCode: number, events: readonly PopulateEvent[], transcript: string): RunSummary {
  const start = events.find((e): e is StartEvent => e.event === 'start');
  const end = events.find((e): e is EndEvent => e.event === 'end');
  if (!end) {
    const why = reasonOf(transcript) ?? `the CLI exited with code ${exitCode}`;
    return { level: 'error', message: `Populate ${className} did not run: ${why}`, hasErrors: false, started: false };
  }
  const counts = start?.total === 0 && end.errorCount === 0 && end.successCount === 0 ? ['nothing to compute'] : [`${end.successCount} done`, `${end.errorCount} failed`];
  const clauses = [...counts];
  if (end.interrupted) clauses.push(STOPPED[end.interrupted]);
  const left = leftClauses(start, end);
  const message = `${className}: ${clauses.join(', ')}${left.length ? `; ${left.join(', ')}` : ''}`;
  // Exit 1 with error jobs left from earlier runs is the CLI saying "not all done", which
  // the message already says: a warning. Any other non-zero exit is unexplained: an error.
  const explained = exitCode === 0 || Boolean(end.interrupted) || (exitCode === 1 && (end.left?.error ?? 0) > 0);
  const level: SummaryLevel = end.errorCount > 0 || !explained ? 'error' : end.interrupted || left.length ? 'warning' : 'info';
  return { level, message, hasErrors: end.errorCount > 0 || (end.left?.error ?? 0) > 0, started: true };
}
