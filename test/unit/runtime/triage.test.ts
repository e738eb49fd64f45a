// Error triage (runtime/jobs/triage.ts): error messages as DataJoint for Python, its
// runner and our runtime write them (`Class: message`), grouped by exception type and
// message pattern, what varies from key to key folded.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorGroups, errorPattern, exceptionType, foldMessage, groupLabel, MAX_PATTERN } from '../../../runtime/jobs/triage';
import { truncateErrorMessage } from '../../../runtime/jobs/definition';

const p = (m: string) => {
  const { type, pattern } = errorPattern(m);
  return [type, pattern];
};

describe('exceptionType', () => {
  it('reads the class Python and our runtime write before the message', () => {
    assert.deepEqual(p('ValueError: bad value 3'), ['ValueError', 'bad value <n>']);
    assert.deepEqual(p('Error: subject 2 has a negative weight'), ['Error', 'subject <n> has a negative weight']);
    assert.deepEqual(p('DataJointError: Duplicate entry'), ['DataJointError', 'Duplicate entry']);
    assert.deepEqual(p("pymysql.err.OperationalError: (2013, 'Lost connection to MySQL server during query')"), ['pymysql.err.OperationalError', '(<n>, <str>)']);
  });

  it('a class with an empty message is the class alone', () => {
    assert.deepEqual(p('KeyboardInterrupt'), ['KeyboardInterrupt', '']);
    assert.deepEqual(p('AssertionError'), ['AssertionError', '']);
    assert.equal(groupLabel({ type: 'AssertionError', pattern: '' }), 'AssertionError');
  });

  it('a message naming no class has no type', () => {
    assert.deepEqual(p('subject 3 failed'), ['', 'subject <n> failed']);
    assert.deepEqual(p('http://host/x refused'), ['', '<path> refused']);
    assert.deepEqual(p('lowercase: not a class'), ['', 'lowercase: not a class']);
    assert.deepEqual(p(''), ['', '']);
    assert.equal(groupLabel({ type: '', pattern: '' }), '(no message)');
  });

  it("takes a traceback's final exception", () => {
    const tb = [
      'Traceback (most recent call last):',
      '  File "/home/u/pipeline/analysis.py", line 42, in make',
      '    raise KeyError(key)',
      "KeyError: {'subject_id': 3}",
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      'Traceback (most recent call last):',
      '  File "/home/u/pipeline/analysis.py", line 44, in make',
      '    raise ValueError("no calibration for 3")',
      'ValueError: no calibration for 3',
    ].join('\n');
    assert.deepEqual(p(tb), ['ValueError', 'no calibration for <n>']);
  });

  it('groups a multi-line message by its first line', () => {
    assert.deepEqual(p('DataJointError: Cannot insert 3 rows\n  hint: check key 7\n  more'), ['DataJointError', 'Cannot insert <n> rows']);
    assert.deepEqual(p('\n\nValueError: late first line 5'), ['ValueError', 'late first line <n>']);
    // A JavaScript stack written as the message: its first line.
    assert.deepEqual(p('TypeError: x is undefined\n    at make (/w/pipeline.ts:12:3)'), ['TypeError', 'x is undefined']);
  });
});

describe('foldMessage', () => {
  const cases: Array<[string, string]> = [
    ['bad value 3', 'bad value <n>'],
    ['values -2, 1.5 and 1e-3', 'values <n>, <n> and <n>'],
    ['float64 and int32 stay, as do h5py and utf8', 'float64 and int32 stay, as do h5py and utf8'],
    ['subject_id=3 session=12', 'subject_id=<n> session=<n>'],
    ["key {'subject_id': 3, 'session': 'a'} failed", 'key <key> failed'],
    ['key {"subject_id":3} failed', 'key <key> failed'],
    ["KeyError 'subject_id'", 'KeyError <str>'],
    ['missing "calibration"', 'missing <str>'],
    ["can't find subject's file", "can't find subject's file"],
    ["No such file or directory: '/data/s7/cal.npy'", 'No such file or directory: <path>'],
    ['cannot open /data/s7/cal.npy for reading', 'cannot open <path> for reading'],
    ['cannot open ~/raw/x.bin or ./x/y or ../up/z', 'cannot open <path> or <path> or <path>'],
    ['cannot open C:\\Users\\me\\data.h5', 'cannot open <path>'],
    ['cannot open data/raw/s3.nwb', 'cannot open <path>'],
    ['fetch s3://bucket/a/b.nwb and file:///tmp/x failed', 'fetch <path> and <path> failed'],
    ['and/or stays', 'and/or stays'],
    ['uuid 123e4567-e89b-12d3-a456-426614174000 unknown', 'uuid <uuid> unknown'],
    ['object at 0x7f3a2b1c', 'object at <hex>'],
    ['hash deadbeef12 differs from 0a1b2c3d4e', 'hash <hex> differs from <hex>'],
    ['defaced stays a word', 'defaced stays a word'],
    ['at 2024-01-05 12:00:01.5 and 2024-01-06', 'at <time> and <time>'],
    ['[Errno 2] took 3.5s', '[Errno <n>] took <n>s'],
    ['  spaces\tand\n newlines  ', 'spaces and newlines'],
  ];
  for (const [raw, folded] of cases) {
    it(JSON.stringify(raw), () => assert.equal(foldMessage(raw), folded));
  }

  it('keeps a long pattern to MAX_PATTERN characters', () => {
    const f = foldMessage('word '.repeat(200));
    assert.equal(f.length, MAX_PATTERN);
    assert.ok(f.endsWith('…'));
  });
});

