// `import … from 'datajoint'` in a pipeline run by the djx CLI, in a workspace set up by
// "DataJoint: Set Up TypeScript Types" (client/types): that command writes a
// declarations-only `datajoint` package whose index.js hands over the runtime the CLI
// registers here, so a pipeline gets the CLI's runtime whichever loader resolved the
// name (tsx follows the tsconfig `paths` entry to that package; the bundled transpiler
// finds no package and gives the same runtime directly, transpile.ts).
export const RUNTIME_GLOBAL = 'datajoint-vscode.runtime';

export function shareRuntime(runtime: object): void {
  (globalThis as Record<symbol, unknown>)[Symbol.for(RUNTIME_GLOBAL)] = runtime;
}
