// Finds where a database table is defined in the workspace's source, through the
// language server's index (its workspace symbols: name = class, container = tier, or
// the master's name for a part). Tables are matched by class name and tier, the way
// DataJoint names them (a schema's table `#method` is class Method, tier Lookup).
import * as vscode from 'vscode';
import type { TableSummary } from '../../runtime/catalog/index';

export async function findTableDefinitions(table: TableSummary): Promise<vscode.Location[]> {
  const [master, part] = table.master ? table.className.split('.') : [undefined, table.className];
  const symbols = (await vscode.commands.executeCommand<vscode.SymbolInformation[]>('vscode.executeWorkspaceSymbolProvider', part)) ?? [];
  return symbols
    .filter((s) => s.kind === vscode.SymbolKind.Class && s.name === part && s.containerName === (master ?? table.tier))
    .map((s) => s.location);
}

/** Opens the definition; several (a Python and a TypeScript pipeline) are offered in a pick. */
export async function openTableDefinition(table: TableSummary): Promise<boolean> {
  const found = await findTableDefinitions(table);
  if (!found.length) {
    void vscode.window.showInformationMessage(`No definition of ${table.className} (${table.tier}) was found in this workspace's source files.`);
    return false;
  }
  let target = found[0];
  if (found.length > 1) {
    const picked = await vscode.window.showQuickPick(
      found.map((l) => ({ label: vscode.workspace.asRelativePath(l.uri), description: `line ${l.range.start.line + 1}`, location: l })),
      { title: `Definitions of ${table.className}` },
    );
    if (!picked) return false;
    target = picked.location;
  }
  await vscode.window.showTextDocument(target.uri, { selection: target.range, preview: true });
  return true;
}
