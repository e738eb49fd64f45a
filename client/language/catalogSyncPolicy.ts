// When the language server gets a new snapshot of the database catalog (catalogSync.ts
// wires it to VS Code): the decisions and the bookkeeping, without vscode, so that unit
// tests drive them (test/unit/client/catalog-sync.test.ts).
//
// A snapshot describes every table of the schemas shown (up to 5000), so it is taken only
// when the catalog may have changed in a way the window can know of:
//   - the connection opened, or came back after the server was away (state 'error' then
//     'connected'), or the window said its data changed (`dataChanged`: 'connected' again);
//   - the Tables view reloaded on request: the user's Refresh (or Retry), the end of a
//     populate run (which declares its tables), a change of `datajoint.schemas`;
//   - `datajoint.schemas` changed.
// Never on the view's auto-refresh ticks (`datajoint.refreshInterval`) nor on its reloads
// for connection state changes (those are handled as connection events). Null is sent when
// the connection closes; a language server that (re)starts gets the last snapshot again.
import type { CatalogSnapshot } from '../../runtime/catalog/snapshot';

/** Why the Tables view reloaded its whole tree (views/tablesTree.ts: onDidReload). */
/** `rows`: after a change of rows or jobs only (a Jobs-view action, a Debug make()): no table changed. */
export type TablesReloadReason = 'requested' | 'automatic' | 'state' | 'rows';

export type ConnectionStateName = 'disconnected' | 'connecting' | 'connected' | 'error';

export type CatalogEvent =
  /** A connection opened (`open`), or the window's connection closed. */
  | { kind: 'connection'; open: boolean }
  | { kind: 'state'; state: ConnectionStateName; connected: boolean }
  | { kind: 'reload'; reason: TablesReloadReason; connected: boolean }
  | { kind: 'schemas'; connected: boolean }
  /** The language server is (again) ready for notifications. */
  | { kind: 'server-ready' };

export type CatalogAction = 'read' | 'clear' | 'resend' | 'none';

export interface CatalogSyncIO {
  /** Reads the catalog (a fresh read: nothing another reader cached). */
  read(): Promise<CatalogSnapshot>;
  /** Sends the language server a snapshot, or null. */
  send(snapshot: CatalogSnapshot | null): void;
  /** A new snapshot was sent. */
  sent?(snapshot: CatalogSnapshot): void;
  /** A read failed (and was not overtaken by a newer one). */
  failed?(error: unknown): void;
}

export interface SyncState {
  /** The connection state seen before this event (undefined: none since the last close). */
  previous: ConnectionStateName | undefined;
  /** A snapshot was sent (and not cleared since). */
  hasSnapshot: boolean;
  /** A read is under way that a connection's opening started (it reads the new connection). */
  readingOpened: boolean;
}

/** The action for an event. */
export function decide(event: CatalogEvent, s: SyncState): CatalogAction {
  switch (event.kind) {
    case 'connection':
      return event.open ? 'read' : 'clear';
    case 'state':
      if (event.state !== 'connected' || !event.connected) return 'none';
      // Told the data changed (the state fired again while connected: a reset of the local database).
      if (s.previous === 'connected') return 'read';
      // Connected just after the connection opened: the read the opening started is the one.
      if (s.readingOpened) return 'none';
      // Back after the server was away (tables may have been declared meanwhile), or no
      // snapshot yet (the read at the opening failed).
      return s.previous === 'error' || !s.hasSnapshot ? 'read' : 'none';
    case 'reload':
      return event.reason === 'requested' && event.connected ? 'read' : 'none';
    case 'schemas':
      return event.connected ? 'read' : 'none';
    case 'server-ready':
      return s.hasSnapshot ? 'resend' : 'none';
  }
}

export class CatalogSyncCore {
  private last: CatalogSnapshot | null = null;
  private lastJson = 'null';
  private previous: ConnectionStateName | undefined;
  /** A read under way, and whether another was asked for meanwhile (coalesced into one). */
  private reading: Promise<void> | undefined;
  private again = false;
  /** The read under way started in this same turn of the event loop: a request now joins it. */
  private fresh = false;
  /** Bumped by every read and by disconnecting: a read that finishes after a newer one is dropped. */
  private run = 0;
  /** The read under way was started by a connection's opening. */
  private readingOpened = false;

  constructor(private readonly io: CatalogSyncIO) {}

  /** The snapshot last sent (null: none, or disconnected). */
  get snapshot(): CatalogSnapshot | null {
    return this.last;
  }

  /** Acts on an event; resolves when a read it started (or joined) is done. */
  handle(event: CatalogEvent): Promise<void> {
    const action = decide(event, { previous: this.previous, hasSnapshot: this.last !== null, readingOpened: this.reading !== undefined && this.readingOpened });
    if (event.kind === 'state') this.previous = event.state;
    if (event.kind === 'connection' && !event.open) this.previous = undefined;
    switch (action) {
      case 'read': {
        // A new connection: what a read of the old one says is of no use.
        if (event.kind === 'connection') {
          this.again = false;
          const read = this.refresh(false);
          this.readingOpened = true;
          return read;
        }
        return this.refresh(true);
      }
      case 'clear':
        this.clear();
        break;
      case 'resend':
        if (this.last) this.io.send(this.last);
        break;
      case 'none':
        break;
    }
    return this.reading ?? Promise.resolve();
  }

  /**
   * Reads the catalog again and sends it when it changed; resolves when done (a failure is
   * reported). `coalesce`: while a read is under way, one more follows it (unless the one
   * under way started in this very turn, after whatever asked for this one).
   */
  refresh(coalesce = false): Promise<void> {
    if (coalesce && this.reading) {
      if (!this.fresh) this.again = true;
      return this.reading;
    }
    this.fresh = true;
    this.readingOpened = false;
    queueMicrotask(() => (this.fresh = false));
    const read = this.read().finally(() => {
      if (this.reading === read) {
        this.reading = undefined;
        this.readingOpened = false;
      }
      if (this.again) {
        this.again = false;
        void this.refresh(true);
      }
    });
    this.reading = read;
    return read;
  }

  private async read(): Promise<void> {
    const run = ++this.run;
    try {
      const snapshot = await this.io.read();
      if (run !== this.run) return;
      // Row estimates move with every insert; they say nothing the server uses.
      const json = JSON.stringify(snapshot, (k, v: unknown) => (k === 'estimatedRows' ? undefined : v));
      if (json === this.lastJson) return; // unchanged: the server need not check everything again
      this.last = snapshot;
      this.lastJson = json;
      this.io.send(snapshot);
      this.io.sent?.(snapshot);
    } catch (e) {
      if (run === this.run) this.io.failed?.(e);
    }
  }

  private clear(): void {
    this.run++;
    this.again = false;
    if (this.last === null) return;
    this.last = null;
    this.lastJson = 'null';
    this.io.send(null);
  }
}
