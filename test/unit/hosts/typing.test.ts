// The finder runs on every keystroke: half-written code must never throw and must keep
// the rest of the file visible.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { encodeForHost, findDefinitions, scanHost, type HostLanguage, type LiteralStyle } from '../../../runtime/hosts';
import { assertExactMap } from './helpers';

test('python: an unterminated triple-quoted definition stops before the next class', () => {
  const src = [
    'class A(dj.Manual):',
    '    definition = """',
    '    a : int32',
    '',
    'class B(dj.Manual):',
    '    definition = """b : int32"""',
  ].join('\n');
  const defs = findDefinitions(src, 'python');
  assert.deepEqual(
    defs.map((d) => [d.className, d.text, d.terminated]),
    [
      ['A', '\n    a : int32\n\n', false],
      ['B', 'b : int32', true],
    ],
  );
  for (const d of defs) assertExactMap(src, d);
});

test('python: a class line inside an ended definition literal cuts it; a field after the cut does not count', () => {
  // The quotes of A's literal close only in B's: B's header cuts A's literal.
  const src = ['class A(dj.Manual):', '    definition = """', '    a : int32', 'class B(dj.Manual):', '    b = 1 """', ''].join('\n');
  assert.deepEqual(findDefinitions(src, 'python').map((d) => [d.className, d.text, d.terminated]), [['A', '\n    a : int32\n', false]]);
  // An f-string's `{` after the cut is not part of the literal: it stays a static definition.
  const f = ['class A(dj.Manual):', '    definition = f"""', 'class B(dj.Manual): {', ''].join('\n');
  const [a] = scanHost(f, 'python').tables;
  assert.equal(a.dynamicDefinition, false);
  assert.equal(a.definition?.text, '\n');
});

test('python: unbalanced brackets and half-written headers do not hide later classes', () => {
  const src = [
    'class A(dj.Manual:',
    '    definition = "a : int32"',
    'class B(dj.',
    'class C(dj.Computed):',
    '    definition = "-> A',
    'class D(dj.Lookup):',
    '    definition = "d : int32"',
  ].join('\n');
  const defs = findDefinitions(src, 'python');
  assert.deepEqual(
    defs.map((d) => [d.className, d.text]),
    [
      ['C', '-> A'],
      ['D', 'd : int32'],
    ],
  );
  assert.equal(defs[0].terminated, false);
});

test('typescript: an unterminated template and an unclosed class body do not hide later classes', () => {
  const src = [
    'export class A extends Manual {',
    '  static definition = `',
    '    a : int32',
    '',
    'export class B extends Manual {',
    '  static definition = `b : int32`;',
    '}',
  ].join('\n');
  const defs = findDefinitions(src, 'typescript');
  assert.deepEqual(
    defs.map((d) => [d.className, d.terminated]),
    [
      ['A', false],
      ['B', true],
    ],
  );
  assert.equal(defs[0].text, '\n    a : int32\n\n');
  const open = 'class A extends Manual {\n  static definition = `a : int32`;\n  make() {\nclass B extends Lookup {\n  static definition = `b : int32`\n}';
  assert.deepEqual(findDefinitions(open, 'typescript').map((d) => d.className), ['A', 'B']);
});

test('every prefix of a real file scans without throwing, in every language', () => {
  const files: Array<[string, HostLanguage]> = [
    ['../../fixtures/hosts/pipeline.py', 'python'],
    ['../../fixtures/hosts/pipeline.ts', 'typescript'],
  ];
  for (const [path, lang] of files) {
    const text = readFileSync(new URL(path, import.meta.url), 'utf8');
    const full = findDefinitions(text, lang).length;
    for (let end = 0; end <= text.length; end += 3) {
      const scan = scanHost(text.slice(0, end), lang);
      assert.ok(scan.definitions.length <= full + 1, `prefix ${end}`);
      for (const d of scan.definitions) assertExactMap(text.slice(0, end), d);
    }
  }
});

test('random text never throws', () => {
  const alphabet = fc.constantFrom(...'class def ( ) { } [ ] : = " \' ` \\ \n # @ $ / * r f definition Manual static'.split(' '), ' ', '\n', '"""', '${');
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 80 }), (parts) => {
      const text = parts.join('');
      for (const lang of ['python', 'typescript'] as const) {
        const scan = scanHost(text, lang);
        for (const d of scan.definitions) assertExactMap(text, d);
      }
    }),
    { numRuns: 400 },
  );
});

const styles: Array<[HostLanguage, LiteralStyle, (literal: string) => string]> = [
  ['python', { prefix: '', quote: '"""', raw: false }, (l) => `class T(dj.Manual):\n    definition = ${l}\n`],
  ['python', { prefix: '', quote: "'", raw: false }, (l) => `class T(dj.Manual):\n    definition = ${l}\n`],
  ['python', { prefix: 'f', quote: '"', raw: false }, (l) => `class T(dj.Manual):\n    definition = ${l}\n`],
  ['typescript', { prefix: '', quote: '`', raw: false }, (l) => `class T extends Manual {\n  static definition = ${l};\n}\n`],
  ['javascript', { prefix: '', quote: '"', raw: false }, (l) => `class T extends Manual {\n  definition = ${l}\n}\n`],
];

const style0 = (i: number): string => styles[i][1].quote;

test('encodeForHost and the decoders are inverse, and the map is exact, for any text', () => {
  const chars = fc.constantFrom(...'ab :#->=\'"`\\\n\t\r{}$é😀'.split(''), '${', '\\n', '"""', "'''");
  fc.assert(
    fc.property(fc.array(chars, { maxLength: 40 }), fc.integer({ min: 0, max: styles.length - 1 }), (parts, si) => {
      const value = parts.join('');
      // A line starting with `}` inside a template is taken as the class closing while typing (documented cut).
      fc.pre(!/[\n\r][ \t]*\}/.test(value) || style0(si) !== '`');
      const [lang, style, wrap] = styles[si];
      const literal = style.prefix + style.quote + encodeForHost(value, style) + style.quote;
      const host = wrap(literal);
      const defs = findDefinitions(host, lang);
      assert.equal(defs.length, 1, host);
      assert.equal(defs[0].text, value, host);
      assertExactMap(host, defs[0]);
    }),
    { numRuns: 500 },
  );
});
