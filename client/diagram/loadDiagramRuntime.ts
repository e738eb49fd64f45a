// Loads the diagram's bundle (diagramRuntime.ts) once. In the extension bundle the import
// becomes a require of dist/client-diagram.js (scripts/build.mjs: diagramSplit).
export type DiagramRuntime = typeof import('./diagramRuntime');

let loaded: Promise<DiagramRuntime> | undefined;

export function loadDiagramRuntime(): Promise<DiagramRuntime> {
  loaded ??= import('./diagramRuntime').catch((e: unknown) => {
    loaded = undefined;
    throw e;
  });
  return loaded;
}
