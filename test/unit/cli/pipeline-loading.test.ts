// A TypeScript pipeline loads the same way whichever loader the CLI finds: tsx beside it
// (dist/cli.js in the repository, node_modules/tsx next to it) or, as inside an installed
// .vsix, its bundled transpiler (a copy of dist/cli.js with no node_modules anywhere
// above). The pipeline imports `datajoint` (provided by the CLI) and a sibling module
// without an extension.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli.js');
let project: string;
let standalone: string;

before(() => {
  if (!existsSync(cli)) {
    const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repo, stdio: 'inherit' });
    assert.equal(b.status, 0, 'build failed');
  }
  const root = mkdtempSync(path.join(tmpdir(), 'dj-loading-'));
  assert.ok(!existsSync(path.join(path.dirname(root), 'node_modules')), 'the temporary folder must have no node_modules above it');
  project = path.join(root, 'project');
  mkdirSync(project);
  writeFileSync(
    path.join(project, 'tables.ts'),
    "import * as dj from 'datajoint';\nexport const schema = new dj.Schema('dj_loading_never_connected');\nexport class Analysis extends dj.Computed {\n  static override definition = '-> Source\\n---\\nv : int32';\n}\n",
  );
  writeFileSync(path.join(project, 'pipeline.ts'), "import type { Row } from 'datajoint';\nimport { Analysis } from './tables';\nconst unused: Row | undefined = undefined;\nexport { Analysis, unused };\n");
  standalone = path.join(root, 'cli', 'cli.js');
  mkdirSync(path.dirname(standalone));
  copyFileSync(cli, standalone);
});

/** `djx populate pipeline.ts Missing`: loads the module, then names the tables it exports (no database needed). */
function populateMissing(cliPath: string): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [cliPath, 'populate', 'pipeline.ts', 'Missing'], { cwd: project, encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

for (const [loader, cliPath] of [
  ['tsx beside the CLI', () => cli],
  ['the standalone bundle', () => standalone],
] as const) {
  test(`a pipeline importing './tables' and 'datajoint' loads with ${loader}`, () => {
    const r = populateMissing(cliPath());
    assert.equal(r.stderr, `djx: No Computed or Imported table named Missing is exported by pipeline.ts; it exports Analysis.\n`);
    assert.equal(r.code, 2);
  });
}
