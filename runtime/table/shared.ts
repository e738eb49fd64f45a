// State that must be shared by every copy of the runtime loaded in one process: the CLI
// bundle and a user's pipeline module (loaded with tsx) each hold their own copy, so
// identity-based checks (instanceof, module-level singletons) would split. These live on
// globalThis under registered symbols instead.
import { AsyncLocalStorage } from 'node:async_hooks';

function shared<T>(key: string, make: () => T): T {
  const sym = Symbol.for(key);
  const g = globalThis as unknown as Record<symbol, T | undefined>;
  return (g[sym] ??= make());
}

/** Set while populate() runs a make(): inserts into auto-populated tables are allowed. */
export const directInsertScope = shared('datajoint.directInsert', () => new AsyncLocalStorage<boolean>());

/**
 * Runs `fn` with inserts into Computed/Imported tables allowed, as populate() does around
 * make() (autopopulate.py: _allow_insert).
 */
export function withDirectInsert<T>(fn: () => Promise<T>): Promise<T> {
  return directInsertScope.run(true, fn);
}
