// The session names (SLURM tasks: runtime/connection/session-name.ts) of reservations'
// connections, shared by the Jobs view and the Workers view: both show the same holders, so
// within one refresh a connection's name is asked of the server once, by whichever view
// asks first, and a refresh (of either view) starts over, since sessions come and go.
// No vscode import.

/** Asks the server for the names of `ids` (runtime/jobs/session-names.ts); ids it does not name are absent. */
export type AskSessionNames = (ids: number[]) => Promise<Map<number, string>>;

export class SessionNamesCache {
  /** By connection id: the name, or undefined for a connection the server did not name. */
  private entries = new Map<number, Promise<string | undefined>>();

  /** Starts a new refresh: names are asked for again. */
  invalidate(): void {
    this.entries = new Map();
  }

  /** The names of `ids`, asking `ask` (one query) only for those this refresh has not asked for. */
  async names(ids: readonly number[], ask: AskSessionNames): Promise<Map<number, string>> {
    const entries = this.entries;
    const missing = [...new Set(ids)].filter((id) => !entries.has(id));
    if (missing.length) {
      const batch = ask(missing);
      for (const id of missing) {
        const one = batch.then((m) => m.get(id));
        entries.set(id, one);
        // A failed ask is not kept: the next view to ask tries again.
        one.catch(() => entries.get(id) === one && entries.delete(id));
      }
    }
    const out = new Map<number, string>();
    for (const id of new Set(ids)) {
      const name = await entries.get(id);
      if (name !== undefined) out.set(id, name);
    }
    return out;
  }
}
