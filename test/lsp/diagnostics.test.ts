// Diagnostics over stdio: published on open and change, mapped to host ranges, with
// codes, tags and related information in other files; dependents re-checked when a
// table they reference changes; disk changes through didChangeWatchedFiles.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { ensureBuilt, fileUri, LspClient, positionOf } from './client';
import { copyWorkspace, TS } from './helpers';

const codes = (d: Diagnostic[]): string[] => d.map((x) => String(x.code));

describe('diagnostics', () => {
  let client: LspClient;
  let ws: { root: string; dispose: () => void };
  before(async () => {
    ensureBuilt();
    ws = copyWorkspace('python');
    ({ client } = await LspClient.start(ws.root));
    await client.waitIndexed();
  });
  after(async () => {
    await client.stop();
    ws.dispose();
  });

  it('reports problems at their host positions with codes, tags and source', async () => {
    const { uri, text } = client.openFile(join(ws.root, 'pipeline/broken.py'));
    const d = await client.waitDiagnostics(uri, (x) => x.length > 0);
    assert.ok(d.every((x) => x.source === 'datajoint'));
    const float = d.find((x) => x.code === 'DJ214' && String(x.message).includes('`float`'))!;
    assert.ok(float, codes(d).join());
    assert.deepEqual(float.range.start, positionOf(text, 'float\n'));
    assert.deepEqual(float.range.end, positionOf(text, 'float\n', 5));
    assert.ok(float.tags?.includes(2), 'legacy types are tagged deprecated');
    const unresolved = d.find((x) => x.code === 'DJ303')!;
    assert.equal(unresolved.severity, 2, 'unresolved references are warnings');
    assert.deepEqual(unresolved.range.start, positionOf(text, 'NoSuchTable'));
    // Nothing is reported about the string that is not a definition.
    const notDef = positionOf(text, 'this string is not a definition').line;
    assert.ok(d.every((x) => x.range.start.line !== notDef));
  });

  it('points related information at the other file where a rule involves two places', async () => {
    const uri = fileUri(join(ws.root, 'pipeline/broken.py'));
    const d = await client.waitDiagnostics(uri, (x) => x.some((y) => y.code === 'DJ206'));
    const dup = d.find((x) => x.code === 'DJ206')!;
    assert.equal(dup.severity, 1);
    const other = dup.relatedInformation?.find((r) => r.location.uri.endsWith('acquisition.py'));
    assert.ok(other, JSON.stringify(dup.relatedInformation));
    const acq = readFileSync(join(ws.root, 'pipeline/acquisition.py'), 'utf8');
    assert.equal(other!.location.range.start.line, positionOf(acq, '-> subject.Subject').line);
  });

  it('re-checks while typing and reports the clean result', async () => {
    const path = join(ws.root, 'pipeline/processing.py');
    const { uri, text } = client.openFile(path);
    assert.deepEqual(await client.waitDiagnostics(uri), []);
    const at = positionOf(text, 'spike_count : int32', 14);
    client.change(uri, 'int33', { start: at, end: { line: at.line, character: at.character + 5 } });
    const d = await client.waitDiagnostics(uri, (x) => x.length > 0);
    assert.deepEqual(codes(d), ['DJ203']);
    assert.deepEqual(d[0].range, { start: at, end: { line: at.line, character: at.character + 5 } });
    client.change(uri, 'int32', { start: at, end: { line: at.line, character: at.character + 5 } });
    assert.deepEqual(await client.waitDiagnostics(uri, (x) => x.length === 0), []);
  });

  it('re-checks open dependents when a referenced table changes', async () => {
    const processing = fileUri(join(ws.root, 'pipeline/processing.py'));
    await client.waitDiagnostics(processing, (x) => x.length === 0);
    const acqPath = join(ws.root, 'pipeline/acquisition.py');
    const { uri, text } = client.openFile(acqPath);
    await client.waitDiagnostics(uri);
    const at = positionOf(text, 'class Session', 6);
    client.change(uri, 'Sessions', { start: at, end: { line: at.line, character: at.character + 7 } });
    const d = await client.waitDiagnostics(processing, (x) => x.some((y) => y.code === 'DJ303'));
    assert.ok(d.filter((x) => x.code === 'DJ303').length >= 2, JSON.stringify(d.map((x) => x.message)));
    client.change(uri, 'Session', { start: at, end: { line: at.line, character: at.character + 8 } });
    await client.waitDiagnostics(processing, (x) => x.length === 0);
  });

  it('reports a self-reference and a reference cycle as errors (DataJoint cannot declare them)', async () => {
    const uri = fileUri(join(ws.root, 'pipeline/loops.py'));
    const q = '"""';
    const text =
      'import datajoint as dj\n\n\n' +
      `class Ping(dj.Manual):\n    definition = ${q}\n    -> Pong\n    ping : int32\n    ${q}\n\n\n` +
      `class Pong(dj.Manual):\n    definition = ${q}\n    -> Ping\n    pong : int32\n    ${q}\n\n\n` +
      `class Me(dj.Manual):\n    definition = ${q}\n    -> Me\n    me : int32\n    ${q}\n`;
    client.open(uri, text);
    const d = await client.waitDiagnostics(uri, (x) => x.length === 3);
    assert.deepEqual(d.map((x) => [x.code, x.severity, x.range.start.line]), [
      ['DJ313', 1, positionOf(text, 'Pong\n').line],
      ['DJ313', 1, positionOf(text, 'Ping\n').line],
      ['DJ312', 1, positionOf(text, 'Me\n').line],
    ]);
    assert.match(String(d[0].message), /`Pong` references `Ping` in turn/);
    client.close(uri);
  });

  it('follows files created and deleted on disk (didChangeWatchedFiles)', async () => {
    assert.ok(client.received.registrations.some((r) => r.method === 'workspace/didChangeWatchedFiles'), 'watcher registered dynamically');
    const userUri = fileUri(join(ws.root, 'pipeline/user.py'));
    client.open(userUri, 'import datajoint as dj\nfrom .extra import Extra\n\n\nclass User(dj.Manual):\n    definition = """\n    -> Extra\n    user_id : int32\n    """\n');
    await client.waitDiagnostics(userUri, (x) => codes(x).includes('DJ303'));
    const extra = join(ws.root, 'pipeline/extra.py');
    writeFileSync(extra, 'import datajoint as dj\n\n\nclass Extra(dj.Lookup):\n    definition = """\n    extra : varchar(8)\n    """\n');
    void client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(extra), type: 1 }] });
    await client.waitDiagnostics(userUri, (x) => x.length === 0);
    rmSync(extra);
    void client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(extra), type: 3 }] });
    await client.waitDiagnostics(userUri, (x) => codes(x).includes('DJ303'));
  });

  it('falls back to the disk contents when a document closes', async () => {
    const path = join(ws.root, 'pipeline/subject.py');
    const { uri, text } = client.openFile(path);
    const userUri = fileUri(join(ws.root, 'pipeline/user2.py'));
    client.open(userUri, 'import datajoint as dj\nfrom .subject import Subject\n\n\nclass User2(dj.Manual):\n    definition = """\n    -> Subject\n    """\n');
    await client.waitDiagnostics(userUri, (x) => x.length === 0);
    const at = positionOf(text, 'class Subject', 6);
    client.change(uri, 'Subjects', { start: at, end: { line: at.line, character: at.character + 7 } });
    await client.waitDiagnostics(userUri, (x) => codes(x).includes('DJ303'));
    client.close(uri);
    await client.waitDiagnostics(userUri, (x) => x.length === 0);
  });

  it('re-validates definitions that inherit an edit, and only what they inherit', async () => {
    const uri = fileUri(join(ws.root, 'pipeline/chain.py'));
    const q = '"""';
    const table = (name: string, body: string): string => `class ${name}(dj.Manual):\n    definition = ${q}\n${body}    ${q}\n\n\n`;
    let text =
      'import datajoint as dj\n\n\n' +
      table('Grand', '    gp_id : int32\n    ---\n    extra : int16\n') +
      table('Parent', '    -> Grand\n    p_id : int32\n') +
      table('Child', '    -> Parent\n    ---\n    index(gp_id)\n') +
      table('Other', "    -> Grand.proj(g='gp_id', e='extra')\n");
    client.open(uri, text);
    // Renaming a non-key attribute has no effect on the foreign key: a warning.
    assert.deepEqual(codes(await client.waitDiagnostics(uri)), ['DJ306']);
    const replace = (from: string, to: string): Promise<Diagnostic[]> => {
      const at = text.indexOf(from);
      const start = positionOf(text, from);
      text = text.slice(0, at) + to + text.slice(at + from.length);
      client.change(uri, to, { start, end: { line: start.line, character: start.character + from.length } });
      return client.waitDiagnostics(uri);
    };
    // A secondary attribute of Grand changes: only the projection that names it is affected.
    let d = await replace('extra : int16', 'other : int16');
    assert.deepEqual(codes(d), ['DJ305']);
    assert.equal(d[0].range.start.line, positionOf(text, "e='extra'").line);
    // Grand's key changes: Child (two levels down) loses the attribute its index names.
    d = await replace('gp_id : int32', 'gq_id : int32');
    assert.deepEqual(codes(d).sort(), ['DJ305', 'DJ305', 'DJ401']);
    d = await replace('gq_id : int32', 'gp_id : int32');
    d = await replace('other : int16', 'extra : int16');
    assert.deepEqual(codes(d), ['DJ306']);
  });

  it('tags ignored text as unnecessary', async () => {
    const uri = fileUri(join(ws.root, 'pipeline/dividers.py'));
    const q = '"""';
    const text = `import datajoint as dj\n\n\nclass Twice(dj.Manual):\n    definition = ${q}\n    a : int32\n    ---\n    b : int32\n    ---\n    c : int32\n    ${q}\n`;
    client.open(uri, text);
    const d = await client.waitDiagnostics(uri, (x) => x.length > 0);
    const second = d.find((x) => x.code === 'DJ505')!;
    assert.ok(second, JSON.stringify(d));
    assert.deepEqual(second.tags, [1]);
    assert.equal(second.range.start.line, 8);
  });

  it('shows class-level problems on the class name', async () => {
    const uri = fileUri(join(ws.root, 'pipeline/names.py'));
    const q = '"""';
    const text = `import datajoint as dj\n\n\nclass Raw_Session(dj.Manual):\n    definition = ${q}\n    a : int32\n    ${q}\n\n    class Entry(dj.Part):\n        definition = ${q}\n        e : int32\n        ${q}\n`;
    client.open(uri, text);
    const d = await client.waitDiagnostics(uri, (x) => x.length >= 2);
    const range = (needle: string): { start: ReturnType<typeof positionOf>; end: ReturnType<typeof positionOf> } => ({ start: positionOf(text, needle), end: positionOf(text, needle, needle.length) });
    assert.deepEqual(d.find((x) => x.code === 'DJ508')?.range, range('Raw_Session'), JSON.stringify(d));
    assert.deepEqual(d.find((x) => x.code === 'DJ510')?.range, range('Entry'), JSON.stringify(d));
  });

  it('checks TypeScript and JavaScript definitions', async () => {
    const ts = await LspClient.start(TS);
    try {
      await ts.client.waitIndexed();
      const { uri } = ts.client.openFile(join(TS, 'src/session.ts'));
      assert.deepEqual(await ts.client.waitDiagnostics(uri), []);
      const js = ts.client.openFile(join(TS, 'src/util.js'));
      assert.deepEqual(await ts.client.waitDiagnostics(js.uri), []);
      const at = positionOf(js.text, 'weight : float32', 9);
      ts.client.change(js.uri, 'double', { start: at, end: { line: at.line, character: at.character + 7 } });
      const d = await ts.client.waitDiagnostics(js.uri, (x) => x.length > 0);
      assert.deepEqual(codes(d), ['DJ214']);
      assert.deepEqual(d[0].range.start, at);
      // TSX documents are served as TypeScript.
      const tsx = fileUri(join(TS, 'src/view.tsx'));
      ts.client.open(
        tsx,
        "import { Manual } from 'datajoint';\nimport { Mouse } from './subject';\n\nexport class Seen extends Manual {\n  static definition = `\n  -> Mouse\n  seen_at : datetime(3)\n  ok : boolean\n  `;\n}\nexport const View = () => <div>{Seen.name}</div>;\n",
        'typescriptreact',
      );
      const t = await ts.client.waitDiagnostics(tsx, (x) => x.length > 0);
      assert.deepEqual(codes(t), ['DJ203']);
      assert.equal(t[0].range.start.line, 7);
    } finally {
      await ts.client.stop();
    }
  });
});
