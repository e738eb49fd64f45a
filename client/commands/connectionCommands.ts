// Connect, Disconnect, Switch connection, Change password, and the Tables view's actions
// (refresh, exact row count, open the table's definition in source).
import * as vscode from 'vscode';
import type { ConnectionManager } from '../connection/connectionManager';
import type { TablesNode, TablesTreeProvider } from '../views/tablesTree';
import { openTableDefinition } from '../views/tableDefinitions';
import type { Notices } from '../notices';

interface Recent {
  host: string;
  port: number;
  user: string;
}
const RECENT_KEY = 'datajoint.recentConnections';

// Host/port/user go to the workspace's settings when a folder is open (the database
// belongs to the project), else to the user's. Never the password.
// One batch of writes: the connection is not retargeted to a half-written target.
async function saveTarget(connection: ConnectionManager, t: Recent): Promise<void> {
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  const config = vscode.workspace.getConfiguration('datajoint');
  await connection.writingSettings(
    async () => {
      await config.update('host', t.host, target);
      await config.update('port', t.port, target);
      await config.update('user', t.user, target);
    },
    { host: t.host, port: t.port, user: t.user },
  );
}

async function askTarget(): Promise<Recent | undefined> {
  const config = vscode.workspace.getConfiguration('datajoint');
  const host = await vscode.window.showInputBox({ title: 'DataJoint: database host', value: config.get('host') || 'localhost', ignoreFocusOut: true });
  if (!host) return undefined;
  const portText = await vscode.window.showInputBox({
    title: 'DataJoint: database port',
    value: String(config.get<number>('port') || 3306),
    ignoreFocusOut: true,
    validateInput: (v) => (/^\d{1,5}$/.test(v) && Number(v) > 0 && Number(v) < 65536 ? undefined : 'A port number between 1 and 65535'),
  });
  if (!portText) return undefined;
  const user = await vscode.window.showInputBox({ title: 'DataJoint: database user', value: config.get('user') || '', ignoreFocusOut: true });
  if (!user) return undefined;
  return { host: host.trim(), port: Number(portText), user: user.trim() };
}

export function registerConnectionCommands(
  context: vscode.ExtensionContext,
  connection: ConnectionManager,
  tables: TablesTreeProvider,
  notices: Notices,
): void {
  const remember = async () => {
    const label = connection.label;
    const m = label && /^(.*)@(.*):(\d+)$/.exec(label);
    if (!m) return;
    const entry: Recent = { user: m[1], host: m[2], port: Number(m[3]) };
    const old = context.globalState.get<Recent[]>(RECENT_KEY, []).filter((r) => !(r.host === entry.host && r.port === entry.port && r.user === entry.user));
    await context.globalState.update(RECENT_KEY, [entry, ...old].slice(0, 8));
  };
  const newConnection = async () => {
    const t = await askTarget();
    if (!t) return false;
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
      const recents = context.globalState.get<Recent[]>(RECENT_KEY, []).filter((r) => `${r.user}@${r.host}:${r.port}` !== connection.label);
      const items: Pick[] = [
        ...recents.map((r) => ({ label: `$(database) ${r.user}@${r.host}:${r.port}`, description: 'recent', run: async () => (await saveTarget(connection, r), connect()) })),
        { label: '$(add) New connection…', run: newConnection },
        { label: '$(key) Change password…', run: () => connection.changePassword() },
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
