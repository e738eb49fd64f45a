// Messages between populate and its worker processes (IPC with structured clone, so
// bigint, Date and binary key values arrive intact).
import type { KeySource } from './keysource';
import type { Key, MakeKwargs } from './target';
import type { StopSignal } from './interrupt';

export interface WorkerInit {
  t: 'init';
  module: string;
  exportName: string;
  reserveJobs: boolean;
  /** The restricted key source, compiled by the parent; absent without restrictions. */
  source?: KeySource;
  kwargs: MakeKwargs;
  priority?: number;
}

export type ToWorker =
  | WorkerInit
  /** Direct mode: run make for this key. */
  | { t: 'run'; raw: Key }
  /** Distributed mode: claim the next job and run it. */
  | { t: 'claim' }
  | { t: 'interrupt'; signal: StopSignal }
  | { t: 'stop' };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export type WorkerOutcome =
  | { status: 'done'; durationMs: number }
  | { status: 'skipped' }
  | { status: 'failed' | 'interrupted'; message: string; error: SerializedError };

export type FromWorker =
  | { t: 'ready'; pid: number; connectionId: number }
  | { t: 'result'; raw: Key; key: Key; outcome: WorkerOutcome }
  /** Distributed mode: no eligible job left. */
  | { t: 'empty' }
  | { t: 'fatal'; message: string };

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

export function reviveError(e: SerializedError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}
