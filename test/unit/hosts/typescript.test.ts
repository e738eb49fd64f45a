import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { findDefinitions, scanHost } from '../../../runtime/hosts';
import { assertExactMap, only } from './helpers';

const fixture = readFileSync(new URL('../../fixtures/hosts/pipeline.ts', import.meta.url), 'utf8');

test('typescript: static and instance fields, parts as static class fields, master markers', () => {
  const scan = scanHost(fixture, 'typescript');
  assert.deepEqual(
    scan.definitions.map((d) => [d.className, d.tier, d.masterName]),
    [
      ['Session', 'Manual', undefined],
      ['Trial', 'Part', 'Session'],
      ['Probe2', 'Manual', undefined],
      ['Epoch', 'Part', 'Session'],
      ['Typed', 'Imported', undefined],
    ],
  );
  const tables = new Map(scan.tables.map((t) => [t.className, t]));
  assert.equal(tables.get('Dyn')!.dynamicDefinition, true, '${} substitution is built at run time');
  assert.equal(tables.get('Tagged')!.dynamicDefinition, true, 'a tagged template is built at run time');
  assert.ok(!tables.has('Fake') && !tables.has('Nope') && !tables.has('Hidden'), 'regex, string and comment are not classes');
  const session = scan.definitions[0];
  assert.deepEqual(session.decorators, ['schema']);
  assert.match(session.text, /uses `backticks` and \$\{not a substitution\}/);
  assert.equal(session.style.quote, '`');
  assert.equal(tables.get('Session')!.span.start, fixture.indexOf('@schema\nexport class Session'));
  assert.equal(fixture[tables.get('Session')!.span.end - 1], '}');
  for (const d of scan.definitions) assertExactMap(fixture, d);
  const probe = scan.definitions[2];
  assert.equal(probe.text, 'probe : int32\n---\nlabel : varchar(8)');
  assert.equal(probe.map.escapes().length, 2);
});

test('typescript: imports, re-exports and require', () => {
  const { imports } = scanHost(fixture, 'typescript');
  assert.deepEqual(
    imports.map((i) => [i.module, i.name, i.local, i.reexport ?? false]),
    [
      ['../../../runtime', undefined, 'dj', false],
      ['./subject', 'Subject', 'Animal', false],
      ['./subject', 'Lab', 'Lab', false],
      ['./other', 'default', 'Default', false],
      ['./other', 'Other', 'Other', false],
      ['./rig', 'Rig', 'Rig', false],
      ['./session', 'Session', 'S', true],
      ['./all', '*', '*', true],
      ['./util', undefined, 'util', false],
      ['./probe', 'Probe', 'Probe', false],
      ['./probe', 'Site', 'ProbeSite', false],
    ],
  );
});

test('javascript: escapes in quoted strings and templates, line continuations', () => {
  const src = [
    'class A extends dj.Manual {',
    "  static definition = 'a : int32  # it\\'s \\u00e9 \\x41 \\u{1F600} \\0 \\\\' ;",
    '}',
    'class B extends dj.Manual {',
    '  static definition = "b : int32\\',
    '  # continued";',
    '}',
    'class C extends dj.Lookup {',
    '  static definition = `c : int32 # \\` \\${x} \\n done`',
    '}',
  ].join('\n');
  const defs = findDefinitions(src, 'javascript');
  assert.deepEqual(
    defs.map((d) => d.text),
    ["a : int32  # it's é A 😀 \0 \\", 'b : int32  # continued', 'c : int32 # ` ${x} \n done'],
  );
  for (const d of defs) assertExactMap(src, d);
});

test('typescript: CRLF in templates becomes LF; definitions in object literals and methods are not fields', () => {
  const src = 'export class A extends Manual {\r\n  static definition = `\r\n  a : int32\r\n  `;\r\n  build() { return { definition: `x : int32` }; }\r\n}\r\n';
  const d = only(findDefinitions(src, 'typescript'));
  assert.equal(d.text, '\n  a : int32\n  ');
  assertExactMap(src, d);
});
