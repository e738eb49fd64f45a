import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex, offsetAt, positionAt } from '../../../runtime/definition';

test('offsets to line/column and back, with LF, CRLF and CR', () => {
  const text = 'ab\ncd\r\nef\rgh';
  const index = new LineIndex(text);
  assert.deepEqual(index.starts, [0, 3, 7, 10]);
  const expected: Array<[number, number, number]> = [[0, 0, 0], [2, 0, 2], [3, 1, 0], [5, 1, 2], [7, 2, 0], [10, 3, 0], [12, 3, 2]];
  for (const [offset, line, column] of expected) {
    assert.deepEqual(positionAt(text, offset), { line, column });
    assert.equal(offsetAt(text, { line, column }), offset);
  }
  assert.deepEqual(index.positionAt(-5), { line: 0, column: 0 });
  assert.deepEqual(index.positionAt(99), { line: 3, column: 2 });
  assert.equal(index.offsetAt({ line: 9, column: 0 }), text.length);
  assert.equal(index.offsetAt({ line: 0, column: 99 }), 3, 'clamped to the line');
});
