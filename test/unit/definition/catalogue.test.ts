// Every code of the catalogue has an invalid case that reports it (on the exact text)
// and a valid case that does not. A code added to the catalogue without cases here fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogue, catalogueMarkdown, checkDefinition, type ValidationContext } from '../../../runtime/definition';
import { context } from './tables';

interface Case {
  text: string;
  ctx?: ValidationContext;
}
interface Invalid extends Case {
  /** The text the diagnostic's span covers; '' for class-level diagnostics. */
  span: string;
  /** When the same text occurs twice: which occurrence (0-based). */
  nth?: number;
}

const K = 'k : int32\n---\n'; // a primary key, so that the line under test is secondary

const cases: Record<string, { invalid: Invalid; valid: Case }> = {
  DJ101: { invalid: { text: ': int32', span: ': int32' }, valid: { text: 'a : int32' } },
  DJ102: { invalid: { text: 'a : varchar(32) ) # c', span: ')', nth: 1 }, valid: { text: 'a : varchar(32) # c' } },
  DJ103: { invalid: { text: 'subject_id : ', span: ':' }, valid: { text: 'subject_id : int32' } },
  DJ104: { invalid: { text: 'a : <blob', span: '<blob' }, valid: { text: 'a : int32\n---\nb : <blob>' } },
  DJ105: { invalid: { text: 'b -> Session', span: 'b' }, valid: { text: '-> Session' } },
  DJ106: { invalid: { text: '-> ', span: '->' }, valid: { text: '-> Session' } },
  DJ107: { invalid: { text: 'a : int32\nindex()', span: '()' }, valid: { text: 'a : int32\nindex(a)' } },
  DJ108: { invalid: { text: K + 'a = : int32', span: '=' }, valid: { text: K + 'a = 1 : int32' } },
  DJ109: { invalid: { text: K + 'a : int32 = 5', span: '= 5' }, valid: { text: K + 'a = 5 : int32' } },
  DJ201: { invalid: { text: 'Subject_ID : int32', span: 'Subject_ID' }, valid: { text: 'subject_id2 : int32' } },
  DJ202: { invalid: { text: '_hidden : int32', span: '_hidden' }, valid: { text: 'hidden_ : int32' } },
  DJ203: { invalid: { text: 'a : int32 NOT NULL', span: 'int32 NOT NULL' }, valid: { text: 'a : int32' } },
  DJ204: { invalid: { text: 'a : INT32', span: 'INT32' }, valid: { text: 'a : int32' } },
  DJ205: { invalid: { text: 'a : int32 # :bad', span: '# :bad' }, valid: { text: 'a : int32 # good: yes' } },
  DJ206: { invalid: { text: 'a : int32\na : int16', span: 'a', nth: 1 }, valid: { text: 'a : int32\nb : int16' } },
  DJ207: { invalid: { text: 'a = null : int32', span: 'null' }, valid: { text: K + 'a = null : int32' } },
  DJ208: { invalid: { text: K + 'b = 5 : <blob>', span: '5' }, valid: { text: K + 'b = null : <blob>' } },
  DJ209: { invalid: { text: K + 'flag = true : bool', span: 'true' }, valid: { text: K + 'flag = 1 : bool' } },
  DJ210: { invalid: { text: K + 'n = abc : int32', span: 'abc' }, valid: { text: K + 'n = -1.5e3 : float64' } },
  DJ211: { invalid: { text: K + "e = 'c' : enum('a', 'b')", span: "'c'" }, valid: { text: K + "e = 'b' : enum('a', 'b')" } },
  DJ212: { invalid: { text: K + 'd = 2021-02-29 : date', span: '2021-02-29' }, valid: { text: K + 'd = 2020-02-29 : date' } },
  DJ213: { invalid: { text: 'a : <blob>', span: '<blob>' }, valid: { text: 'a : int32\n---\nb : <blob>' } },
  DJ214: { invalid: { text: 'a : int', span: 'int' }, valid: { text: 'a : int32' } },
  DJ215: { invalid: { text: K + 'h : <hash>', span: '<hash>' }, valid: { text: K + 'h : <hash@>' } },
  DJ216: { invalid: { text: K + 'g : <graph>', span: 'graph' }, valid: { text: K + 'g : <blob@store>' } },
  DJ217: { invalid: { text: K + 'ts = CURRENT_TIMESTAMP : datetime(3)', span: 'CURRENT_TIMESTAMP' }, valid: { text: K + 'ts = CURRENT_TIMESTAMP(3) : datetime(3)' } },
  DJ218: { invalid: { text: 'a : int32 # 50% {x}', span: '# 50% {x}' }, valid: { text: 'a : int32 # fifty percent' } },
  DJ219: { invalid: { text: 'e : enum(\'a\', "b")', span: '"b"' }, valid: { text: "e : enum('a', 'b')" } },
  DJ220: { invalid: { text: `${'a'.repeat(65)} : int32`, span: 'a'.repeat(65) }, valid: { text: `${'a'.repeat(64)} : int32` } },
  DJ221: { invalid: { text: 'v : varchar(70000)', span: 'varchar(70000)' }, valid: { text: 'v : varchar(255)' } },
  DJ222: { invalid: { text: K + 'n = CURRENT_TIMESTAMP : int32', span: 'CURRENT_TIMESTAMP' }, valid: { text: K + 'n = CURRENT_TIMESTAMP : datetime' } },
  DJ223: { invalid: { text: K + "j = '{}' : json", span: "'{}'" }, valid: { text: K + 'j = null : json' } },
  DJ224: { invalid: { text: 'a : uint8', span: 'uint8' }, valid: { text: 'a : int16' } },
  DJ225: { invalid: { text: 'a : int32', span: 'int32', ctx: { target: '0.14' } }, valid: { text: 'a : int unsigned', ctx: { target: '0.14' } } },
  DJ226: { invalid: { text: K + 'b : longblob', span: 'longblob', ctx: { target: '0.14' } }, valid: { text: K + 'b : <blob>' } },
  DJ301: { invalid: { text: '-> [nulable] Session', span: 'nulable' }, valid: { text: '-> [unique] Session' } },
  DJ302: { invalid: { text: '-> [nullable] Session', span: 'nullable' }, valid: { text: K + '-> [nullable] Session' } },
  DJ303: { invalid: { text: '-> Nowhere', span: 'Nowhere', ctx: context() }, valid: { text: '-> acq.Scan', ctx: context() } },
  DJ304: { invalid: { text: "-> Session & 'subject_id=1'", span: "Session & 'subject_id=1'" }, valid: { text: '-> Session' } },
  DJ305: { invalid: { text: "-> Session.proj(s='zz')", span: "'zz'", ctx: context() }, valid: { text: "-> Session.proj(s='session_idx')", ctx: context() } },
  DJ306: { invalid: { text: "-> Session.proj(n='note')", span: "'note'", ctx: context() }, valid: { text: "-> Session.proj(s='session_idx')", ctx: context() } },
  DJ307: { invalid: { text: "-> Session.proj(s='session_idx + 1')", span: "s='session_idx + 1'" }, valid: { text: "-> Session.proj(s='session_idx')" } },
  DJ308: { invalid: { text: '-> master', span: 'master', ctx: { tier: 'Manual' } }, valid: { text: '-> master', ctx: { tier: 'Part', masterName: 'Master' } } },
  DJ310: { invalid: { text: 'subject_id : int64\n-> Subject', span: 'Subject', ctx: context() }, valid: { text: '-> Subject\n-> Session', ctx: context() } },
  DJ311: { invalid: { text: '-> Subject\n---\n-> Subject', span: 'Subject', nth: 1, ctx: context() }, valid: { text: "-> Subject\n---\n-> Subject.proj(other='subject_id')", ctx: context() } },
  DJ312: { invalid: { text: '-> Loop\n---\nv : int32', span: 'Loop', ctx: context({ className: 'Loop', cycle: (p) => (p.join('.') === 'Loop' ? { kind: 'self' } : undefined) }) }, valid: { text: '-> Session\n---\nv : int32', ctx: context({ className: 'Trial', cycle: () => undefined }) } },
  DJ313: { invalid: { text: '-> Nowhere\n---\nv : int32', span: 'Nowhere', ctx: context({ className: 'Trial', cycle: (p) => (p.join('.') === 'Nowhere' ? { kind: 'cycle', table: 'Trial' } : undefined) }) }, valid: { text: '-> Nowhere\n---\nv : int32', ctx: context({ className: 'Trial', cycle: () => undefined }) } },
  DJ309: { invalid: { text: '-> [unique, unique] Session', span: 'unique', nth: 1 }, valid: { text: '-> [unique] Session' } },
  DJ314: { invalid: { text: '(parent_id) -> Subject\n---\nv : int32', span: '(parent_id) -> Subject', ctx: context() }, valid: { text: "-> Subject.proj(parent_id='subject_id')\n---\nv : int32", ctx: context() } },
  DJ315: { invalid: { text: '(parent_id) -> Subject\n---\nv : int', span: '(parent_id) -> Subject', ctx: context({ target: '0.13' }) }, valid: { text: "-> Subject.proj(parent_id='subject_id')\n---\nv : int", ctx: context({ target: '0.13' }) } },
  DJ316: { invalid: { text: '(a) -> Subject(sex)\n---\nv : int', span: '(a) -> Subject(sex)', ctx: context({ target: '0.13' }) }, valid: { text: '(a) -> Subject(subject_id)\n---\nv : int', ctx: context({ target: '0.13' }) } },
  DJ401: { invalid: { text: 'a : int32\nindex(b)', span: 'b', nth: 0 }, valid: { text: 'a : int32\nindex(a)' } },
  DJ402: { invalid: { text: 'a : int32\nunique index(a, a)', span: 'a', nth: 2 }, valid: { text: 'a : int32\nunique index(a)' } },
  DJ403: { invalid: { text: K + 'j : json\nindex(j)', span: 'j', nth: 2 }, valid: { text: K + 'j : json\nindex(j.name:varchar(30))' } },
  DJ404: { invalid: { text: K + 'v : varchar(30)\nindex(v.name:varchar(30))', span: 'v', nth: 2 }, valid: { text: K + 'v : json\nindex(v.name:varchar(30))' } },
  DJ501: { invalid: { text: '# : comment\na : int32', span: '# : comment' }, valid: { text: '# comment: yes\na : int32' } },
  DJ502: { invalid: { text: '# a "quoted" table\na : int32', span: '# a "quoted" table' }, valid: { text: "# a 'quoted' table\na : int32" } },
  DJ503: { invalid: { text: '---\na : int32', span: '---' }, valid: { text: 'a : int32\n---\nb : int32' } },
  DJ504: { invalid: { text: 'a : int32', span: 'a', ctx: { tier: 'Computed' } }, valid: { text: '-> Session\n---\nv : float64', ctx: context({ tier: 'Computed' }) } },
  DJ505: { invalid: { text: 'a : int32\n---\nb : int32\n---', span: '---', nth: 1 }, valid: { text: 'a : int32\n---\nb : int32' } },
  DJ506: { invalid: { text: 'a : int32\n--- secondary\nb : int32', span: 'secondary' }, valid: { text: 'a : int32\n-----------\nb : int32' } },
  DJ507: { invalid: { text: 'a : int32', span: '', ctx: { className: 'session' } }, valid: { text: 'a : int32', ctx: { className: 'Session2' } } },
  DJ508: { invalid: { text: 'a : int32', span: '', ctx: { className: 'My_Table' } }, valid: { text: 'a : int32', ctx: { className: 'MyTable' } } },
  DJ509: { invalid: { text: 'a : int32', span: '', ctx: { className: `T${'x'.repeat(62)}`, tier: 'Computed' } }, valid: { text: 'a : int32', ctx: { className: `T${'x'.repeat(61)}`, tier: 'Computed' } } },
  DJ511: { invalid: { text: '---\na : int', span: '---', ctx: { target: '0.14' } }, valid: { text: '---\na : int32' } },
  DJ510: { invalid: { text: 'a : int32', span: '', ctx: { tier: 'Part', masterName: 'Master' } }, valid: { text: '-> master\na : int32', ctx: context({ tier: 'Part', masterName: 'Master' }) } },
};

