// `djx … | head`: the reader closes stdout early. The bundled CLI in a child process with
// a real pipe whose reading end is closed after the first chunk (or before any).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli.js');

before(() => {
  if (!existsSync(cli)) {
    const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repo, stdio: 'inherit' });
    assert.equal(b.status, 0, 'build failed');
  }
});

/** Runs dj with stdout on a pipe that is closed after `chunks` chunks were read (0: at once). */
function djWithEarlyClose(args: string[], cwd: string, chunks: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; read: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    let read = '';
    let seen = 0;
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    if (chunks === 0) child.stdout.destroy();
    else
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        read += d;
        if (++seen === chunks) child.stdout.destroy();
      });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr, read }));
  });
}

function bigProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dj-epipe-'));
  // Far more findings than a pipe buffer holds (64 KiB), so writes go on after the close.
  const classes = Array.from({ length: 3000 }, (_, i) => `class Bad${i}(dj.Manual):\n    definition = "a : int32\\nb = x : int32"\n`);
  writeFileSync(path.join(dir, 'big.py'), classes.join('\n'));
  return dir;
}

test('djx lint with its stdout closed after the first chunk: no stack trace, its own exit code and summary', async () => {
  const r = await djWithEarlyClose(['lint', '.'], bigProject(), 1);
  assert.match(r.read, /^big\.py:2:\d+ error DJ210 /);
  assert.equal(r.signal, null);
  assert.doesNotMatch(r.stderr, /EPIPE|Error:|at /, r.stderr);
  assert.equal(r.stderr, 'djx lint: 3000 errors, 0 warnings in 3000 definitions of 1 file\ndjx lint: Python definitions checked against DataJoint 2 (nothing names a DataJoint version)\n');
  assert.equal(r.code, 1);
});

test('djx lint --format json and djx --help with stdout closed before they write: quiet, exit as usual', async () => {
  const json = await djWithEarlyClose(['lint', '--format', 'json', '.'], bigProject(), 0);
  assert.doesNotMatch(json.stderr, /EPIPE|Error:/, json.stderr);
  assert.equal(json.code, 1);
  const help = await djWithEarlyClose(['--help'], repo, 0);
  assert.equal(help.stderr, '');
  assert.equal(help.code, 0);
});
