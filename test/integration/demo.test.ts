// The README's first command: `npm run demo` (scripts/demo.mjs) run as a user runs it,
// without a terminal (plain lines): on the embedded database by default (no server started,
// nothing installed), and with --server on its own throwaway MariaDB. Either way it must
// populate the demo pipeline, leave exactly one failing key, fix and retry it, end with every
// key computed, exit 0 and leave no database process or data directory behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');

function demo(args: string[]): string {
  if (!existsSync(join(root, 'dist', 'cli.js')) || !existsSync(join(root, 'dist', 'embedded-server.js'))) {
    assert.equal(spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' }).status, 0, 'build');
  }
  // No DJ_* of the caller's: the demo must choose its database itself.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DJ_')));
  // --no-build: the test run has built dist/ already; rebuilding it could disturb other tests.
  const r = spawnSync(process.execPath, ['scripts/demo.mjs', '--no-build', ...args], { cwd: root, env, encoding: 'utf8', timeout: 230_000 });
  const out = r.stdout + r.stderr;
  assert.equal(r.status, 0, out);
  return out;
}

/** Every step the demo shows, whatever database it runs on. */
function assertSteps(out: string): void {
  assert.match(out, /Subject: 28, Session: 84, RawData: 84, Quality: 0/);
  assert.match(out, /Populate Quality with reserved jobs and two worker processes/);
  assert.match(out, /\$ djx populate examples\/demo\/index\.ts Quality --reserve-jobs --processes 2 --suppress-errors/);
  assert.match(out, /83 keys computed in [\d.]+ s \([\d.]+ jobs\/s/);
  assert.match(out, /Quality \(dj_demo\.~~quality\): 1 job\(s\)\n\s+error .*"subject_id":7,"session_idx":2.*sampling_rate 0 Hz/);
  assert.match(out, /1 error jobs deleted for retry/);
  assert.match(out, /Quality: 84 of 84 recordings computed, 0 errors left/);
  assert.match(out, /Completed 84 of 84 \(100\.0%\)/);
  assert.match(out, /Server stopped and its data removed/);
  const dir = /data in (\S+)/.exec(out)?.[1];
  assert.ok(dir, 'the demo names its data directory');
  assert.equal(existsSync(dir), false, `${dir} is removed`);
}

const runs = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('npm run demo runs on the embedded database: no server, every step, nothing left behind', { timeout: 240_000 }, () => {
  const out = demo([]);
  assertSteps(out);
  assert.match(out, /Use the embedded database/);
  assert.match(out, /no database host configured, so the runtime opens the local database in \/\S+\/\.datajoint/);
  assert.doesNotMatch(out, /MariaDB/, 'no MariaDB started');
  const pid = Number(/Local database — this workspace: served on 127\.0\.0\.1:\d+ by process (\d+)/.exec(out)?.[1]);
  assert.ok(pid > 0, 'the demo names the process serving the database');
  assert.equal(runs(pid), false, 'the serving process has exited');
});

test('npm run demo -- --server does the same on a throwaway MariaDB', { timeout: 240_000 }, () => {
  const out = demo(['--server']);
  assertSteps(out);
  assert.match(out, /Start a throwaway MariaDB/);
  assert.doesNotMatch(out, /embedded database/);
});
