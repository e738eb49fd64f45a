// One bad line never hides the others, and half-typed lines still yield nodes with what
// was written (the language server completes on them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDefinition, parseDefinition, type AttributeLine, type ForeignKeyLine, type IndexLine } from '../../../runtime/definition';
import { checkSpans } from './spans';

const at = (text: string, s: { start: number; end: number }) => text.slice(s.start, s.end);

test('every bad line is reported and every good line still parses', () => {
  const text = [
    'subject_id : int32',
    ': int32',
    'name = "x : varchar(8)',
    'ok_one : int16',
    'b -> Parent',
    '-> [nullable Parent',
    'index(a, ',
    '---',
    'c : varchar(32) ) junk',
    'ok_two = 5 : int32 # fine',
    "e : enum('a', 'b",
    '-> Parent & cond',
    'ok_three : <blob@>',
  ].join('\n');
  const { ast, diagnostics } = parseDefinition(text);
  assert.deepEqual(ast.lines.map((l) => l.kind), [
    'attribute', 'error', 'attribute', 'attribute', 'foreignKey', 'foreignKey', 'index', 'divider', 'attribute', 'attribute', 'attribute', 'foreignKey', 'attribute',
  ]);
  const names = ast.lines.filter((l): l is AttributeLine => l.kind === 'attribute').map((l) => [l.name.text, l.type?.text]);
  assert.deepEqual(names, [
    ['subject_id', 'int32'], ['name', undefined], ['ok_one', 'int16'], ['c', 'varchar(32)'], ['ok_two', 'int32'], ['e', "enum('a', 'b"], ['ok_three', '<blob@>'],
  ]);
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length - 1;
  const badLines = new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => lineOf(d.span.start)));
  assert.deepEqual([...badLines].sort((a, b) => a - b), [1, 2, 4, 5, 6, 8, 10, 11]);
  checkSpans(ast);
});

test('half-typed lines yield nodes', () => {
  const cases: Array<[string, (l: ReturnType<typeof parseDefinition>['ast']['lines'][number], text: string) => void, string]> = [
    ['subject_id : ', (l, t) => { assert.equal(l.kind, 'attribute'); assert.equal(at(t, (l as AttributeLine).name.span), 'subject_id'); assert.equal((l as AttributeLine).type, undefined); }, 'DJ103'],
    ['x = ', (l) => { assert.equal((l as AttributeLine).name.text, 'x'); assert.equal((l as AttributeLine).default, undefined); }, 'DJ108'],
    ['x = 5', (l) => { assert.equal((l as AttributeLine).default?.text, '5'); }, 'DJ103'],
    ['-> ', (l) => { assert.equal(l.kind, 'foreignKey'); assert.equal((l as ForeignKeyLine).reference, undefined); }, 'DJ106'],
    ['-> Sess', (l) => { assert.deepEqual((l as ForeignKeyLine).reference?.path.map((p) => p.text), ['Sess']); }, ''],
    ['-> acq.', (l, t) => {
      const path = (l as ForeignKeyLine).reference!.path;
      assert.deepEqual(path.map((p) => p.text), ['acq', '']);
      assert.equal(path[1]!.span.start, t.length); // completion position right after the dot
    }, 'DJ106'],
    ['-> [nul', (l) => { assert.deepEqual((l as ForeignKeyLine).options.map((o) => o.text), ['nul']); }, 'DJ104'],
    ["-> Session.proj(s='sess", (l) => { assert.equal((l as ForeignKeyLine).reference?.projection?.items[0]?.target?.text, 's'); }, 'DJ104'],
    ['index(', (l) => { assert.equal(l.kind, 'index'); assert.deepEqual((l as IndexLine).args, []); }, 'DJ104'],
    ['index(a, b', (l) => { assert.deepEqual((l as IndexLine).args.map((a) => a.text), ['a', 'b']); }, 'DJ104'],
    ['a : varchar(', (l) => { assert.equal((l as AttributeLine).type?.name, 'varchar'); }, 'DJ104'],
    ['a : <blob@', (l) => { assert.equal((l as AttributeLine).type?.codec?.name.text, 'blob'); assert.equal((l as AttributeLine).type?.codec?.store?.text, ''); }, 'DJ104'],
    ['a = "unterminated : int32', (l) => { assert.equal((l as AttributeLine).default?.kind, 'string'); }, 'DJ104'],
  ];
  for (const [text, check, code] of cases) {
    const { ast, diagnostics } = parseDefinition(text);
    assert.equal(ast.lines.length, 1, text);
    check(ast.lines[0]!, text);
    if (code) assert.ok(diagnostics.some((d) => d.code === code), `${text}: expected ${code}, got ${diagnostics.map((d) => d.code)}`);
    else assert.deepEqual(diagnostics, [], text);
    checkSpans(ast);
  }
});

