import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { numberPlaceholders } from '../../../runtime/connection/placeholders';

describe('numberPlaceholders (PostgreSQL $n from the runtime\'s ? placeholders)', () => {
  it('numbers each placeholder in order', () => {
    assert.equal(numberPlaceholders('SELECT * FROM "s"."t" WHERE a = ? AND b IN (?, ?)'), 'SELECT * FROM "s"."t" WHERE a = $1 AND b IN ($2, $3)');
  });

  it('leaves a ? inside strings, identifiers, comments and dollar-quoted text alone', () => {
    assert.equal(numberPlaceholders(`SELECT 'a?b', "c?d", ? -- why?\n, ?`), `SELECT 'a?b', "c?d", $1 -- why?\n, $2`);
    assert.equal(numberPlaceholders(`SELECT 'it''s ?', ? /* ? */, ?`), `SELECT 'it''s ?', $1 /* ? */, $2`);
    assert.equal(numberPlaceholders(`SELECT $tag$ ? $tag$, ?, $$?$$`), `SELECT $tag$ ? $tag$, $1, $$?$$`);
    assert.equal(numberPlaceholders(`SELECT "a""?", ?`), `SELECT "a""?", $1`);
  });

  it('reads backslashes as escapes only in E strings, as PostgreSQL does', () => {
    // Standard strings: the backslash is text, the quote after it ends the string.
    assert.equal(numberPlaceholders(`SELECT 'a\\', ?`), `SELECT 'a\\', $1`);
    assert.equal(numberPlaceholders(`SELECT E'a\\' ?', ?`), `SELECT E'a\\' ?', $1`);
  });

  it('does not take a parameter reference or a name with a dollar for a quote', () => {
    assert.equal(numberPlaceholders('SELECT a$b, ? FROM t'), 'SELECT a$b, $1 FROM t');
    assert.equal(numberPlaceholders('SELECT 1'), 'SELECT 1');
  });
});
