// Whatever a definition holds, the host literal still ends where the host says it does,
// and the code after it is coloured by the host alone. Random definition text built from
// the characters that open DataJoint constructs (quotes, #, ->, brackets, :, =, <, @).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { has, hasNo, registry, tokenize, type HostSet, type TokenizedLine } from './textmate';

const PIECES = [
  'a', 'subject_id', 'Table', 'mod.Part', 'master', ' ', '  ', ':', '=', '#', '->', '---', '-', "'", '"', '<', '>', '@',
  '(', ')', '[', ']', ',', '.proj(', 'x=', 'int32', 'varchar(', 'enum(', 'null', 'CURRENT_TIMESTAMP', '12', 'index',
  'unique ', 'nullable', '<blob@', '}', '{', '`', '$',
];

/** One definition line without the characters in `forbidden`. */
function line(forbidden: RegExp): fc.Arbitrary<string> {
  return fc
    .array(fc.constantFrom(...PIECES), { maxLength: 12 })
    .map((parts) => parts.join('').replace(forbidden, ''));
}

function lastLine(lines: TokenizedLine[], text: string): TokenizedLine {
  const found = [...lines].reverse().find((l) => l.text === text);
  assert.ok(found, `no line ${JSON.stringify(text)}`);
  return found;
}

function assertHostAfter(lines: TokenizedLine[], text: string, number: string, numberScope: string): void {
  const after = lastLine(lines, text);
  for (const t of after.tokens) hasNo(t.scopes, 'meta.embedded', `${JSON.stringify(t.text)} after the definition`);
  const n = after.tokens.find((t) => t.text === number);
  assert.ok(n, `no ${number} on ${JSON.stringify(text)}`);
  has(n.scopes, numberScope, 'number after the definition');
}

const RUNS = { numRuns: 150 };

for (const hosts of ['real', 'stand-in'] as const satisfies readonly HostSet[]) {
  describe(`the host literal always ends (${hosts} host grammars)`, () => {
    const reg = registry(hosts);
    // Python's own rule: no backslashes here, and no run of the closing quote.
    const pyCases: Array<{ quote: string; forbidden: RegExp }> = [
      { quote: '"""', forbidden: /["\\`$]/g },
      { quote: "'''", forbidden: /['\\`$]/g },
      { quote: '"', forbidden: /["\\`$]/g },
      { quote: "'", forbidden: /['\\`$]/g },
    ];
    for (const { quote, forbidden } of pyCases) {
      test(`Python ${quote} on one line`, async () => {
        await fc.assert(
          fc.asyncProperty(line(forbidden), async (body) => {
            const src = `definition = ${quote}${body}${quote}\nafter = 1\n`;
            const lines = await tokenize(reg, 'source.python', src);
            assertHostAfter(lines, 'after = 1', '1', 'constant.numeric.dec.python');
            const closing = lines[0].tokens.at(-1);
            assert.ok(closing);
            has(closing.scopes, 'punctuation.definition.string.end.python', `closing ${quote} of ${JSON.stringify(body)}`);
          }),
          RUNS,
        );
      });
    }
    for (const quote of ['"""', "'''"]) {
      test(`Python ${quote} over several lines`, async () => {
        const forbidden = quote === '"""' ? /["\\`$]/g : /['\\`$]/g;
        await fc.assert(
          fc.asyncProperty(fc.array(line(forbidden), { minLength: 1, maxLength: 5 }), async (body) => {
            const src = `class T:\n    definition = ${quote}\n${body.join('\n')}${quote}\nafter = 1\n`;
            const lines = await tokenize(reg, 'source.python', src);
            assertHostAfter(lines, 'after = 1', '1', 'constant.numeric.dec.python');
          }),
          RUNS,
        );
      });
    }
    test('TypeScript template over several lines', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(line(/[`\\$]/g), { minLength: 1, maxLength: 5 }), async (body) => {
          const src = `class T {\n  static definition = \`\n${body.join('\n')}\`;\n  static after = 1;\n}\n`;
          const lines = await tokenize(reg, 'source.ts', src);
          assertHostAfter(lines, '  static after = 1;', '1', 'constant.numeric.decimal.ts');
        }),
        RUNS,
      );
    });
  });
}
