// The machine-readable events of `djx populate`: one JSON object per line, on stdout with
// `--json`, or on a side channel with `--json-events <fd|path>` (an inherited descriptor
// or a file) while the terminal shows the CLI's bar. The VS Code extension reads them
// from fd 3; the schema is stable — fields may be added, never renamed or removed, and
// `v` changes only for an incompatible change.
//
//   {"v":1,"event":"start","table":"Analysis","schema":"lab","mode":"direct","total":120,"processes":2,"time":"2026-…Z"}
//   {"v":1,"event":"keyDone","key":{"subject_id":1},"durationMs":12.5,"worker":4242}
//   {"v":1,"event":"keyFailed","key":{"subject_id":2},"error":"ValueError: bad","worker":4242}
//   {"v":1,"event":"progress","done":40,"failed":1,"total":120,"rate":310.2,"etaSeconds":0.3}
//   {"v":1,"event":"end","successCount":119,"errorCount":1,"interrupted":null,"durationMs":402.1,
//    "rev":2,"interruptedCount":0,"connectionLost":null,
//    "left":{"total":3,"error":1,"ignored":0,"reserved":0,"orphaned":2,"interrupted":0,"notScheduled":0,"pending":0}}
//
// Revisions of v1 (additions only): `end` carries `rev: 2` and the fields marked
// "rev 2" since runs report what they leave undone (issue 10); an end event without
// `rev` comes from an older dj.
//
// Key values are JSON-safe: bigint and decimals as strings, dates as ISO text, binary
// (uuid) as lowercase hex.

export const EVENTS_VERSION = 1;

export type JsonKey = Record<string, string | number | boolean | null>;

export interface StartEvent {
  v: 1;
  event: 'start';
  /** The table's class name. */
  table: string;
  /** The database (schema) name. */
  schema: string;
  mode: 'direct' | 'reserved';
  /** Keys expected in this run (remaining keys, or eligible jobs, capped by the limit). */
  total: number;
  processes: number;
  time: string;
}

export interface KeyDoneEvent {
  v: 1;
  event: 'keyDone';
  key: JsonKey;
  durationMs: number;
  /** Process id of the worker that ran make. */
  worker: number;
}

export interface KeyFailedEvent {
  v: 1;
  event: 'keyFailed';
  key: JsonKey;
  /** `ErrorClass: message`, as stored in the jobs table. */
  error: string;
  worker: number;
}

export interface ProgressEvent {
  v: 1;
  event: 'progress';
  done: number;
  failed: number;
  total: number;
  /** Keys per second since start. */
  rate: number;
  etaSeconds: number | null;
}

/** rev 2: the server went away mid-run; what was done before is committed. */
export interface ConnectionLost {
  /** `host:port` of the database server. */
  server: string;
  /** The driver's message, e.g. `connect ECONNREFUSED 127.0.0.1:3306`. */
  message: string;
}

/**
 * rev 2: keys of the (restricted) key source still missing from the target at the end,
 * by reason; `total` is the sum (runtime/populate/left.ts says what each reason means).
 */
export interface EndLeft {
  total: number;
  /** Error jobs (reserved mode) or keys that failed in this run (direct mode): `djx jobs retry`. */
  error: number;
  ignored: number;
  /** Reserved by a worker that is still running. */
  reserved: number;
  /** Reserved by a worker known to be gone: `djx jobs recover`, or a refresh. */
  orphaned: number;
  /** Interrupted in this run (second stop request): pending again. */
  interrupted: number;
  /** Reserved mode: no job yet (not refreshed) or scheduled later. */
  notScheduled: number;
  /** Not attempted: the run stopped first (limit, stop request, an error), or beyond priority. */
  pending: number;
}

export interface EndEvent {
  v: 1;
  event: 'end';
  successCount: number;
  /** Keys that failed in this run (interrupted keys are not failures). */
  errorCount: number;
  /** The signal of the first stop request that stopped the run early, or null. */
  interrupted: 'SIGINT' | 'SIGTERM' | null;
  durationMs: number;
  /** 2 from the revision that added the fields below; absent before. */
  rev?: 2;
  /** rev 2: keys interrupted by a second stop request, back to pending. */
  interruptedCount?: number;
  /** rev 2: what is left and why; null when it could not be counted (the server went away). */
  left?: EndLeft | null;
  /** rev 2: the server went away mid-run, or null. */
  connectionLost?: ConnectionLost | null;
}

export type PopulateEvent = StartEvent | KeyDoneEvent | KeyFailedEvent | ProgressEvent | EndEvent;

/** A key as JSON-safe values (see the header). */
export function jsonKey(key: Record<string, unknown>): JsonKey {
  const out: JsonKey = {};
  for (const [k, v] of Object.entries(key)) out[k] = jsonValue(v);
  return out;
}

function jsonValue(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  return String(v);
}

/** Parses one line of `djx populate` events (--json, --json-events); undefined for anything else. */
export function parseEvent(line: string): PopulateEvent | undefined {
  try {
    const e = JSON.parse(line) as { v?: unknown; event?: unknown };
    if (e && e.v === EVENTS_VERSION && typeof e.event === 'string') return e as PopulateEvent;
  } catch {
    /* not an event line */
  }
  return undefined;
}
