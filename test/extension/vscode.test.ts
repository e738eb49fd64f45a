// The extension's mocha suites in a real VS Code (offline launcher), with the
// repository's folder as the extension under development. See driver.ts.
import { test } from 'node:test';
import { runSuitesInVsCode } from './driver';

test('VS Code extension tests (offline VS Code)', { timeout: 15 * 60_000 }, async (t) => {
  await runSuitesInVsCode(t, { resultsName: 'vscode' });
});
