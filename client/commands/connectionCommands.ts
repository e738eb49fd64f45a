// Connect, Disconnect, Switch connection, Change password, and the Tables view's actions
// (refresh, exact row count, open the table's definition in source).
import * as vscode from 'vscode';
import type { ConnectionManager } from '../connection/connectionManager';
import { resolveConnectionTarget } from '../connection/connectionSettings';
import {
  DEFAULT_DATABASE_NAME,
  DEFAULT_PORT,
  describeTarget,
  parseRecents,
  recentOf,
  rememberRecent,
  sameConnection,
  type Backend,
  type RecentConnection,
} from '../connection/connectionTarget';
import type { TablesNode, TablesTreeProvider } from '../views/tablesTree';
import { openTableDefinition } from '../views/tableDefinitions';
import type { Notices } from '../notices';
import { LOCAL_DATABASE_LABEL } from '../connection/connectionTarget';
import { OPEN_LOCAL_DATABASE_COMMAND } from '../commandNames';

// Old entries ({host, port, user}) are read as MySQL ones: connectionTarget.ts parseRecents.
const RECENT_KEY = 'datajoint.recentConnections';

// The backend, host, port, user (and PostgreSQL's database) go to the workspace's settings
// when a folder is open (the database belongs to the project), else to the user's. Never
// the password. The backend is written as chosen, never `auto`: the form's choice must win
// over a DJ_BACKEND in the editor's environment. A MySQL target clears databaseName, which
// would otherwise wait for the next switch to PostgreSQL with a stale name.
// One batch of writes: the connection is not retargeted to a half-written target.
async function saveTarget(connection: ConnectionManager, t: RecentConnection): Promise<void> {
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  const config = vscode.workspace.getConfiguration('datajoint');
  const databaseName = t.backend === 'postgresql' ? (t.databaseName ?? DEFAULT_DATABASE_NAME) : undefined;
  await connection.writingSettings(
    async () => {
      await config.update('backend', t.backend, target);
      await config.update('host', t.host, target);
      await config.update('port', t.port, target);
      await config.update('user', t.user, target);
      await config.update('databaseName', databaseName, target);
    },
    { backend: t.backend, host: t.host, port: t.port, user: t.user, databaseName },
  );
}

/** What the form's first step offers: a server's backend, or the workspace's local database. */
type BackendChoice = Backend | 'local';
type BackendItem = vscode.QuickPickItem & { backend: BackendChoice };
const BACKEND_ITEMS: readonly BackendItem[] = [
  { backend: 'mysql', label: 'MySQL / MariaDB', description: 'MySQL 8, MariaDB' },
  { backend: 'postgresql', label: 'PostgreSQL', description: 'PostgreSQL 15+' },
  { backend: 'local', label: LOCAL_DATABASE_LABEL, description: 'PostgreSQL kept in .datajoint/, no server; this machine only', detail: 'Work across several machines (SLURM) needs a MySQL or PostgreSQL server.' },
];

/** The backend, first: it decides the port's default and whether a database is asked. */
function askBackend(current: BackendChoice): Promise<BackendChoice | undefined> {
  const pick = vscode.window.createQuickPick<BackendItem>();
  pick.title = 'DataJoint: database backend';
  pick.placeholder = 'The database server the pipeline lives on';
  pick.items = BACKEND_ITEMS;
  // The backend in use is the one highlighted: Enter keeps it.
  pick.activeItems = BACKEND_ITEMS.filter((i) => i.backend === current);
  pick.ignoreFocusOut = true;
  return new Promise<BackendChoice | undefined>((resolve) => {
    pick.onDidAccept(() => {
      resolve(pick.selectedItems[0]?.backend ?? pick.activeItems[0]?.backend);
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined); // after an accept, a no-op: the promise is settled
      pick.dispose();
    });
    pick.show();
  });
}

