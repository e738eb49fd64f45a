// Span checks shared by the corpus, recovery and fuzz tests.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unquote, type Definition, type Span } from '../../../runtime/definition';

const dir = join(__dirname, '../../fixtures/definitions');

/** test/fixtures/definitions/*.txt: valid definitions covering every construct. */
export const corpus: Array<{ name: string; text: string }> = readdirSync(dir)
  .filter((f) => f.endsWith('.txt'))
  .sort()
  .map((f) => ({ name: f, text: readFileSync(join(dir, f), 'utf8') }));

function slice(ast: Definition, s: Span): string {
  assert.ok(s.start >= 0 && s.start <= s.end && s.end <= ast.source.length, `span ${JSON.stringify(s)} in bounds`);
  return ast.source.slice(s.start, s.end);
}

/** Walks every node: spans nest in their line, line spans are trimmed and in order, texts match. */
export function checkSpans(ast: Definition): void {
  let previousEnd = 0;
  if (ast.tableComment) {
    assert.equal(slice(ast, ast.tableComment.span).slice(1).trim(), ast.tableComment.text);
    previousEnd = ast.tableComment.span.end;
  }
  for (const line of ast.lines) {
    const text = slice(ast, line.span);
    assert.ok(line.span.start >= previousEnd, 'lines in order');
    assert.equal(text, text.trim(), 'line span is trimmed');
    assert.ok(!/[\r\n]/.test(text), 'a line span stays on its line');
    previousEnd = line.span.end;
    const inLine = (s: Span) => assert.ok(s.start >= line.span.start && s.end <= line.span.end, `${JSON.stringify(s)} inside its line`);
    switch (line.kind) {
      case 'attribute':
        inLine(line.name.span);
        assert.equal(slice(ast, line.name.span), line.name.text);
        if (line.default) {
          inLine(line.default.span);
          assert.equal(slice(ast, line.default.span), line.default.text);
        }
        if (line.type) {
          inLine(line.type.span);
          assert.equal(slice(ast, line.type.span), line.type.text);
          for (const a of line.type.args ?? []) assert.equal(slice(ast, a.span), a.text);
          for (const m of line.type.modifiers ?? []) assert.equal(slice(ast, m.span), m.text);
          if (line.type.codec) {
            assert.equal(slice(ast, line.type.codec.name.span), line.type.codec.name.text);
            if (line.type.codec.store) assert.equal(slice(ast, line.type.codec.store.span), line.type.codec.store.text);
          }
        }
        if (line.comment) assert.equal(slice(ast, line.comment.span).slice(1).trim(), line.comment.text);
        break;
      case 'foreignKey':
        assert.equal(slice(ast, line.arrow), '->');
        for (const o of line.options) assert.equal(slice(ast, o.span), o.text);
        if (line.optionsSpan) assert.match(slice(ast, line.optionsSpan), /^\[/);
        if (line.reference) {
          inLine(line.reference.span);
          for (const p of line.reference.path) assert.equal(slice(ast, p.span), p.text);
          for (const item of line.reference.projection?.items ?? []) {
            assert.equal(slice(ast, item.span), item.text);
            if (item.target) assert.equal(slice(ast, item.target.span), item.target.text);
            if (item.source) assert.equal(unquote(slice(ast, item.source.span)), item.source.text);
          }
        }
        if (line.comment) assert.equal(slice(ast, line.comment.span).slice(1).trim(), line.comment.text);
        break;
      case 'index':
        assert.match(slice(ast, line.keyword), /^(unique\s+)?index$/i);
        for (const a of line.args) {
          inLine(a.span);
          assert.equal(slice(ast, a.span), a.text);
          if (a.name) assert.equal(slice(ast, a.name.span), a.name.text);
        }
        break;
      case 'divider':
        assert.match(text, /^---/);
        break;
      case 'comment':
        assert.equal(text.slice(1).trim(), line.comment.text);
        break;
      case 'error':
        assert.equal(text, line.text);
        break;
    }
  }
}
