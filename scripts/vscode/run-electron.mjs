// Runs the same extension suites in VS Code desktop downloaded by @vscode/test-electron,
// for machines that can reach the VS Code download (a contributor's laptop). This
// machine and CI use run-offline.mjs instead; `npm test` never calls this script.
//   npm run test:vscode-electron [-- --vscode <version|stable|insiders>]
// Needs a display (or xvfb-run on Linux). Database tests read DJ_TEST_* from the
// environment; without them a throwaway MariaDB is started as `npm test` does.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { runTests } from '@vscode/test-electron';
import { buildExtensionTests } from './build-tests.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const versionAt = args.indexOf('--vscode');
const version = versionAt >= 0 ? args[versionAt + 1] : 'stable';

const build = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const extensionTestsPath = await buildExtensionTests();

let db;
if (!process.env.DJ_TEST_HOST) {
  const { startMariaDB } = await import('../mariadb.mjs');
  db = await startMariaDB();
}
const scratch = mkdtempSync(join(tmpdir(), 'dj-vscode-electron-'));
const workspace = join(scratch, 'workspace');
cpSync(join(repoRoot, 'test', 'fixtures', 'vscode-workspace'), workspace, { recursive: true });
let code = 1;
try {
  code = await runTests({
    version,
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath,
    // No launcher types into this window, so the password comes the other way users
    // have: DJ_PASS in the environment.
    extensionTestsEnv: {
      ...(db ? { DJ_TEST_HOST: db.host, DJ_TEST_PORT: String(db.port), DJ_TEST_USER: db.user, DJ_TEST_PASSWORD: db.password } : {}),
      DJ_PASS: db ? db.password : (process.env.DJ_TEST_PASSWORD ?? ''),
    },
    // A fresh profile with trust off, other extensions disabled: the same window the
    // offline launcher opens.
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  });
} catch (e) {
  console.error(`run-electron: ${e instanceof Error ? e.message : String(e)}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
  await db?.stop();
}
process.exit(code);
