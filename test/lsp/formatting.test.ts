// Formatting of definitions is opt-in: no formatting providers unless
// `datajoint.format.enable` is on (announced at start, or registered and unregistered as
// the setting changes for clients with dynamic registration), and a server command that
// formats just the definitions of one document through workspace/applyEdit.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ClientCapabilities, TextDocumentEdit, TextEdit } from 'vscode-languageserver-protocol/node';
import { CLIENT_CAPABILITIES, ensureBuilt, fileUri, LspClient } from './client';
import { applyEdits, PY } from './helpers';

const COMMAND = 'datajoint.server.formatDefinitions';
const MESSY = 'import datajoint as dj\n\nx = dict(a = 1,   b=2)\n\n\nclass Messy(dj.Manual):\n    definition = """\n    messy_id:int32 # the id\n    ---\n    long_name   :   varchar(64)  #  a comment\n    """\n';
const OPTIONS = { tabSize: 4, insertSpaces: true };

function capabilities(extra: { dynamic?: boolean; applyEdit?: boolean }): ClientCapabilities {
  return {
    ...CLIENT_CAPABILITIES,
    workspace: { ...CLIENT_CAPABILITIES.workspace, applyEdit: extra.applyEdit ?? false },
    textDocument: {
      ...CLIENT_CAPABILITIES.textDocument,
      formatting: { dynamicRegistration: extra.dynamic ?? false },
      rangeFormatting: { dynamicRegistration: extra.dynamic ?? false },
    },
  };
}

const formattingRegistrations = (client: LspClient): string[] =>
  client.received.registrations.filter((r) => r.method.includes('ormatting')).map((r) => r.method).sort();

describe('formatting opt-in', () => {
  it('offers no formatter by default; the command formats the definitions through workspace/applyEdit', async () => {
    ensureBuilt();
    const { client, init } = await LspClient.start(PY, { capabilities: capabilities({ applyEdit: true, dynamic: true }) });
    try {
      await client.waitIndexed();
      assert.equal(init.capabilities.documentFormattingProvider, undefined);
      assert.equal(init.capabilities.documentRangeFormattingProvider, undefined);
      const uri = fileUri(join(PY, 'pipeline/messy_cmd.py'));
      client.open(uri, MESSY);
      await client.waitDiagnostics(uri);
      assert.deepEqual(formattingRegistrations(client), [], 'nothing registered while the setting is off');
      assert.equal(await client.request('textDocument/formatting', { textDocument: { uri }, options: OPTIONS }), null);

      const result = await client.request<{ edits: number; applied: boolean }>('workspace/executeCommand', { command: COMMAND, arguments: [uri] });
      assert.equal(result.applied, true);
      assert.ok(result.edits > 0);
      const [{ label, edit }] = client.received.edits as Array<{ label: string; edit: { documentChanges: TextDocumentEdit[] } }>;
      assert.equal(label, 'Format DataJoint definitions');
      const [change] = edit.documentChanges;
      assert.deepEqual(change.textDocument, { uri, version: 1 }, 'versioned: refused by the client if the user typed since');
      const formatted = applyEdits(MESSY, change.edits as TextEdit[]);
      assert.ok(formatted.includes('x = dict(a = 1,   b=2)'), 'host code untouched');
      assert.ok(formatted.includes('    messy_id  : int32        # the id\n    ---\n    long_name : varchar(64)  #  a comment\n'), formatted);

      // A client that refuses the edit is told so; an aligned file asks for nothing.
      client.applyEdits = false;
      const refused = await client.request<{ applied: boolean }>('workspace/executeCommand', { command: COMMAND, arguments: [{ uri }] });
      assert.equal(refused.applied, false);
      client.change(uri, formatted);
      await client.waitDiagnostics(uri);
      const before = client.received.edits.length;
      assert.deepEqual(await client.request('workspace/executeCommand', { command: COMMAND, arguments: [uri] }), { edits: 0, applied: false });
      assert.equal(client.received.edits.length, before);
    } finally {
      await client.stop();
    }
  });

  it('registers and unregisters the formatters as datajoint.format.enable changes', async () => {
    const { client } = await LspClient.start(PY, { capabilities: capabilities({ dynamic: true }) });
    try {
      await client.waitIndexed();
      const uri = fileUri(join(PY, 'pipeline/messy_dyn.py'));
      client.open(uri, MESSY);
      await client.waitDiagnostics(uri);
      void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: { datajoint: { format: { enable: true } } } });
      await client.until('formatting registered', () => formattingRegistrations(client).length === 2);
      assert.deepEqual(formattingRegistrations(client), ['textDocument/formatting', 'textDocument/rangeFormatting']);
      const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: OPTIONS });
      assert.ok(edits.length > 0);
      // Turned off again, pulled from the client this time (a notification without settings).
      client.settings.set('datajoint.format', { enable: false });
      void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
      await client.until('formatting unregistered', () => client.received.unregistrations.length === 2);
      const ids = new Set(client.received.registrations.filter((r) => r.method.includes('ormatting')).map((r) => r.id));
      assert.ok(client.received.unregistrations.every((u) => ids.has(u.id)));
      assert.equal(await client.request('textDocument/formatting', { textDocument: { uri }, options: OPTIONS }), null);
    } finally {
      await client.stop();
    }
  });

  it('reads the setting from the client at start, and announces the formatters to clients that cannot register them later', async () => {
    const pulled = await LspClient.start(PY, { capabilities: capabilities({ dynamic: true }) });
    // Set before the server asks (after `initialized`); the request comes after this line runs.
    pulled.client.settings.set('datajoint.format', { enable: true });
    try {
      await pulled.client.waitIndexed();
      await pulled.client.until('formatting registered', () => formattingRegistrations(pulled.client).length === 2);
    } finally {
      await pulled.client.stop();
    }
    const fixed = await LspClient.start(PY, { capabilities: capabilities({}), initializationOptions: { format: { enable: true } } });
    try {
      assert.equal(fixed.init.capabilities.documentFormattingProvider, true);
      assert.equal(fixed.init.capabilities.documentRangeFormattingProvider, true);
    } finally {
      await fixed.client.stop();
    }
  });

  it('returns the edits to a client without workspace/applyEdit, and refuses bad calls', async () => {
    const { client } = await LspClient.start(PY, { capabilities: capabilities({}) });
    try {
      await client.waitIndexed();
      const uri = fileUri(join(PY, 'pipeline/messy_plain.py'));
      client.open(uri, MESSY);
      await client.waitDiagnostics(uri);
      const r = await client.request<{ edits: number; applied: boolean; textEdits: TextEdit[] }>('workspace/executeCommand', { command: COMMAND, arguments: [uri] });
      assert.equal(r.applied, false);
      assert.equal(r.textEdits.length, r.edits);
      assert.ok(/long_name : varchar\(64\)/.test(applyEdits(MESSY, r.textEdits)));
      await assert.rejects(client.request('workspace/executeCommand', { command: COMMAND, arguments: [] }), /takes the document's uri/);
      await assert.rejects(client.request('workspace/executeCommand', { command: 'datajoint.nope', arguments: [uri] }), /unknown command/);
      assert.ok(client.alive);
    } finally {
      await client.stop();
    }
  });
});