test('a reference line with text before the arrow or a restriction still names its table', () => {
  const { ast, diagnostics } = checkDefinition("b -> Parent\n-> Parent & 'x=1'");
  const fks = ast.lines as ForeignKeyLine[];
  assert.deepEqual(fks.map((l) => l.reference?.path[0]?.text), ['Parent', 'Parent']);
  assert.deepEqual(diagnostics.map((d) => d.code), ['DJ105', 'DJ304']);
});

test('classification: `->` after a quote or # is not a foreign key; index needs parentheses', () => {
  const { ast } = parseDefinition("a = '->' : varchar(2)\nb : int32 # ->x\nindex : int32\nunique_index : int32\n# -> c");
  assert.deepEqual(ast.lines.map((l) => l.kind), ['attribute', 'attribute', 'attribute', 'attribute', 'comment']);
});

test('CRLF and CR line endings', () => {
  for (const nl of ['\r\n', '\r']) {
    const text = ['# t', 'a : int32', '---', 'b : int16 # c'].join(nl);
    const { ast, diagnostics } = parseDefinition(text);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(ast.lines.map((l) => l.kind), ['attribute', 'divider', 'attribute']);
    assert.equal(ast.tableComment?.text, 't');
    checkSpans(ast);
  }
});

test('text after a quoted default is reported, the literal is kept', () => {
  const text = "k : int32\n---\na = 'x:y' junk : varchar(8)";
  const { ast, diagnostics } = checkDefinition(text);
  assert.equal((ast.lines[2] as AttributeLine).default?.value, 'x:y');
  assert.deepEqual(diagnostics.map((d) => [d.code, at(text, d.span)]), [['DJ102', 'junk']]);
});

test('a missing colon is named when the type is there', () => {
  const { diagnostics } = checkDefinition('subject_id int32');
  assert.equal(diagnostics[0]?.code, 'DJ103');
  assert.match(diagnostics[0]!.message, /the `:` before `int32` is missing/);
});

test('projection targets follow the attribute name rules', () => {
  const text = "-> Session.proj(NewName='session_idx', _hidden='subject_id')";
  const { diagnostics } = checkDefinition(text);
  assert.deepEqual(diagnostics.map((d) => [d.code, at(text, d.span)]), [['DJ201', 'NewName'], ['DJ202', '_hidden']]);
});

test('messages name the likely mistake', () => {
  const cases: Array<[string, string, string, RegExp]> = [
    ['k : uuid\n---\nb = 2020-01-01 12:00:00 : datetime', 'DJ102', '00:00 : datetime', /must be quoted/],
    ['x : (3)', 'DJ102', '(3)', /expected a type/],
    ['name : varchar', 'DJ203', 'varchar', /varchar\(255\)/],
    ['k : int32\n---\nd : datetime = CURRENT_TIMESTAMP', 'DJ109', '= CURRENT_TIMESTAMP', /d = CURRENT_TIMESTAMP : datetime/],
  ];
  for (const [text, code, span, message] of cases) {
    const d = checkDefinition(text).diagnostics.find((x) => x.code === code);
    assert.ok(d, `${text}: ${code}`);
    assert.equal(at(text, d.span), span);
    assert.match(d.message, message);
  }
});

test('an unreadable key line does not make the table a singleton', () => {
  assert.deepEqual(checkDefinition('- > Session').diagnostics.map((d) => d.code), ['DJ101']);
});

test('deeply nested or unbalanced parentheses and very long lines do not throw', () => {
  const deep = 20000;
  const texts = [
    `a : int32\nindex(${'('.repeat(deep)}a${')'.repeat(deep)})`,
    `index(${'('.repeat(deep)}`,
    `a : enum(${'('.repeat(deep)}`,
    `-> A.proj(${'('.repeat(deep)}`,
    `-> ${'('.repeat(deep)}A${')'.repeat(deep)}`,
    `# ${' '.repeat(100000)}x`,
    `a = '${"''".repeat(50000)} : int32`,
    `-> ${'a.'.repeat(50000)}`,
  ];
  for (const text of texts) {
    const { ast } = checkDefinition(text);
    checkSpans(ast);
  }
  const { ast } = parseDefinition(texts[0]!);
  assert.equal((ast.lines[1] as IndexLine).args[0]!.kind, 'expression');
});

test('empty and blank definitions', () => {
  for (const text of ['', '   ', '\n\n  \n']) {
    const { ast, diagnostics } = parseDefinition(text);
    assert.deepEqual(ast.lines, []);
    assert.deepEqual(diagnostics, []);
  }
});
