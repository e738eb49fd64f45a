// Files over `datajoint.maxFileSize` (initialization option `maxFileSize`, megabytes) are
// not indexed, and the server says so: a warning message naming the file and the setting,
// a log line, `skipped` in datajoint/indexReady, and on a reference to one of its tables. Raising the limit indexes the file, so a
// table defined in a 3.5 MB file resolves, as it does for `djx lint`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, fileUri, LspClient } from './client';

const USER = 'import datajoint as dj\nfrom .big import Session\n\n\nclass User(dj.Manual):\n    definition = """\n    -> Session\n    user_id : int32\n    """\n';

describe('file size limit', () => {
  let root: string;
  let big: string;
  before(() => {
    ensureBuilt();
    root = mkdtempSync(join(tmpdir(), 'dj-lsp-size-'));
    big = join(root, 'big.py');
    // 3.5 MB: the table, then a large generated constant.
    const padding = `DATA = [\n${'    0,\n'.repeat(540_000)}]\n`;
    writeFileSync(big, 'import datajoint as dj\n\n\nclass Session(dj.Manual):\n    definition = """\n    session_id : int32\n    """\n\n\n' + padding);
    writeFileSync(join(root, '__init__.py'), '');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('skips a 3.5 MB file at the default limit and says so; its table does not resolve', async () => {
    const { client } = await LspClient.start(root);
    try {
      await client.waitIndexed();
      assert.equal(client.indexReady!.skipped.length, 1);
      assert.equal(client.indexReady!.skipped[0].path, big);
      assert.ok(client.indexReady!.skipped[0].bytes > 3.5 * 1024 * 1024);
      await client.until('the warning', () => client.received.messages.length > 0);
      const warning = client.received.messages[0];
      assert.equal(warning.type, 2, 'a warning');
      assert.match(warning.message, /1 file is over datajoint\.maxFileSize \(2\.0 MB\) and not indexed/);
      assert.ok(warning.message.includes(`${big} (3.`), warning.message);
      assert.ok(client.received.logs.some((l) => l.includes(`${big} (3.`) && l.includes('is not indexed')), client.received.logs.join('\n'));
      const uri = fileUri(join(root, 'user.py'));
      client.open(uri, USER);
      const d = await client.waitDiagnostics(uri, (x) => x.length > 0);
      assert.deepEqual(d.map((x) => x.code), ['DJ303']);
      // The reference says why: the file it would come from was skipped.
      assert.match(String(d[0].message), /Cannot resolve `Session`: it may be defined in .*big\.py, which is not indexed \(3\.\d MB, over datajoint\.maxFileSize: 2\.0 MB\)/);
    } finally {
      await client.stop();
    }
  });

  it('indexes it with maxFileSize 4: the table resolves, nothing is skipped or shown', async () => {
    const { client } = await LspClient.start(root, { initializationOptions: { maxFileSize: 4 } });
    try {
      await client.waitIndexed();
      assert.deepEqual(client.indexReady!.skipped, []);
      const uri = fileUri(join(root, 'user.py'));
      client.open(uri, USER);
      assert.deepEqual(await client.waitDiagnostics(uri), []);
      assert.deepEqual(client.received.messages, []);
    } finally {
      await client.stop();
    }
  });
});
