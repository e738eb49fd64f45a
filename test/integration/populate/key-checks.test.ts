// The check of a window's keys against the target that populate's loop sends a window at
// a time (keysource.ts: keysInTarget, one lookup of them all, then an EXISTS per key only
// when some key is there). Each answer must be the server's, key by key, as the one-key
// statement gives it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { keyInTarget, keysInTarget } from '../../../runtime/populate/keysource';
import { range, setup, type Env } from './helpers';

let env: Env;
before(async () => {
  env = await setup('djpop_keys');
  await env.sql.query(`CREATE TABLE \`${env.schema}\`.\`one\` (id int NOT NULL, PRIMARY KEY (id))`);
  await env.sql.query(`CREATE TABLE \`${env.schema}\`.\`two\` (a int NOT NULL, b varchar(16) NOT NULL, PRIMARY KEY (a, b))`);
});
after(async () => env?.close());

const table = (tableName: string) => ({ database: env.schema, tableName });

/** keyInTarget for each key alone: the answer keysInTarget must give for the window. */
const oneByOne = async (tableName: string, keys: Record<string, unknown>[]) => {
  const out: boolean[] = [];
  for (const k of keys) out.push(await keyInTarget(env.sql.session, table(tableName), k));
  return out;
};

test('a window of keys none of which is in the target', async () => {
  await env.sql.query(`INSERT INTO \`${env.schema}\`.\`one\` (id) VALUES ?`, [range(10).map((i) => [i])]);
  const keys = range(40, 100).map((id) => ({ id }));
  const found = await keysInTarget(env.sql.session, table('one'), keys);
  assert.equal(found.length, 40);
  assert.deepEqual(found, keys.map(() => false));
});

test('a window where some keys are in the target: exactly those, in order', async () => {
  const keys = [3, 50, 7, 51, 1, 52, 10].map((id) => ({ id }));
  const found = await keysInTarget(env.sql.session, table('one'), keys);
  assert.deepEqual(found, [true, false, true, false, true, false, true]);
  assert.deepEqual(found, await oneByOne('one', keys));
  assert.deepEqual(await keysInTarget(env.sql.session, table('one'), [{ id: 3 }]), [true]);
  assert.deepEqual(await keysInTarget(env.sql.session, table('one'), []), []);
});

test('keys of two attributes, a string among them: the server compares them, as for one key', async () => {
  await env.sql.query(`INSERT INTO \`${env.schema}\`.\`two\` (a, b) VALUES ?`, [
    [
      [1, 'x'],
      [2, 'y'],
    ],
  ]);
  // 'X' against the stored 'x': the server's collation decides (equal on MySQL's default,
  // different on PostgreSQL), for the window as for the key alone. (1, 'y') pairs values of
  // two different rows.
  const keys = [
    { a: 1, b: 'x' },
    { a: 1, b: 'X' },
    { a: 1, b: 'y' },
    { a: 2, b: 'y' },
    { a: 3, b: 'x' },
  ];
  const found = await keysInTarget(env.sql.session, table('two'), keys);
  assert.deepEqual(found, await oneByOne('two', keys));
  assert.deepEqual([found[0], found[2], found[3], found[4]], [true, false, true, false]);
  assert.equal(found[1], env.backend !== 'postgresql', "'X' matches 'x' where the collation says so");
  // None of a window of two-attribute keys there: the one lookup answers it.
  assert.deepEqual(await keysInTarget(env.sql.session, table('two'), [{ a: 9, b: 'x' }, { a: 1, b: 'z' }]), [false, false]);
});
