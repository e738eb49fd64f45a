// The jobs queue runs a statement again when the server chose it as a deadlock's victim
// (runtime/jobs/deadlock.ts): the errors of both servers as the drivers and the dialects'
// translation give them, and nothing else retried.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeadlock, retryDeadlocks } from '../../../runtime/jobs/deadlock';
import { MySqlDialect } from '../../../runtime/dialect/mysql';

const mysqlDeadlock = () => Object.assign(new Error('Deadlock found when trying to get lock; try restarting transaction'), { errno: 1213, code: 'ER_LOCK_DEADLOCK' });
const pgDeadlock = () => Object.assign(new Error('deadlock detected'), { code: '40P01' });

test('deadlocks of either server are told, also translated or wrapped; other errors are not', () => {
  assert.equal(isDeadlock(mysqlDeadlock()), true);
  assert.equal(isDeadlock(new MySqlDialect().translateError(mysqlDeadlock())), true);
  assert.equal(isDeadlock(pgDeadlock()), true);
  assert.equal(isDeadlock(Object.assign(new Error('could not serialize access'), { code: '40001' })), true);
  assert.equal(isDeadlock(new Error('wrapped', { cause: mysqlDeadlock() })), true);
  assert.equal(isDeadlock(Object.assign(new Error('Lock wait timeout exceeded'), { errno: 1205 })), false);
  assert.equal(isDeadlock(Object.assign(new Error('Duplicate entry'), { errno: 1062 })), false);
});

test('a deadlock victim runs again, up to five runs; any other error ends it at once', async () => {
  let runs = 0;
  assert.equal(await retryDeadlocks(async () => (++runs < 3 ? Promise.reject(mysqlDeadlock()) : 'done')), 'done');
  assert.equal(runs, 3);
  runs = 0;
  await assert.rejects(retryDeadlocks(async () => (runs++, Promise.reject(pgDeadlock()))), /deadlock detected/);
  assert.equal(runs, 5);
  runs = 0;
  await assert.rejects(retryDeadlocks(async () => (runs++, Promise.reject(new Error('no such table')))), /no such table/);
  assert.equal(runs, 1);
});
