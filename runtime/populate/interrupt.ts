// Ctrl-C, SIGTERM and `--stop-on-stdin` requests during populate, in three steps:
//   1. stop: no further key is handed out; the key in progress finishes and commits;
//   2. abort: the key in progress is interrupted (its transaction rolled back by ending
//      its server session) and its job goes back to pending;
//   3. exit at once (reservations still held are then orphans, re-pended by refresh).
// An interrupted key is never a failure: not in the events, the summary or the jobs
// table. We deliberately differ from DataJoint for Python here, which records the
// interrupted make as an error job `KeyboardInterrupt` / `SystemExit: SIGTERM received`
// (reference notes §6.7; test_jobs.py: test_sigint, test_sigterm): such a job is never
// retried by populate, so a Cancel would silently drop the key from later runs.

export type StopSignal = 'SIGINT' | 'SIGTERM';

export class Interrupt {
  /** The first stop request (no more keys), or null. */
  signal: StopSignal | null = null;
  /** Rejects on abort. */
  readonly promise: Promise<never>;
  private rejectFn!: (e: Error) => void;
  /** The makes in progress, each waiting to be told of an abort (race). */
  private readonly racing = new Set<(e: Error) => void>();
  /** Set by the second request. */
  private abortError: InterruptedError | undefined;

  constructor() {
    this.promise = new Promise<never>((_resolve, reject) => {
      this.rejectFn = reject;
    });
    // Nobody may be racing at the moment the abort comes.
    this.promise.catch(() => undefined);
  }

  /**
   * `work`'s outcome, or the abort's error should it come first. Unlike
   * Promise.race(work, promise), nothing of a settled race stays attached to the run's
   * promise: that would keep about 300 bytes a key until the run ends (a million keys: 300 MB).
   */
  race<T>(work: Promise<T>): Promise<T> {
    if (this.abortError) return Promise.reject(this.abortError);
    return new Promise<T>((resolve, reject) => {
      this.racing.add(reject);
      work.then(
        (value) => {
          this.racing.delete(reject);
          resolve(value);
        },
        (e: unknown) => {
          this.racing.delete(reject);
          reject(e);
        },
      );
    });
  }

  /** True after the second request: the key in progress is interrupted too. */
  get aborted(): boolean {
    return this.abortError !== undefined;
  }

  /** No further key may start. */
  get stopped(): boolean {
    return this.signal !== null;
  }

  /** Step 1: finish the key in progress, hand out no more. */
  stop(signal: StopSignal): void {
    this.signal ??= signal;
  }

  /** Step 2 (also after a stop never requested, e.g. the parent process died): interrupt the key in progress. */
  abort(signal: StopSignal): void {
    this.stop(signal);
    if (this.aborted) return;
    const e = (this.abortError = new InterruptedError(this.signal ?? signal));
    this.rejectFn(e);
    for (const reject of this.racing) reject(e);
    this.racing.clear();
  }
}

/** Raised in a make interrupted by the second stop request; its job goes back to pending. */
export class InterruptedError extends Error {
  constructor(readonly signal: StopSignal) {
    super(`interrupted by ${signal}`);
    this.name = 'Interrupted';
  }
}

/**
 * Waits until `work` settles (fulfilled or not), or `ms` at most. The timer goes with the
 * wait: a pending one would keep an interrupted run's process alive for the rest of it.
 */
export async function settledWithin(work: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!work) return;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([work.then(() => undefined, () => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Run before exiting on a third request (e.g. to kill worker processes, which are detached). */
export const exitHooks = new Set<() => void>();

function exitNow(): void {
  for (const hook of exitHooks) {
    try {
      hook();
    } catch {
      /* exiting anyway */
    }
  }
  process.exit(130);
}

/**
 * Installs the handlers for the duration of a run; returns the function that removes
 * them. The first request stops, the second aborts, a third runs `onThird` (default:
 * exit at once with 130).
 */
export function handleStopSignals(interrupt: Interrupt, onThird: () => void = exitNow): () => void {
  const handler = (sig: NodeJS.Signals) => {
    const signal: StopSignal = sig === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
    if (interrupt.aborted) onThird();
    else if (interrupt.stopped) interrupt.abort(signal);
    else interrupt.stop(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
