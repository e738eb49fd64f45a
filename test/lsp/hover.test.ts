// Hover over stdio: types (meaning and SQL), referenced tables (tier, key, comment,
// attributes brought in after projection), attribute names; null outside definitions.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Hover } from 'vscode-languageserver-protocol/node';
import { ensureBuilt, LspClient, positionOf } from './client';
import { hoverText, openEdited, PY, TS } from './helpers';

describe('hover', () => {
  let client: LspClient;
  const hover = (uri: string, position: { line: number; character: number }): Promise<Hover | null> =>
    client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position });
  before(async () => {
    ensureBuilt();
    ({ client } = await LspClient.start(PY));
    await client.waitIndexed();
  });
  after(async () => {
    await client.stop();
  });

  it('explains a core type and the SQL it maps to', async () => {
    const { uri, text } = openEdited(client, join(PY, 'pipeline/acquisition.py'), 'x', 'x');
    const h = await hover(uri, positionOf(text, 'int16', 2));
    const t = hoverText(h);
    assert.match(t, /int16/);
    assert.match(t, /16-bit/);
    assert.match(t, /MySQL `smallint`/);
    assert.ok(h?.range, 'hover range covers the type');
    assert.equal(h!.range!.start.character, positionOf(text, 'int16').character);
    const v = hoverText(await hover(uri, positionOf(text, 'varchar(1024)', 3)));
    assert.match(v, /MySQL `varchar\(1024\)`/);
  });

  it('explains codecs and native types', async () => {
    const { uri, text } = openEdited(client, join(PY, 'pipeline/processing.py'), 'x', 'x');
    assert.match(hoverText(await hover(uri, positionOf(text, '<blob>', 2))), /serialized object/);
    const b = openEdited(client, join(PY, 'pipeline/broken.py'), 'x', 'x');
    assert.match(hoverText(await hover(b.uri, positionOf(b.text, 'value : float', 9))), /native.*float32/s);
  });

  it('describes a referenced table and what the reference brings in after renames', async () => {
    const { uri, text } = openEdited(client, join(PY, 'pipeline/processing.py'), 'x', 'x');
    const t = hoverText(await hover(uri, positionOf(text, "Analyst.proj(reviewer='analyst')", 2)));
    assert.match(t, /\*\*Analyst\*\* — Manual table/);
    assert.match(t, /Primary key: `analyst`/);
    assert.match(t, /`reviewer` : `varchar\(32\)`/);
    const s = hoverText(await hover(uri, positionOf(text, '-> Session', 5)));
    assert.match(s, /A recording session/);
    assert.match(s, /Primary key: `subject_id`, `session_idx`/);
    assert.match(s, /`subject_id` : `int32` — unique subject number/);
    assert.match(s, /pipeline\/acquisition\.py/);
  });

  it('describes parts reached through a module and master', async () => {
    const { uri, text } = openEdited(client, join(PY, 'pipeline/processing.py'), 'x', 'x');
    const t = hoverText(await hover(uri, positionOf(text, 'acq.Session.Trial', 14)));
    assert.match(t, /\*\*Session\.Trial\*\* — Part table/);
    assert.match(t, /Primary key: `subject_id`, `session_idx`, `trial_idx`/);
    const m = hoverText(await hover(uri, positionOf(text, 'acq.Session.Trial', 1)));
    assert.match(m, /module `acq`/);
  });

  it('shows the resolved type of an attribute name', async () => {
    const { uri, text } = openEdited(client, join(PY, 'pipeline/acquisition.py'), 'x', 'x');
    const t = hoverText(await hover(uri, positionOf(text, 'session_idx', 3)));
    assert.match(t, /`session_idx` : `int16`/);
    assert.match(t, /primary key/);
    const d = hoverText(await hover(uri, positionOf(text, 'notes =', 2)));
    assert.match(d, /`notes` : `varchar\(1024\)`/);
    const p = openEdited(client, join(PY, 'pipeline/processing.py'), 'score : float32\n', 'score : float32\n    index(reviewer, subject_id)\n');
    assert.match(hoverText(await hover(p.uri, positionOf(p.text, "reviewer='analyst'", 3))), /`reviewer` : `varchar\(32\)` — renamed from `analyst` — primary key/);
    assert.match(hoverText(await hover(p.uri, positionOf(p.text, 'index(reviewer, subject_id)', 18))), /`subject_id` : `int32` — primary key/);
  });

  it('answers null outside definition strings and on blank lines', async () => {
    const { uri, text } = openEdited(client, join(PY, 'pipeline/acquisition.py'), 'x', 'x');
    assert.equal(await hover(uri, positionOf(text, 'dj.Manual', 4)), null);
    assert.equal(await hover(uri, positionOf(text, 'class Session', 8)), null);
    assert.equal(await hover(uri, positionOf(text, '    # A recording session', 1)), null);
  });

  it('works across TypeScript modules', async () => {
    const ts = await LspClient.start(TS);
    try {
      await ts.client.waitIndexed();
      const { uri, text } = openEdited(ts.client, join(TS, 'src/session.ts'), 'x', 'x');
      const h = await ts.client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, 'subject.Mouse', 10) });
      const t = hoverText(h);
      assert.match(t, /\*\*Mouse\*\* — Manual table/);
      assert.match(t, /Mice/);
      assert.match(t, /`mouse_id` : `int32` — ear tag/);
      const l = hoverText(await ts.client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, 'Laboratory.proj', 2) }));
      assert.match(l, /\*\*Lab\*\*/);
      assert.match(l, /`host_lab` : `varchar\(32\)`/);
    } finally {
      await ts.client.stop();
    }
  });
});
