// The machine-readable events of `dj populate`: one JSON object per line, on stdout with
// `--json`, or on a side channel with `--json-events <fd|path>` (an inherited descriptor
// or a file) while the terminal shows the CLI's bar. The VS Code extension reads them
// from fd 3; the schema is stable — fields may be added, never renamed or removed, and
// `v` changes only for an incompatible change.
//
//   {"v":1,"event":"start","table":"Analysis","schema":"lab","mode":"direct","total":120,"processes":2,"time":"2026-…Z"}
//   {"v":1,"event":"keyDone","key":{"subject_id":1},"durationMs":12.5,"worker":4242}
//   {"v":1,"event":"keyFailed","key":{"subject_id":2},"error":"ValueError: bad","worker":4242}
//   {"v":1,"event":"progress","done":40,"failed":1,"total":120,"rate":310.2,"etaSeconds":0.3}
//   {"v":1,"event":"end","successCount":119,"errorCount":1,"interrupted":null,"durationMs":402.1}
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

export interface EndEvent {
  v: 1;
  event: 'end';
  successCount: number;
  errorCount: number;
  /** The signal that stopped the run early, or null. */
  interrupted: 'SIGINT' | 'SIGTERM' | null;
  durationMs: number;
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

/** Parses one line of `dj populate` events (--json, --json-events); undefined for anything else. */
export function parseEvent(line: string): PopulateEvent | undefined {
  try {
    const e = JSON.parse(line) as { v?: unknown; event?: unknown };
    if (e && e.v === EVENTS_VERSION && typeof e.event === 'string') return e as PopulateEvent;
  } catch {
    /* not an event line */
  }
  return undefined;
}
