// The extension activates on a host-language file, starts its language server, and
// offers its commands; restarting the server brings it back to ready.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { suite, test } from 'mocha';
import { EXTENSION_ID, activatedApi, fixtureUri, openInEditor, screenshot, serverReady, waitFor } from './helpers';

suite('Activation', () => {
  test('opening a Python file activates the extension', async () => {
    await openInEditor(fixtureUri('bad_definition.py'));
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded`);
    await waitFor('activation', () => (ext.isActive ? true : undefined));
  });

  test('the language server becomes ready', async () => {
    await serverReady();
    await screenshot('activated');
  });

  test('the commands are registered', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['datajoint.restartLanguageServer', 'datajoint.showOutput']) {
      assert.ok(commands.includes(id), `command ${id} is missing`);
    }
  });

  test('Restart Language Server brings the server back to ready', async () => {
    const api = await activatedApi();
    const seen: string[] = [];
    const sub = api.languageServer.onDidChangeState((s) => seen.push(s));
    try {
      await vscode.commands.executeCommand('datajoint.restartLanguageServer');
      await serverReady();
    } finally {
      sub.dispose();
    }
    assert.ok(seen.includes('stopped') || seen.includes('starting'), `the server did not restart (states seen: ${seen.join(', ')})`);
    assert.equal(api.languageServer.state, 'ready');
  });
});
