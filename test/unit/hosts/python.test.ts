import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { findDefinitions, scanHost } from '../../../runtime/hosts';
import { assertExactMap, only } from './helpers';

const fixture = readFileSync(new URL('../../fixtures/hosts/pipeline.py', import.meta.url), 'utf8');

test('python: finds class definitions with tier, master, decorators; skips non-tables and run-time strings', () => {
  const scan = scanHost(fixture, 'python');
  const byName = new Map(scan.tables.map((t) => [t.className, t]));
  assert.deepEqual(
    scan.definitions.map((d) => [d.className, d.tier, d.masterName]),
    [
      ['Session', 'Manual', undefined],
      ['Trial', 'Part', 'Session'],
      ['Escaped', 'Lookup', undefined],
      ['Raw', 'Computed', undefined],
      ['NotATable', undefined, undefined],
      ['Inline', 'Manual', undefined],
    ],
  );
  assert.equal(byName.get('Session')!.schema, 'schema');
  assert.deepEqual(byName.get('Session')!.decorators, ['schema']);
  assert.equal(byName.get('Dynamic')!.dynamicDefinition, true);
  assert.equal(byName.get('Dynamic')!.definition, undefined);
  assert.equal(byName.get('Concat')!.dynamicDefinition, true);
  // Neither the docstring's nor the comment's "class ... definition =" is a table, nor the method's local.
  assert.ok(!byName.has('Fake'));
  assert.ok(!scan.definitions.some((d) => d.text.includes('local variable')));
  const session = scan.definitions[0];
  assert.equal(fixture.slice(session.classSpan.start, session.classSpan.end), 'Session');
  assert.equal(fixture.slice(session.nameSpan.start, session.nameSpan.end), 'definition');
  assert.ok(fixture.slice(session.literalSpan.start, session.literalSpan.end).startsWith('"""\n    # A recording'));
  assert.equal(session.style.quote, '"""');
  for (const d of scan.definitions) assertExactMap(fixture, d);
});

test('python: escapes in non-raw strings are decoded and mapped; raw strings keep backslashes', () => {
  const defs = findDefinitions(fixture, 'python');
  const escaped = defs.find((d) => d.className === 'Escaped')!;
  assert.equal(escaped.text, 'id : int32\n---\nlabel : varchar(8)  # tab\there \\ backslash "q"');
  const nl = escaped.text.indexOf('\n');
  assert.equal(fixture.slice(escaped.map.toHost(nl), escaped.map.toHost(nl + 1)), '\\n');
  const label = escaped.text.indexOf('label');
  assert.equal(fixture.slice(escaped.map.toHost(label), escaped.map.toHost(label + 5)), 'label');
  assert.equal(escaped.map.escapes().length, 6);
  const raw = defs.find((d) => d.className === 'Raw')!;
  assert.ok(raw.text.includes('regex \\d+'));
  assert.equal(raw.style.raw, true);
  assert.equal(raw.style.prefix, 'r');
  assert.deepEqual(raw.map.escapes(), []);
});

test('python: every escape form', () => {
  const src = 'class T(dj.Manual):\n    definition = "a\\tb\\x41\\101\\u00e9\\U0001F600\\N{BULLET}\\q\\\\\\\n!"\n';
  const d = only(findDefinitions(src, 'python'));
  assert.equal(d.text, 'a\tbAAé😀\uFFFD\\q\\!');
  assertExactMap(src, d);
  const cr = 'class T(dj.Manual):\r\n    definition = """\r\n    a : int32\r\n    """\r\n';
  const c = only(findDefinitions(cr, 'python'));
  assert.equal(c.text, '\n    a : int32\n    ');
  assertExactMap(cr, c);
});

