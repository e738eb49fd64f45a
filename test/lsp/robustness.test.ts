// The server never crashes: malformed protocol messages, bad request parameters and
// arbitrary document contents are answered (null/empty) or logged, and every feature
// keeps working afterwards. A failure inside one feature is logged, not fatal.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import type { CompletionList } from 'vscode-languageserver-protocol/node';
import { ensureBuilt, fileUri, LspClient, positionAt } from './client';
import { labels, PY } from './helpers';

describe('robustness', () => {
  let client: LspClient;
  const probeUri = fileUri(join(PY, 'pipeline/probe.py'));
  const probe = 'import datajoint as dj\nfrom .acquisition import Session\n\n\nclass Probe(dj.Manual):\n    definition = """\n    probe_id : int32\n    -> \n    """\n';
  const stillServes = async (): Promise<void> => {
    const at = positionAt(probe, probe.indexOf('-> ') + 3);
    const r = await client.request<CompletionList | null>('textDocument/completion', { textDocument: { uri: probeUri }, position: at });
    assert.deepEqual(labels(r), ['Session', 'Session.Trial'], 'completion still answers');
    assert.ok(client.alive);
  };

  before(async () => {
    ensureBuilt();
    ({ client } = await LspClient.start(PY));
    await client.waitIndexed();
    client.open(probeUri, probe);
    await client.waitDiagnostics(probeUri);
  });
  after(async () => {
    await client.stop();
  });

  it('logs an internal error in one feature and keeps the others working', async () => {
    const bad = await client.request('textDocument/hover', { textDocument: { uri: probeUri }, position: null });
    assert.equal(bad, null);
    await client.until('error log', () => client.received.logs.some((l) => l.includes('internal error in hover')));
    await stillServes();
  });

  it('answers requests with missing or nonsensical parameters', async () => {
    const calls: Array<[string, unknown]> = [
      ['textDocument/completion', { textDocument: { uri: 'file:///nowhere.py' }, position: { line: 0, character: 0 } }],
      ['textDocument/completion', { textDocument: { uri: probeUri }, position: { line: 9999, character: -5 } }],
      ['textDocument/definition', { textDocument: {}, position: {} }],
      ['textDocument/references', { textDocument: { uri: probeUri }, position: { line: 3, character: 8 } }],
      ['textDocument/documentSymbol', { textDocument: { uri: 42 } }],
      ['textDocument/codeAction', { textDocument: { uri: probeUri }, range: null, context: {} }],
      ['textDocument/formatting', { textDocument: { uri: 'untitled:Untitled-1' }, options: {} }],
      ['textDocument/rangeFormatting', { textDocument: { uri: probeUri }, range: { start: { line: 9, character: 0 }, end: { line: 2, character: 0 } }, options: {} }],
      ['workspace/symbol', { query: null }],
    ];
    for (const [method, params] of calls) {
      const r = await client.request<unknown>(method, params);
      assert.ok(r === null || Array.isArray(r), `${method} answered ${JSON.stringify(r)}`);
    }
    void client.conn.sendNotification('textDocument/didChange', { textDocument: { uri: 'file:///never-opened.py', version: 2 }, contentChanges: [{ text: 'x' }] });
    void client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: 'file:///weird.py', languageId: 'python', version: 1, text: null } });
    void client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: 'file:///does/not/exist.py', type: 2 }, { uri: 'not a uri', type: 3 }] });
    await stillServes();
  });

  it('survives malformed JSON-RPC frames', async () => {
    client.proc.stdin!.write('Content-Length: 15\r\n\r\n{"not": json!!}');
    client.proc.stdin!.write('Content-Length: 52\r\n\r\n{"jsonrpc":"2.0","id":"x","method":"no/such/method"}');
    await stillServes();
  });

  it('answers every feature on arbitrary definition text', async () => {
    const uri = fileUri(join(PY, 'pipeline/fuzz.py'));
    let version = 1;
    client.open(uri, '');
    const piece = fc.constantFrom('->', ' ', ':', '#', '---', '\n', '(', ')', '[', ']', '<', '>', '@', ',', '.', '=', "'", '"', '\\', 'proj', 'master', 'Session', 'acq', 'int32', 'varchar', 'index', 'unique', 'null', '\u00e9', '\u{1F600}', '"""', '\t', 'definition');
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 40 }), fc.nat(), async (parts, at) => {
        const body = parts.join('');
        const text = `import datajoint as dj\nfrom . import acquisition as acq\n\n\nclass Fuzz(dj.Manual):\n    definition = """\n${body}\n    """\n`;
        client.change(uri, text);
        version++;
        const position = positionAt(text, at % (text.length + 1));
        const doc = { textDocument: { uri }, position };
        const results = await Promise.all([
          client.request('textDocument/completion', doc),
          client.request('textDocument/hover', doc),
          client.request('textDocument/definition', doc),
          client.request('textDocument/references', { ...doc, context: { includeDeclaration: true } }),
          client.request('textDocument/documentSymbol', { textDocument: { uri } }),
          client.request('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 4, insertSpaces: true } }),
          client.request('textDocument/codeAction', { textDocument: { uri }, range: { start: position, end: position }, context: { diagnostics: [] } }),
        ]);
        assert.equal(results.length, 7);
      }),
      { numRuns: 150, seed: 20261124 },
    );
    await client.waitDiagnostics(uri);
    assert.ok(version > 150);
    if (process.env.DJ_SHOW_LOGS) console.log(client.received.logs.join('\n'));
    assert.ok(!client.received.logs.some((l) => l.includes('uncaught')), client.received.logs.filter((l) => l.includes('uncaught')).join('\n'));
    await stillServes();
  });
});
