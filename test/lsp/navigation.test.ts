// Go to definition, find references, document and workspace symbols over stdio.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DocumentSymbol, Location, SymbolInformation } from 'vscode-languageserver-protocol/node';
import { ensureBuilt, fileUri, LspClient, positionOf } from './client';
import { openEdited, PY, TS } from './helpers';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

describe('navigation and symbols', () => {
  let client: LspClient;
  before(async () => {
    ensureBuilt();
    ({ client } = await LspClient.start(PY));
    await client.waitIndexed();
  });
  after(async () => {
    await client.stop();
  });
  const acquisition = join(PY, 'pipeline/acquisition.py');
  const acqText = readFileSync(acquisition, 'utf8');

  it('goes from a reference to the table class, segment by segment', async () => {
    const { uri, text } = openEdited(client, join(PY, 'pipeline/processing.py'), 'x', 'x');
    const def = (needle: string, delta: number): Promise<Location | null> =>
      client.request<Location | null>('textDocument/definition', { textDocument: { uri }, position: positionOf(text, needle, delta) });
    const trial = await def('acq.Session.Trial', 13);
    assert.equal(trial?.uri, fileUri(acquisition));
    assert.deepEqual(trial?.range.start, positionOf(acqText, 'class Trial', 6));
    const session = await def('acq.Session.Trial', 5);
    assert.deepEqual(session?.range.start, positionOf(acqText, 'class Session', 6));
    const module = await def('acq.Session.Trial', 1);
    assert.equal(module?.uri, fileUri(acquisition));
    const local = await def("Analyst.proj(", 2);
    assert.equal(local?.uri, uri);
    assert.deepEqual(local?.range.start, positionOf(text, 'class Analyst', 6));
    const projected = await def("reviewer='analyst'", 12);
    assert.equal(projected?.uri, uri);
    assert.deepEqual(projected?.range.start, positionOf(text, 'analyst : varchar(32)'));
    assert.equal(await def('import datajoint', 3), null);
  });

  it('goes from master to the master class', async () => {
    const { uri, text } = openEdited(client, acquisition, 'x', 'x');
    const loc = await client.request<Location | null>('textDocument/definition', { textDocument: { uri }, position: positionOf(text, '-> master', 4) });
    assert.deepEqual(loc?.range.start, positionOf(acqText, 'class Session', 6));
  });

  it('finds every definition that references a table, from its class name', async () => {
    const { uri } = openEdited(client, acquisition, 'x', 'x');
    const refs = await client.request<Location[]>('textDocument/references', {
      textDocument: { uri },
      position: positionOf(acqText, 'class Session', 8),
      context: { includeDeclaration: false },
    });
    const where = refs.map((r) => `${r.uri.split('/').pop()}:${r.range.start.line}`).sort();
    const processing = readFileSync(join(PY, 'pipeline/processing.py'), 'utf8');
    const broken = readFileSync(join(PY, 'pipeline/broken.py'), 'utf8');
    const expected = [
      `acquisition.py:${positionOf(acqText, '-> master').line}`,
      `broken.py:${positionOf(broken, '-> Session').line}`,
      `broken.py:${positionOf(broken, '-> Session', 0, 1).line}`,
      `processing.py:${positionOf(processing, 'acq.Session.Trial').line}`,
      `processing.py:${positionOf(processing, '-> Session').line}`,
    ].sort();
    assert.deepEqual(where, expected);
    const withDecl = await client.request<Location[]>('textDocument/references', {
      textDocument: { uri },
      position: positionOf(acqText, 'class Session', 8),
      context: { includeDeclaration: true },
    });
    assert.equal(withDecl.length, refs.length + 1);
  });

  it('finds references from a reference inside a definition, across modules', async () => {
    const { uri, text } = openEdited(client, acquisition, 'x', 'x');
    const refs = await client.request<Location[]>('textDocument/references', {
      textDocument: { uri },
      position: positionOf(text, '-> subject.Subject', 13),
      context: { includeDeclaration: true },
    });
    const files = refs.map((r) => r.uri.split('/').pop()).sort();
    assert.deepEqual(files, ['acquisition.py', 'subject.py']);
  });

  it('lists tables with their attributes, parts nested under their master', async () => {
    const { uri } = openEdited(client, acquisition, 'x', 'x');
    const syms = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.deepEqual(syms.map((s) => s.name), ['Rig', 'Session']);
    const session = syms[1];
    assert.equal(session.detail, 'Manual');
    const children = session.children!.map((c) => c.name);
    assert.deepEqual(children, ['-> subject.Subject', 'session_idx', '-> Rig', 'session_time', 'notes', 'Trial']);
    const trial = session.children!.find((c) => c.name === 'Trial')!;
    assert.deepEqual(trial.children!.map((c) => c.name), ['-> master', 'trial_idx', 'start_time']);
    assert.deepEqual(session.selectionRange.start, positionOf(acqText, 'class Session', 6));
  });

  it('lists the symbols of the version edited, not of the one answered before', async () => {
    const { uri, text } = openEdited(client, acquisition, 'x', 'x');
    const names = (syms: DocumentSymbol[]): string[] => syms.flatMap((s) => [s.name, ...(s.children ?? []).map((c) => c.name)]);
    const first = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    // Asked again for the same version: the same answer.
    assert.deepEqual(await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } }), first);
    assert.ok(names(first).includes('session_time'));
    const start = positionOf(text, 'session_time');
    client.change(uri, 'session_start', { start, end: { line: start.line, character: start.character + 'session_time'.length } });
    await client.waitDiagnostics(uri);
    const edited = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.ok(names(edited).includes('session_start') && !names(edited).includes('session_time'), names(edited).join(', '));
    client.close(uri);
  });

  it('lists workspace tables, skipping ignored, dependency and virtual-environment folders', async () => {
    const all = await client.request<SymbolInformation[]>('workspace/symbol', { query: '' });
    const names = all.map((s) => s.name).sort();
    for (const n of ['Species', 'Subject', 'Rig', 'Session', 'Trial', 'TrialSpikes', 'Analyst', 'Review']) assert.ok(names.includes(n), n);
    for (const n of ['Ghost', 'Phantom', 'Spirit']) assert.ok(!names.includes(n), `${n} must not be indexed`);
    const q = await client.request<SymbolInformation[]>('workspace/symbol', { query: 'trsp' });
    assert.deepEqual(q.map((s) => s.name), ['TrialSpikes']);
  });

  it('navigates TypeScript parts and aliased imports', async () => {
    const ts = await LspClient.start(TS);
    try {
      await ts.client.waitIndexed();
      const session = join(TS, 'src/session.ts');
      const { uri, text } = openEdited(ts.client, session, 'x', 'x');
      const lab = await ts.client.request<Location | null>('textDocument/definition', { textDocument: { uri }, position: positionOf(text, 'Laboratory.proj', 3) });
      const subjectText = readFileSync(join(TS, 'src/subject.ts'), 'utf8');
      assert.equal(lab?.uri, fileUri(join(TS, 'src/subject.ts')));
      assert.deepEqual(lab?.range.start, positionOf(subjectText, 'class Lab', 6));
      const channel = await ts.client.request<Location | null>('textDocument/definition', { textDocument: { uri }, position: positionOf(text, '-> Recording.Channel', 15) });
      assert.deepEqual(channel?.range.start, positionOf(text, 'static Channel', 7));
      const syms = await ts.client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
      assert.deepEqual(syms.map((s) => s.name), ['Recording', 'ChannelStats']);
      assert.ok(syms[0].children!.some((c) => c.name === 'Channel'));
      const refs = await ts.client.request<Location[]>('textDocument/references', {
        textDocument: { uri: fileUri(join(TS, 'src/subject.ts')) },
        position: positionOf(subjectText, 'class Mouse', 7),
        context: { includeDeclaration: false },
      });
      assert.deepEqual(refs.map((r) => r.uri.split('/').pop()).sort(), ['session.ts', 'util.js']);
    } finally {
      await ts.client.stop();
    }
  });

  it('finds references through a name the table is imported under (the index\'s reverse edges)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dj-lsp-refs-'));
    const acq = 'import datajoint as dj\n\n\nclass Session(dj.Manual):\n    definition = """\n    session_id : int32\n    """\n';
    const ana = 'import datajoint as dj\nfrom acquisition import Session as Recording\n\n\nclass Spikes(dj.Manual):\n    definition = """\n    -> Recording\n    unit : int32\n    """\n';
    writeFileSync(join(root, 'acquisition.py'), acq);
    writeFileSync(join(root, 'analysis.py'), ana);
    const other = await LspClient.start(root);
    try {
      await other.client.waitIndexed();
      const refs = await other.client.request<Location[]>('textDocument/references', {
        textDocument: { uri: fileUri(join(root, 'acquisition.py')) },
        position: positionOf(acq, 'class Session', 8),
        context: { includeDeclaration: false },
      });
      assert.deepEqual(refs.map((r) => `${r.uri.split('/').pop()}:${r.range.start.line}:${r.range.start.character}`), [`analysis.py:${positionOf(ana, 'Recording', 0, 1).line}:${positionOf(ana, 'Recording', 0, 1).character}`]);
    } finally {
      await other.client.stop();
    }
  });

  // The CodeLens's table classes (TABLE_CLASSES_REQUEST): each part with its master's tier,
  // the master looked up by name (server/features/tableClasses.ts) among many classes.
  it('lists the table classes of a document, each part with its master, among many', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dj-lsp-classes-'));
    const path = join(dir, 'many.py');
    const lines = ['import datajoint as dj', 'schema = dj.Schema("many")', ''];
    for (let i = 0; i < 40; i++) {
      const tier = i % 2 ? 'Lookup' : 'Manual';
      lines.push('@schema', `class M${i}(dj.${tier}):`, '    definition = """', `    m${i} : int32`, '    """', '    class Item(dj.Part):', '        definition = """', '        -> master', '        """', '');
    }
    lines.push('class Loose(dj.Part):', '    definition = """', '    x : int32', '    """', '');
    const text = lines.join('\n');
    writeFileSync(path, text);
    const other = await LspClient.start(dir);
    try {
      await other.client.waitIndexed();
      const uri = fileUri(path);
      other.client.open(uri, text);
      await other.client.waitDiagnostics(uri);
      const classes = await other.client.request<Array<{ className: string; tier: string; master?: { className: string; tier: string }; line: number }>>('datajoint/tableClasses', { uri });
      const items = classes.filter((c) => c.className === 'Item');
      assert.equal(items.length, 40);
      assert.deepEqual(items.slice(0, 3).map((c) => c.master), [{ className: 'M0', tier: 'Manual' }, { className: 'M1', tier: 'Lookup' }, { className: 'M2', tier: 'Manual' }]);
      assert.deepEqual(items.at(-1)!.master, { className: 'M39', tier: 'Lookup' });
      assert.deepEqual(items.map((c) => c.line), Array.from({ length: 40 }, (_, i) => 3 + i * 10 + 5));
      // A Part class outside any master is listed without one.
      assert.deepEqual(classes.filter((c) => c.className === 'Loose').map((c) => [c.tier, c.master]), [['Part', undefined]]);
      assert.equal(classes.length, 81);
    } finally {
      await other.client.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
