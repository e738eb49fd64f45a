// The command "DataJoint: Set Up TypeScript Types" (typesSetup.ts does the work): in the
// workspace folder of the active editor (or the one chosen), writes the declarations-only
// `datajoint` package and the tsconfig.json `paths` entry, then says what it did.
import * as vscode from 'vscode';
import { setUpTypeScriptTypes, SHIM_DIR, TypesSetupError } from './typesSetup';

export const SET_UP_TYPES_COMMAND = 'datajoint.setUpTypeScriptTypes';
/** The built-in TypeScript extension's command. */
const RESTART_TS_SERVER = 'typescript.restartTsServer';

async function chooseFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const active = vscode.window.activeTextEditor?.document.uri;
  const ofActive = active ? vscode.workspace.getWorkspaceFolder(active) : undefined;
  if (ofActive) return ofActive;
  if (folders.length <= 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: 'Workspace folder of the TypeScript pipeline' });
}

export function registerTypesCommand(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(SET_UP_TYPES_COMMAND, async (): Promise<string | undefined> => {
      const folder = await chooseFolder();
      if (!folder || folder.uri.scheme !== 'file') {
        void vscode.window.showErrorMessage('DataJoint: open the folder of a TypeScript pipeline first: the types are set up in a workspace folder on disk.');
        return undefined;
      }
      const version = String((context.extension.packageJSON as { version?: unknown }).version ?? '0.0.0');
      try {
        const r = setUpTypeScriptTypes(folder.uri.fsPath, context.asAbsolutePath('dist/types'), version);
        output.info(`types: wrote ${r.shimDir} and the "datajoint" entry of ${r.tsconfig}${r.createdTsconfig ? ' (new)' : ''}`);
        // VS Code's TypeScript service keeps the module resolution it had (a new tsconfig.json
        // or paths entry is not always picked up): restart it so that open files see the types.
        if ((await vscode.commands.getCommands(true)).includes(RESTART_TS_SERVER)) await vscode.commands.executeCommand(RESTART_TS_SERVER);
        const nodeTypes = r.nodeTypesMissing ? ' Install Node\'s types too (npm install -D @types/node): the declarations use Buffer.' : '';
        const open = 'Open tsconfig.json';
        void vscode.window
          .showInformationMessage(`DataJoint: \`import * as dj from 'datajoint'\` now type-checks in ${folder.name} (${SHIM_DIR}, tsconfig.json "paths"${r.createdTsconfig ? ', a new tsconfig.json' : ''}).${nodeTypes} Run the command again after updating the extension.`, open)
          .then((choice) => (choice === open ? vscode.window.showTextDocument(vscode.Uri.file(r.tsconfig)) : undefined));
        return r.shimDir;
      } catch (e) {
        const message = e instanceof TypesSetupError ? e.message : `Setting up the TypeScript types failed: ${e instanceof Error ? e.message : String(e)}`;
        output.error(`types: ${message}`);
        void vscode.window.showErrorMessage(`DataJoint: ${message}`);
        return undefined;
      }
    }),
  );
}
