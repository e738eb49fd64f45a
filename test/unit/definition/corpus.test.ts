// The corpus of valid definitions (test/fixtures/definitions): every construct of the
// language parses without a diagnostic, validates without errors, and every node's span
// covers exactly the text it stands for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDefinition, parseDefinition, type ValidationContext } from '../../../runtime/definition';
import { context } from './tables';
import { checkSpans, corpus } from './spans';

const contexts: Record<string, ValidationContext> = {
  'part.txt': context({ tier: 'Part', masterName: 'Master', className: 'Unit' }),
  'part-paren.txt': context({ tier: 'Part', masterName: 'Master', className: 'Channel' }),
};

/** Diagnostics other than errors that a fixture is expected to carry. */
const expected: Record<string, string[]> = {
  'legacy.txt': ['DJ214', 'DJ214', 'DJ214', 'DJ214', 'DJ214', 'DJ214', 'DJ214', 'DJ214', 'DJ214'],
  'singleton.txt': ['DJ503'],
};

test('the corpus covers every construct', () => {
  assert.ok(corpus.length >= 10);
  const all = corpus.map((c) => c.text).join('\n');
  for (const construct of ['-> master', '-> (master)', '-> Master.Part', 'acq.Scan', '.proj(', '[nullable]', 'UNIQUE', 'unique index', 'INDEX (',
    'CURRENT_TIMESTAMP(3)', "'it''s ok'", 'decimal(5, 2)', '<blob@>', '<attach@store>', '<filepath@raw>', '<object@>', '<npy@>', '<hash@cold>',
    'int unsigned', 'longblob', '\r\n', '\t', '---------------', 'index_value', '"unknown"', 'null', '2020-01-01', '(YEAR(born))', ':varchar(64)']) {
    assert.ok(all.includes(construct), `corpus lacks ${JSON.stringify(construct)}`);
  }
});

for (const { name, text } of corpus) {
  test(`corpus ${name}: parses without diagnostics`, () => {
    const { ast, diagnostics } = parseDefinition(text);
    assert.deepEqual(diagnostics, []);
    assert.ok(ast.lines.length > 0);
    assert.ok(!ast.lines.some((l) => l.kind === 'error'));
  });

  test(`corpus ${name}: validates without errors or warnings`, () => {
    const { diagnostics } = checkDefinition(text, contexts[name] ?? context({ className: 'Table' }));
    assert.deepEqual(diagnostics.map((d) => `${d.code} ${d.message}`).filter((d) => !(expected[name] ?? []).includes(d.slice(0, 5))), []);
    assert.deepEqual(diagnostics.map((d) => d.code), expected[name] ?? []);
  });

  test(`corpus ${name}: node spans cover their text`, () => {
    checkSpans(parseDefinition(text).ast);
  });
}
