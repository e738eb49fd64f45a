// Connect with a server's host but no user (none in the settings, the environment or a
// datajoint.json): an error that says what to set, without Markdown backticks, with
// "Open Settings" and "New Connection…", and a status bar that does not show `?@localhost`.
// (With no host either, Connect opens the workspace's local database: local-database.suite.ts.)
// Named to run after the Tables suite: run before it, its last test ("settings written one
// after another …") timed out reconnecting to the test server (not understood yet).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import type { Notice } from '../../../client/notices';
import { statusText } from '../../../client/status/connectionStatusItem';
import { activatedApi, waitFor } from './helpers';

const CLEARED = ['DJ_USER', 'DJ_HOST', 'DJ_PORT', 'DJ_PASS', 'DJ_BACKEND'];

suite('Connect without settings', function () {
  this.timeout(60_000);
  const saved: Record<string, string | undefined> = {};

  suiteSetup(async () => {
    for (const k of CLEARED) {
      saved[k] = process.env[k];
      delete process.env[k];
    }
    const config = vscode.workspace.getConfiguration('datajoint');
    for (const k of ['backend', 'port', 'user']) await config.update(k, undefined, vscode.ConfigurationTarget.Workspace);
    await config.update('host', '127.0.0.1', vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('datajoint.disconnect');
  });
  suiteTeardown(async () => {
    for (const k of CLEARED) if (saved[k] !== undefined) process.env[k] = saved[k];
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('datajoint.disconnect');
    await vscode.workspace.getConfiguration('datajoint').update('host', undefined, vscode.ConfigurationTarget.Workspace);
  });

  test('says what to set, offers Open Settings and New Connection…, and the status bar names no half-made target', async () => {
    const api = await activatedApi();
    const notices: Notice[] = [];
    const sub = api.onDidNotify((n) => notices.push(n));
    try {
      assert.equal(await vscode.commands.executeCommand('datajoint.connect'), false);
      const notice = await waitFor('the error', () => notices[0]);
      assert.equal(notice.level, 'error');
      assert.match(notice.message, /No database user/);
      assert.doesNotMatch(notice.message, /`/);
      assert.deepEqual(notice.actions, ['Open Settings', 'New Connection…']);
    } finally {
      sub.dispose();
    }
    assert.equal(api.connection.state, 'error');
    assert.equal(api.connection.needsSettings, true);
    assert.equal(api.connection.label, undefined);
    const text = statusText(api.connection);
    assert.doesNotMatch(text, /\?@/);
    assert.match(text, /no connection settings/);
  });
});