async function askTarget(): Promise<RecentConnection | 'local' | undefined> {
  // The form starts from the target the window would connect to now (settings, DJ_*,
  // datajoint.json), or the bare defaults when those cannot be read.
  const resolved = await resolveConnectionTarget(vscode.workspace.workspaceFolders?.[0]?.uri).catch(() => undefined);
  // The local database's placeholders (host, port) are no server's to start from.
  const now = resolved?.local ? undefined : resolved;
  const backend = await askBackend(resolved?.local ? 'local' : (now?.backend ?? 'mysql'));
  if (!backend || backend === 'local') return backend;
  const host = await vscode.window.showInputBox({ title: 'DataJoint: database host', value: now?.host || 'localhost', ignoreFocusOut: true });
  if (!host) return undefined;
  // The port in use only when it is this backend's: a MySQL port is no PostgreSQL default.
  const port = now && now.backend === backend ? now.port : DEFAULT_PORT[backend];
  const portText = await vscode.window.showInputBox({
    title: 'DataJoint: database port',
    value: String(port),
    ignoreFocusOut: true,
    validateInput: (v) => (/^\d{1,5}$/.test(v) && Number(v) > 0 && Number(v) < 65536 ? undefined : 'A port number between 1 and 65535'),
  });
  if (!portText) return undefined;
  const user = await vscode.window.showInputBox({ title: 'DataJoint: database user', value: now?.user ?? '', ignoreFocusOut: true });
  if (!user) return undefined;
  const t: RecentConnection = { backend, host: host.trim(), port: Number(portText), user: user.trim() };
  if (backend === 'postgresql') {
    const name = await vscode.window.showInputBox({
      title: 'DataJoint: database name',
      prompt: `The PostgreSQL database whose schemas hold the pipeline (empty: ${DEFAULT_DATABASE_NAME})`,
      value: now?.databaseName ?? DEFAULT_DATABASE_NAME,
      ignoreFocusOut: true,
    });
    if (name === undefined) return undefined;
    t.databaseName = name.trim() || DEFAULT_DATABASE_NAME;
  }
  return t;
}

export function registerConnectionCommands(
  context: vscode.ExtensionContext,
  connection: ConnectionManager,
  tables: TablesTreeProvider,
  notices: Notices,
): void {
  const remember = async () => {
    const entry = connection.currentTarget && recentOf(connection.currentTarget);
    if (!entry) return;
    await context.globalState.update(RECENT_KEY, rememberRecent(context.globalState.get<unknown>(RECENT_KEY), entry));
  };
  const newConnection = async (): Promise<boolean> => {
    const t = await askTarget();
    if (!t) return false;
    if (t === 'local') return (await vscode.commands.executeCommand<boolean>(OPEN_LOCAL_DATABASE_COMMAND)) ?? false;
    await saveTarget(connection, t);
    return connect();
  };
  const connect = async (): Promise<boolean> => {
    const ok = await connection.connect({ interactive: true });
    if (ok) await remember();
    else if (connection.state === 'error' && connection.lastError) {
      // Settings missing or unreadable: the way to fix them, one click away.
      notices.show(
        'error',
        connection.lastError,
        connection.needsSettings
          ? [
              { title: 'Open Settings', run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'datajoint.') },
              { title: 'New Connection…', run: newConnection },
            ]
          : [{ title: 'Switch Connection…', run: () => vscode.commands.executeCommand('datajoint.switchConnection') }],
      );
    }
    return ok;
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('datajoint.connect', connect),
    vscode.commands.registerCommand('datajoint.disconnect', () => connection.disconnect()),
    vscode.commands.registerCommand('datajoint.changePassword', () => connection.changePassword()),
    vscode.commands.registerCommand('datajoint.switchConnection', async () => {
      type Pick = vscode.QuickPickItem & { run: () => Promise<unknown> };
      const current = connection.currentTarget;
      const recents = parseRecents(context.globalState.get<unknown>(RECENT_KEY)).filter((r) => !current || !sameConnection(r, current));
      const items: Pick[] = [
        ...recents.map((r) => ({ label: `$(database) ${describeTarget(r)}`, description: 'recent', run: async () => (await saveTarget(connection, r), connect()) })),
        // The workspace's own database, beside the servers (unless it is the one in use).
        ...(current?.local && connection.state !== 'disconnected'
          ? []
          : [{ label: `$(home) ${LOCAL_DATABASE_LABEL}`, description: 'no server; this machine only', run: async () => vscode.commands.executeCommand(OPEN_LOCAL_DATABASE_COMMAND) }]),
        { label: '$(add) New connection…', run: newConnection },
        ...(current?.local ? [] : [{ label: '$(key) Change password…', run: () => connection.changePassword() }]),
      ];
      if (connection.state !== 'disconnected') items.push({ label: '$(debug-disconnect) Disconnect', run: () => connection.disconnect() });
      const chosen = await vscode.window.showQuickPick(items, { title: `DataJoint: ${connection.label ?? 'connection'}`, placeHolder: 'Switch or manage the database connection' });
      await chosen?.run();
    }),
    vscode.commands.registerCommand('datajoint.refreshTables', () => tables.refresh()),
    vscode.commands.registerCommand('datajoint.openTableDefinition', async (node?: TablesNode) => {
      if (!node || node.kind !== 'table') return false;
      return openTableDefinition(node.table);
    }),
    vscode.commands.registerCommand('datajoint.countRows', async (node?: TablesNode) => {
      if (!node || node.kind !== 'table') return undefined;
      try {
        return await tables.countExactly(node);
      } catch (e) {
        void vscode.window.showErrorMessage(`Counting ${node.table.className}: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
      }
    }),
  );
}
