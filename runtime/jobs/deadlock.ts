// A statement (or transaction) the server picks as the victim of a deadlock is rolled back
// whole and may simply run again: MySQL says so ("try restarting transaction", 1213), as
// PostgreSQL does with 40P01 and 40001. Busy queues meet them when several workers refresh,
// claim and commit on the same jobs table at once; the queue's statements are written to be
// run again (INSERT IGNORE, UPDATEs and DELETEs conditional on the rows' state), so they
// are retried here instead of ending the worker.

const ATTEMPTS = 5;

export function isDeadlock(e: unknown): boolean {
  for (let x: unknown = e, depth = 0; x && depth < 4; x = (x as { cause?: unknown }).cause, depth++) {
    const err = x as { errno?: unknown; serverCode?: unknown; code?: unknown; message?: unknown };
    if (err.errno === 1213 || err.serverCode === 1213 || err.code === 'ER_LOCK_DEADLOCK') return true;
    if (err.code === '40P01' || err.code === '40001') return true;
  }
  return false;
}

/** `run`, once more each time the server chose it as a deadlock's victim (at most 5 runs). */
export async function retryDeadlocks<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (e) {
      if (attempt >= ATTEMPTS || !isDeadlock(e)) throw e;
    }
  }
}
