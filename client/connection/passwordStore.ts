// Database passwords in VS Code's SecretStorage (the OS keyring on desktop), one per
// user@host:port, asked once. Never written to settings, never logged.
import * as vscode from 'vscode';
import { describeTarget, type ConnectionTarget } from './connectionSettings';

const key = (t: Pick<ConnectionTarget, 'host' | 'port' | 'user'>) => `datajoint.password/${describeTarget(t)}`;

export class PasswordStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  get(t: ConnectionTarget): Thenable<string | undefined> {
    return this.secrets.get(key(t));
  }

  store(t: ConnectionTarget, password: string): Thenable<void> {
    return this.secrets.store(key(t), password);
  }

  forget(t: ConnectionTarget): Thenable<void> {
    return this.secrets.delete(key(t));
  }

  /** Asks the user; undefined when they cancel. */
  async ask(t: ConnectionTarget, reason?: string): Promise<string | undefined> {
    return vscode.window.showInputBox({
      title: 'DataJoint: database password',
      prompt: `${reason ? `${reason} ` : ''}Password for ${describeTarget(t)} (kept in VS Code's secret storage)`,
      password: true,
      ignoreFocusOut: true,
    });
  }
}
