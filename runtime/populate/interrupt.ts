// Ctrl-C and SIGTERM during populate (reference notes §6.7, our decision 11.3 #14): the
// first signal stops handing out keys and interrupts the make in progress, whose
// transaction is rolled back and whose job is marked as the reference marks it; a
// second signal exits at once.

export type StopSignal = 'SIGINT' | 'SIGTERM';

export class Interrupt {
  signal: StopSignal | null = null;
  /** Rejects when a stop signal arrives; races every make. */
  readonly promise: Promise<never>;
  private rejectFn!: (e: Error) => void;

  constructor() {
    this.promise = new Promise<never>((_resolve, reject) => {
      this.rejectFn = reject;
    });
    // Nobody may be racing at the moment the signal arrives.
    this.promise.catch(() => undefined);
  }

  get stopped(): boolean {
    return this.signal !== null;
  }

  trigger(signal: StopSignal): void {
    if (this.signal) return;
    this.signal = signal;
    this.rejectFn(new InterruptedError(signal));
  }
}

/** The message the reference records for an interrupted make (test_jobs.py: test_sigint, test_sigterm). */
export class InterruptedError extends Error {
  constructor(readonly signal: StopSignal) {
    super(signal === 'SIGTERM' ? 'SIGTERM received' : '');
    this.name = signal === 'SIGTERM' ? 'SystemExit' : 'KeyboardInterrupt';
  }
}

/** Run before exiting on a second signal (e.g. to kill worker processes, which are detached). */
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
 * them. `onSecond` runs for a second signal (default: exit at once with 130).
 */
export function handleStopSignals(interrupt: Interrupt, onSecond: () => void = exitNow): () => void {
  const handler = (sig: NodeJS.Signals) => {
    if (interrupt.stopped) onSecond();
    else interrupt.trigger(sig === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
