// The same definition checked against each DataJoint: what 0.14 declares (datajoint 0.14.9
// declare.py: TYPE_PATTERN) is clean under 0.14 and carries its 2.x form; what only 2.x
// declares is an error under 0.14 with its 0.14 form; old-style foreign keys are read by
// 0.13 only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTable, checkDefinition, classifyType, type DataJointTarget, type Diagnostic, type ValidationContext } from '../../../runtime/definition';
import { context } from './tables';

const K = 'k : int\n---\n';

function check(text: string, target: DataJointTarget, ctx: ValidationContext = {}): Diagnostic[] {
  return checkDefinition(text, { ...ctx, target }).diagnostics;
}

function codes(ds: Diagnostic[], severity?: Diagnostic['severity']): string[] {
  return ds.filter((d) => !severity || d.severity === severity).map((d) => d.code);
}

function applyPreferred(text: string, ds: Diagnostic[]): string {
  const edits = ds.flatMap((d) => d.fixes?.find((f) => f.preferred)?.edits ?? []).sort((a, b) => b.span.start - a.span.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  return out;
}

// type as written in a 0.14 pipeline -> what DataJoint 2 writes (undefined: 2.x takes it as it is, a native type at most)
const LEGACY: Array<[string, string | undefined]> = [
  ['blob', '<blob>'],
  ['longblob', '<blob>'],
  ['mediumblob', '<blob>'],
  ['BLOB', '<blob>'],
  ['attach', '<attach>'],
  ['blob@ephys', '<blob@ephys>'],
  ['attach@store', '<attach@store>'],
  ['filepath@raw', '<filepath@raw>'],
  ['boolean', 'bool'],
  ['tinyint(1)', 'bool'],
  ["enum ('a', 'b')", "enum('a', 'b')"],
  ['decimal(5,2) unsigned', 'decimal(5, 2)'],
  ['int unsigned', undefined],
  ['smallint', undefined],
  ['double', undefined],
  ['varchar(64)', undefined],
  ['datetime(3)', undefined],
  ['timestamp', undefined],
  ['uuid', undefined],
  ['json', undefined],
  ['bool', undefined],
  ['date', undefined],
];

test('target 0.14: every type 0.14 declares is free of errors and warnings', () => {
  for (const [type] of LEGACY) {
    const ds = check(`${K}a : ${type}`, '0.14');
    assert.deepEqual(codes(ds).filter((c) => c !== 'DJ226'), [], `${type}: ${JSON.stringify(ds.map((d) => d.message))}`);
  }
});

test('target 0.14: a type 2.x refuses or reads differently carries its 2.x form as a hint with the fix', () => {
  for (const [type, to2] of LEGACY) {
    const ds = check(`${K}a : ${type}`, '0.14');
    const hint = ds.find((d) => d.code === 'DJ226');
    if (to2 === undefined) {
      assert.equal(hint, undefined, `${type} needs no migration`);
      continue;
    }
    assert.ok(hint, `${type}: a DJ226 hint`);
    assert.equal(hint.severity, 'hint');
    assert.ok(hint.message.includes(`\`${to2}\``), hint.message);
    const fix = hint.fixes?.[0];
    assert.ok(fix && !fix.preferred, `${type}: a fix, not preferred under 0.14`);
    const e = fix.edits[0]!;
    const text = `${K}a : ${type}`;
    assert.equal(text.slice(0, e.span.start) + e.newText + text.slice(e.span.end), `${K}a : ${to2}`);
  }
});

test('target 2: the same types are errors or hints whose preferred fix is the 2.x form, and the result is clean', () => {
  for (const [type, to2] of LEGACY) {
    const text = `${K}a : ${type}`;
    const ds = check(text, '2');
    if (to2 === undefined) {
      assert.deepEqual(codes(ds, 'error'), [], `${type} is declared by 2.x`);
      continue;
    }
    assert.ok(ds.some((d) => d.severity === 'error' || d.tags?.includes('deprecated')), `${type}: flagged under 2 (${JSON.stringify(ds.map((d) => d.code))})`);
    const fixed = applyPreferred(text, ds);
    assert.equal(fixed.replace(/^k : int32/, 'k : int'), `${K}a : ${to2}`, type);
    assert.deepEqual(codes(check(fixed, '2'), 'error'), [], `${fixed} is clean`);
  }
});

test('target 0.14: a DataJoint 2 type is an error (DJ225) with the 0.14 type as its fix', () => {
  const cases: Array<[string, string | undefined]> = [
    ['int32', 'int'], ['int64', 'bigint'], ['int16', 'smallint'], ['int8', 'tinyint'], ['float32', 'float'], ['float64', 'double'],
    ['bytes', 'longblob'], ['<blob>', 'longblob'], ['<blob@raw>', 'blob@raw'], ['<attach>', 'attach'], ['<attach@s>', 'attach@s'],
    ['<filepath@raw>', 'filepath@raw'], ['<hash@>', undefined], ['<object@>', undefined], ['<npy@>', undefined],
  ];
  for (const [type, to014] of cases) {
    const ds = check(`${K}a : ${type}`, '0.14');
    const d = ds.find((x) => x.code === 'DJ225');
    assert.ok(d, `${type}: DJ225 (${JSON.stringify(ds.map((x) => x.code))})`);
    assert.equal(d.severity, 'error');
    if (to014) assert.equal(applyPreferred(`${K}a : ${type}`, [d]), `${K}a : ${to014}`);
    else assert.equal(d.fixes, undefined, `${type} has no 0.14 form`);
  }
});

test('target 0.14: an adapted type <name> is a warning only (an AttributeAdapter from the context), an unknown type an error', () => {
  assert.deepEqual(codes(check(`${K}a : <graph>`, '0.14')), ['DJ216']);
  assert.equal(check(`${K}a : <graph>`, '0.14')[0]!.severity, 'warning');
  assert.deepEqual(codes(check(`${K}a : text_blob`, '0.14'), 'error'), ['DJ203']);
  assert.deepEqual(codes(check(`${K}a : uint8`, '0.14'), 'error'), ['DJ203']);
});

test('DataJoint 0.11 external blobs: `external` and `external-store` get the 0.12 form', () => {
  const info = classifyType('external', '0.14');
  assert.equal(info.category, 'unknown');
  assert.equal(info.replacements?.[0]?.text, 'blob@external');
});

test('an empty primary key: a singleton (information) under 2, an error under 0.14 and 0.13', () => {
  const text = '---\nv : int';
  assert.deepEqual(codes(check(text, '2')).sort(), ['DJ214', 'DJ503']);
  assert.deepEqual(codes(check(text, '0.14'), 'error'), ['DJ511']);
  assert.deepEqual(codes(check(text, '0.13'), 'error'), ['DJ511']);
});

test('defaults are checked by 0.14 semantics: blob defaults only null, bool defaults numeric', () => {
  assert.deepEqual(codes(check(`${K}a = 5 : longblob`, '0.14'), 'error'), ['DJ208']);
  assert.deepEqual(codes(check(`${K}a = null : blob@ext`, '0.14'), 'error'), []);
  assert.deepEqual(codes(check(`${K}a = true : boolean`, '0.14'), 'error'), ['DJ209']);
  assert.deepEqual(codes(check(`${K}a = 'x' : enum ('x', 'y')`, '0.14'), 'error'), []);
  assert.deepEqual(codes(check(`${K}a = 'z' : enum ('x', 'y')`, '0.14'), 'error'), ['DJ211']);
});

test('old-style foreign keys: read by 0.13 (hint DJ315), an error under 0.14 and 2 (DJ314), fixed to .proj', () => {
  const ctx = context();
  // tables.ts: Subject(subject_id), Session(subject_id, session_idx)
  const text = '(parent_id) -> Subject\n---\nv : int';
  const as013 = check(text, '0.13', ctx);
  assert.deepEqual(codes(as013).filter((c) => c.startsWith('DJ3')), ['DJ315']);
  assert.deepEqual(codes(as013, 'error'), []);
  for (const target of ['0.14', '2'] as const) {
    const ds = check(text, target, ctx);
    const d = ds.find((x) => x.code === 'DJ314');
    assert.ok(d, `${target}: DJ314`);
    assert.equal(d.severity, 'error');
    assert.equal(applyPreferred(text, [d]), "-> Subject.proj(parent_id='subject_id')\n---\nv : int");
  }
  const explicit = '(subj, sess) -> [nullable] Session(subject_id, session_idx) # the other one';
  const d = check(`k : int\n---\n${explicit}`, '2', ctx).find((x) => x.code === 'DJ314');
  assert.ok(d);
  assert.equal(applyPreferred(`k : int\n---\n${explicit}`, [d]), "k : int\n---\n-> [nullable] Session.proj(subj='subject_id', sess='session_idx') # the other one");
});

test('old-style foreign keys: the heading takes the renamed attributes', () => {
  const ctx = context();
  const { ast, diagnostics } = checkDefinition('(parent_id) -> Subject\n---\nv : int', { ...ctx, target: '0.13' });
  assert.deepEqual(codes(diagnostics, 'error'), []);
  const model = analyzeTable(ast, { ...ctx, target: '0.13' });
  assert.deepEqual(model.primaryKey, ['parent_id']);
  assert.deepEqual(model.foreignKeys[0]!.attributes, [{ name: 'parent_id', parentName: 'subject_id' }]);
  const two = analyzeTable(checkDefinition('k : int\n---\n(subj, sess) -> Session(subject_id, session_idx)', { ...ctx, target: '0.13' }).ast, { ...ctx, target: '0.13' });
  assert.deepEqual(two.attributes.map((a) => a.name), ['k', 'subj', 'sess']);
  const ds = check('(a, b) -> Session(subject_id)\n---\nv : int', '0.13', ctx);
  assert.deepEqual(codes(ds, 'error'), ['DJ316']);
  assert.ok(ds.find((x) => x.code === 'DJ316')!.message.includes('2 new attributes for 1 of the parent'));
  const notKey = check('(a) -> Session(note)\n---\nv : int', '0.13', ctx).find((x) => x.code === 'DJ316');
  assert.ok(notKey?.message.includes('`note` is not in the primary key of `Session`'), notKey?.message);
  const ambiguous = check('(a) -> Session\n---\nv : int', '0.13', ctx).find((x) => x.code === 'DJ316');
  assert.ok(ambiguous?.message.includes('cannot tell which key attribute'), ambiguous?.message);
});

test('0.13 has no json (0.14 added it); MySQL\'s zerofill integers declare under 0.14', () => {
  assert.deepEqual(codes(check(`${K}a : json`, '0.14'), 'error'), []);
  const d = check(`${K}a : json`, '0.13').find((x) => x.code === 'DJ225');
  assert.ok(d?.message.includes('DataJoint 0.13 cannot declare it'), d?.message);
  assert.deepEqual(codes(check(`${K}a : int(10) unsigned zerofill`, '0.14'), 'error'), []);
});

test('under 0.14 the 2.x form of a legacy type is offered, never preferred: fix-all keeps 0.14 definitions as they are', () => {
  for (const [type, to2] of LEGACY) {
    if (!to2) continue;
    const ds = check(`${K}a : ${type}`, '0.14');
    assert.equal(applyPreferred(`${K}a : ${type}`, ds), `${K}a : ${type}`, type);
  }
});
