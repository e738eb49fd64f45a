// The diagram's share of the extension, loaded when a diagram first opens (the extension
// requires dist/client-diagram.js then: scripts/build.mjs, loadDiagramRuntime.ts), so
// activation parses neither the layout library nor the definition parser a second time.
// No vscode import: the panel passes the workspace's folders and open documents.
import { readFile } from 'node:fs/promises';
import { sourceFiles } from '../../runtime/hosts/index';
import { TableIndex } from '../../runtime/project/index';
import { graphFromIndex, type DiagramGraph } from '../../runtime/diagram/index';

export { layoutDiagram, renderSvg, toMermaid, mergeCatalog, populateChain, topologicalOrder, collapseSchemas } from '../../runtime/diagram/index';
export { catalogSnapshot } from '../../runtime/catalog/snapshot';

/** Files an index reads at most: beyond this the diagram shows what it has read. */
const MAX_FILES = 5000;

/**
 * The diagram of the workspace's definitions: every host file below the folders (chosen
 * as the language server chooses them: runtime/hosts/files.ts), an open document's text
 * in place of its file's.
 */
export async function workspaceGraph(folders: readonly string[], open: ReadonlyMap<string, string>, env: NodeJS.ProcessEnv = process.env): Promise<DiagramGraph> {
  const index = new TableIndex({ roots: [...folders] });
  const texts = new Map<string, string>();
  for (const folder of folders) {
    for await (const file of sourceFiles(folder)) {
      if (texts.size >= MAX_FILES) break;
      const text = open.get(file) ?? (await readFile(file, 'utf8').catch(() => undefined));
      if (text === undefined) continue;
      texts.set(file, text);
      index.setFile(file, text);
    }
  }
  for (const [file, text] of open) {
    if (texts.has(file) || !folders.some((f) => file.startsWith(f))) continue;
    texts.set(file, text);
    index.setFile(file, text);
  }
  return graphFromIndex(index, { textOf: (p) => texts.get(p), env });
}
