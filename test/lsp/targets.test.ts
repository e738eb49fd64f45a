// The DataJoint a workspace folder targets, in the server: the pin decides at start, the
// setting and the installed version (sent by the client) override it, a changed pin file
// is read again; each decision is published (datajoint/targets) and the definitions are
// checked again against it. Then "Migrate Definitions to DataJoint 2" as a server command.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, fileUri, LspClient } from './client';
import { INSTALLED_DATAJOINT_NOTIFICATION, MIGRATE_COMMAND, type FolderTargetInfo, type MigrateResult } from '../../server/protocol';

const PIPELINE = [
  'import datajoint as dj',
  '',
  'schema = dj.Schema("lab")',
  '',
  '',
  '@schema',
  'class Recording(dj.Manual):',
  '    definition = """',
  '    recording_id : int unsigned',
  '    ---',
  '    trace : longblob',
  '    count : int32',
  '    flagged = 0 : boolean',
  '    raw = null : blob@store',
  '    """',
  '',
].join('\n');

function codes(ds: Array<{ code?: string | number }>): string[] {
  return ds.map((d) => String(d.code)).sort();
}

describe('DataJoint targets in the language server', () => {
  let root: string;
  before(() => {
    ensureBuilt();
    root = mkdtempSync(join(tmpdir(), 'dj-lsp-targets-'));
    writeFileSync(join(root, 'pyproject.toml'), '[project]\nname = "lab"\ndependencies = ["datajoint>=0.14.5,<2.0"]\n');
    writeFileSync(join(root, 'pipeline.py'), PIPELINE);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const last = (client: LspClient): FolderTargetInfo | undefined => client.received.targets.at(-1)?.folders[0];

  it('the pin decides at start; the setting, the installed version and a changed pin decide again, and the definitions follow', async () => {
    const { client } = await LspClient.start(root);
    try {
      await client.waitIndexed();
      await client.until('the folder target', () => last(client)?.source === 'pin');
      assert.deepEqual(last(client), { folder: fileUri(root), target: '0.14', source: 'pin', detail: 'pyproject.toml: datajoint>=0.14.5,<2.0' });
      const { uri } = client.openFile(join(root, 'pipeline.py'));
      // 0.14: its own types are clean (hints carry the 2.x form); the 2.x int32 is an error.
      let d = await client.waitDiagnostics(uri, (x) => x.length > 0);
      assert.deepEqual(codes(d.filter((x) => x.severity === 1)), ['DJ225']);
      assert.deepEqual(codes(d.filter((x) => x.severity === 4)), ['DJ226', 'DJ226', 'DJ226']);

      client.settings.set('datajoint.targetVersion', '2');
      client.notify('workspace/didChangeConfiguration', { settings: null });
      await client.until('the setting', () => last(client)?.source === 'setting');
      assert.equal(last(client)?.target, '2');
      d = await client.waitDiagnostics(uri, (x) => x.some((y) => y.code === 'DJ203'));
      assert.deepEqual(codes(d.filter((x) => x.severity === 1)), ['DJ203', 'DJ203'], 'boolean and blob@store under 2');

      client.settings.set('datajoint.targetVersion', 'auto');
      client.notify('workspace/didChangeConfiguration', { settings: null });
      client.notify(INSTALLED_DATAJOINT_NOTIFICATION, { folder: fileUri(root), version: '0.14.3', interpreter: '/opt/lab/bin/python' });
      await client.until('the installed version', () => last(client)?.source === 'installed');
      assert.deepEqual(last(client), { folder: fileUri(root), target: '0.14', source: 'installed', detail: 'datajoint 0.14.3 in /opt/lab/bin/python' });
      d = await client.waitDiagnostics(uri, (x) => x.some((y) => y.code === 'DJ225'));
      assert.deepEqual(codes(d.filter((x) => x.severity === 1)), ['DJ225']);

      client.notify(INSTALLED_DATAJOINT_NOTIFICATION, { folder: fileUri(root), version: null, interpreter: '/opt/lab/bin/python' });
      writeFileSync(join(root, 'pyproject.toml'), '[project]\nname = "lab"\ndependencies = ["datajoint>=2.1"]\n');
      client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(join(root, 'pyproject.toml')), type: 2 }] });
      await client.until('the new pin', () => last(client)?.detail === 'pyproject.toml: datajoint>=2.1');
      assert.equal(last(client)?.target, '2');
      d = await client.waitDiagnostics(uri, (x) => x.some((y) => y.code === 'DJ203'));
      assert.deepEqual(codes(d.filter((x) => x.severity === 1)), ['DJ203', 'DJ203']);
    } finally {
      await client.stop();
    }
  });

  it('migrates a file to DataJoint 2: one edit with every machine-applicable fix, and what is left with its reason', async () => {
    const { client } = await LspClient.start(root);
    try {
      await client.waitIndexed();
      const uri = fileUri(join(root, 'pipeline.py'));
      const r = await client.request<MigrateResult>('workspace/executeCommand', { command: MIGRATE_COMMAND, arguments: [{ uri }] });
      assert.equal(r.files, 1);
      const edits = r.edit.changes[uri]!;
      assert.deepEqual(edits.map((e) => e.newText).sort(), ['<blob>', '<blob@store>', 'bool']);
      // `int unsigned` has no exact core type: not rewritten, and not an error under 2 either.
      assert.deepEqual(r.remaining, []);
      const folder = await client.request<MigrateResult>('workspace/executeCommand', { command: MIGRATE_COMMAND, arguments: [fileUri(root)] });
      assert.equal(folder.edits, 3);
    } finally {
      await client.stop();
    }
  });

  it('completes the types of the folder\'s DataJoint: 0.14 types in a 0.14 project, core types and codecs in a 2.x one', async () => {
    const legacy = mkdtempSync(join(tmpdir(), 'dj-lsp-complete-'));
    writeFileSync(join(legacy, 'requirements.txt'), 'datajoint==0.14.3\n');
    const text = 'import datajoint as dj\n\n\nclass T(dj.Manual):\n    definition = """\n    t_id : \n    """\n';
    writeFileSync(join(legacy, 'p.py'), text);
    const { client } = await LspClient.start(legacy);
    try {
      await client.waitIndexed();
      await client.until('the 0.14 target', () => last(client)?.target === '0.14');
      const uri = fileUri(join(legacy, 'p.py'));
      client.open(uri, text);
      const list = await client.request<{ items: Array<{ label: string }> }>('textDocument/completion', { textDocument: { uri }, position: { line: 5, character: 11 } });
      const labels = list.items.map((i) => i.label);
      for (const t of ['int', 'int unsigned', 'longblob', 'blob@store', 'attach', 'json']) assert.ok(labels.includes(t), `${t} in ${labels.join(', ')}`);
      for (const t of ['int32', 'float64', '<blob>']) assert.ok(!labels.includes(t), `no ${t}`);
    } finally {
      await client.stop();
      rmSync(legacy, { recursive: true, force: true });
    }
  });
});
