// Sends the language server the database catalog (server/protocol.ts: CATALOG_NOTIFICATION)
// so that references the workspace cannot resolve resolve against the declared tables
// and definitions are compared with them (DJ601): a snapshot read through the runtime's
// catalog API (runtime/catalog: catalogSnapshot, both backends; no SQL here). When one is
// taken is decided in catalogSyncPolicy.ts (no vscode; unit-tested): when the connection
// opens or comes back, when the Tables view reloads on request (the user's Refresh, a
// populate run's end), when `datajoint.schemas` changes; never on the view's auto-refresh
// ticks. Null when the connection closes; a server (re)started later gets the last
// snapshot again. Each snapshot is read through a Catalog of its own on the window's
// connection: the Tables view's catalog and its cache are left alone.
import * as vscode from 'vscode';
import type { ConnectionManager } from '../connection/connectionManager';
import { loadRuntime } from '../connection/loadRuntime';
import type { DefinitionLanguageService } from './definitionLanguageService';
import type { TablesTreeProvider } from '../views/tablesTree';
import { CatalogSyncCore, type CatalogEvent, type TablesReloadReason } from './catalogSyncPolicy';
import { catalogSnapshot } from '../../runtime/catalog/snapshot';
import { CATALOG_NOTIFICATION, type CatalogParams } from '../../server/protocol';

export class CatalogSync implements vscode.Disposable {
  private readonly core: CatalogSyncCore;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    connection: ConnectionManager,
    server: DefinitionLanguageService,
    output: vscode.LogOutputChannel,
    /** The Tables view's provider, whose reloads (with their reason) may ask for a snapshot. */
    tables?: Pick<TablesTreeProvider, 'onDidReload'>,
  ) {
    this.core = new CatalogSyncCore({
      read: () =>
        connection.withConnection(async (conn) => {
          const schemas = vscode.workspace.getConfiguration('datajoint').get<string[]>('schemas', []);
          // A Catalog of its own: fresh reads, and the view's cached columns stay as they are.
          const { Catalog } = await loadRuntime();
          return catalogSnapshot(new Catalog(conn), { label: connection.label ?? 'database', backend: conn.backend, schemas });
        }),
      send: (snapshot) => server.notify(CATALOG_NOTIFICATION, snapshot),
      sent: (snapshot) => {
        output.info(`Sent the language server the catalog of ${snapshot.label}: ${snapshot.tables.length} tables in ${snapshot.schemas.length} schemas`);
        for (const why of snapshot.incomplete ?? []) output.warn(`The language server's catalog is incomplete: ${why}`);
      },
      failed: (e) => output.warn(`Reading the catalog for the language server: ${e instanceof Error ? e.message : String(e)}`),
    });
    const on = (event: CatalogEvent) => void this.core.handle(event);
    this.subscriptions.push(
      connection.onDidChangeConnection((conn) => on({ kind: 'connection', open: conn !== undefined })),
      connection.onDidChangeState((state) => on({ kind: 'state', state, connected: connection.connected })),
      server.onDidChangeState((s) => s === 'ready' && on({ kind: 'server-ready' })),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('datajoint.schemas') && on({ kind: 'schemas', connected: connection.connected })),
    );
    if (tables) {
      const reload = (reason: TablesReloadReason) => on({ kind: 'reload', reason, connected: connection.connected });
      this.subscriptions.push(tables.onDidReload(reload));
    }
    if (connection.connected) void this.core.refresh();
  }

  /** The snapshot last sent (null: none, or disconnected). */
  get snapshot(): CatalogParams {
    return this.core.snapshot;
  }

  /** Reads the catalog again and sends it when it changed; resolves when done (a failure is logged). */
  refresh(coalesce = false): Promise<void> {
    return this.core.refresh(coalesce);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
