// View Rows' argument (client/rows/rowsTarget.ts) and the grid's page line and problem
// location (client/rows/rowsProtocol.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fullName, rowsTarget } from '../../../client/rows/rowsTarget';
import { pageLabel, problemOffset } from '../../../client/rows/rowsProtocol';

test('a table from a full name, an object, or a Tables view node', () => {
  assert.deepEqual(rowsTarget('`lab`.`__trial`'), { schema: 'lab', table: '__trial' });
  assert.deepEqual(rowsTarget('`we``ird`.`#method`'), { schema: 'we`ird', table: '#method' });
  assert.deepEqual(rowsTarget('lab.session'), { schema: 'lab', table: 'session' });
  assert.deepEqual(rowsTarget({ schema: 'lab', table: 'session' }), { schema: 'lab', table: 'session' });
  assert.deepEqual(rowsTarget({ kind: 'table', table: { schema: 'lab', name: '_stats' }, parts: [] }), { schema: 'lab', table: '_stats' });
  assert.match(rowsTarget('session') as string, /not a table's full name/);
  assert.match(rowsTarget(undefined) as string, /needs a table/);
  assert.match(rowsTarget({ schema: 'lab' }) as string, /needs a table/);
  assert.equal(fullName({ schema: 'we`ird', table: '#method' }), '`we``ird`.`#method`');
  assert.deepEqual(rowsTarget(fullName({ schema: 'a', table: '~~jobs' })), { schema: 'a', table: '~~jobs' });
});

test('the page line: an estimate with ~, the exact count once known', () => {
  const v = { page: 1, pageSize: 100, offset: 100, hasMore: true, estimatedRows: 1_000_000, exactRows: undefined };
  assert.equal(pageLabel(v, 100), 'page 2 of ~10000 · rows 101–200 of ~1000000 rows');
  assert.equal(pageLabel({ ...v, exactRows: 250 }, 100), 'page 2 of 3 · rows 101–200 of 250 rows');
  assert.equal(pageLabel({ ...v, estimatedRows: undefined }, 100), 'page 2');
  assert.equal(pageLabel({ ...v, page: 0, offset: 0, estimatedRows: undefined, hasMore: false }, 3), 'page 1 of 1');
  assert.equal(pageLabel({ ...v, page: 0, offset: 0, exactRows: 0, hasMore: false }, 0), 'page 1 of 1 · no rows of 0 rows');
});

test("a problem's place in the box", () => {
  assert.equal(problemOffset('Not one SQL condition: it has `;` at character 16 (a second statement).'), 15);
  assert.equal(problemOffset('Invalid JSON: Unexpected token b in JSON at position 1'), 1);
  assert.equal(problemOffset('Attribute `x` is not in the table'), undefined);
});
