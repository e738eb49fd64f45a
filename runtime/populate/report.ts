// Tallies a run and turns it into events (events.ts), the progress bar, and the result.
import { jsonKey, type ConnectionLost, type PopulateEvent } from './events';
import type { LeftCounts } from './left';
import type { PopulateOptions, PopulateResult } from './options';
import type { StopSignal } from './interrupt';
import type { Key } from './target';

export class Report {
  done = 0;
  failed = 0;
  /** Keys interrupted by a second stop request: back to pending, never failures. */
  interrupted = 0;
  readonly errorList: Array<[Key, unknown]> = [];
  private readonly started = performance.now();
  private lastProgress = 0;
  private bar?: { update(n: number, payload: object): void; setTotal(n: number): void; stop(): void };

  constructor(
    private readonly opts: PopulateOptions,
    private readonly table: string,
    private readonly schema: string,
    private readonly mode: 'direct' | 'reserved',
    public total: number,
  ) {}

  private emit(e: PopulateEvent): void {
    this.opts.onEvent?.(e);
  }

  async start(processes: number): Promise<void> {
    this.emit({ v: 1, event: 'start', table: this.table, schema: this.schema, mode: this.mode, total: this.total, processes, time: new Date().toISOString() });
    if (this.opts.displayProgress) {
      const { SingleBar, Presets } = await import('cli-progress');
      const bar = new SingleBar(
        {
          format: `${this.table.padEnd(20)} {bar} {value}/{total} | {rate}/s | ETA {eta_formatted} | errors {errors}`,
          stream: process.stderr,
          hideCursor: true,
          etaBuffer: 50,
        },
        Presets.shades_classic,
      );
      bar.start(this.total, 0, { rate: '0.0', errors: 0 });
      this.bar = bar;
    }
  }

  keyDone(key: Key, durationMs: number, worker: number): void {
    this.done++;
    // Built only for a listener: a short make's key costs less than its event.
    if (this.opts.onEvent) this.emit({ v: 1, event: 'keyDone', key: jsonKey(key), durationMs: Math.round(durationMs * 1000) / 1000, worker });
    this.progress();
  }

  keyFailed(key: Key, message: string, error: unknown, worker: number): void {
    this.failed++;
    this.errorList.push([key, this.opts.returnExceptionObjects ? error : message]);
    this.emit({ v: 1, event: 'keyFailed', key: jsonKey(key), error: message, worker });
    this.progress();
  }

  keyInterrupted(): void {
    this.interrupted++;
  }

  private progress(force = false): void {
    const now = performance.now();
    const n = this.done + this.failed;
    if (n > this.total) this.total = n;
    const elapsed = (now - this.started) / 1000;
    const rate = elapsed > 0 ? n / elapsed : 0;
    this.bar?.setTotal(this.total);
    this.bar?.update(n, { rate: rate.toFixed(1), errors: this.failed });
    if (!force && now - this.lastProgress < 250) return;
    this.lastProgress = now;
    const left = Math.max(0, this.total - n);
    this.emit({
      v: 1,
      event: 'progress',
      done: this.done,
      failed: this.failed,
      total: this.total,
      rate: Math.round(rate * 10) / 10,
      etaSeconds: rate > 0 ? Math.round((left / rate) * 10) / 10 : null,
    });
  }

  /** `left`: what is still missing and why (left.ts), null when it could not be counted. */
  end(interrupted: StopSignal | null, left: LeftCounts | null, connectionLost: ConnectionLost | null = null): PopulateResult {
    this.progress(true);
    this.bar?.stop();
    this.emit({
      v: 1,
      event: 'end',
      successCount: this.done,
      errorCount: this.failed,
      interrupted,
      durationMs: Math.round((performance.now() - this.started) * 1000) / 1000,
      rev: 2,
      interruptedCount: this.interrupted,
      left,
      connectionLost,
    });
    return { successCount: this.done, errorList: this.errorList, interrupted, interruptedCount: this.interrupted, left, connectionLost };
  }
}

/** Thrown by populate without suppressErrors: the first failed key and its error (as `cause`). */
export class MakeError extends Error {
  constructor(
    readonly table: string,
    readonly key: Key,
    readonly errorMessage: string,
    cause: unknown,
    readonly result: PopulateResult,
  ) {
    super(`${table}.make failed for key ${JSON.stringify(jsonKey(key))}: ${errorMessage}`, { cause });
    this.name = 'MakeError';
  }
}

