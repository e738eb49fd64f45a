// One Connect at a time, and none lost: a Connect asked for while one is under way is not
// merged into it (that one may be reading settings that were changed since, or may not
// be allowed to ask for a password); one more attempt runs after it, with the settings
// of that moment and interactive when any of the callers waiting on it asked for that.
// No vscode import: unit-tested.

/** One attempt: resolves to whether the window is connected afterwards. */
export type ConnectAttempt = (interactive: boolean) => Promise<boolean>;

interface Queued {
  interactive: boolean;
  promise: Promise<boolean>;
  resolve: (connected: boolean) => void;
}

export class ConnectQueue {
  private running: Promise<boolean> | undefined;
  private queued: Queued | undefined;

  constructor(private readonly attempt: ConnectAttempt) {}

  /** The attempt whose outcome is the latest word: the queued one, else the running one. */
  get pending(): Promise<boolean> | undefined {
    return this.queued?.promise ?? this.running;
  }

  /** Starts an attempt, or queues the one that follows the attempt under way. */
  request(interactive: boolean): Promise<boolean> {
    if (!this.running) return this.start(interactive);
    if (this.queued) {
      this.queued.interactive ||= interactive;
      return this.queued.promise;
    }
    let resolve!: (connected: boolean) => void;
    const promise = new Promise<boolean>((r) => (resolve = r));
    this.queued = { interactive, promise, resolve };
    return promise;
  }

  /** Disconnect: the queued attempt will not run (its callers get false). */
  dropQueued(): void {
    const q = this.queued;
    this.queued = undefined;
    q?.resolve(false);
  }

  private start(interactive: boolean): Promise<boolean> {
    const run = this.attempt(interactive).catch(() => false);
    this.running = run;
    void run.then(() => {
      this.running = undefined;
      const q = this.queued;
      this.queued = undefined;
      if (q) void this.start(q.interactive).then(q.resolve);
    });
    return run;
  }
}
