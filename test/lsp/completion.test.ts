// Completion over stdio, in Python and TypeScript definitions: types, codecs, tables
// after `->` (qualified only where imported), `master`, projections, foreign-key options,
// index attributes, defaults; and nothing outside definition strings.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ensureBuilt, LspClient, fileUri, positionOf } from './client';
import { complete, item, labels, openEdited, PY, TS } from './helpers';

describe('completion', () => {
  let client: LspClient;
  before(async () => {
    ensureBuilt();
    ({ client } = await LspClient.start(PY));
    await client.waitIndexed();
  });
  after(async () => {
    await client.stop();
  });

  it('offers core types first, with snippets for parameterised types', async () => {
    const { uri, position } = openEdited(client, join(PY, 'pipeline/processing.py'), 'spike_count : int32', 'spike_count : <|>');
    const r = await complete(client, uri, position);
    const l = labels(r);
    assert.deepEqual(l.slice(0, 4), ['int8', 'int16', 'int32', 'int64']);
    assert.ok(l.indexOf('float64') < l.indexOf('tinyint'), 'core types before native types');
    const snippets = Object.fromEntries(['varchar', 'decimal', 'enum', 'datetime'].map((n) => [n, item(r, n)]));
    assert.equal(snippets.varchar?.insertTextFormat, 2);
    assert.equal((snippets.varchar?.textEdit as { newText: string }).newText, 'varchar(${1:n})');
    assert.equal((snippets.decimal?.textEdit as { newText: string }).newText, 'decimal(${1:p},${2:s})');
    assert.equal((snippets.datetime?.textEdit as { newText: string }).newText, 'datetime(${1:3})');
    assert.equal((snippets.enum?.textEdit as { newText: string }).newText, 'enum(${1})');
    assert.match(item(r, 'int32')?.detail ?? '', /int/);
  });

  it('replaces the partly typed type name', async () => {
    const { uri, position } = openEdited(client, join(PY, 'pipeline/processing.py'), 'spike_count : int32', 'spike_count : flo<|>');
    const r = await complete(client, uri, position);
    const f = item(r, 'float32')!;
    const edit = f.textEdit as { range: { start: { character: number }; end: { character: number } } };
    assert.equal(position.character - edit.range.start.character, 3);
  });

  it('offers codecs inside <', async () => {
    const { uri, position } = openEdited(client, join(PY, 'pipeline/processing.py'), 'spikes : <blob>', 'spikes : <<|>');
    const l = labels(await complete(client, uri, position));
    for (const c of ['blob', 'attach', 'hash', 'object', 'npy', 'filepath']) assert.ok(l.includes(c), c);
    assert.ok(!l.includes('int32'));
  });

  it('offers the tables visible in the file after ->, qualified through imports', async () => {
    const { uri, position } = openEdited(client, join(PY, 'pipeline/processing.py'), '    -> Session\n', '    -> <|>\n');
    const l = labels(await complete(client, uri, position));
    for (const name of ['Session', 'Analyst', 'TrialSpikes', 'acq.Session', 'acq.Rig', 'acq.Session.Trial', 'Session.Trial']) assert.ok(l.includes(name), `${name} in ${l.join(', ')}`);
    assert.ok(!l.includes('Subject'), 'Subject is not imported into processing.py');
    assert.ok(!l.includes('subject.Subject'), 'the subject module is not imported into processing.py');
    assert.ok(!l.includes('master'), 'master only inside parts');
    assert.ok(!l.includes('Review'), 'a table does not reference itself');
  });

  it('offers members after a module or master prefix', async () => {
    let e = openEdited(client, join(PY, 'pipeline/processing.py'), '-> acq.Session.Trial', '-> acq.<|>');
    assert.deepEqual(labels(await complete(client, e.uri, e.position)).sort(), ['Rig', 'Session']);
    e = openEdited(client, join(PY, 'pipeline/processing.py'), '-> acq.Session.Trial', '-> acq.Session.<|>');
    assert.deepEqual(labels(await complete(client, e.uri, e.position)), ['Trial']);
  });

  it('offers master inside a part', async () => {
    const { uri, position } = openEdited(client, join(PY, 'pipeline/acquisition.py'), '        -> master\n', '        -> <|>\n');
    const l = labels(await complete(client, uri, position));
    assert.ok(l.includes('master'));
    assert.ok(l.includes('subject.Subject'));
  });

  it('offers the referenced table attributes inside .proj(', async () => {
    const { uri, position } = openEdited(client, join(PY, 'pipeline/processing.py'), "Analyst.proj(reviewer='analyst')", 'Analyst.proj(<|>');
    assert.deepEqual(labels(await complete(client, uri, position)), ['analyst']);
    const s = openEdited(client, join(PY, 'pipeline/processing.py'), "-> Analyst.proj(reviewer='analyst')", '-> Session.proj(<|>');
    assert.deepEqual(labels(await complete(client, s.uri, s.position)), ['subject_id', 'session_idx']);
  });

  it('offers foreign-key options inside [ ]', async () => {
    const { uri, position } = openEdited(client, join(PY, 'pipeline/processing.py'), '    -> Session\n', '    -> [nullable, <|>] Session\n');
    assert.deepEqual(labels(await complete(client, uri, position)), ['unique']);
  });

  it('offers the table attributes inside index(...)', async () => {
    const { uri, position } = openEdited(client, join(PY, 'pipeline/processing.py'), 'score : float32\n', 'score : float32\n    index(score, <|>)\n');
    const l = labels(await complete(client, uri, position));
    assert.deepEqual(l.sort(), ['reviewer', 'session_idx', 'subject_id']);
  });

  it('offers default keywords after =', async () => {
    const { uri, position } = openEdited(client, join(PY, 'pipeline/processing.py'), 'score : float32', 'score = <|>');
    assert.deepEqual(labels(await complete(client, uri, position)), ['null', 'CURRENT_TIMESTAMP']);
  });

  it('answers null outside definition strings', async () => {
    const path = join(PY, 'pipeline/processing.py');
    const { uri, text } = openEdited(client, path, 'import datajoint as dj', 'import datajoint as dj');
    assert.equal(await complete(client, uri, positionOf(text, 'datajoint', 3)), null);
    assert.equal(await complete(client, uri, positionOf(text, 'class Review', 6)), null);
    assert.equal(await complete(client, uri, positionOf(text, '"fixture_processing"', 3)), null);
  });

  it('works in TypeScript template literals with imports', async () => {
    const ts = await LspClient.start(TS);
    try {
      await ts.client.waitIndexed();
      const path = join(TS, 'src/session.ts');
      const e = openEdited(ts.client, path, '  -> subject.Mouse\n', '  -> <|>\n');
      const l = labels(await complete(ts.client, e.uri, e.position));
      for (const name of ['subject.Mouse', 'subject.Lab', 'Laboratory', 'ChannelStats', 'Recording.Channel']) assert.ok(l.includes(name), `${name} in ${l.join(', ')}`);
      assert.ok(!l.includes('Mouse'), 'Mouse is only visible as subject.Mouse');
      const p = openEdited(ts.client, path, "Laboratory.proj(host_lab='lab')", 'Laboratory.proj(<|>');
      assert.deepEqual(labels(await complete(ts.client, p.uri, p.position)), ['lab']);
      assert.equal(await complete(ts.client, fileUri(path), { line: 0, character: 3 }), null);
    } finally {
      await ts.client.stop();
    }
  });
});
