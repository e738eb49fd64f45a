// Sends the language server the database catalog (server/protocol.ts: CATALOG_NOTIFICATION)
// so that references the workspace cannot resolve resolve against the declared tables
// and definitions are compared with them (DJ601): a snapshot read through the runtime's
// catalog API (runtime/catalog: catalogSnapshot, both backends; no SQL here) when the
// connection opens, when it is back after the server was away, and when the Tables view
// reloads; null when it closes. A server (re)started later gets the last snapshot again.
import * as vscode from 'vscode';
import type { ConnectionManager } from '../connection/connectionManager';
import type { DefinitionLanguageService } from './definitionLanguageService';
import { catalogSnapshot } from '../../runtime/catalog/snapshot';
import { CATALOG_NOTIFICATION, type CatalogParams } from '../../server/protocol';

export class CatalogSync implements vscode.Disposable {
  private last: CatalogParams = null;
  private lastJson = 'null';
  /** A read under way, and whether another was asked for meanwhile (coalesced into one). */
  private reading: Promise<void> | undefined;
  private again = false;
  /** Bumped by every read and by disconnecting: a read that finishes after a newer one is dropped. */
  private run = 0;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly connection: ConnectionManager,
    private readonly server: DefinitionLanguageService,
    private readonly output: vscode.LogOutputChannel,
    /** Fires when the Tables view reloads (the catalog may have changed). */
    reloaded?: vscode.Event<unknown>,
  ) {
    this.subscriptions.push(
      connection.onDidChangeConnection((conn) => (conn ? void this.refresh(true) : this.clear())),
      // Reconnected after the server was away: tables may have been declared meanwhile.
      connection.onDidChangeState((s) => {
        if (s === 'connected' && connection.connected && this.last === null) void this.refresh(true);
      }),
      server.onDidChangeState((s) => {
        if (s === 'ready' && this.last) server.notify(CATALOG_NOTIFICATION, this.last);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('datajoint.schemas') && connection.connected) void this.refresh();
      }),
    );
    // The whole view reloaded (a node's own change says nothing about the catalog).
    if (reloaded) this.subscriptions.push(reloaded((node) => node === undefined && connection.connected && void this.refresh(true)));
    if (connection.connected) void this.refresh();
  }

  /** The snapshot last sent (null: none, or disconnected). */
  get snapshot(): CatalogParams {
    return this.last;
  }

  /**
   * Reads the catalog again and sends it when it changed; resolves when done (a failure is
   * logged). `coalesce`: while a read is under way, one more follows it instead of a new one now.
   */
  async refresh(coalesce = false): Promise<void> {
    if (coalesce && this.reading) {
      this.again = true;
      return this.reading;
    }
    const read = this.read().finally(() => {
      if (this.reading === read) this.reading = undefined;
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
    const schemas = vscode.workspace.getConfiguration('datajoint').get<string[]>('schemas', []);
    try {
      const snapshot = await this.connection.withConnection((conn, catalog) => {
        catalog.invalidate();
        return catalogSnapshot(catalog, { label: this.connection.label ?? 'database', backend: conn.backend, schemas });
      });
      if (run !== this.run) return;
      // Row estimates move with every insert; they say nothing the server uses.
      const json = JSON.stringify(snapshot, (k, v: unknown) => (k === 'estimatedRows' ? undefined : v));
      if (json === this.lastJson) return; // unchanged: the server need not check everything again
      this.last = snapshot;
      this.lastJson = json;
      this.server.notify(CATALOG_NOTIFICATION, snapshot);
      this.output.info(`Sent the language server the catalog of ${snapshot.label}: ${snapshot.tables.length} tables in ${snapshot.schemas.length} schemas`);
      for (const why of snapshot.incomplete ?? []) this.output.warn(`The language server's catalog is incomplete: ${why}`);
    } catch (e) {
      if (run === this.run) this.output.warn(`Reading the catalog for the language server: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private clear(): void {
    this.run++;
    if (this.last === null) return;
    this.last = null;
    this.lastJson = 'null';
    this.server.notify(CATALOG_NOTIFICATION, null);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
