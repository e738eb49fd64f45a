// Database passwords in VS Code's SecretStorage (the OS keyring on desktop), one per login
// (backend, user, host, port: connectionTarget.ts passwordKey, which keeps the MySQL keys
// of earlier releases), asked once. Never written to settings, never logged.
import * as vscode from 'vscode';
import { describeTarget, passwordKey, type TargetName } from './connectionTarget';

export class PasswordStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  get(t: TargetName): Thenable<string | undefined> {
    return this.secrets.get(passwordKey(t));
  }

  store(t: TargetName, password: string): Thenable<void> {
    return this.secrets.store(passwordKey(t), password);
  }

  forget(t: TargetName): Thenable<void> {
    return this.secrets.delete(passwordKey(t));
  }

  /** Asks the user; undefined when they cancel. */
  async ask(t: TargetName, reason?: string): Promise<string | undefined> {
    return vscode.window.showInputBox({
      title: 'DataJoint: database password',
      prompt: `${reason ? `${reason} ` : ''}Password for ${describeTarget(t)} (kept in VS Code's secret storage)`,
      password: true,
      ignoreFocusOut: true,
    });
  }
}
