// Table names per tier and the CamelCase <-> snake_case rules (user_tables.py, utils.py).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fromCamelCase, jobsTableName, parseTableName, tableNameFor, toCamelCase } from '../../../runtime/index';

describe('table names', () => {
  it('converts class names as the reference does', () => {
    assert.equal(fromCamelCase('SessionTrial'), 'session_trial');
    assert.equal(fromCamelCase('ProcessedEMG'), 'processed_e_m_g');
    assert.equal(fromCamelCase('MyTableABC'), 'my_table_a_b_c');
    assert.equal(fromCamelCase('Table2D'), 'table2_d');
    assert.equal(fromCamelCase('Bad_Name'), 'bad_name');
    assert.equal(fromCamelCase('lowercase'), undefined);
    assert.equal(fromCamelCase('Has-Dash'), undefined);
  });

  it('prefixes tiers and nests parts', () => {
    assert.equal(tableNameFor('Manual', 'Session'), 'session');
    assert.equal(tableNameFor('Lookup', 'Method'), '#method');
    assert.equal(tableNameFor('Imported', 'Recording'), '_recording');
    assert.equal(tableNameFor('Computed', 'Analysis'), '__analysis');
    assert.equal(tableNameFor('Part', 'Unit', '__analysis'), '__analysis__unit');
    assert.equal(jobsTableName('__analysis'), '~~analysis');
    assert.equal(jobsTableName('_recording'), '~~recording');
  });

  it('reads tiers back from names (first full match wins)', () => {
    assert.deepEqual(parseTableName('session'), { tier: 'Manual', className: 'Session' });
    assert.deepEqual(parseTableName('#method'), { tier: 'Lookup', className: 'Method' });
    assert.deepEqual(parseTableName('_recording'), { tier: 'Imported', className: 'Recording' });
    assert.deepEqual(parseTableName('__analysis'), { tier: 'Computed', className: 'Analysis' });
    assert.deepEqual(parseTableName('__analysis__unit'), { tier: 'Part', className: 'Unit', master: '__analysis' });
    assert.deepEqual(parseTableName('#method__item'), { tier: 'Part', className: 'Item', master: '#method' });
    assert.deepEqual(parseTableName('session__trial'), { tier: 'Part', className: 'Trial', master: 'session' });
    assert.equal(parseTableName('~lineage'), undefined);
    assert.equal(parseTableName('~~analysis'), undefined);
    assert.equal(parseTableName('a_1b'), undefined);
    assert.equal(toCamelCase('my_table_a_b_c'), 'MyTableABC');
  });
});
