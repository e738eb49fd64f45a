// The canonical hash behind the three-part make's re-fetch check (notes 11.3 #15) and the
// event stream's JSON key form: deterministic, order-insensitive for object keys,
// order-sensitive for arrays, and type-aware.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalHash } from '../../../runtime/populate/hash';
import { jsonKey, parseEvent } from '../../../runtime/populate/events';

test('equal values hash equal, whatever the key order', () => {
  const a = { subject: { id: 1, name: 'x' }, samples: [1, 2, 3], when: new Date('2020-01-01T00:00:00Z') };
  const b = { samples: [1, 2, 3], when: new Date('2020-01-01T00:00:00Z'), subject: { name: 'x', id: 1 } };
  assert.equal(canonicalHash(a), canonicalHash(b));
  assert.equal(canonicalHash(new Map([['a', 1], ['b', 2]])), canonicalHash(new Map([['b', 2], ['a', 1]])));
  assert.equal(canonicalHash(Buffer.from([1, 2])), canonicalHash(Buffer.from([1, 2])));
});

test('different values, orders and types hash differently', () => {
  const distinct = [1, '1', 1n, true, null, undefined, [1, 2], [2, 1], { a: 1 }, { a: '1' }, new Float64Array([1]), new Float32Array([1]), Buffer.from([1]), -0, 0, NaN, 'a', ['a'], new Date(0), '1970-01-01T00:00:00.000Z'];
  const hashes = distinct.map((v) => canonicalHash(v));
  assert.equal(new Set(hashes).size, distinct.length);
  assert.throws(() => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    canonicalHash(cyclic);
  }, /cyclic/);
});

test('event keys are JSON-safe and events parse back', () => {
  assert.deepEqual(jsonKey({ a: 1, b: 12345678901234567890n, c: new Date('2021-02-03T04:05:06Z'), d: Buffer.from('0011ff', 'hex'), e: null, f: 'x' }), {
    a: 1,
    b: '12345678901234567890',
    c: '2021-02-03T04:05:06.000Z',
    d: '0011ff',
    e: null,
    f: 'x',
  });
  const line = JSON.stringify({ v: 1, event: 'keyDone', key: { a: 1 }, durationMs: 1, worker: 2 });
  assert.deepEqual(parseEvent(line), JSON.parse(line));
  assert.equal(parseEvent('not json'), undefined);
  assert.equal(parseEvent('{"v":2,"event":"start"}'), undefined);
});
