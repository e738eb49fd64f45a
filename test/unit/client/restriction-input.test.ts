// The restriction box of "Populate Table with Options…": the CLI's rules, as the user types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { restrictionProblem } from '../../../client/populate/restrictionInput';

const INJECTION = 'item_id = 1)) AS `$src` WHERE TRUE) AS `$ks`; DROP TABLE s.canary; SELECT * FROM (SELECT * FROM (SELECT 1 AS item_id FROM DUAL WHERE (1';

test('one SQL condition passes; empty is no restriction', () => {
  for (const ok of ['', '  ', 'subject_id < 10', "name = 'a;b -- (c'", 'x IN (1, 2) AND (y = 3 OR z = "#")']) assert.equal(restrictionProblem(ok, undefined), undefined, ok);
});

test('text that could close the queries around it is refused, saying why', () => {
  assert.match(restrictionProblem(INJECTION, undefined)!, /^Not one SQL condition: it has .*\)/);
  assert.match(restrictionProblem('subject_id = 1; DROP TABLE x', undefined)!, /^Not one SQL condition: it has `;`/);
  assert.match(restrictionProblem('subject_id = 1 -- rest', undefined)!, /^Not one SQL condition: it has .*comment/);
  assert.match(restrictionProblem('subject_id = 1 # rest', undefined)!, /comment/);
  assert.match(restrictionProblem('(subject_id = 1', undefined)!, /not closed/);
  assert.match(restrictionProblem("name = 'open", undefined)!, /^Not one SQL condition/);
  assert.match(restrictionProblem('["a = 1", "b = 2; DROP TABLE x"]', undefined)!, /`;`/, 'an SQL condition inside a JSON array');
});

test('JSON: malformed, wrong shapes, and attributes the key source lacks', () => {
  assert.match(restrictionProblem('{"subject_id": 3', undefined)!, /^Invalid JSON/);
  assert.match(restrictionProblem('[1]', undefined)!, /neither a key/);
  assert.equal(restrictionProblem('{"subject_id": 3}', ['subject_id', 'session']), undefined);
  assert.equal(restrictionProblem('[{"subject_id": 3}, {"session": 1}]', ['subject_id', 'session']), undefined);
  const typo = restrictionProblem('{"subjct_id": 3}', ['subject_id', 'session']);
  assert.equal(typo, 'Attribute `subjct_id` is not in the key source (`subject_id`, `session`), so it restricts nothing.');
  // Not declared yet: only the form is checked (the CLI checks the attributes after declaring).
  assert.equal(restrictionProblem('{"subjct_id": 3}', undefined), undefined);
});
