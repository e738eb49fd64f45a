// JSON with exact integers, as Python's json module reads and writes them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeValue, parseJson, stringifyJson } from '../../../runtime/values/index';

test('integers beyond 2^53 parse as bigint, everything else as JSON.parse does', () => {
  assert.deepEqual(parseJson('{"id": 18446744073709551616, "n": 9007199254740991, "f": 1.5e300, "neg": -9007199254740993}'), {
    id: 18446744073709551616n,
    n: 9007199254740991,
    f: 1.5e300,
    neg: -9007199254740993n,
  });
  assert.deepEqual(parseJson('[1234567890123456.5, "\\u00e9\\n", true, false, null, {}, []]'), [1234567890123456.5, 'é\n', true, false, null, {}, []]);
  assert.equal(Object.hasOwn(parseJson('{"__proto__": 12345678901234567890}') as object, '__proto__'), true);
});

test('malformed JSON fails with the position', () => {
  assert.throws(() => parseJson('[12345678901234567890,'), /unexpected character at position 22/);
  assert.throws(() => parseJson('{"a" 12345678901234567890}'), /expected ':' at position 5/);
  assert.throws(() => parseJson('12345678901234567890 x'), /unexpected text after the value/);
  assert.throws(() => parseJson('{bad'), SyntaxError);
});

test('parse(stringify(x)) is x for JSON values, bigints included', () => {
  const json = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
      fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).filter((b) => b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER)),
      fc.string({ unit: 'binary' }),
      fc.array(tie('v'), { maxLength: 4 }),
      fc.dictionary(fc.string(), tie('v'), { maxKeys: 4, noNullPrototype: true }),
    ),
  })).v;
  fc.assert(
    fc.property(json, (x) => {
      const text = stringifyJson(x);
      assert.deepStrictEqual(parseJson(text), x);
      // and the text is standard JSON
      JSON.parse(text);
    }),
    { numRuns: 300 },
  );
});

test('json attributes decode big integers exactly', () => {
  assert.deepEqual(decodeValue({ name: 'x', type: 'json', nullable: true }, '{"big": 123456789012345678901234567890}'), {
    big: 123456789012345678901234567890n,
  });
});

test('an integral double beyond 2^53 is written with .0 and reads back as a number', () => {
  assert.equal(stringifyJson(2 ** 53), '9007199254740992.0');
  assert.equal(parseJson('9007199254740992.0'), 2 ** 53);
  assert.equal(stringifyJson(1e21), '1e+21');
  assert.equal(stringifyJson(2 ** 53 - 1), '9007199254740991');
});
