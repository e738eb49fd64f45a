// The README's first command: `npm run demo` (scripts/demo.mjs) run as a user runs it,
// without a terminal (plain lines), on its own throwaway MariaDB. It must populate the
// demo pipeline, leave exactly one failing key, fix and retry it, end with every key
// computed, exit 0 and leave no server or data directory behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');

test('npm run demo populates, shows the failing key, fixes and retries it, and cleans up', { timeout: 240_000 }, () => {
  if (!existsSync(join(root, 'dist', 'cli.js'))) {
    assert.equal(spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' }).status, 0, 'build');
  }
  // --no-build: the test run has built dist/ already; rebuilding it could disturb other tests.
  const r = spawnSync(process.execPath, ['scripts/demo.mjs', '--no-build'], { cwd: root, encoding: 'utf8', timeout: 230_000 });
  const out = r.stdout + r.stderr;
  assert.equal(r.status, 0, out);
  assert.match(out, /Subject: 28, Session: 84, RawData: 84, Quality: 0/);
  assert.match(out, /83 keys computed in [\d.]+ s \([\d.]+ jobs\/s/);
  assert.match(out, /Quality \(dj_demo\.~~quality\): 1 job\(s\)\n\s+error .*"subject_id":7,"session_idx":2.*sampling_rate 0 Hz/);
  assert.match(out, /1 error jobs deleted for retry/);
  assert.match(out, /Quality: 84 of 84 recordings computed, 0 errors left/);
  assert.match(out, /Completed 84 of 84 \(100\.0%\)/);
  assert.match(out, /Server stopped and its data removed/);
  const dir = /data in (\S+)/.exec(out)?.[1];
  assert.ok(dir, 'the demo names its data directory');
  assert.equal(existsSync(dir), false, `${dir} is removed`);
});
