// The status-bar item for the language server: its state at a glance, the output on click.
import * as vscode from 'vscode';
import type { LanguageServerHandle, ServerState } from '../api';
import { SHOW_OUTPUT_COMMAND } from '../commands/serverCommands';

const LOOK: Record<ServerState, { text: string; tooltip: string; background?: string }> = {
  stopped: { text: '$(circle-slash) DataJoint', tooltip: 'DataJoint language server: stopped' },
  starting: { text: '$(sync~spin) DataJoint', tooltip: 'DataJoint language server: starting' },
  ready: { text: '$(database) DataJoint', tooltip: 'DataJoint language server: ready' },
  error: { text: '$(error) DataJoint', tooltip: 'DataJoint language server: error', background: 'statusBarItem.errorBackground' },
};

export class ServerStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('datajoint.serverStatus', vscode.StatusBarAlignment.Right, 100);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly server: LanguageServerHandle) {
    this.item.name = 'DataJoint Language Server';
    this.item.command = SHOW_OUTPUT_COMMAND;
    this.subscription = server.onDidChangeState(() => this.render());
    this.render();
    this.item.show();
  }

  private render(): void {
    const look = LOOK[this.server.state];
    this.item.text = look.text;
    const detail = this.server.lastError ? `\n${this.server.lastError}` : '';
    this.item.tooltip = `${look.tooltip}${detail}\nClick to show the output.`;
    this.item.backgroundColor = look.background ? new vscode.ThemeColor(look.background) : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
