// Stop requests of a worker (SIGINT, SIGTERM — what SLURM sends at the time limit, then
// SIGKILL after its grace period —, the same words on stdin with --stop-on-stdin, and the
// end of --duration), across the many populate runs it makes. Each populate run handles
// the signals itself while it runs (runtime/populate/interrupt.ts: the first finishes the
// key in progress, the second interrupts it and puts its job back to pending, the third
// exits at once); this handler, installed for the worker's whole life, ends the loop and
// hands a request that arrived while populate was starting (before it listened) on to it
// once it listens, so no request is lost between runs.

export type StopReason = 'SIGINT' | 'SIGTERM' | 'duration';

export class WorkerStop {
  reason: StopReason | null = null;
  /** Signals (and stdin requests) received so far. */
  requests = 0;
  private readonly wakers = new Set<() => void>();
  /** The number of SIGINT/SIGTERM listeners before the current populate run installed its own. */
  private baseline: number | undefined;
  /** Requests the current populate run has not seen (it was not listening yet). */
  private missed = 0;
  private forwarding = false;
  private readonly handler = (sig: NodeJS.Signals) => this.onSignal(sig === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');

  get stopped(): boolean {
    return this.reason !== null;
  }

  install(): () => void {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
    return () => {
      process.off('SIGINT', this.handler);
      process.off('SIGTERM', this.handler);
    };
  }

  /** A populate run is about to start: requests from now on are its own too. */
  beforeRun(): void {
    this.baseline = process.listenerCount('SIGTERM');
    this.missed = 0;
  }

  /** The run emitted its first event: its handlers are installed; pass on what it missed. */
  runListening(): void {
    const missed = this.missed;
    this.missed = 0;
    for (let i = 0; i < missed; i++) this.forward();
  }

  afterRun(): void {
    this.baseline = undefined;
    this.missed = 0;
  }

  /** --duration reached: stop as a first request does (the key in progress is finished). */
  requestStop(reason: StopReason): void {
    if (this.stopped) return;
    this.reason = reason;
    this.wake();
    if (this.baseline === undefined) return;
    if (this.populateListens()) this.forward();
    else this.missed++;
  }

  /** Resolves after `ms`, or at once when a stop is requested. */
  sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  private onSignal(sig: 'SIGINT' | 'SIGTERM'): void {
    if (this.forwarding) return;
    this.requests++;
    if (this.reason === null) {
      this.reason = sig;
      process.stderr.write(`worker: stop requested (${sig}): stopping after the key in progress; again to interrupt it\n`);
    }
    this.wake();
    if (this.baseline !== undefined) {
      if (!this.populateListens()) this.missed++;
      return;
    }
    // Between runs nothing is in progress; a third request still exits at once.
    if (this.requests >= 3) process.exit(130);
  }

  private populateListens(): boolean {
    return this.baseline !== undefined && process.listenerCount('SIGTERM') > this.baseline;
  }

  private forward(): void {
    this.forwarding = true;
    try {
      (process.emit as (event: string, ...args: unknown[]) => boolean)('SIGTERM', 'SIGTERM');
    } finally {
      this.forwarding = false;
    }
  }

  private wake(): void {
    for (const w of [...this.wakers]) w();
  }
}