/** Codes reported against the database catalog only (the language server when connected: test/unit/server/catalog.test.ts, test/lsp/catalog.test.ts). */
const DATABASE_CODES = new Set(catalogue.filter((e) => e.group === 'database').map((e) => e.code));

test('the catalogue renders as a documentation table with one row per code', () => {
  const lines = catalogueMarkdown().trim().split('\n');
  assert.equal(lines.length, catalogue.length + 2);
  for (const e of catalogue) assert.ok(lines.some((l) => l.startsWith(`| ${e.code} | ${e.severity} |`)), e.code);
});

/** Applies a fix's edits (non-overlapping), last first. */
function applyFix(text: string, edits: Array<{ span: { start: number; end: number }; newText: string }>): string {
  const sorted = [...edits].sort((a, b) => b.span.start - a.span.start);
  sorted.forEach((e, i) => assert.ok(i === 0 || e.span.end <= sorted[i - 1]!.span.start, 'edits do not overlap'));
  return sorted.reduce((t, e) => t.slice(0, e.span.start) + e.newText + t.slice(e.span.end), text);
}

const codesWithFixes = new Set<string>();

function nthIndex(text: string, needle: string, nth: number): number {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) return -1;
  }
  return at;
}

test('every catalogue code has cases, and every case names a catalogue code', () => {
  const codes = catalogue.map((e) => e.code);
  assert.deepEqual(codes.filter((c) => !(c in cases) && !DATABASE_CODES.has(c)), [], 'codes without cases');
  assert.deepEqual(Object.keys(cases).filter((c) => !codes.includes(c)), [], 'cases for unknown codes');
  assert.equal(new Set(codes).size, codes.length, 'codes are unique');
  for (const e of catalogue) {
    assert.match(e.code, /^DJ[1-6]\d\d$/);
    assert.ok(e.reference.length > 0, `${e.code} cites the reference`);
    assert.equal(e.code[2], { syntax: '1', attribute: '2', reference: '3', index: '4', table: '5', database: '6' }[e.group], `${e.code} group`);
  }
});

