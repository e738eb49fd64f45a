// "The client never writes SQL: it asks the runtime" (architecture.md), and the window
// has one database connection: only ConnectionManager opens a runtime Connection, and
// nothing in client/ talks to the driver directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { glob } from 'tinyglobby';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
// Statements as they would appear in a string: an upper-case keyword (as everywhere in
// this code base), then what SQL puts after it; prose such as "Select the table" is not.
const SQL = /\b(SELECT\s+[\w*`(]|INSERT\s+(IGNORE\s+)?INTO\b|UPDATE\s+`?\w+`?(\.`?\w+`?)?\s+SET\b|DELETE\s+FROM\b|REPLACE\s+INTO\b|SHOW\s+(TABLES|DATABASES|COLUMNS|CREATE)\b|DROP\s+(TABLE|DATABASE|SCHEMA)\b)/;

async function clientFiles(): Promise<Array<{ file: string; text: string }>> {
  const files = await glob('client/**/*.ts', { cwd: repoRoot, absolute: true });
  assert.ok(files.length > 10, 'the client sources are found');
  return files.map((f) => ({ file: relative(repoRoot, f), text: readFileSync(f, 'utf8') }));
}

/** The text without comments, so that a comment may name a statement. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

test('no SQL text in client/', async () => {
  const found = (await clientFiles()).flatMap(({ file, text }) =>
    code(text)
      .split('\n')
      .map((line, i) => ({ where: `${file}:${i + 1}`, line }))
      .filter(({ line }) => SQL.test(line)),
  );
  assert.deepEqual(found.map((f) => `${f.where}: ${f.line.trim()}`), []);
});

test('the checker finds SQL where there is some', () => {
  assert.ok(SQL.test("await conn.query('SELECT subject_id FROM t')"));
  assert.ok(SQL.test('`DELETE FROM ${t} WHERE 1`'));
  assert.ok(SQL.test("'UPDATE `s`.`t` SET x = 1'"));
  assert.ok(!SQL.test("'Select the table to populate'"));
  assert.equal(code("a // SELECT * FROM x\nb /* DELETE FROM y */"), 'a \nb ');
});

test('only ConnectionManager opens a runtime Connection; nothing in client/ imports the driver', async () => {
  const files = await clientFiles();
  const opening = files.filter(({ text }) => /\bConnection\.connect\s*\(/.test(code(text))).map((f) => f.file);
  assert.deepEqual(opening, [join('client', 'connection', 'connectionManager.ts')]);
  const driver = files.filter(({ text }) => /from\s+['"]mysql2|require\(\s*['"]mysql2/.test(text)).map((f) => f.file);
  assert.deepEqual(driver, []);
});
