// Bundles the extension test suites for VS Code: test/extension/suite/index.ts and every
// *.suite.ts into out/test/extension/suite/ as CommonJS, and the benchmark's entry
// test/extension/bench/index.ts into out/test/extension/bench/. `vscode` is provided by the
// extension host and mocha is loaded from node_modules, so the suites and the index
// share one mocha instance.
//   node scripts/vscode/build-tests.mjs
import { build } from 'esbuild';
import { glob } from 'tinyglobby';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const testsOutDir = join(repoRoot, 'out', 'test', 'extension', 'suite');
export const testsIndex = join(testsOutDir, 'index.js');
export const benchIndex = join(repoRoot, 'out', 'test', 'extension', 'bench', 'index.js');

export async function buildExtensionTests() {
  const entryPoints = await glob(['test/extension/suite/index.ts', 'test/extension/suite/*.suite.ts'], { cwd: repoRoot, absolute: true });
  await build({
    entryPoints,
    outdir: testsOutDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    // The runtime's pipeline loader (tsx, esbuild) is never used by the suites; left to
    // node_modules rather than bundled.
    external: ['vscode', 'mocha', 'esbuild', 'tsx', 'tsx/*'],
    logLevel: 'warning',
  });
  // The benchmark's entry (bench/extension.bench.ts) is a separate bundle.
  await build({
    entryPoints: [join(repoRoot, 'test', 'extension', 'bench', 'index.ts')],
    outfile: benchIndex,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode'],
    logLevel: 'warning',
  });
  return testsIndex;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildExtensionTests();
  console.log(`build-tests: ${testsIndex}`);
}
