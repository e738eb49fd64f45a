// The worker loop over a whole pipeline (issue 15; datajoint-utilities' dj_worker is the
// model users know): rounds over the tables in dependency order, each table a
// `populate(reserveJobs, suppressErrors, refresh)` of its own — so every round refreshes
// each jobs table and shares keys with any other worker, ours or DataJoint for Python's —
// until no work is left, or for a duration, or until idle for a while.
//
// When it ends:
// - neither --idle nor --duration: after a round that made no key, unless other workers
//   still hold reservations (alive, or gone and about to be re-pended): their makes may
//   add keys downstream, so it looks again every --poll seconds until none is held;
// - --idle S: once no key was made for S seconds (looking every --poll seconds);
// - --duration S: after S seconds, as a first stop request does (the key in progress is
//   finished), looking for work every --poll seconds until then;
// - a stop request (stop.ts): after the key in progress; a second interrupts it.
// A round whose makes only failed counts as making nothing: a key that fails every time
// does not keep a worker alive, even when --clear-errors retries it each round.
import { hostname } from 'node:os';
import { ConnectionLostError, populate, type AutoPopulatedClass, type PopulateResult } from '../populate/index';
import type { ConnectionLost, EndLeft } from '../populate/events';
import { clearMatchingErrors } from './clear-errors';
import type { StoppedBy, TableSummary, WorkerStreamEvent } from './events';
import { DEFAULT_POLL_S, type WorkerOptions } from './options';
import { bindingOf } from './order';
import type { WorkerStop } from './stop';

export interface WorkerRunOptions extends WorkerOptions {
  stop: WorkerStop;
  onEvent?: (e: WorkerStreamEvent) => void;
  /** processes > 1: the module populate's worker processes import (the pipeline module). */
  workerModule?: string;
}

export interface WorkerResult {
  rounds: number;
  stoppedBy: StoppedBy;
  durationMs: number;
  tables: TableSummary[];
  /** The server went away (what was made before is committed). */
  connectionLost: ConnectionLost | null;
}

const now = () => new Date().toISOString();

/** Runs the worker over `tables`, already in dependency order (order.ts). */
export async function runPipelineWorker(tables: readonly AutoPopulatedClass[], options: WorkerRunOptions): Promise<WorkerResult> {
  const { stop } = options;
  const emit = (e: WorkerStreamEvent) => options.onEvent?.(e);
  const started = performance.now();
  const pollMs = (options.pollS ?? DEFAULT_POLL_S) * 1000;
  const idleMs = options.idleS !== undefined ? options.idleS * 1000 : undefined;
  const durationMs = options.durationS !== undefined ? options.durationS * 1000 : undefined;
  const summaries = tables.map((t): TableSummary => ({ table: t.name, schema: bindingOf(t).schemaName, made: 0, failed: 0, skipped: 0, left: null, leftByReason: null }));
  const timer = durationMs !== undefined ? setTimeout(() => stop.requestStop('duration'), durationMs) : undefined;
  emit({ v: 1, event: 'workerStart', tables: tables.map((t) => t.name), pid: process.pid, host: hostname(), language: 'typescript', time: now() });

  let rounds = 0;
  let lastMade = started;
  let stoppedBy: StoppedBy | undefined;
  let connectionLost: ConnectionLost | null = null;
  try {
    while (!stop.stopped && stoppedBy === undefined) {
      const round = ++rounds;
      emit({ v: 1, event: 'roundStart', round, time: now() });
      let made = 0;
      let failed = 0;
      let held = 0;
      for (const [i, table] of tables.entries()) {
        if (stop.stopped) break;
        const summary = summaries[i]!;
        const cleared = await clearMatchingErrors(table, options.clearErrors ?? []);
        if (cleared > 0) emit({ v: 1, event: 'errorsCleared', round, table: table.name, count: cleared });
        emit({ v: 1, event: 'tableStart', round, table: table.name, schema: summary.schema });
        let result: PopulateResult;
        try {
          result = await populateOnce(table, options, emit);
        } catch (e) {
          if (!(e instanceof ConnectionLostError)) throw e;
          result = e.result;
          connectionLost = result.connectionLost ?? { server: `${e.server.host}:${e.server.port}`, message: e.message };
          stoppedBy = 'connectionLost';
        }
        const failedNow = result.errorList.length;
        made += result.successCount;
        failed += failedNow;
        summary.made += result.successCount;
        summary.failed += failedNow;
        if (result.left) {
          summary.leftByReason = result.left;
          summary.left = result.left.total;
          summary.skipped = result.left.error + result.left.ignored;
          held += result.left.reserved + result.left.orphaned;
        }
        emit({ v: 1, event: 'tableEnd', round, table: table.name, schema: summary.schema, made: result.successCount, failed: failedNow, interrupted: result.interruptedCount, left: result.left });
        if (stoppedBy !== undefined) break;
      }
      emit({ v: 1, event: 'roundEnd', round, made, failed });
      if (stop.stopped || stoppedBy !== undefined) break;
      if (made > 0) {
        lastMade = performance.now();
        continue;
      }
      let reason: 'idle' | 'others';
      let waitMs = pollMs;
      if (idleMs === undefined && durationMs === undefined) {
        if (held === 0) {
          stoppedBy = 'done';
          break;
        }
        reason = 'others';
      } else {
        reason = held > 0 ? 'others' : 'idle';
        if (idleMs !== undefined) {
          const idleFor = performance.now() - lastMade;
          if (idleFor >= idleMs) {
            stoppedBy = 'idle';
            break;
          }
          // Look once more right when the idle time is up, not a whole poll later.
          waitMs = Math.min(waitMs, idleMs - idleFor);
        }
      }
      emit({ v: 1, event: 'wait', round, seconds: Math.round(waitMs) / 1000, reason });
      await stop.sleep(waitMs);
    }
  } finally {
    if (timer) clearTimeout(timer);
  }
  return { rounds, stoppedBy: stoppedBy ?? stop.reason ?? 'done', durationMs: Math.round((performance.now() - started) * 1000) / 1000, tables: summaries, connectionLost };
}

/** One table's populate in this round; its events pass through, and stop requests reach it. */
async function populateOnce(table: AutoPopulatedClass, options: WorkerRunOptions, emit: (e: WorkerStreamEvent) => void): Promise<PopulateResult> {
  const { stop } = options;
  let listening = false;
  stop.beforeRun();
  try {
    return await populate(table, {
      reserveJobs: true,
      // A worker goes on past a failed key: it is an error job for people (or --clear-errors).
      suppressErrors: true,
      refresh: true,
      ...(options.maxCalls !== undefined ? { maxCalls: options.maxCalls } : {}),
      ...(options.priority !== undefined ? { priority: options.priority } : {}),
      ...(options.processes !== undefined ? { processes: options.processes } : {}),
      displayProgress: false,
      onEvent: (e) => {
        // populate's first event comes after it installed its signal handlers.
        if (!listening) {
          listening = true;
          stop.runListening();
        }
        emit(e);
      },
      ...(options.workerModule ? { workerModule: options.workerModule, exportName: table.name } : {}),
    });
  } finally {
    stop.afterRun();
  }
}

/** What is left, worded as populate's summary words it (left.ts), for the summary lines. */
export function leftTotal(left: EndLeft | null): string {
  return left === null ? 'not run' : `${left.total} left`;
}
