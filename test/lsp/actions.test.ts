// Code actions (quick fixes from the diagnostics' fixes, "fix all legacy types") and the
// formatter (aligns colons and comments, only inside definitions, idempotent, meaning kept).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver-protocol/node';
import { parseDefinition } from '../../runtime/definition/index';
import { findDefinitions } from '../../runtime/hosts/index';
import { ensureBuilt, fileUri, LspClient, positionOf } from './client';
import { applyEdits, PY } from './helpers';

const MISALIGNED = `import datajoint as dj

x = dict(a = 1,   b=2)


class Messy(dj.Manual):
    definition = """
    # a messy table
    messy_id:int32 # the id
    -> Other   # parent
    ---
    long_attribute_name   =  null :   varchar(64)  #  a comment
    n=5:int16
    flag : bool
    """


class Other(dj.Lookup):
    definition = '''
    other : varchar(8)
    '''
`;

/** What a definition declares, without positions: formatting must keep it. */
function meaning(text: string): unknown {
  return findDefinitions(text, 'python').map((d) => JSON.stringify(parseDefinition(d.text).ast.lines, (k, v) => (k === 'span' || k === 'arrow' || k === 'keyword' || k === 'optionsSpan' ? undefined : v)));
}

describe('code actions and formatting', () => {
  let client: LspClient;
  before(async () => {
    ensureBuilt();
    // Formatting is opt-in (datajoint.format.enable); this client cannot register it later, so it asks at start.
    ({ client } = await LspClient.start(PY, { initializationOptions: { format: { enable: true } } }));
    await client.waitIndexed();
  });
  after(async () => {
    await client.stop();
  });

  it('offers the preferred quick fix for a legacy type and applies cleanly', async () => {
    const { uri, text } = client.openFile(join(PY, 'pipeline/broken.py'));
    const d = await client.waitDiagnostics(uri, (x) => x.length > 0);
    const float = d.find((x) => x.code === 'DJ214' && String(x.message).includes('`float`'))!;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: float.range,
      context: { diagnostics: [float] },
    });
    const fixes = actions.filter((a) => a.kind === 'quickfix');
    assert.ok(fixes.length >= 1, JSON.stringify(actions));
    const preferred = fixes.find((a) => a.isPreferred)!;
    assert.ok(preferred, 'one fix is preferred');
    assert.equal((preferred.diagnostics as Diagnostic[])[0].code, 'DJ214');
    const fixed = applyEdits(text, preferred.edit!.changes![uri]);
    assert.match(fixed, /value : float32\n/);
    assert.equal(fixed.replace('float32', 'float'), text, 'only the type changed');
  });

  it('offers no quick fix where there is no diagnostic, and none outside definitions', async () => {
    const { uri, text } = client.openFile(join(PY, 'pipeline/processing.py'));
    const at = positionOf(text, 'spike_count');
    const none = await client.request<CodeAction[] | null>('textDocument/codeAction', { textDocument: { uri }, range: { start: at, end: at }, context: { diagnostics: [] } });
    assert.deepEqual(none, []);
  });

  it('fixes all legacy types of the file at once (source.fixAll.datajoint)', async () => {
    const uri = fileUri(join(PY, 'pipeline/broken.py'));
    const text = (await import('node:fs')).readFileSync(join(PY, 'pipeline/broken.py'), 'utf8');
    const all = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll.datajoint'] },
    });
    assert.equal(all.length, 1);
    assert.equal(all[0].kind, 'source.fixAll.datajoint');
    const fixed = applyEdits(text, all[0].edit!.changes![uri]);
    assert.match(fixed, /legacy_id : int64\n/);
    assert.match(fixed, /value : float32\n/);
    client.change(uri, fixed);
    const d = await client.waitDiagnostics(uri, (x) => !x.some((y) => y.code === 'DJ214'));
    assert.ok(d.every((x) => !x.tags?.includes(2)));
  });

  it('aligns colons and comments inside definitions only, keeping their meaning', async () => {
    const uri = fileUri(join(PY, 'pipeline/messy.py'));
    client.open(uri, MISALIGNED);
    const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 4, insertSpaces: true } });
    assert.ok(edits.length > 0);
    const formatted = applyEdits(MISALIGNED, edits);
    assert.ok(formatted.includes('x = dict(a = 1,   b=2)'), 'host code untouched');
    assert.deepEqual(meaning(formatted), meaning(MISALIGNED));
    const lines = formatted.slice(0, formatted.indexOf('class Other')).split('\n');
    const colons = lines.filter((l) => /^    [a-z_]+( = \S+)? +: /.test(l)).map((l) => l.indexOf(' : '));
    assert.equal(colons.length, 4);
    assert.equal(new Set(colons).size, 1, `colons aligned:\n${formatted}`);
    const hashes = lines.filter((l) => /^    (?!#).*#/.test(l)).map((l) => l.indexOf('#'));
    assert.equal(hashes.length, 3);
    assert.equal(new Set(hashes).size, 1, `comments aligned:\n${formatted}`);
    assert.ok(formatted.includes('# a messy table'), 'table comment kept');
    assert.ok(formatted.includes("    other : varchar(8)\n    '''"), 'an aligned definition is left alone');
    // Idempotent: formatting the result changes nothing.
    client.change(uri, formatted);
    const again = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 4, insertSpaces: true } });
    assert.deepEqual(again, []);
  });

  it('formats only the definitions a range touches', async () => {
    const uri = fileUri(join(PY, 'pipeline/messy2.py'));
    const text = MISALIGNED.replace("other : varchar(8)", "other:varchar(8)");
    client.open(uri, text);
    const at = positionOf(text, 'other:varchar');
    const edits = await client.request<TextEdit[]>('textDocument/rangeFormatting', {
      textDocument: { uri },
      range: { start: at, end: { line: at.line, character: at.character + 3 } },
      options: { tabSize: 4, insertSpaces: true },
    });
    assert.equal(edits.length, 1);
    assert.equal(edits[0].newText, 'other : varchar(8)');
  });

  it('leaves definitions with syntax errors unformatted', async () => {
    const uri = fileUri(join(PY, 'pipeline/messy3.py'));
    client.open(uri, MISALIGNED.replace('n=5:int16', 'n=5:int16(('));
    const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 4, insertSpaces: true } });
    const messyLines = new Set([7, 8, 9, 10, 11, 12, 13, 14]);
    assert.ok(edits.every((e) => !messyLines.has(e.range.start.line)), JSON.stringify(edits));
  });
});
