// Commands about the language server itself.
import * as vscode from 'vscode';
import type { LanguageServerHandle } from '../api';

export const RESTART_SERVER_COMMAND = 'datajoint.restartLanguageServer';
export const SHOW_OUTPUT_COMMAND = 'datajoint.showOutput';

export function registerServerCommands(context: vscode.ExtensionContext, server: LanguageServerHandle, output: vscode.OutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(RESTART_SERVER_COMMAND, () => server.restart()),
    vscode.commands.registerCommand(SHOW_OUTPUT_COMMAND, () => output.show(true)),
  );
}
