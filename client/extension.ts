// Entry point of the extension. Activation stays cheap: it creates the output channel,
// the status item and the commands, then starts the language client without waiting
// for the server, so the editor's startup is not held up by it.
import * as vscode from 'vscode';
import { DefinitionLanguageService } from './language/definitionLanguageService';
import { ServerStatusItem } from './status/serverStatusItem';
import { registerServerCommands } from './commands/serverCommands';
import type { DataJointApi } from './api';

let service: DefinitionLanguageService | undefined;

export function activate(context: vscode.ExtensionContext): DataJointApi {
  const output = vscode.window.createOutputChannel('DataJoint', { log: true });
  context.subscriptions.push(output);

  service = new DefinitionLanguageService(context.asAbsolutePath('dist/server.js'), output);
  context.subscriptions.push(service);
  context.subscriptions.push(new ServerStatusItem(service));
  registerServerCommands(context, service, output);

  void service.start();
  return { languageServer: service };
}

export async function deactivate(): Promise<void> {
  await service?.stop();
  service = undefined;
}
