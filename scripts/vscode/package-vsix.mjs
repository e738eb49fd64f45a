// Builds the .vsix with @vscode/vsce from a staging folder holding only what runs: the
// manifest, the user's README (docs/extension/README.md), license, grammars (no sources),
// icons and walkthrough pages (client/media), the production bundles, the runtime's
// type declarations (dist/types) and the Python populate runner (python/, run by the
// user's interpreter for Python tables: client/python/pythonLaunch.ts).
// Everything the extension needs at run time is inside the bundles, so the package has
// no node_modules; the embedded database's server (dist/embedded-server.js) finds PGlite's
// runtime files in dist/pglite/ beside it (build.mjs copyPglite). dist/ is not touched
// (tests may be running from it).
//   node scripts/vscode/package-vsix.mjs [--out <file.vsix>]
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { buildTypes, bundleOptions, copyPglite, PGLITE_DIR, TYPES_DIR } from '../build.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The README of the .vsix (the Marketplace page and the extension's page in VS Code). */
export const USER_README = 'docs/extension/README.md';
/** The Python runner: one file, standard library and the user's datajoint only. */
export const PYTHON_RUNNER = 'python/datajoint_vscode_runner.py';

export async function packageVsix({ out = join(repoRoot, '.tmp', 'datajoint-vscode.vsix'), say = (l) => console.log(l) } = {}) {
  // A fresh staging folder per call: two packagings at once (tests) must not share one.
  const stage = mkdtempSync(join(tmpdir(), 'dj-vsix-stage-'));
  try {
    return await packageFrom(stage, out, say);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

async function packageFrom(stage, out, say) {
  for (const f of ['package.json', 'LICENSE', 'LICENSE.md', 'CHANGELOG.md']) {
    if (existsSync(join(repoRoot, f))) cpSync(join(repoRoot, f), join(stage, f));
  }
  // The extension's page shows the user's README, not the repository's developer one.
  cpSync(join(repoRoot, USER_README), join(stage, 'README.md'));
  // Grammars and their language configuration; their generator sources stay out.
  mkdirSync(join(stage, 'syntaxes'));
  for (const f of readdirSync(join(repoRoot, 'syntaxes'))) if (f.endsWith('.json')) cpSync(join(repoRoot, 'syntaxes', f), join(stage, 'syntaxes', f));
  cpSync(join(repoRoot, 'client', 'media'), join(stage, 'client', 'media'), { recursive: true });
  // The runner alone (not its tests or caches): Populate of a Python table needs it.
  if (!existsSync(join(repoRoot, PYTHON_RUNNER))) throw new Error(`package-vsix: ${PYTHON_RUNNER} is missing`);
  mkdirSync(join(stage, 'python'));
  cpSync(join(repoRoot, PYTHON_RUNNER), join(stage, PYTHON_RUNNER));
  // The bundles of scripts/build.mjs --production, written into the stage.
  for (const b of bundleOptions({ production: true })) {
    if (!existsSync(join(repoRoot, b.entryPoints[0]))) throw new Error(`package-vsix: ${b.entryPoints[0]} is missing`);
    await build({ ...b, absWorkingDir: repoRoot, entryPoints: [join(repoRoot, b.entryPoints[0])], outfile: join(stage, b.outfile) });
  }
  // PGlite's CommonJS build, WebAssembly and data files, for dist/embedded-server.js.
  await copyPglite(join(stage, PGLITE_DIR));
  // The runtime's declarations, for "DataJoint: Set Up TypeScript Types" (client/types).
  await buildTypes(join(stage, TYPES_DIR));
  const vsce = createRequire(import.meta.url).resolve('@vscode/vsce/vsce');
  mkdirSync(dirname(out), { recursive: true });
  const args = [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--out', out];
  if (!existsSync(join(stage, 'LICENSE')) && !existsSync(join(stage, 'LICENSE.md'))) args.push('--skip-license');
  const r = spawnSync(process.execPath, args, { cwd: stage, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`package-vsix: vsce failed:\n${r.stdout}\n${r.stderr}`);
  say(`package-vsix: ${out}`);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--out');
  packageVsix(at > 0 ? { out: resolve(process.argv[at + 1]) } : {}).catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
}
