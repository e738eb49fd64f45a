// Whether the holder of a reservation still lives: the one rule that decides when a
// reservation may be taken from its holder (refresh, populate, `djx jobs recover`) and what
// the Jobs view shows. Only a holder known to be dead loses its job at once; any other
// reservation waits for the time rule (`orphanTimeout`, `recover --older-than`).
import { hostname } from 'node:os';

/** alive: the holder runs; gone: known dead; unknown: cannot be told from here. */
export const HOLDER_STATES = ['alive', 'gone', 'unknown'] as const;
export type HolderState = (typeof HOLDER_STATES)[number];

/** The worker columns of a reserved job, and whether its connection is in the process list. */
export interface Holder {
  host: string;
  pid: number;
  /** The recorded connection_id is an open session on the server (MySQL processlist, PostgreSQL pg_stat_activity). */
  connectionOpen: boolean;
}

/** A process of this id runs on this host (signal 0 checks without signalling). */
export function processRuns(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, under another user.
    return (e as { code?: string }).code === 'EPERM';
  }
}

/**
 * The connection id alone never proves a holder dead: DataJoint for Python's
 * `populate(processes=N)` workers record their parent's connection id, which the parent
 * closes before forking (autopopulate.py: _populate_distributed; python-side.md), and
 * without the PROCESS privilege other accounts' connections are not listed at all. So:
 * - on this host, the process decides: it runs → alive; it has exited and its connection
 *   is no longer listed → gone (while the server still lists the connection, the server
 *   has not yet seen it close: unknown, for that moment);
 * - on another host a process cannot be looked at: a listed connection → alive, else
 *   unknown (a Python worker there may be computing under its parent's closed id).
 */
export function holderState(h: Holder, here: string = hostname(), runs: (pid: number) => boolean = processRuns): HolderState {
  const local = h.host !== '' && h.host === here && h.pid > 0;
  if (local) {
    if (runs(h.pid)) return 'alive';
    return h.connectionOpen ? 'unknown' : 'gone';
  }
  return h.connectionOpen ? 'alive' : 'unknown';
}
