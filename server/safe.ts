// Every request and notification handler runs through `guard`: an exception in one
// feature (a parser bug on some odd input, a stale index entry) is logged once to the
// client's output channel and answered with the feature's empty result, so the other
// features keep working and the process never exits on user input.
import type { RemoteConsole } from 'vscode-languageserver/node';

export type Logger = Pick<RemoteConsole, 'error' | 'log'>;

export function guard<A extends unknown[], R>(log: Logger, name: string, empty: R, fn: (...args: A) => R): (...args: A) => R {
  return (...args: A): R => {
    try {
      const r = fn(...args);
      if (r instanceof Promise) {
        return r.catch((e: unknown) => {
          report(log, name, e);
          return empty;
        }) as R;
      }
      return r;
    } catch (e) {
      report(log, name, e);
      return empty;
    }
  };
}

export function report(log: Logger, name: string, e: unknown): void {
  const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
  try {
    log.error(`datajoint: internal error in ${name}: ${detail}`);
  } catch {
    // The connection itself may be gone; there is nowhere left to report to.
  }
}
