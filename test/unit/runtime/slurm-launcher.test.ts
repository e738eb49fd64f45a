// The sbatch script that outlives updates (runtime/slurm/launcher.ts, the `launcher` option of
// runtime/slurm/sbatch-script.ts, client/slurm/launcherFile.ts): the script names no Node or
// CLI of a VS Code version, prefers a `djx` on PATH, else runs the launcher, else says in the
// task's output that neither exists; the launcher, run as a real child process, execs the Node
// and CLI it was last written for, and says so clearly when they are gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sbatchScript, type SbatchOptions } from '../../../runtime/slurm/sbatch-script';
import { launcherScript, refreshLauncher, writeLauncher, LAUNCHER_NAME } from '../../../runtime/slurm/launcher';
import { LaunchOptionError } from '../../../runtime/slurm/worker-command';
import { launcherDir, updateLauncher } from '../../../client/slurm/launcherFile';
import { scriptOptions, DEFAULT_ANSWERS } from '../../../client/slurm/slurmAnswers';

const base: SbatchOptions = { jobName: 'lab-workers', workers: 2, time: '30', logDir: 'slurm/logs', worker: { module: 'pipeline/lab.ts', tables: ['Spikes'] } };

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'dj-launcher-'));
}

/** A stand-in CLI: prints who ran it and its arguments, one a line. */
function fakeCli(dir: string, name: string): string {
  const file = join(dir, `${name}.js`);
  writeFileSync(file, `console.log(${JSON.stringify(name)}); for (const a of process.argv.slice(2)) console.log(a); console.log('ELECTRON_RUN_AS_NODE=' + process.env.ELECTRON_RUN_AS_NODE);\n`);
  return file;
}

/** Runs a script with bash as a SLURM task would, with only `pathDirs` on PATH (plus bash's own folder). */
function runTask(script: string, pathDirs: string[]) {
  return spawnSync('bash', [script], {
    encoding: 'utf8',
    env: { PATH: [...pathDirs, '/usr/bin', '/bin'].join(':'), SLURM_JOB_ID: '41', SLURM_ARRAY_JOB_ID: '40', SLURM_ARRAY_TASK_ID: '1' },
  });
}

