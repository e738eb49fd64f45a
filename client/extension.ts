// Entry point of the extension. Activation stays cheap: it creates the output channel,
// status items, commands and views, then starts the language client without waiting
// for the server. The runtime (database driver, catalog) loads on the first Connect.
import * as vscode from 'vscode';
import { DefinitionLanguageService } from './language/definitionLanguageService';
import { ServerStatusItem } from './status/serverStatusItem';
import { ConnectionStatusItem } from './status/connectionStatusItem';
import { registerServerCommands } from './commands/serverCommands';
import { registerConnectionCommands } from './commands/connectionCommands';
import { ConnectionManager } from './connection/connectionManager';
import { TARGET_SETTINGS } from './connection/connectionSettings';
import { TablesTreeProvider } from './views/tablesTree';
import { autoRefresh } from './views/autoRefresh';
import type { DataJointApi } from './api';
import { registerComputations } from './populate/registerComputations';
import { registerTypesCommand } from './types/typesCommand';
import { Notices } from './notices';
import { TargetStatus } from './targets/targetStatus';
import { registerMigrateCommand } from './targets/migrateCommand';
import { CatalogSync } from './language/catalogSync';

/** Settings changes closer together than this are one change (see the handler below). */
const SETTINGS_SETTLE_MS = 300;

let service: DefinitionLanguageService | undefined;
let connection: ConnectionManager | undefined;

export function activate(context: vscode.ExtensionContext): DataJointApi {
  const output = vscode.window.createOutputChannel('DataJoint', { log: true });
  context.subscriptions.push(output);

  service = new DefinitionLanguageService(context.asAbsolutePath('dist/server.js'), output);
  context.subscriptions.push(service, new ServerStatusItem(service));
  registerServerCommands(context, service, output);
  registerTypesCommand(context, output);
  const targetStatus = new TargetStatus(service);
  context.subscriptions.push(targetStatus);
  registerMigrateCommand(context, service);

  const notices = new Notices();
  context.subscriptions.push(notices);
  const conn = new ConnectionManager(context.secrets, output);
  connection = conn;
  const tables = new TablesTreeProvider(conn);
  const tablesView = vscode.window.createTreeView('datajoint.tables', { treeDataProvider: tables, showCollapseAll: true });
  context.subscriptions.push(conn, tables, tablesView, new ConnectionStatusItem(conn));
  context.subscriptions.push(autoRefresh(tablesView, () => tables.refresh(), () => conn.connected));
  registerConnectionCommands(context, conn, tables, notices);
  // The language server resolves references against the database while connected.
  context.subscriptions.push(new CatalogSync(conn, service, output, tables.onDidChangeTreeData));
  // New backend/host/port/user/TLS/database edited by the user while they want to be connected: connect to
  // the new target quietly, once the edits settle (a settings.json save is one event).
  let retargetTimer: NodeJS.Timeout | undefined;
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      // Switch Connection's own writes (writingSettings) are followed by its own Connect.
      if (!conn.writesSettings && TARGET_SETTINGS.some((k) => e.affectsConfiguration(`datajoint.${k}`))) {
        if (retargetTimer) clearTimeout(retargetTimer);
        retargetTimer = setTimeout(() => {
          retargetTimer = undefined;
          void conn.settingsChanged();
        }, SETTINGS_SETTLE_MS);
      }
      if (e.affectsConfiguration('datajoint.schemas')) tables.refresh();
    }),
    new vscode.Disposable(() => retargetTimer && clearTimeout(retargetTimer)),
  );

  const computations = registerComputations(context, { connection: conn, output, tables, languageServer: service, notices });

  void service.start();
  return { languageServer: service, connection: conn, tables, tablesView, computations, onDidNotify: notices.onDidNotify };
}

export async function deactivate(): Promise<void> {
  await service?.stop();
  await connection?.disconnect();
  service = undefined;
  connection = undefined;
}
