// Initialization as different editors do it: capabilities follow the client's, the
// workspace is indexed with progress reports and a watcher registration where supported,
// and the server also runs with no workspace at all (a single file in any LSP editor).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { CompletionList } from 'vscode-languageserver-protocol/node';
import { ensureBuilt, fileUri, LspClient, positionOf } from './client';
import { PY, TS } from './helpers';
import { MIGRATE_COMMAND } from '../../server/protocol';

describe('lifecycle', () => {
  it('declares its features according to a full client and indexes with progress', async () => {
    ensureBuilt();
    const { client, init } = await LspClient.start(PY);
    try {
      const c = init.capabilities;
      assert.equal(init.serverInfo?.name, 'datajoint-language-server');
      assert.deepEqual(c.textDocumentSync, { openClose: true, change: 2, save: false });
      for (const t of ['>', ':', '[', '(', ',', '.', '<', ' ']) assert.ok(c.completionProvider?.triggerCharacters?.includes(t), t);
      assert.deepEqual(c.codeActionProvider, { codeActionKinds: ['quickfix', 'source.fixAll.datajoint'] });
      assert.ok(c.hoverProvider && c.definitionProvider && c.referencesProvider && c.documentSymbolProvider && c.workspaceSymbolProvider);
      assert.ok(!c.documentFormattingProvider && !c.documentRangeFormattingProvider, 'formatting is opt-in (datajoint.format.enable)');
      assert.deepEqual(c.executeCommandProvider?.commands, ['datajoint.server.formatDefinitions', MIGRATE_COMMAND]);
      assert.ok(c.notebookDocumentSync, 'notebook sync offered to a client that supports it');
      assert.equal(c.semanticTokensProvider, undefined, 'no semantic tokens: they would override the host language colours');
      await client.waitIndexed();
      assert.equal(client.indexReady!.files, 5, 'pipeline/*.py only: ignored, node_modules and venv folders skipped');
      assert.equal(client.indexReady!.tables, 11);
      const kinds = client.received.progress.map((p) => (p as { value: { kind: string } }).value.kind);
      assert.equal(kinds[0], 'begin');
      assert.equal(kinds[kinds.length - 1], 'end');
      const reg = client.received.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles');
      assert.ok(JSON.stringify(reg?.registerOptions).includes('.py'));
    } finally {
      await client.stop();
    }
  });

  it('adapts to a minimal client: no snippets, no dynamic registration, no progress, no notebooks', async () => {
    const minimal = { textDocument: { completion: {}, hover: {} }, workspace: {} };
    const { client, init } = await LspClient.start(PY, { capabilities: minimal });
    try {
      assert.equal(init.capabilities.notebookDocumentSync, undefined);
      assert.equal(init.capabilities.codeActionProvider, true);
      await client.waitIndexed();
      assert.equal(client.received.registrations.length, 0);
      assert.equal(client.received.progress.length, 0);
      const path = join(PY, 'pipeline/processing.py');
      const { uri, text } = client.openFile(path);
      const r = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position: positionOf(text, 'spike_count : ', 14) });
      const varchar = r.items.find((i) => i.label === 'varchar')!;
      assert.equal(varchar.insertTextFormat, undefined);
      assert.equal((varchar.textEdit as { newText: string }).newText, 'varchar');
      const h = await client.request<{ contents: { kind: string } }>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, 'int32', 1) });
      assert.equal(h.contents.kind, 'plaintext');
      const d = await client.waitDiagnostics(uri);
      assert.deepEqual(d, []);
    } finally {
      await client.stop();
    }
  });

  it('serves a single file without a workspace folder (standalone --stdio)', async () => {
    const { client } = await LspClient.start(undefined);
    try {
      await client.waitIndexed();
      assert.equal(client.indexReady!.files, 0);
      const uri = fileUri('/tmp/standalone/lone.py');
      client.open(uri, 'import datajoint as dj\n\nclass Lone(dj.Manual):\n    definition = """\n    lone_id : int32\n    value : double\n    -> Missing\n    """\n');
      const d = await client.waitDiagnostics(uri, (x) => x.length > 0);
      assert.deepEqual(d.map((x) => x.code).sort(), ['DJ214', 'DJ303']);
      const untitled = 'untitled:Untitled-1';
      client.open(untitled, 'class T(dj.Manual):\n    definition = """\n    t : int33\n    """\n', 'python');
      const u = await client.waitDiagnostics(untitled, (x) => x.length > 0);
      assert.deepEqual(u.map((x) => x.code), ['DJ203']);
    } finally {
      await client.stop();
    }
  });

  it('follows workspace folders added and removed while running', async () => {
    const { client } = await LspClient.start(PY);
    try {
      await client.waitIndexed();
      const symbols = async (): Promise<string[]> => (await client.request<Array<{ name: string }>>('workspace/symbol', { query: '' })).map((s) => s.name);
      assert.ok(!(await symbols()).includes('Mouse'));
      client.indexReady = undefined;
      void client.conn.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [{ uri: fileUri(TS), name: 'ts' }], removed: [] } });
      await client.waitIndexed();
      const both = await symbols();
      assert.ok(both.includes('Mouse') && both.includes('Session'), both.join());
      client.indexReady = undefined;
      void client.conn.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [], removed: [{ uri: fileUri(PY), name: 'fixture' }] } });
      await client.waitIndexed();
      const left = await symbols();
      assert.ok(left.includes('Mouse') && !left.includes('Session'), left.join());
      // References still resolve in the remaining folder after the index was rebuilt.
      const { uri } = client.openFile(join(TS, 'src/session.ts'));
      assert.deepEqual(await client.waitDiagnostics(uri), []);
    } finally {
      await client.stop();
    }
  });

  it('holds diagnostics of documents opened during indexing until references can resolve', async () => {
    const { client } = await LspClient.start(PY);
    try {
      const { uri } = client.openFile(join(PY, 'pipeline/processing.py'));
      const d = await client.waitDiagnostics(uri);
      assert.ok(client.indexReady, 'published after the index was built');
      assert.deepEqual(d, [], 'no unresolved-reference warnings for tables in files indexed later');
    } finally {
      await client.stop();
    }
  });

  it('shuts down cleanly on shutdown/exit', async () => {
    const { client } = await LspClient.start(PY);
    await client.waitIndexed();
    const exited = new Promise<number | null>((r) => client.proc.on('exit', (code) => r(code)));
    await client.stop();
    assert.equal(await exited, 0);
  });
});