for (const entry of catalogue) {
  const c = cases[entry.code];
  if (!c) continue;
  test(`${entry.code} ${entry.title}: reported on the offending text`, () => {
    const { diagnostics } = checkDefinition(c.invalid.text, c.invalid.ctx);
    const found = diagnostics.filter((d) => d.code === entry.code);
    assert.ok(found.length > 0, `expected ${entry.code} in ${JSON.stringify(diagnostics.map((d) => d.code))}`);
    const d = found[0]!;
    assert.equal(d.severity, entry.severity);
    assert.ok(!/\{\w+\}/.test(d.message), `message fully filled: ${d.message}`);
    assert.equal(c.invalid.text.slice(d.span.start, d.span.end), c.invalid.span);
    if (c.invalid.span !== '') {
      assert.equal(d.span.start, nthIndex(c.invalid.text, c.invalid.span, c.invalid.nth ?? 0), 'span start');
    }
  });
  test(`${entry.code} ${entry.title}: the preferred fix, when there is one, removes it`, () => {
    const { diagnostics } = checkDefinition(c.invalid.text, c.invalid.ctx);
    const found = diagnostics.filter((d) => d.code === entry.code);
    for (const d of found) {
      const preferred = d.fixes?.find((f) => f.preferred);
      if (!preferred) continue;
      codesWithFixes.add(entry.code);
      const fixed = applyFix(c.invalid.text, preferred.edits);
      const after = checkDefinition(fixed, c.invalid.ctx).diagnostics.filter((x) => x.code === entry.code);
      assert.ok(after.length < found.length, `${entry.code}: "${preferred.title}" turns ${JSON.stringify(c.invalid.text)} into ${JSON.stringify(fixed)}, still ${after.length}`);
    }
  });
  test(`${entry.code} ${entry.title}: not reported on a valid definition`, () => {
    const { diagnostics } = checkDefinition(c.valid.text, c.valid.ctx);
    assert.deepEqual(diagnostics.filter((d) => d.code === entry.code), []);
    assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), [], 'the valid case has no errors at all');
  });
}

test('quick fixes exist for the mechanical problems', () => {
  for (const code of ['DJ104', 'DJ109', 'DJ201', 'DJ204', 'DJ205', 'DJ208', 'DJ209', 'DJ214', 'DJ215', 'DJ217', 'DJ219', 'DJ224', 'DJ301', 'DJ302', 'DJ309', 'DJ501', 'DJ505', 'DJ506']) {
    assert.ok(codesWithFixes.has(code), `${code} has a preferred fix`);
  }
});
