// Keys whose makes are short commit together. On a server that commits durably (a lab's
// production server: innodb_flush_log_at_trx_commit=1, PostgreSQL's synchronous_commit)
// each COMMIT waits for a flush to disk, which costs more than a short make's own
// statements. So populate's loop in one process makes the keys of a commit window (the
// keys started within `commitWindowMs`, at most MAX_GROUP_KEYS) in one transaction, each
// after a savepoint: a failing key is rolled back to its savepoint alone and fails alone,
// the group's other keys keep their work, and the group commits once (each key's make
// stays all or nothing: none of a key's rows is ever committed without the rest). A make
// that takes as long as the window commits alone, as the reference commits every key
// (autopopulate.py: _populate1); so does the first key of a run (how long keys take is not
// known yet), and every key with `commitWindowMs: 0`.
//
// What the grouping changes, and only for short makes: a key is reported done, and its
// rows are seen by other sessions, when its group commits (within the window, plus the
// make in progress then); a worker killed before that loses the group's uncommitted keys,
// which are made again later (their jobs stay reserved until recovered as orphans, as a
// key in progress does today); with reserved jobs, jobs are claimed a window's worth at a
// time (one COMMIT for the claim too). When the server ends the whole transaction (an
// InnoDB deadlock rolls back every statement since BEGIN, not only the failing one), the
// group's earlier keys lost nothing of their own doing: they are made again, each alone.
import type { Outcome } from './runner';
import type { Key } from './target';

/** The window of keys committed together, by default. */
export const DEFAULT_COMMIT_WINDOW_MS = 20;
/**
 * At most this many keys in one group: PostgreSQL keeps the first 64 subtransactions of
 * a transaction in shared memory, and past that every other session's visibility checks
 * slow down.
 */
export const MAX_GROUP_KEYS = 32;
/**
 * At most this many jobs in one claim (or keys in one read and check): a window's worth
 * of short keys, which commit in groups of MAX_GROUP_KEYS. Larger claims take fewer
 * transactions (each a COMMIT) on the control connection; this bound keeps what a worker
 * holds reserved, and a stop's releases, small.
 */
export const MAX_CLAIM_KEYS = 128;

/** A key made in a group, its COMMIT still to come or to be answered. */
export interface MadeKey {
  raw: Key;
  key: Key;
  outcome: Outcome & { status: 'done' };
}

export interface CommitGroup {
  members: MadeKey[];
  /** performance.now() when its first key started. */
  started: number;
  /** Set when its COMMIT is sent: settles with the server's answer. */
  committed?: Promise<void>;
}

/**
 * The group is to be committed now, before the next key starts: when the window is over,
 * the group full, a stop requested, or the keys not yet known to be short (the first key
 * of a run commits alone, so that a slow second key never holds back its report).
 */
export function groupDue(group: CommitGroup, windowMs: number, now: number, stopping: boolean, pace: KeyPace): boolean {
  return stopping || group.members.length >= MAX_GROUP_KEYS || now - group.started >= windowMs || !pace.shorterThan(windowMs);
}

/**
 * The time from one key's start to the next, smoothed: how many keys a claim takes at
 * once so that they fill about one commit window. Slow keys are claimed one at a time.
 */
export class KeyPace {
  private lastStart: number | undefined;
  private perKeyMs: number | undefined;

  keyStarted(now: number): void {
    if (this.lastStart !== undefined) {
      const ms = now - this.lastStart;
      this.perKeyMs = this.perKeyMs === undefined ? ms : 0.8 * this.perKeyMs + 0.2 * ms;
    }
    this.lastStart = now;
  }

  /** Keys have been seen to follow each other faster than `ms`. */
  shorterThan(ms: number): boolean {
    return this.perKeyMs !== undefined && this.perKeyMs < ms;
  }

  /** Jobs to claim at once, at most `room` (what the run may still start). */
  claimSize(windowMs: number, room: number): number {
    if (windowMs <= 0 || this.perKeyMs === undefined) return Math.min(1, room);
    const fit = Math.floor(windowMs / Math.max(this.perKeyMs, 0.01));
    return Math.max(Math.min(1, room), Math.min(fit, MAX_CLAIM_KEYS, room));
  }
}

export function checkCommitWindow(ms: number | undefined): number {
  if (ms === undefined || ms === null) return DEFAULT_COMMIT_WINDOW_MS;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new RangeError(`populate: commitWindowMs must be a number >= 0, got ${String(ms)}.`);
  return ms;
}
