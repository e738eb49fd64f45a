// The reservations of a pipeline seen from their holders: one entry per worker process
// (host and pid, as jobs.py records them), with the connections it holds, the keys it has
// reserved in which tables, since when, and whether it lives (holder.ts). What the Workers
// view shows; no SQL here: the reserved rows come from each table's queue.
import type { HolderState } from './holder';
import type { JobRow } from './queue';

export interface HeldKey<T> {
  table: T;
  job: JobRow;
}

export interface WorkerHolder<T> {
  /** `host:pid`, unique per holder. */
  id: string;
  host: string;
  pid: number;
  /** The database accounts it reserved as (one, unless a pid was reused). */
  users: string[];
  /** The server connection ids recorded on its reservations. */
  connectionIds: number[];
  /** Its earliest reservation among those listed, as the server gave it (JobRow.reservedTime). */
  since: JobRow['reservedTime'];
  /** alive when any of its reservations says so; gone only when all do; else unknown. */
  state: HolderState;
  keys: Array<HeldKey<T>>;
}

/**
 * A reservation time as a number to compare: the connection may give the server's text
 * (`2026-01-01 10:00:00.000`, its zone kept for display) rather than a Date.
 */
function timeOf(t: Date | string | null): number {
  if (t instanceof Date) return t.getTime();
  if (typeof t === 'string') return Date.parse(t.replace(' ', 'T'));
  return Number.POSITIVE_INFINITY;
}

function merged(states: readonly HolderState[]): HolderState {
  if (states.includes('alive')) return 'alive';
  if (states.length > 0 && states.every((s) => s === 'gone')) return 'gone';
  return 'unknown';
}

const ORDER: Record<HolderState, number> = { gone: 0, unknown: 1, alive: 2 };

/**
 * Reserved jobs grouped by holder: the gone first (they need Recover), then those not known
 * alive, then the live ones; within each, the longest-held first.
 */
export function groupByHolder<T>(held: ReadonlyArray<HeldKey<T>>): Array<WorkerHolder<T>> {
  const byId = new Map<string, WorkerHolder<T> & { states: HolderState[] }>();
  for (const h of held) {
    if (h.job.status !== 'reserved') continue;
    const id = `${h.job.host}:${h.job.pid}`;
    let w = byId.get(id);
    if (!w) {
      w = { id, host: h.job.host, pid: h.job.pid, users: [], connectionIds: [], since: null, state: 'unknown', keys: [], states: [] };
      byId.set(id, w);
    }
    if (h.job.user && !w.users.includes(h.job.user)) w.users.push(h.job.user);
    if (!w.connectionIds.includes(h.job.connectionId)) w.connectionIds.push(h.job.connectionId);
    const t = h.job.reservedTime;
    if (t !== null && (w.since === null || timeOf(t) < timeOf(w.since))) w.since = t;
    w.states.push(h.job.holder ?? 'unknown');
    w.keys.push(h);
  }
  const out = [...byId.values()].map(({ states, ...w }) => ({ ...w, state: merged(states) }));
  return out.sort((a, b) => ORDER[a.state] - ORDER[b.state] || timeOf(a.since) - timeOf(b.since) || a.id.localeCompare(b.id));
}
