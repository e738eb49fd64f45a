// The diagram's commands: "DataJoint: Show Pipeline Diagram" (palette; the Tables view's
// title and its schema items, which show that schema with the others collapsed), "Export
// Diagram as Mermaid" and "Export Diagram as SVG" (a save dialog, or a Uri argument).
import * as vscode from 'vscode';
import { EXPORT_DIAGRAM_MERMAID_COMMAND, EXPORT_DIAGRAM_SVG_COMMAND, SHOW_DIAGRAM_COMMAND } from '../commandNames';
import { DiagramController, type DiagramDeps } from './diagramPanel';

/** A Tables view node (its schema item), or a test's `{ schema }`. */
interface ShowArgument {
  kind?: string;
  schema?: string;
}

export function registerDiagram(context: vscode.ExtensionContext, deps: DiagramDeps): DiagramController {
  const diagram = new DiagramController(deps);
  const exportAs = async (what: 'Mermaid' | 'SVG', target: unknown): Promise<vscode.Uri | undefined> => {
    const ext = what === 'Mermaid' ? 'mmd' : 'svg';
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri =
      target instanceof vscode.Uri
        ? target
        : await vscode.window.showSaveDialog({
            title: `Export Diagram as ${what}`,
            defaultUri: folder ? vscode.Uri.joinPath(folder, `pipeline.${ext}`) : undefined,
            filters: what === 'Mermaid' ? { Mermaid: ['mmd', 'mermaid', 'md'] } : { SVG: ['svg'] },
          });
    if (!uri) return undefined;
    try {
      const text = what === 'Mermaid' ? await diagram.mermaid() : await diagram.svg();
      await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
    } catch (e) {
      void vscode.window.showErrorMessage(`Export Diagram as ${what}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
    return uri;
  };
  context.subscriptions.push(
    diagram,
    vscode.commands.registerCommand(SHOW_DIAGRAM_COMMAND, async (arg?: ShowArgument) => {
      if (arg?.schema !== undefined) await diagram.showSchema(arg.schema);
      else await diagram.show();
      return diagram;
    }),
    vscode.commands.registerCommand(EXPORT_DIAGRAM_MERMAID_COMMAND, (uri?: unknown) => exportAs('Mermaid', uri)),
    vscode.commands.registerCommand(EXPORT_DIAGRAM_SVG_COMMAND, (uri?: unknown) => exportAs('SVG', uri)),
  );
  return diagram;
}
