// The embedded database's password file (runtime/embedded/secret.ts ensurePassword): made
// once, readable by its owner only, written to a private temporary file and hard-linked to
// its name, so it never exists half-written or with a wider mode, and of several processes
// creating it at once all end up with the one secret that was linked first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensurePassword } from '../../../runtime/embedded/secret';

const posix = process.platform !== 'win32';

function folder(t: { after(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), 'dj-secret-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

test('the first use makes the password (0600 in a 0700 folder) and every later one reads it back', (t) => {
  const dir = join(folder(t), '.datajoint');
  const file = join(dir, 'password');
  const secret = ensurePassword(file);
  assert.match(secret, /^[A-Za-z0-9_-]{32}$/);
  assert.equal(ensurePassword(file), secret);
  assert.equal(readFileSync(file, 'utf8'), secret);
  if (posix) {
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  }
  // No temporary file is left beside it.
  assert.deepEqual(readdirSync(dir).sort(), ['.gitignore', 'password']);
});

test('a password file that exists is kept as it is, never overwritten', (t) => {
  const file = join(folder(t), 'password');
  writeFileSync(file, 'kept-secret\n', { mode: 0o600 });
  assert.equal(ensurePassword(file), 'kept-secret');
  assert.equal(readFileSync(file, 'utf8'), 'kept-secret\n');
});

test('an empty password file is refused with what to do, not replaced', (t) => {
  const file = join(folder(t), 'password');
  writeFileSync(file, '', { mode: 0o600 });
  assert.throws(() => ensurePassword(file), /password file .* is empty: remove it/);
});

test('processes creating it at once all get the one secret that was linked first', async (t) => {
  const dir = join(folder(t), '.datajoint');
  const file = join(dir, 'password');
  const secretModule = resolve(__dirname, '../../../runtime/embedded/secret.ts');
  // Each child waits for the go file, so they race on the creation rather than start in turn.
  const go = join(dir, '..', 'go');
  const code = `
    const { existsSync } = require('node:fs');
    const { ensurePassword } = require(${JSON.stringify(secretModule)});
    const wait = () => (existsSync(${JSON.stringify(go)}) ? process.stdout.write(ensurePassword(${JSON.stringify(file)})) : setImmediate(wait));
    process.stdout.write('ready\\n');
    wait();`;
  const children = Array.from({ length: 6 }, () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    const ready = new Promise<void>((r) => child.stdout.on('data', (d: string) => ((out += d), out.includes('ready\n') && r())));
    const done = new Promise<string>((r, reject) => child.on('exit', (c) => (c === 0 ? r(out.replace('ready\n', '')) : reject(new Error(`child exited with ${c}`)))));
    return { ready, done };
  });
  await Promise.all(children.map((c) => c.ready));
  writeFileSync(go, '');
  const secrets = await Promise.all(children.map((c) => c.done));
  assert.equal(new Set(secrets).size, 1, secrets.join(' '));
  assert.equal(readFileSync(file, 'utf8'), secrets[0]);
  if (posix) assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});
