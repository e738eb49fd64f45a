// Property test: random edits of corpus definitions (insert, delete, replace characters,
// cut lines, paste fragments of the language) never make parsing or validation throw,
// and the tree stays sane. Timing is measured by bench/definition.bench.ts, not here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyzeTable, catalogueEntry, checkDefinition, parseDefinition, type DiagnosticCode } from '../../../runtime/definition';
import { context } from './tables';
import { checkSpans, corpus } from './spans';

const FRAGMENTS = ['->', '#', '---', ':', '=', "'", '"', '(', ')', ',', '[', ']', '<', '>', '@', '.proj(', '.', '\n', '\r\n', '\t', ' ', 'index(', 'unique ',
  'null', 'CURRENT_TIMESTAMP(', 'master', '<blob@', 'enum(', "''", '\\', 'é', '\u2028', '\u0000', '->[', '# :', 'int32', '_'];

type Edit =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'replace'; at: number; length: number; text: string }
  | { kind: 'cutLine'; line: number };

const text = fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 3 }));
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 6 }), text }),
  fc.record({ kind: fc.constant('cutLine' as const), line: fc.nat() }),
);

function apply(source: string, e: Edit): string {
  if (e.kind === 'cutLine') {
    const lines = source.split('\n');
    lines.splice(e.line % lines.length, 1);
    return lines.join('\n');
  }
  const at = source.length ? e.at % (source.length + 1) : 0;
  if (e.kind === 'insert') return source.slice(0, at) + e.text + source.slice(at);
  if (e.kind === 'delete') return source.slice(0, at) + source.slice(at + e.length);
  return source.slice(0, at) + e.text + source.slice(at + e.length);
}

test('random edits of corpus definitions never throw and keep a sane tree', () => {
  fc.assert(
    fc.property(fc.constantFrom(...corpus), fc.array(edit, { minLength: 1, maxLength: 8 }), fc.boolean(), (fixture, edits, withContext) => {
      const source = edits.reduce(apply, fixture.text).slice(0, 4000);
      const ctx = withContext ? context({ tier: 'Computed', className: 'Fuzzed' }) : {};
      const { ast, diagnostics } = checkDefinition(source, ctx);
      assert.equal(ast.source, source);
      checkSpans(ast);
      for (const d of diagnostics) {
        assert.ok(d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= source.length, `${d.code} span in bounds`);
        assert.match(d.code, /^DJ[1-5]\d\d$/);
        // Placeholders are filled (user text may of course contain braces itself).
        for (const [placeholder] of catalogueEntry(d.code as DiagnosticCode).message.matchAll(/\{\w+\}/g)) {
          assert.ok(!d.message.includes(placeholder) || source.includes(placeholder), `${d.code} message filled: ${d.message}`);
        }
        for (const f of d.fixes ?? []) for (const e of f.edits) assert.ok(e.span.end <= source.length);
      }
      // Applying any fix leaves a text that still checks without throwing.
      const fix = diagnostics.find((d) => d.fixes?.length)?.fixes![0];
      if (fix) {
        const edits = [...fix.edits].sort((a, b) => b.span.start - a.span.start);
        checkSpans(checkDefinition(edits.reduce((t, e) => t.slice(0, e.span.start) + e.newText + t.slice(e.span.end), source), ctx).ast);
      }
      // Parsing alone and analysis agree with the combined check.
      assert.equal(parseDefinition(source).ast.lines.length, ast.lines.length);
      analyzeTable(ast, ctx);
    }),
    { numRuns: 1500, seed: Number(process.env.FUZZ_SEED ?? 20261124) },
  );
});

test('arbitrary text never throws', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (source) => {
      const { ast } = checkDefinition(source, context({ tier: 'Part', masterName: 'Master' }));
      checkSpans(ast);
    }),
    { numRuns: 1000, seed: Number(process.env.FUZZ_SEED ?? 7) },
  );
});
