// The status-bar item for the database connection; click to connect or manage it.
import * as vscode from 'vscode';
import type { ConnectionManager, ConnectionState } from '../connection/connectionManager';

const ICON: Record<ConnectionState, string> = {
  disconnected: '$(debug-disconnect)',
  connecting: '$(sync~spin)',
  connected: '$(plug)',
  error: '$(warning)',
};

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
    const where = c.label ?? 'no database';
    this.item.text = `${ICON[c.state]} ${c.state === 'disconnected' ? 'DataJoint: not connected' : where}`;
    const lines = [`DataJoint: ${c.state}${c.label ? ` (${c.label})` : ''}`];
    if (c.serverVersion && c.state === 'connected') lines.push(`Server ${c.serverVersion}`);
    if (c.lastError) lines.push(c.lastError);
    lines.push(c.state === 'disconnected' ? 'Click to connect.' : 'Click to switch, disconnect or change the password.');
    this.item.tooltip = lines.join('\n');
    this.item.command = c.state === 'disconnected' ? 'datajoint.connect' : 'datajoint.switchConnection';
    this.item.backgroundColor = c.state === 'error' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
