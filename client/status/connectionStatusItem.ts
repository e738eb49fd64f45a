// The status-bar item for the database connection; click to connect or manage it.
import * as vscode from 'vscode';
import type { ConnectionInfo, ConnectionManager, ConnectionState } from '../connection/connectionManager';
import { localStatusLines } from '../connection/localDatabase';

/** The tooltip's lines about the local database (none on a server). */
function localLines(c: ConnectionInfo): string[] {
  const target = c.currentTarget?.local;
  if (!target) return [];
  return localStatusLines({ dataDir: c.local?.dataDir ?? target.dataDir, serverPid: c.state === 'connected' ? c.local?.serverPid : undefined, reason: target.reason });
}

const ICON: Record<ConnectionState, string> = {
  disconnected: '$(debug-disconnect)',
  connecting: '$(sync~spin)',
  connected: '$(plug)',
  error: '$(warning)',
};

/** The item's text: where the window is connected, or why not. */
export function statusText(c: ConnectionInfo): string {
  if (c.state === 'disconnected') return `${ICON[c.state]} DataJoint: not connected`;
  if (c.state === 'error' && c.needsSettings) return `${ICON[c.state]} DataJoint: no connection settings`;
  return `${ICON[c.state]} ${c.label ?? 'DataJoint'}`;
}

export class ConnectionStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('datajoint.connectionStatus', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly connection: ConnectionManager) {
    this.item.name = 'DataJoint Connection';
    this.subscription = connection.onDidChangeState(() => this.render());
    this.render();
    this.item.show();
  }

  private render(): void {
    const c = this.connection;
    this.item.text = statusText(c);
    const lines = [`DataJoint: ${c.state}${c.label ? ` (${c.label})` : ''}`];
    if (c.serverVersion && c.state === 'connected') lines.push(`Server ${c.serverVersion}`);
    lines.push(...localLines(c));
    if (c.lastError) lines.push(c.lastError);
    lines.push(c.state === 'disconnected' ? 'Click to connect.' : 'Click to switch, disconnect or change the password.');
    this.item.tooltip = lines.join('\n');
    this.item.command = c.state === 'disconnected' || c.needsSettings ? 'datajoint.connect' : 'datajoint.switchConnection';
    this.item.backgroundColor = c.state === 'error' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
