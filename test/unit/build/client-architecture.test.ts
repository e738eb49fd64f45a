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

// Which folders may import which (architecture.md): runtime/ imports nothing of ours,
// server/ only runtime/ (never the extension's client/), and neither imports vscode.
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])([^'"]+)\1/gm;

/** The relative and `vscode` imports of a source file, each with the top-level folder it lands in. */
function importsOf(file: string, text: string): Array<{ specifier: string; folder: string }> {
  const out: Array<{ specifier: string; folder: string }> = [];
  for (const m of code(text).matchAll(IMPORT)) {
    const specifier = m[2]!;
    if (specifier === 'vscode') out.push({ specifier, folder: 'vscode' });
    if (!specifier.startsWith('.')) continue;
    const target = relative(repoRoot, resolve(repoRoot, file, '..', specifier)).split(/[\\/]/)[0]!;
    out.push({ specifier, folder: target });
  }
  return out;
}

/** Our folders (package.json, node_modules and the like are not). */
const OURS = new Set(['runtime', 'server', 'client', 'test', 'examples', 'scripts', 'python', 'vscode']);
const RULES: Record<string, readonly string[]> = {
  runtime: ['runtime'],
  server: ['server', 'runtime'],
};

async function violations(folder: string): Promise<string[]> {
  const files = await glob(`${folder}/**/*.ts`, { cwd: repoRoot, absolute: true });
  assert.ok(files.length > 5, `the ${folder} sources are found`);
  return files.flatMap((f) => {
    const file = relative(repoRoot, f);
    return importsOf(file, readFileSync(f, 'utf8'))
      .filter(({ folder: to }) => OURS.has(to) && !RULES[folder]!.includes(to))
      .map(({ specifier }) => `${file}: ${specifier}`);
  });
}

test('server/ imports only runtime/ (not client/, not vscode); runtime/ imports nothing of ours', async () => {
  assert.deepEqual(await violations('server'), []);
  assert.deepEqual(await violations('runtime'), []);
});

test('the import checker sees a server file importing client/', () => {
  const found = importsOf(join('server', 'workspace', 'x.ts'), "import { a } from '../../client/populate/moduleBindings';\nimport type { B } from '../../runtime/catalog/index';\nconst c = await import('../../client/x');\nimport 'vscode';\n// import { d } from '../../client/y';\n");
  assert.deepEqual(found.map((i) => i.folder), ['client', 'runtime', 'client', 'vscode']);
  assert.ok(!RULES.server!.includes('client') && !RULES.server!.includes('vscode'));
});
