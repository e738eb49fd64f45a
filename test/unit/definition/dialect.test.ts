// MySQL-only rules stay quiet for PostgreSQL; rules for both backends apply to both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDefinition } from '../../../runtime/definition';

const K = 'k : int32\n---\n';

test('MySQL-only default rules are skipped for postgresql', () => {
  for (const [line, code] of [['flag = true : bool', 'DJ209'], ['ts = CURRENT_TIMESTAMP : datetime(3)', 'DJ217'], ["j = '{}' : json", 'DJ223']] as const) {
    assert.ok(checkDefinition(K + line).diagnostics.some((d) => d.code === code), `${code} on mysql`);
    assert.ok(checkDefinition(K + line, { dialect: 'mysql' }).diagnostics.some((d) => d.code === code), `${code} on explicit mysql`);
    assert.deepEqual(checkDefinition(K + line, { dialect: 'postgresql' }).diagnostics.filter((d) => d.code === code), [], `${code} on postgresql`);
  }
});

test('the blob default rule applies on both backends (reference §11.3#9)', () => {
  for (const dialect of ['mysql', 'postgresql'] as const) {
    assert.ok(checkDefinition(K + 'b = 1 : <blob>', { dialect }).diagnostics.some((d) => d.code === 'DJ208'), dialect);
  }
});

test('table name length limit depends on the dialect', () => {
  // `__` + `t` + n x's: 65 characters with n = 62 (too long for both), 64 with n = 61 (too long for PostgreSQL only).
  const className = `T${'x'.repeat(62)}`;
  assert.ok(checkDefinition('a : int32', { className: `T${'x'.repeat(61)}`, tier: 'Computed', dialect: 'postgresql' }).diagnostics.some((d) => d.code === 'DJ509'));
  assert.ok(!checkDefinition('a : int32', { className: `T${'x'.repeat(61)}`, tier: 'Computed', dialect: 'mysql' }).diagnostics.some((d) => d.code === 'DJ509'));
  assert.ok(checkDefinition('a : int32', { className, tier: 'Computed' }).diagnostics.some((d) => d.code === 'DJ509'));
});
