// HostFile places offsets with its own line table (lineStarts), not the TextDocument's:
// every offset and position must come out exactly as TextDocument gives them, for each
// kind of line ending, at the ends of the text and past them, and for notebook cells.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { HostFile } from '../../../server/documents/hostFile';
import { lineStarts } from '../../../runtime/definition/offsets';
import { LineIndex } from '../../../runtime/project/lines';

const TEXTS = [
  '',
  'x',
  '\n',
  '\r\n',
  '\r',
  'class A(dj.Manual):\n    definition = """\n    a : int32\n    """\n',
  'a\r\nb\r\n\r\nc',
  'a\rb\r\rc\r',
  'mixed\nlines\r\nand\rcarriage\r\n\n\r',
  'no newline at the end',
  'é ü 🧪\n∂x\r\nÿ',
];

// Every mix of line endings, cut at every length: a deterministic stand-in for random texts.
const MIXED = Array.from({ length: 40 }, (_, n) => ['a', '\n', 'b\r', '\r\n', 'cd', '\r', '\n\r', 'e'].map((p, i) => p.repeat(((n + i) % 3) + 1)).join('').slice(0, n + 3));

test('lineStarts gives the line table the character loop gives, with and without carriage returns', () => {
  let lines = 0;
  for (const text of [...TEXTS, ...MIXED]) {
    const loop = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 13 && text.charCodeAt(i + 1) === 10) continue;
      if (c === 10 || c === 13) loop.push(i + 1);
    }
    assert.deepEqual(lineStarts(text), loop, JSON.stringify(text));
    lines += loop.length;
  }
  assert.equal(lines, 33 + MIXED.reduce((n, t) => n + 1 + (t.match(/\r\n|\r|\n/g)?.length ?? 0), 0));
});

test('positions and offsets of a one-document file equal the TextDocument\'s, at every offset and position', () => {
  let checked = 0;
  for (const text of TEXTS) {
    const doc = TextDocument.create('file:///w/a.py', 'python', 3, text);
    const file = new HostFile('/w/a.py', 'python', [{ uri: doc.uri, text, doc }]);
    const index = new LineIndex(text);
    for (let o = -2; o <= text.length + 2; o++) {
      assert.deepEqual(file.positionAt(o), doc.positionAt(o), `${JSON.stringify(text)} at ${o}`);
      if (o >= 0 && o <= text.length && !(text[o - 1] === '\r' && text[o] === '\n')) assert.deepEqual(index.position(o), doc.positionAt(o));
      checked++;
    }
    for (let line = -1; line <= doc.lineCount + 1; line++) {
      for (let character = -1; character <= 8; character++) {
        assert.equal(file.offsetAt(doc.uri, { line, character }), doc.offsetAt({ line, character }), `${JSON.stringify(text)} at ${line}:${character}`);
        checked++;
      }
    }
    const r = file.range(0, text.length);
    assert.deepEqual(r, { start: doc.positionAt(0), end: doc.positionAt(text.length) });
    assert.equal(file.versionOf(doc.uri), 3);
  }
  assert.equal(checked, 861);
});

// vscode-languageserver's TextDocuments updates an open document's TextDocument in place:
// a HostFile keeps placing offsets in the text (and naming the version) it was made from.
test('positions and the version stay those of the text the file was made from when its document moves on', () => {
  const text = 'a\r\nb\r\nc';
  const doc = TextDocument.create('file:///w/a.py', 'python', 3, text);
  const file = new HostFile('/w/a.py', 'python', [{ uri: doc.uri, text, doc }]);
  const cell = TextDocument.create('vscode-notebook-cell:/w/n.ipynb#c0', 'python', 5, 'x\ny');
  const notebook = new HostFile('/w/n.ipynb', 'python', [{ uri: 'vscode-notebook-cell:/w/n.ipynb#z', text: 'z' }, { uri: cell.uri, text: 'x\ny', doc: cell }]);
  TextDocument.update(doc, [{ text: 'zzzzzz\nq' }], 4);
  TextDocument.update(cell, [{ text: '\n\n\nlonger' }], 6);
  assert.equal(file.versionOf(doc.uri), 3);
  assert.deepEqual(file.positionAt(4), { line: 1, character: 1 });
  assert.equal(file.offsetAt(doc.uri, { line: 2, character: 0 }), 6);
  assert.equal(notebook.versionOf(cell.uri), 5);
  assert.deepEqual(notebook.position(4), { uri: cell.uri, position: { line: 1, character: 0 } });
  assert.equal(notebook.offsetAt(cell.uri, { line: 1, character: 1 }), 5);
});

test('a notebook\'s cells are placed each in its own document, and a closed file has no version', () => {
  const cells = ['import datajoint as dj\r\n', 'class A(dj.Manual):\n    definition = "a : int32"\n'];
  const docs = cells.map((text, i) => TextDocument.create(`vscode-notebook-cell:/w/n.ipynb#c${i}`, 'python', 1, text));
  const file = new HostFile('/w/n.ipynb', 'python', docs.map((doc, i) => ({ uri: doc.uri, text: cells[i]!, doc })));
  const second = cells[0]!.length + 1;
  for (let o = 0; o <= cells[1]!.length; o++) {
    assert.deepEqual(file.position(second + o), { uri: docs[1]!.uri, position: docs[1]!.positionAt(o) });
    assert.equal(file.offsetAt(docs[1]!.uri, docs[1]!.positionAt(o)), second + o);
  }
  // The first cell ends in \r\n; the '\n' that joins the cells belongs to neither.
  for (let o = 0; o <= cells[0]!.length; o++) {
    assert.deepEqual(file.position(o), { uri: docs[0]!.uri, position: docs[0]!.positionAt(o) });
    assert.equal(file.offsetAt(docs[0]!.uri, docs[0]!.positionAt(o)), docs[0]!.offsetAt(docs[0]!.positionAt(o)));
  }
  assert.equal(file.uriAt(cells[0]!.length), docs[0]!.uri);
  assert.equal(file.uriAt(second), docs[1]!.uri);
  assert.deepEqual(file.position(5), { uri: docs[0]!.uri, position: { line: 0, character: 5 } });
  const closed = new HostFile('/w/b.py', 'python', [{ uri: 'file:///w/b.py', text: 'x\ny' }]);
  assert.equal(closed.versionOf('file:///w/b.py'), undefined);
  assert.deepEqual(closed.positionAt(3), { line: 1, character: 1 });
});
