// "DataJoint: Migrate Definitions to DataJoint 2" for a file, a folder or the workspace: the
// server's machine-applicable fixes as one edit, shown in the Refactor Preview first (each
// change can be unticked), then what cannot be migrated mechanically, with the reason, in
// a document whose lines link to the definitions. `djx lint --fix --target 2` is the same in CI.
import * as vscode from 'vscode';
import { MIGRATE_COMMAND, type MigrateResult } from '../../server/protocol';
import type { DefinitionLanguageService } from '../language/definitionLanguageService';

export const MIGRATE_DEFINITIONS_COMMAND = 'datajoint.migrateDefinitions';

export interface MigrateOptions {
  /** False: apply without the preview (tests, and callers that preview themselves). */
  preview?: boolean;
}

export interface MigrateOutcome {
  result: MigrateResult;
  applied: boolean;
  /** The report of what is left, when there is something. */
  report?: vscode.TextDocument;
}

export function registerMigrateCommand(context: vscode.ExtensionContext, service: DefinitionLanguageService): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(MIGRATE_DEFINITIONS_COMMAND, (target?: vscode.Uri, options?: MigrateOptions) => migrate(service, target instanceof vscode.Uri ? target : undefined, options ?? {})),
  );
}

async function migrate(service: DefinitionLanguageService, target: vscode.Uri | undefined, options: MigrateOptions): Promise<MigrateOutcome | undefined> {
  if (service.state !== 'ready') {
    void vscode.window.showWarningMessage('DataJoint: the language server is not running; restart it to migrate definitions.');
    return undefined;
  }
  let scope = target;
  if (!scope) {
    const pick = await pickScope();
    if (pick === null) return undefined;
    scope = pick;
  }
  const where = scope ? vscode.workspace.asRelativePath(scope, true) : 'the workspace';
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `DataJoint: migrating the definitions of ${where} to DataJoint 2…` },
    () => service.executeCommand<MigrateResult>(MIGRATE_COMMAND, [scope ? { uri: service.asServerUri(scope) } : {}]),
  );
  if (!result) return undefined;
  let applied = false;
  if (result.edits > 0) {
    const edit = new vscode.WorkspaceEdit();
    const metadata: vscode.WorkspaceEditEntryMetadata = { needsConfirmation: options.preview !== false, label: 'Migrate to DataJoint 2' };
    for (const [uri, edits] of Object.entries(result.edit.changes)) {
      for (const e of edits) {
        const range = new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character);
        edit.replace(vscode.Uri.parse(uri), range, e.newText, metadata);
      }
    }
    applied = await vscode.workspace.applyEdit(edit, { isRefactoring: true });
  }
  const report = result.remaining.length ? await showReport(result, where) : undefined;
  const summary = result.edits === 0
    ? `DataJoint: nothing in ${where} to migrate mechanically`
    : applied
      ? `DataJoint: ${result.edits} change${result.edits === 1 ? '' : 's'} in ${result.files} file${result.files === 1 ? '' : 's'} migrated to DataJoint 2`
      : 'DataJoint: the migration was not applied';
  const left = result.remaining.length ? `; ${result.remaining.length} cannot be migrated mechanically (listed in the report)` : '';
  void vscode.window.showInformationMessage(summary + left);
  return { result, applied, ...(report ? { report } : {}) };
}

/** The active file, a workspace folder, or the whole workspace; null when dismissed. */
async function pickScope(): Promise<vscode.Uri | undefined | null> {
  const active = vscode.window.activeTextEditor?.document;
  const items: Array<vscode.QuickPickItem & { uri: vscode.Uri | undefined }> = [];
  if (active?.languageId === 'python' && active.uri.scheme === 'file') items.push({ label: '$(file) This file', description: vscode.workspace.asRelativePath(active.uri), uri: active.uri });
  for (const f of vscode.workspace.workspaceFolders ?? []) items.push({ label: `$(folder) ${f.name}`, description: 'every Python definition of the folder', uri: f.uri });
  if ((vscode.workspace.workspaceFolders?.length ?? 0) > 1) items.push({ label: '$(files) The whole workspace', uri: undefined });
  if (items.length === 1) return items[0]!.uri;
  const pick = await vscode.window.showQuickPick(items, { title: 'Migrate Definitions to DataJoint 2', placeHolder: 'What to migrate' });
  return pick ? pick.uri : null;
}

async function showReport(result: MigrateResult, where: string): Promise<vscode.TextDocument> {
  const lines = [`# What cannot be migrated to DataJoint 2 mechanically (${where})`, '', 'Each needs a decision; the message says why.', ''];
  for (const r of result.remaining) {
    const uri = vscode.Uri.parse(r.uri);
    const link = `${uri.with({ fragment: `L${r.line + 1},${r.character + 1}` }).toString()}`;
    lines.push(`- [${vscode.workspace.asRelativePath(uri)}:${r.line + 1}](${link}) ${r.code}: ${r.message}`);
  }
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: lines.join('\n') + '\n' });
  await vscode.window.showTextDocument(doc, { preview: true });
  return doc;
}
