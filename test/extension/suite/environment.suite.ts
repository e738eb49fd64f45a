// The harness itself: the window the other suites rely on is set up as they expect.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { suite, test } from 'mocha';
import { createConnection } from 'node:net';

suite('Test environment', () => {
  test('the workspace is trusted (trust is off in the test profile)', () => {
    assert.equal(vscode.workspace.isTrusted, true);
  });

  test('the test database is reachable from the extension host', async () => {
    const host = process.env.DJ_TEST_HOST;
    const port = Number(process.env.DJ_TEST_PORT);
    assert.ok(host && port, 'DJ_TEST_HOST/DJ_TEST_PORT did not reach the extension host');
    assert.ok(process.env.DJ_TEST_USER, 'DJ_TEST_USER did not reach the extension host');
    await new Promise<void>((resolve, reject) => {
      const socket = createConnection({ host, port }, () => {
        socket.end();
        resolve();
      });
      socket.setTimeout(5000, () => socket.destroy(new Error(`no answer from ${host}:${port}`)));
      socket.on('error', reject);
    });
  });
});
