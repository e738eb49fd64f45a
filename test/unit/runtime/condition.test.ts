// A string restriction is one SQL condition (runtime/query/condition.ts): the scanner
// refuses what could reach outside the condition (`;`, comments, unbalanced parentheses,
// unterminated quotes, empty text) and passes anything inside quotes, as the server's
// lexer reads it; unknownAttributes names what an object restriction would ignore.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkCondition } from '../../../runtime/query/condition';
import { unknownAttributes } from '../../../runtime/query/unknown-attributes';
import { not } from '../../../runtime/query/expression';

const INJECTION = 'item_id = 1)) AS `$src` WHERE TRUE) AS `$ks`; DROP TABLE s.canary; SELECT * FROM (SELECT * FROM (SELECT 1 AS item_id FROM DUAL WHERE (1';

describe('checkCondition', () => {
  it('passes ordinary conditions', () => {
    for (const c of [
      'subject_id = 1',
      'subject_id > 2 AND (name LIKE "a%" OR name IS NULL)',
      'session_date BETWEEN \'2024-01-01\' AND \'2024-12-31\'',
      'x IN (1, 2, (3))',
      'a--1 = 2', // minus minus one, not a comment
      'a - -1 = 2',
      'a / 2 > 1',
      '`odd ``name`` (x` = 3',
      'TRUE',
    ]) {
      assert.equal(checkCondition(c), undefined, c);
    }
  });

  it('passes `;`, comments, parentheses and quotes inside strings and names', () => {
    for (const c of [
      "name = 'a; DROP TABLE x'",
      "name = 'a -- b'",
      "name = 'a # b /* c */'",
      "name = '(('",
      "name = ')'",
      "name = 'it''s'",
      "name = 'it\\'s; still a string'",
      "name = 'back\\\\'",
      'name = "double; \\" quoted --"',
      'name = "a""b)"',
      '`we;ird--name#` = 1',
      "name = _utf8mb4'x;y'",
      "name = 'what?' AND `odd?` = \"why?\"",
    ]) {
      assert.equal(checkCondition(c), undefined, c);
    }
  });

  it('refuses each malformed form, saying where', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /is empty/],
      ['   \n\t', /is empty/],
      ['a = 1; DROP TABLE x', /`;` at character 6/],
      ['a = 1;', /`;`/],
      ['subject_id = ?', /`\?` at character 14 \(a placeholder/],
      [INJECTION, /`\)` without its `\(` at character 12/],
      ['(a = 1', /`\(` not closed \(opened at character 1\)/],
      ['a = 1)', /`\)` without its `\(` at character 6/],
      ['a = 1 -- rest', /`--` comment at character 7/],
      ['a = 1 --', /`--` comment/],
      ['a = 1 --\tx', /`--` comment/],
      ['a = 1 # rest', /`#` comment at character 7/],
      ['a = 1 /* x */', /`\/\*` comment/],
      ['a = 1 /*! UNION SELECT 1 */', /`\/\*` comment/],
      ["name = 'open", /'…' string not closed \(opened at character 8\)/],
      ['name = "open', /"…" string not closed/],
      ['`open = 1', /`…` name not closed/],
      ["name = 'a\\'", /string not closed/],
      ["name = 'it''s", /string not closed/],
    ];
    for (const [text, expected] of cases) {
      const problem = checkCondition(text);
      assert.ok(problem !== undefined, `refused: ${JSON.stringify(text)}`);
      assert.match(problem, expected, text);
    }
  });

  it('fuzz: random valid conditions pass, and each with an escape appended is refused', () => {
    // A small deterministic generator (no Math.random: a failure must be reproducible).
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pool = [';', '--', '-- ', '#', '/*', '*/', '(', ')', "'", '"', '`', '\\', '?', ' ', 'a', 'Z', '0', '\n', 'é', '%'];
    const text = () => Array.from({ length: rand(12) }, () => pool[rand(pool.length)]).join('');
    const single = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
    const double = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    const name = (s: string) => '`' + s.replace(/`/g, '``') + '`';
    const atom = (): string => {
      switch (rand(4)) {
        case 0:
          return `${name(text() || 'x')} = ${single(text())}`;
        case 1:
          return `name LIKE ${double(text())}`;
        case 2:
          return `x IN (${rand(9)}, ${single(text())})`;
        default:
          return `y--${rand(9)} > 0`;
      }
    };
    const condition = (depth: number): string =>
      depth === 0 || rand(3) === 0 ? atom() : `(${condition(depth - 1)}) ${rand(2) ? 'AND' : 'OR'} NOT (${condition(depth - 1)})`;
    const tails = ['; DROP TABLE s.canary', ') OR (1', ' -- ', ' #', ' /* x */', " AND name = 'x", ' AND (1', ' OR x = ?'];
    for (let i = 0; i < 2000; i++) {
      const c = condition(3);
      assert.equal(checkCondition(c), undefined, c);
      const bad = c + tails[rand(tails.length)];
      assert.notEqual(checkCondition(bad), undefined, bad);
    }
  });
});

describe('what could end a statement early', () => {
  it('is refused in a condition: a second statement, a trailing comment; a quoted ? is text', () => {
    assert.equal(checkCondition("x = '?'"), undefined);
    assert.match(checkCondition('1; DROP TABLE t') ?? '', /`;`/);
    assert.match(checkCondition('1 -- ') ?? '', /`--` comment/);
  });
});

describe('unknownAttributes', () => {
  it('names the attributes of object restrictions that are not known, once each, in order', () => {
    assert.deepEqual(unknownAttributes({ itme_id: 3 }, ['item_id']), ['itme_id']);
    assert.deepEqual(unknownAttributes([{ item_id: 1, b: 2 }, { b: 3, c: 4 }], ['item_id']), ['b', 'c']);
    assert.deepEqual(unknownAttributes(not({ z: 1 }), ['item_id']), ['z']);
    assert.deepEqual(unknownAttributes([[{ item_id: 1 }], 'zz = 1', true], ['item_id']), []);
    // An undefined value restricts nothing in the runtime either.
    assert.deepEqual(unknownAttributes({ item_id: 1, later: undefined }, ['item_id']), []);
  });
});

describe('checkCondition by PostgreSQL rules', () => {
  const pg = (t: string) => checkCondition(t, 'postgresql');
  it('refuses what reaches outside the condition only to PostgreSQL', () => {
    // To MySQL one string; to PostgreSQL the string ends at \' and the rest is SQL.
    const text = "name = 'x\\' ) OR TRUE --'";
    assert.equal(checkCondition(text), undefined);
    assert.match(pg(text)!, /`\)` without its `\(`|`--` comment/);
    assert.match(pg('a = $$x$$')!, /\$…\$` string at character 5/);
    assert.match(pg('a = $q$x$q$')!, /\$…\$` string/);
    assert.match(pg('a = $1')!, /placeholder/);
    assert.match(pg('a --1')!, /`--` comment at character 3/);
    assert.match(pg("a = 'x' ; DROP TABLE t")!, /`;` at character 9/);
  });
  it('passes what PostgreSQL reads as one condition', () => {
    assert.equal(pg("name = 'O''Brien'"), undefined);
    assert.equal(pg("name = 'back\\slash'"), undefined);
    assert.equal(pg("name = E'it\\'s (' AND \"odd;col\" > 1"), undefined);
    assert.equal(pg('a$b = 1'), undefined);
    assert.equal(pg("note LIKE '%$%'"), undefined);
  });
});
