// scripts/which.mjs: the one PATH lookup of the server scripts (mariadb.mjs, slurm.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { which } from '../../../scripts/which.mjs';

function tree(): { root: string; bin: string; sbin: string } {
  const root = mkdtempSync(join(tmpdir(), 'dj-which-'));
  const bin = join(root, 'bin');
  const sbin = join(root, 'sbin');
  mkdirSync(bin);
  mkdirSync(sbin);
  writeFileSync(join(bin, 'tool'), '#!/bin/sh\n');
  chmodSync(join(bin, 'tool'), 0o755);
  writeFileSync(join(bin, 'plain'), 'not executable');
  chmodSync(join(bin, 'plain'), 0o644);
  mkdirSync(join(bin, 'folder'));
  writeFileSync(join(sbin, 'daemon'), '#!/bin/sh\n');
  chmodSync(join(sbin, 'daemon'), 0o755);
  return { root, bin, sbin };
}

test('finds an executable on PATH, in order, and in the extra folders after PATH', (t) => {
  const { root, bin, sbin } = tree();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const env = { PATH: [join(root, 'missing'), bin].join(delimiter) };
  assert.equal(which('tool', { env }), join(bin, 'tool'));
  assert.equal(which('daemon', { env }), undefined);
  assert.equal(which('daemon', { env, also: [sbin] }), join(sbin, 'daemon'));
});

test('a file that is not executable, a folder, a path or an empty name is no command', (t) => {
  const { root, bin } = tree();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const env = { PATH: bin };
  assert.equal(which('plain', { env }), undefined);
  assert.equal(which('folder', { env }), undefined);
  assert.equal(which(`../bin/tool`, { env }), undefined);
  assert.equal(which('', { env }), undefined);
  // A name is never given to a shell: `;` and `$()` are just characters of a file name.
  assert.equal(which('tool; echo hi', { env }), undefined);
});

test("the process's PATH by default: node itself is found", () => {
  const found = which('node');
  assert.ok(found && found.endsWith(`${'/'}node`), String(found));
});