test('with a launcher the script names neither a Node nor a CLI path: djx on PATH first, else the launcher, else an error line', () => {
  const text = sbatchScript({ ...base, launcher: '/home/alice/.vscode-server/data/User/globalStorage/datajoint-vscode.datajoint-vscode/bin/djx' });
  assert.match(text, /^DJX_LAUNCHER=\/home\/alice\/\.vscode-server\/data\/User\/globalStorage\/datajoint-vscode\.datajoint-vscode\/bin\/djx$/m);
  assert.match(text, /^if command -v djx >\/dev\/null 2>&1; then\n {2}DJX=djx\nelif \[ -x "\$DJX_LAUNCHER" \]; then\n {2}DJX="\$DJX_LAUNCHER"\nelse\n {2}echo "error: no djx on PATH and no launcher at \$DJX_LAUNCHER: .*" >&2\n {2}exit 127\nfi$/m);
  assert.match(text, /^exec "\$DJX" worker pipeline\/lab\.ts --tables Spikes$/m);
  assert.doesNotMatch(text, /dist\/cli\.js|ELECTRON_RUN_AS_NODE|\/bin\/node/);
  assert.equal(spawnSync('bash', ['-n'], { input: text }).status, 0, 'bash -n');
  // Paths with spaces (a home folder on macOS-like mounts) are one shell word.
  assert.match(sbatchScript({ ...base, launcher: "/home/a b/it's/djx" }), /^DJX_LAUNCHER='\/home\/a b\/it'\\''s\/djx'$/m);
});

test('a launcher must be an absolute path on one line, and not given beside djx', () => {
  for (const launcher of ['bin/djx', '/a\n/b', '']) {
    assert.throws(() => sbatchScript({ ...base, launcher }), (e: unknown) => e instanceof LaunchOptionError && e.option === '--launcher');
  }
  assert.throws(() => sbatchScript({ ...base, launcher: '/x/djx', djx: ['djx'] }), /--launcher: give djx or a launcher, not both/);
});

test("the extension's answers make a script with the launcher, never the extension host's Node or CLI", () => {
  const o = scriptOptions({ ...DEFAULT_ANSWERS }, { folder: '/ws', module: '/ws/pipeline/lab.ts', launcher: '/gs/bin/djx', environment: { DJ_HOST: 'db' } });
  assert.equal(o.launcher, '/gs/bin/djx');
  assert.equal(o.djx, undefined);
  const text = sbatchScript(o);
  assert.match(text, /^exec "\$DJX" worker pipeline\/lab\.ts$/m);
  assert.ok(!text.includes(process.execPath), 'the Node of this version is in the script');
});

test('the launcher runs: a task without djx on PATH execs the launcher, which execs the current Node and CLI with the worker arguments', () => {
  const dir = scratch();
  try {
    const cliA = fakeCli(dir, 'cli-a');
    const storage = join(dir, 'globalStorage');
    const launcher = updateLauncher({ globalStorage: storage, cliPath: cliA, writtenBy: 'datajoint-vscode 1.0.0' });
    assert.equal(launcher, join(launcherDir(storage), LAUNCHER_NAME));
    assert.equal(statSync(launcher).mode & 0o777, 0o755);
    assert.match(readFileSync(launcher, 'utf8'), /^#!\/bin\/sh\n# djx as datajoint-vscode 1\.0\.0 runs it now/);
    const script = join(dir, 'job.sbatch');
    writeFileSync(script, sbatchScript({ ...base, launcher }));
    const first = runTask(script, []);
    assert.equal(first.status, 0, first.stderr);
    const [, which, ...out] = first.stdout.trim().split('\n'); // after the script's "task … of job …" line
    assert.equal(which, `djx: ${launcher}`);
    assert.deepEqual(out, ['cli-a', 'worker', 'pipeline/lab.ts', '--tables', 'Spikes', 'ELECTRON_RUN_AS_NODE=1']);

    // An update moved the CLI: the extension rewrites the launcher, the same script reaches the new one.
    const cliB = fakeCli(dir, 'cli-b');
    assert.equal(updateLauncher({ globalStorage: storage, cliPath: cliB, writtenBy: 'datajoint-vscode 1.1.0' }), launcher);
    rmSync(cliA);
    const again = runTask(script, []);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout.trim().split('\n')[2], 'cli-b');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a djx on PATH is preferred over the launcher', () => {
  const dir = scratch();
  try {
    const launcher = writeLauncher(join(dir, 'gs'), { node: process.execPath, cli: fakeCli(dir, 'from-launcher'), writtenBy: 'test' });
    const bin = join(dir, 'path-bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'djx'), '#!/bin/sh\necho installed-djx "$@"\n');
    chmodSync(join(bin, 'djx'), 0o755);
    const script = join(dir, 'job.sbatch');
    writeFileSync(script, sbatchScript({ ...base, launcher }));
    const r = runTask(script, [bin]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').slice(1), ['djx: djx', 'installed-djx worker pipeline/lab.ts --tables Spikes']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('neither djx nor the launcher: exit 127 with an error line in the task output; a launcher whose CLI is gone says so', () => {
  const dir = scratch();
  try {
    const script = join(dir, 'job.sbatch');
    writeFileSync(script, sbatchScript({ ...base, launcher: join(dir, 'no-such', 'djx') }));
    const none = runTask(script, []);
    assert.equal(none.status, 127);
    assert.match(none.stderr, new RegExp(`^error: no djx on PATH and no launcher at ${join(dir, 'no-such', 'djx').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: put djx on PATH, or open this workspace once in VS Code`, 'm'));

    const cli = fakeCli(dir, 'soon-gone');
    const launcher = writeLauncher(join(dir, 'gs'), { node: process.execPath, cli, writtenBy: 'test' });
    rmSync(cli);
    writeFileSync(script, sbatchScript({ ...base, launcher }));
    const gone = runTask(script, []);
    assert.equal(gone.status, 127);
    assert.match(gone.stderr, /djx launcher .*: .* or .*soon-gone\.js is gone \(VS Code or DataJoint for VS Code was updated or removed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the launcher refuses relative or multi-line paths', () => {
  assert.throws(() => launcherScript({ node: 'node', cli: '/x/cli.js', writtenBy: 't' }), /node must be an absolute path/);
  assert.throws(() => launcherScript({ node: '/usr/bin/node', cli: '/x\n/cli.js', writtenBy: 't' }), /cli must be an absolute path/);
});

test('at activation an existing launcher is brought up to date, an unchanged one left alone, and none is made where there is none', () => {
  const dir = scratch();
  try {
    const bin = join(dir, 'bin');
    const before = { node: '/opt/code-1/node', cli: '/ext/datajoint-1/dist/cli.js', writtenBy: 'datajoint 1' };
    const after = { node: '/opt/code-2/node', cli: '/ext/datajoint-2/dist/cli.js', writtenBy: 'datajoint 2' };
    assert.equal(refreshLauncher(bin, after), false);
    assert.throws(() => statSync(join(bin, LAUNCHER_NAME)), /ENOENT/, 'no launcher where no script made one');
    writeLauncher(bin, before);
    assert.equal(refreshLauncher(bin, before), false, 'unchanged: not rewritten');
    assert.equal(refreshLauncher(bin, after), true);
    assert.equal(readFileSync(join(bin, LAUNCHER_NAME), 'utf8'), launcherScript(after));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
