// Bundles the three entry points. The extension and server are CommonJS because
// VS Code's extension host loads `main` with require(); the CLI is CommonJS too so
// that one Node 20 (or Electron-as-Node) runs it with no loader flags.
import { build, context } from 'esbuild';
import { mkdir } from 'node:fs/promises';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

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

const entries = [
  { entryPoints: ['client/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { entryPoints: ['server/main.ts'], outfile: 'dist/server.js' },
  // tsx is loaded at run time (from node_modules or the vsix) to import user pipelines.
  { entryPoints: ['runtime/cli/main.ts'], outfile: 'dist/cli.js', external: ['tsx', 'tsx/*'] },
];

await mkdir('dist', { recursive: true });
const present = [];
for (const e of entries) {
  try {
    await import('node:fs').then((fs) => fs.promises.access(e.entryPoints[0]));
    present.push(e);
  } catch {
    console.warn(`build: skipping ${e.outfile} (no ${e.entryPoints[0]} yet)`);
  }
}
if (watch) {
  for (const e of present) await (await context({ ...common, ...e })).watch();
} else {
  await Promise.all(present.map((e) => build({ ...common, ...e })));
}
