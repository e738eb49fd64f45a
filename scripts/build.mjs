// Bundles the entry points. The extension and server are CommonJS because VS Code's
// extension host loads `main` with require(); the CLI is CommonJS too so that one Node 20
// (or Electron-as-Node) runs it with no loader flags.
//
// The extension is two bundles: dist/extension.js (activation: views, commands, the
// language client) and dist/client-runtime.js (the database driver, catalog and jobs),
// which the extension requires on first Connect (client/connection/loadRuntime.ts), so
// activation does not parse mysql2. Neither carries the populate pipeline's module
// loader (tsx, esbuild, sucrase): populate runs in the CLI. dist/embedded-server.js is the
// process serving the workspace's embedded database (PGlite), started by the runtime.
//
//   node scripts/build.mjs [--production] [--watch]
//   node scripts/build.mjs --types      (only the runtime's .d.ts files, dist/types: see buildTypes;
//                                        a plain build makes them too when a runtime source is newer)
// scripts/vscode/package-vsix.mjs and the benchmarks take the same options from
// bundleOptions() below.
import { build, context } from 'esbuild';
import { access, copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The module the extension loads lazily, and the file it becomes beside extension.js. */
export const CLIENT_RUNTIME = { entry: 'client/connection/clientRuntime.ts', outfile: 'dist/client-runtime.js' };

/** The pipeline diagram's bundle (layout library, definition index), loaded when a diagram opens (client/diagram/loadDiagramRuntime.ts). */
export const CLIENT_DIAGRAM = { entry: 'client/diagram/diagramRuntime.ts', outfile: 'dist/client-diagram.js' };

/** In the extension bundle, the import of diagramRuntime becomes a require of ./client-diagram.js. */
const diagramSplit = {
  name: 'client-diagram-split',
  setup(b) {
    b.onResolve({ filter: /[\\/]diagramRuntime$/ }, (args) => {
      const target = resolve(args.resolveDir, `${args.path}.ts`);
      return target === join(repoRoot, CLIENT_DIAGRAM.entry) ? { path: './client-diagram.js', external: true } : undefined;
    });
  },
};

// Packages only the CLI's pipeline loader uses. The extension must never bundle them; if
// an import chain pulls them in again, the build fails instead of growing by 1 MB.
const LOADER_PACKAGES = /^(tsx|esbuild|sucrase)(\/|$)/;

/** In the extension bundle, the import of clientRuntime becomes a require of ./client-runtime.js. */
const runtimeSplit = {
  name: 'client-runtime-split',
  setup(b) {
    b.onResolve({ filter: /[\\/]clientRuntime$/ }, (args) => {
      const target = resolve(args.resolveDir, `${args.path}.ts`);
      return target === join(repoRoot, CLIENT_RUNTIME.entry) ? { path: './client-runtime.js', external: true } : undefined;
    });
  },
};

/**
 * What the embedded database's server needs of PGlite (@electric-sql/pglite, kept out of the
 * bundles: it loads its WebAssembly and data files from beside its own module): its
 * CommonJS build and those files, copied into dist/pglite/ (the .vsix ships them there too).
 */
export const PGLITE_DIR = 'dist/pglite';
const PGLITE_FILES = ['dist/index.cjs', 'dist/pglite.wasm', 'dist/pglite.data', 'dist/initdb.wasm', 'LICENSE'];

/** In dist/embedded-server.js, `@electric-sql/pglite` is the copy beside it: ./pglite/index.cjs. */
const pgliteBeside = {
  name: 'pglite-beside',
  setup(b) {
    b.onResolve({ filter: /^@electric-sql\/pglite$/ }, () => ({ path: './pglite/index.cjs', external: true }));
  },
};

/** Copies PGlite's runtime files into `<outDir>` (default dist/pglite), skipping those already there. */
export async function copyPglite(outDir = join(repoRoot, PGLITE_DIR)) {
  const from = join(repoRoot, 'node_modules', '@electric-sql', 'pglite');
  await mkdir(outDir, { recursive: true });
  for (const f of PGLITE_FILES) {
    const src = join(from, f);
    const dst = join(outDir, f.replace(/^dist\//, ''));
    const [a, b] = await Promise.all([stat(src), stat(dst).catch(() => undefined)]);
    if (b && b.size === a.size && b.mtimeMs >= a.mtimeMs) continue;
    await copyFile(src, dst);
  }
}

const noLoader = (bundle) => ({
  name: 'no-pipeline-loader',
  setup(b) {
    b.onResolve({ filter: LOADER_PACKAGES }, (args) => ({
      errors: [{ text: `${bundle} must not bundle "${args.path}" (imported by ${args.importer}): import a narrower runtime module; populate runs in the CLI.` }],
    }));
  },
});

/**
 * esbuild options of every bundle, paths relative to the repository root.
 * `production`: minified, no source maps (the .vsix and the benchmarks).
 */
export function bundleOptions({ production = false } = {}) {
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    legalComments: 'none',
  };
  return [
    {
      ...common,
      entryPoints: ['client/extension.ts'],
      outfile: 'dist/extension.js',
      external: ['vscode'],
      // import() of the split-off runtime as require(): the extension host loads CommonJS.
      supported: { 'dynamic-import': false },
      plugins: [runtimeSplit, diagramSplit, noLoader('dist/extension.js')],
      // jsonc-parser's main is a UMD build whose require('./impl/…') esbuild cannot follow.
      alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
    },
    { ...common, entryPoints: [CLIENT_RUNTIME.entry], outfile: CLIENT_RUNTIME.outfile, plugins: [noLoader(CLIENT_RUNTIME.outfile)] },
    { ...common, entryPoints: [CLIENT_DIAGRAM.entry], outfile: CLIENT_DIAGRAM.outfile, plugins: [noLoader(CLIENT_DIAGRAM.outfile)] },
    // The diagram webview's script: runs in the webview, not in Node.
    { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['client/diagram/webview/diagramView.js'], outfile: 'dist/diagram-webview.js' },
    // The rows grid's webview script (it imports rowsProtocol.ts, shared with the panel).
    { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['client/rows/webview/rowsView.js'], outfile: 'dist/rows-webview.js' },
    { ...common, entryPoints: ['server/main.ts'], outfile: 'dist/server.js' },
    // tsx is loaded at run time (from node_modules or the vsix) to import user pipelines.
    { ...common, entryPoints: ['runtime/cli/main.ts'], outfile: 'dist/cli.js', external: ['tsx', 'tsx/*'] },
    // The embedded database's server process, which the runtime starts beside cli.js and
    // client-runtime.js (runtime/embedded/locate.ts). PGlite stays external: it loads its
    // pglite.wasm, pglite.data and initdb.wasm from beside its own files, which copyPglite
    // puts in dist/pglite/ (so the bundle needs no node_modules, in the .vsix either).
    { ...common, entryPoints: ['runtime/embedded/main.ts'], outfile: 'dist/embedded-server.js', plugins: [pgliteBeside], external: ['@electric-sql/pglite/*'] },
  ];
}

/** Where buildTypes writes the runtime's declarations by default (the .vsix ships them). */
export const TYPES_DIR = 'dist/types';

/**
 * The runtime's type declarations (runtime/index.ts and what its types reach), emitted by
 * tsc as a tree of .d.ts files under `outDir` (index.d.ts at its top), for pipelines that
 * `import * as dj from 'datajoint'`: the command "DataJoint: Set Up TypeScript Types"
 * (client/types) copies them into a workspace. Not type-checked here (`npm run
 * typecheck` does that); tsc only emits.
 */
export async function buildTypes(outDir = join(repoRoot, TYPES_DIR)) {
  const ts = (await import('typescript')).default;
  const config = ts.readConfigFile(join(repoRoot, 'tsconfig.json'), ts.sys.readFile);
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, repoRoot);
  const program = ts.createProgram([join(repoRoot, 'runtime', 'index.ts')], {
    ...options,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    noCheck: true,
    rootDir: join(repoRoot, 'runtime'),
    outDir,
  });
  await rm(outDir, { recursive: true, force: true });
  const result = program.emit();
  const problems = [...program.getOptionsDiagnostics(), ...result.diagnostics];
  if (result.emitSkipped || problems.length) {
    throw new Error(`build: declarations of runtime/index.ts: ${ts.formatDiagnostics(problems, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => repoRoot, getNewLine: () => '\n' })}`);
  }
}

async function main() {
  const watch = process.argv.includes('--watch');
  const production = process.argv.includes('--production');
  process.chdir(repoRoot);
  await mkdir('dist', { recursive: true });
  if (process.argv.includes('--types')) {
    await buildTypes();
    return;
  }
  const present = [];
  for (const e of bundleOptions({ production })) {
    try {
      await access(e.entryPoints[0]);
      present.push(e);
    } catch {
      console.warn(`build: skipping ${e.outfile} (no ${e.entryPoints[0]} yet)`);
    }
  }
  if (watch) {
    for (const e of present) await (await context(e)).watch();
  } else {
    await Promise.all([...present.map((e) => build(e)), copyPglite()]);
    // The development extension offers the types command too; tsc runs only after a change.
    if (await typesStale()) await buildTypes();
  }
}

/** dist/types is missing or older than a runtime source. */
async function typesStale() {
  let built;
  try {
    built = (await stat(join(repoRoot, TYPES_DIR, 'index.d.ts'))).mtimeMs;
  } catch {
    return true;
  }
  const sources = (await readdir(join(repoRoot, 'runtime'), { recursive: true })).filter((f) => f.endsWith('.ts'));
  for (const f of sources) if ((await stat(join(repoRoot, 'runtime', f))).mtimeMs > built) return true;
  return false;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    // esbuild has printed the located errors already.
    if (!e?.errors) console.error(e);
    process.exit(1);
  });
}