describe('truncated messages (error_message is varchar(2047))', () => {
  it('a message cut in its first line groups with others cut elsewhere', () => {
    // Keys of different lengths move the cut point; the group stays one.
    const a = truncateErrorMessage(`ValueError: ${'channel 7 saturated, '.repeat(150)}`);
    const b = truncateErrorMessage(`ValueError: ${'channel 12345 saturated, '.repeat(150)}`);
    assert.ok(a.endsWith('...truncated') && b.endsWith('...truncated'));
    assert.equal(exceptionType(a).cut, true);
    const ga = errorPattern(a);
    const gb = errorPattern(b);
    assert.equal(ga.truncated, true);
    assert.equal(ga.type, 'ValueError');
    assert.equal(ga.pattern, gb.pattern);
    assert.match(ga.pattern, /^channel <n> saturated, channel <n> saturated,.* …$/);
    assert.equal(errorGroups([{ key: { a: 1 }, errorMessage: a }, { key: { a: 2 }, errorMessage: b }]).length, 1);
  });

  it('a message cut after its first line keeps the whole first line', () => {
    const m = truncateErrorMessage(`ValueError: bad value 3\n${'detail '.repeat(400)}`);
    const g = errorPattern(m);
    assert.deepEqual([g.type, g.pattern, g.truncated], ['ValueError', 'bad value <n>', true]);
    assert.equal(exceptionType(m).cut, false);
  });

  it('a cut quote is dropped with the cut word', () => {
    const m = truncateErrorMessage(`OSError: cannot read '${'x'.repeat(3000)}'`);
    assert.equal(errorPattern(m).pattern, 'cannot read …');
  });
});

describe('errorGroups', () => {
  const at = (s: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, s));
  const rows = [
    { key: { subject_id: 1 }, errorMessage: 'ValueError: bad value 1', completedTime: at(1) },
    { key: { subject_id: 2 }, errorMessage: 'Error: subject 2 has a negative weight', completedTime: at(2) },
    { key: { subject_id: 3 }, errorMessage: 'ValueError: bad value 30', completedTime: at(5) },
    { key: { subject_id: 4 }, errorMessage: "KeyError: 'x'", completedTime: at(3) },
    { key: { subject_id: 5 }, errorMessage: 'ValueError: bad value -5', completedTime: at(4) },
    { key: { subject_id: 6 }, errorMessage: 'Error: subject 6 has a negative weight', completedTime: null },
  ];

  it('groups by type and pattern, most keys first, then by type', () => {
    const groups = errorGroups(rows);
    assert.deepEqual(
      groups.map((g) => [groupLabel(g), g.count, g.keys.map((k) => k.subject_id)]),
      [
        ['ValueError: bad value <n>', 3, [1, 3, 5]],
        ['Error: subject <n> has a negative weight', 2, [2, 6]],
        ['KeyError: <str>', 1, [4]],
      ],
    );
    assert.deepEqual(groups[0]!.sample.key, { subject_id: 3 }, 'the most recent error is the sample');
    assert.deepEqual(groups[1]!.sample.key, { subject_id: 2 });
    assert.equal(groups[0]!.type, 'ValueError');
    assert.equal(groups[0]!.pattern, 'bad value <n>');
    assert.equal(groups[0]!.truncated, false);
  });

  it('is deterministic: the same groups whatever the order of the rows', () => {
    const ids = (r: typeof rows) => errorGroups(r).map((g) => [g.id, g.count]);
    assert.deepEqual(ids([...rows].reverse()), ids(rows));
    // Equal counts: by type, then pattern.
    const tie = errorGroups([
      { key: { i: 1 }, errorMessage: 'ZeroDivisionError: division by zero' },
      { key: { i: 2 }, errorMessage: 'AttributeError: no b' },
      { key: { i: 3 }, errorMessage: 'AttributeError: no a' },
    ]);
    assert.deepEqual(tie.map(groupLabel), ['AttributeError: no a', 'AttributeError: no b', 'ZeroDivisionError: division by zero']);
  });

  it('the same words of another type are another group; ids are stable', () => {
    const g = errorGroups([
      { key: { i: 1 }, errorMessage: 'ValueError: bad 1' },
      { key: { i: 2 }, errorMessage: 'TypeError: bad 2' },
    ]);
    assert.equal(g.length, 2);
    assert.notEqual(g[0]!.id, g[1]!.id);
    assert.equal(errorGroups([{ key: {}, errorMessage: 'ValueError: bad 9' }])[0]!.id, g.find((x) => x.type === 'ValueError')!.id);
  });

  it('no errors, no groups', () => {
    assert.deepEqual(errorGroups([]), []);
  });
});
