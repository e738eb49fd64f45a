// The packaged extension: builds the .vsix (scripts/vscode/package-vsix.mjs), installs it
// into the offline VS Code with VS Code's own CLI, and runs the same suites against it,
// with no development folder and no node_modules beside the installed extension.
import { test } from 'node:test';
import { join, resolve } from 'node:path';
import { runSuitesInVsCode } from './driver';

test('VS Code extension tests against the installed .vsix', { timeout: 15 * 60_000 }, async (t) => {
  const { packageVsix } = await import('../../scripts/vscode/package-vsix.mjs');
  const vsix = await packageVsix({ out: join(resolve(import.meta.dirname, '..', '..'), '.tmp', 'test-datajoint-vscode.vsix'), say: (l: string) => t.diagnostic(l) });
  await runSuitesInVsCode(t, { vsix, resultsName: 'vsix' });
});