test('python: string prefixes, single quotes, annotations, parentheses, one-line bodies', () => {
  const src = [
    'class A(Manual):',
    "    definition = u'a : int32'",
    'class B(dj.Lookup):',
    '    definition: str = R"""b : int32"""',
    'class C(dj.Imported):',
    '    definition = ("""',
    '    c : int32',
    '    """)',
    'class D(datajoint.Computed): definition = F"d : int32  # {{braces}}"',
    'class E(dj.Manual, metaclass=Meta):',
    '    definition = "a" "b"',
    'class F(dj.Manual):',
    '    definition = b"bytes : int32"',
    'class G(dj.Manual):',
    '    definition = text_from_elsewhere',
  ].join('\n');
  const scan = scanHost(src, 'python');
  assert.deepEqual(
    scan.definitions.map((d) => [d.className, d.tier, d.text]),
    [
      ['A', 'Manual', 'a : int32'],
      ['B', 'Lookup', 'b : int32'],
      ['C', 'Imported', '\n    c : int32\n    '],
      ['D', 'Computed', 'd : int32  # {braces}'],
    ],
  );
  for (const d of scan.definitions) assertExactMap(src, d);
  assert.deepEqual(scan.tables.find((t) => t.className === 'E')!.bases, ['dj.Manual']);
  assert.deepEqual(
    scan.tables.filter((t) => t.dynamicDefinition).map((t) => t.className),
    ['E', 'F', 'G'],
  );
});

test('python: nested parts, sibling methods and dedent back to module level', () => {
  const src = [
    '@schema',
    'class Master(dj.Manual):',
    '    definition = "m : int32"',
    '    class PartA(dj.Part):',
    '        definition = "-> master"',
    '        def make(self):',
    '            class Local(dj.Manual):',
    '                pass',
    '    def method(self):',
    '        pass',
    '    class PartB(dj.Part):',
    '        definition = """',
    '-> Master',
    'b : int32',
    '"""',
    '',
    'definition = "module level is not a table"',
    'class Other(dj.Manual):',
    '    definition = "o : int32"',
  ].join('\n');
  const scan = scanHost(src, 'python');
  assert.deepEqual(
    scan.definitions.map((d) => [d.className, d.masterName]),
    [
      ['Master', undefined],
      ['PartA', 'Master'],
      ['PartB', 'Master'],
      ['Other', undefined],
    ],
  );
  const local = scan.tables.find((t) => t.className === 'Local');
  assert.equal(local?.masterName, undefined, 'a class inside a method is not a part');
  const master = scan.tables.find((t) => t.className === 'Master')!;
  assert.equal(src.slice(master.span.start, master.span.start + 7), '@schema');
  assert.ok(src.slice(master.span.start, master.span.end).trimEnd().endsWith('"""'));
});

test('python: imports of every form', () => {
  const src = [
    'import datajoint as dj',
    'import pkg.sub.mod',
    'from . import subject, session as sess',
    'from ..common.lab import (',
    '    Lab,',
    '    Rig as R,',
    ')',
    'from .mod import *',
    'if True:',
    '    from pipeline import acquisition',
  ].join('\n');
  const { imports } = scanHost(src, 'python');
  assert.deepEqual(
    imports.map((i) => [i.module, i.name, i.local]),
    [
      ['datajoint', undefined, 'dj'],
      ['pkg', undefined, 'pkg'],
      ['.', 'subject', 'subject'],
      ['.', 'session', 'sess'],
      ['..common.lab', 'Lab', 'Lab'],
      ['..common.lab', 'Rig', 'R'],
      ['.mod', '*', '*'],
      ['pipeline', 'acquisition', 'acquisition'],
    ],
  );
  assert.equal(src.slice(imports[5].span.start, imports[5].span.end), 'Rig as R');
});

test('python: CRLF files indented with tabs keep nesting and exact maps', () => {
  const src = 'class M(dj.Manual):\r\n\tdefinition = """\r\n\tm : int32\r\n\t"""\r\n\tclass P(dj.Part):\r\n\t\tdefinition = "-> master\\r\\np : int32"\r\nclass N(dj.Lookup):\r\n\tdefinition = \'n : int32\'\r\n';
  const defs = findDefinitions(src, 'python');
  assert.deepEqual(
    defs.map((d) => [d.className, d.masterName, d.text]),
    [
      ['M', undefined, '\n\tm : int32\n\t'],
      ['P', 'M', '-> master\r\np : int32'],
      ['N', undefined, 'n : int32'],
    ],
  );
  for (const d of defs) assertExactMap(src, d);
});

test('languageOfPath: the host languages by extension', async () => {
  const { languageOfPath } = await import('../../../runtime/hosts');
  assert.deepEqual(
    ['a.py', 'b.pyi', 'c.ts', 'd.mts', 'e.cts', 'f.js', 'g.mjs', 'h.cjs', 'i.json', 'j.PY', 'k'].map(languageOfPath),
    ['python', 'python', 'typescript', 'typescript', 'typescript', 'javascript', 'javascript', 'javascript', undefined, 'python', undefined],
  );
});
