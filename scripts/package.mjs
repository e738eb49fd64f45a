// `npm run package [-- --out <file.vsix>]`: the .vsix for `code --install-extension`,
// by default ./datajoint-vscode-<version>.vsix. The staging and vsce call live in
// scripts/vscode/package-vsix.mjs (shared with the installed-.vsix tests): production
// bundles only (minified, no source maps), the runtime's type declarations, grammars
// without their sources, the icons and walkthrough pages, the user's README
// (docs/extension/README.md), LICENSE and the manifest; no node_modules (the bundles carry their
// dependencies, and the CLI loads TypeScript pipelines with its bundled transpiler when
// tsx is absent: runtime/populate/transpile.ts).
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageVsix } from './vscode/package-vsix.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const at = process.argv.indexOf('--out');
const out = resolve(at > 0 && process.argv[at + 1] ? process.argv[at + 1] : join(root, `${name}-${version}.vsix`));
try {
  await packageVsix({ out });
  console.log(`package: ${out} (${(statSync(out).size / 1024 / 1024).toFixed(2)} MiB); install with: code --install-extension ${out}`);
} catch (e) {
  console.error(`package: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
