// Jupyter notebooks: each Python cell is a text document (vscode-notebook-cell URI);
// definitions in one cell see the imports and tables of the others.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { CompletionList, Location, Hover } from 'vscode-languageserver-protocol/node';
import { ensureBuilt, fileUri, LspClient, positionOf } from './client';
import { hoverText, labels, PY } from './helpers';

interface Cell {
  kind: 1 | 2;
  uri: string;
  text: string;
  languageId: string;
}

function loadNotebook(path: string): { uri: string; cells: Cell[] } {
  const nb = JSON.parse(readFileSync(path, 'utf8')) as { cells: Array<{ cell_type: string; source: string[] }> };
  const uri = fileUri(path);
  const cells = nb.cells.map((c, i) => ({
    kind: (c.cell_type === 'code' ? 2 : 1) as 1 | 2,
    uri: `vscode-notebook-cell:${new URL(uri).pathname}#C${i}`,
    text: c.source.join(''),
    languageId: c.cell_type === 'code' ? 'python' : 'markdown',
  }));
  return { uri, cells };
}

describe('notebooks', () => {
  let client: LspClient;
  const nb = loadNotebook(join(PY, 'analysis.ipynb'));
  const [, imports, annotation, flag] = nb.cells;
  before(async () => {
    ensureBuilt();
    ({ client } = await LspClient.start(PY));
    await client.waitIndexed();
    void client.conn.sendNotification('notebookDocument/didOpen', {
      notebookDocument: { uri: nb.uri, notebookType: 'jupyter-notebook', version: 1, cells: nb.cells.map((c) => ({ kind: c.kind, document: c.uri })) },
      cellTextDocuments: nb.cells.map((c) => ({ uri: c.uri, languageId: c.languageId, version: 1, text: c.text })),
    });
  });
  after(async () => {
    await client.stop();
  });

  it('publishes diagnostics per cell, resolving imports made in another cell', async () => {
    assert.deepEqual(await client.waitDiagnostics(annotation.uri), []);
    assert.deepEqual(await client.waitDiagnostics(flag.uri), []);
    assert.deepEqual(await client.waitDiagnostics(imports.uri), []);
  });

  it('re-checks a cell edit and places the problem in that cell', async () => {
    const at = positionOf(flag.text, 'flag : bool', 7);
    void client.conn.sendNotification('notebookDocument/didChange', {
      notebookDocument: { uri: nb.uri, version: 2 },
      change: { cells: { textContent: [{ document: { uri: flag.uri, version: 2 }, changes: [{ range: { start: at, end: { line: at.line, character: at.character + 4 } }, text: 'boolean' }] }] } },
    });
    const d = await client.waitDiagnostics(flag.uri, (x) => x.length > 0);
    assert.deepEqual(d.map((x) => x.code), ['DJ203']);
    assert.deepEqual(d[0].range.start, at);
    assert.deepEqual(await client.waitDiagnostics(annotation.uri), []);
    void client.conn.sendNotification('notebookDocument/didChange', {
      notebookDocument: { uri: nb.uri, version: 3 },
      change: { cells: { textContent: [{ document: { uri: flag.uri, version: 3 }, changes: [{ range: { start: at, end: { line: at.line, character: at.character + 7 } }, text: 'bool' }] }] } },
    });
    await client.waitDiagnostics(flag.uri, (x) => x.length === 0);
  });

  it('completes tables from other cells and the imported pipeline', async () => {
    const at = positionOf(flag.text, '-> Annotation', 3);
    const r = await client.request<CompletionList | null>('textDocument/completion', { textDocument: { uri: flag.uri }, position: at });
    const l = labels(r);
    assert.ok(l.includes('Annotation'), l.join());
    assert.ok(l.includes('Session'), l.join());
    assert.ok(l.includes('Session.Trial'), l.join());
  });

  it('goes to a table declared in another cell and hovers it', async () => {
    const at = positionOf(flag.text, '-> Annotation', 5);
    const loc = await client.request<Location | null>('textDocument/definition', { textDocument: { uri: flag.uri }, position: at });
    assert.equal(loc?.uri, annotation.uri);
    assert.deepEqual(loc?.range.start, positionOf(annotation.text, 'class Annotation', 6));
    const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: flag.uri }, position: at });
    assert.match(hoverText(h), /Primary key: `subject_id`, `session_idx`, `annotation_id`/);
  });

  it('answers nothing outside definitions in cells', async () => {
    const r = await client.request<CompletionList | null>('textDocument/completion', { textDocument: { uri: imports.uri }, position: { line: 1, character: 5 } });
    assert.equal(r, null);
  });

  it('clears cell diagnostics when the notebook closes', async () => {
    const at = positionOf(flag.text, 'flag : bool', 7);
    void client.conn.sendNotification('notebookDocument/didChange', {
      notebookDocument: { uri: nb.uri, version: 4 },
      change: { cells: { textContent: [{ document: { uri: flag.uri, version: 4 }, changes: [{ range: { start: at, end: { line: at.line, character: at.character + 4 } }, text: 'boolx' }] }] } },
    });
    await client.waitDiagnostics(flag.uri, (x) => x.length > 0);
    void client.conn.sendNotification('notebookDocument/didClose', { notebookDocument: { uri: nb.uri }, cellTextDocuments: nb.cells.map((c) => ({ uri: c.uri })) });
    await client.waitDiagnostics(flag.uri, (x) => x.length === 0);
  });
});
