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
import { registerLocalDatabaseCommands } from './commands/localDatabaseCommands';
import { registerSlurmCommand } from './slurm/registerSlurm';
import { resolveConnectionTarget } from './connection/connectionSettings';
import { LOCAL_DATABASE_LABEL } from './connection/connectionTarget';
import { localDatabaseExists, MULTI_MACHINE_NOTE } from './connection/localDatabase';
import { CatalogSync } from './language/catalogSync';
import { registerDiagram } from './diagram/diagramCommands';
import { registerRows } from './rows/rowsPanel';

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
  context.subscriptions.push(new CatalogSync(conn, service, output, tables));
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
  registerLocalDatabaseCommands(context, conn, notices, output);
  const diagram = registerDiagram(context, { connection: conn, computations, output, extensionUri: context.extensionUri });
  const rows = registerRows(context, conn);
  registerSlurmCommand(context, notices);

  // The views name the local database when the window uses it, and say where work across
  // machines has to go.
  const describeViews = () => {
    const local = conn.connected ? conn.local : undefined;
    tablesView.description = local ? LOCAL_DATABASE_LABEL : undefined;
    tablesView.message = local ? `${LOCAL_DATABASE_LABEL} (${local.dir}). ${MULTI_MACHINE_NOTE}` : undefined;
    computations.jobsView.description = local ? LOCAL_DATABASE_LABEL : undefined;
  };
  context.subscriptions.push(conn.onDidChangeState(describeViews));
  // Opening the Tables or Jobs view in a workspace whose settings name no server connects
  // to its local database once, quietly, when that database exists already: a workspace
  // the user merely opens gets no .datajoint/ (Connect or Create Local Database makes it).
  let autoConnectTried = false;
  const autoConnect = async () => {
    if (autoConnectTried || conn.touched || conn.state !== 'disconnected') return;
    autoConnectTried = true;
    const target = await resolveConnectionTarget(vscode.workspace.workspaceFolders?.[0]?.uri).catch(() => undefined);
    if (!target?.local || !localDatabaseExists(target.local.dir) || conn.touched) return;
    output.info(`Connecting to the ${LOCAL_DATABASE_LABEL.toLowerCase()} found in ${target.local.dir}`);
    await conn.connect({ interactive: false, automatic: true });
  };
  for (const view of [tablesView, computations.jobsView]) {
    context.subscriptions.push(view.onDidChangeVisibility((e) => e.visible && void autoConnect()));
    if (view.visible) void autoConnect();
  }

  void service.start();
  return { languageServer: service, connection: conn, tables, tablesView, computations, onDidNotify: notices.onDidNotify, diagram, rows };
}

export async function deactivate(): Promise<void> {
  await service?.stop();
  await connection?.disconnect();
  service = undefined;
  connection = undefined;
}
