// `djx lint` as users run it: the bundled dist/cli.js in a child process.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { tempTree } from '../temp-tree';

const repo = path.resolve(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli.js');

before(() => {
  // `npm test` builds first; a lone run of this file builds once (never rebuilds under
  // other tests that may be running the bundles).
  if (!existsSync(cli)) {
    const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repo, stdio: 'inherit' });
    assert.equal(b.status, 0, 'build failed');
  }
});

function dj(args: string[], cwd = repo): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tempProject = (files: Record<string, string>): string => tempTree(files, 'dj-lint-');

const BAD_PY = 'class Bad(dj.Manual):\n    definition = "a : int32\\nb = x : int32"\n';
const GOOD_PY = 'class Good(dj.Manual):\n    definition = "a : int32"\n';

test('the examples lint clean: exit 0, no findings, a summary on stderr', () => {
  const r = dj(['lint', 'examples/']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^djx lint: 0 errors, 0 warnings in \d+ definitions of \d+ files\ndjx lint: Python definitions checked against DataJoint 2 \(the definitions use 0 DataJoint 0\.x and \d+ DataJoint 2 types\)\n$/);
});

test('text output: path:line:col severity code message, sorted, exit 1 on errors', () => {
  const r = dj(['lint', 'test/fixtures/lint/broken']);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.deepEqual(
    lines.map((l) => l.split(' ').slice(0, 3).join(' ')),
    [
      'test/fixtures/lint/broken/pipeline/subject.py:11:14 error DJ210',
      'test/fixtures/lint/broken/pipeline/subject.py:12:13 error DJ208',
      'test/fixtures/lint/broken/pipeline/subject.py:13:5 error DJ206',
      'test/fixtures/lint/broken/pipeline/subject.py:21:8 warning DJ303',
      'test/fixtures/lint/broken/ts/session.ts:7:9 error DJ302',
      'test/fixtures/lint/broken/ts/session.ts:10:12 error DJ209',
    ],
  );
  for (const l of lines) assert.ok(l.split(' ').slice(3).join(' ').length > 5, l);
  assert.match(r.stderr, /5 errors, 1 warning in 4 definitions of 4 files/);
  // Paths are relative to the working directory.
  const inside = dj(['lint', '.'], path.join(repo, 'test/fixtures/lint/broken/ts'));
  assert.match(inside.stdout, /^session\.ts:7:9 error DJ302 /);
});

test('json output has the same findings with end positions', () => {
  const r = dj(['lint', '--format', 'json', 'test/fixtures/lint/broken']);
  assert.equal(r.code, 1);
  const findings = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
  assert.equal(findings.length, 6);
  assert.deepEqual(findings[4], {
    path: 'test/fixtures/lint/broken/ts/session.ts',
    line: 7,
    col: 9,
    endLine: findings[4].endLine,
    endCol: findings[4].endCol,
    severity: 'error',
    code: 'DJ302',
    message: findings[4].message,
    table: 'Recording',
    ...('fix' in findings[4] ? { fix: findings[4].fix } : {}),
  });
  assert.equal(findings[4].endLine, 7);
  assert.ok((findings[4].endCol as number) > 9);
  assert.equal(JSON.parse(dj(['lint', '-f', 'json', 'examples']).stdout).length, 0);
});

test('warnings do not fail unless --max-warnings is exceeded; --quiet shows errors only', () => {
  const dir = tempProject({ 'a.py': 'class A(dj.Manual):\n    definition = "-> Missing\\na : int32"\n' });
  const plain = dj(['lint', '.'], dir);
  assert.equal(plain.code, 0);
  assert.match(plain.stdout, /^a\.py:2:22 warning DJ303 /);
  assert.equal(dj(['lint', '--max-warnings', '1', '.'], dir).code, 0);
  assert.equal(dj(['lint', '--max-warnings', '0', '.'], dir).code, 1);
  const quiet = dj(['lint', '--quiet', 'a.py'], dir);
  assert.equal(quiet.stdout, '');
  assert.equal(quiet.code, 0);
});

test('usage errors exit 2 with a clear message', () => {
  const missing = dj(['lint', 'no/such/folder']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no such file or folder: no\/such\/folder/);
  assert.equal(dj(['lint', '--format', 'xml', 'examples']).code, 2);
  assert.equal(dj(['lint', '--max-warnings', 'many', 'examples']).code, 2);
  assert.equal(dj(['lint', '--bogus']).code, 2);
  assert.equal(dj(['frobnicate']).code, 2);
  const notHost = dj(['lint', 'package.json']);
  assert.equal(notHost.code, 2);
  assert.match(notHost.stderr, /not a Python, TypeScript or JavaScript file: package\.json/);
  const version = dj(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  assert.equal(dj(['lint', '--help']).code, 0);
});

test('a file that cannot be opened is a clear error, exit 2; a folder walk passes over dangling links', () => {
  const dir = tempProject({ 'good.py': GOOD_PY });
  symlinkSync(path.join(dir, 'missing-target.py'), path.join(dir, 'dangling.py'));
  const r = dj(['lint', 'good.py', 'dangling.py'], dir);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /no such file or folder: dangling\.py/);
  assert.equal(dj(['lint', '.'], dir).code, 0);
});

test('folders skip node_modules, .git, virtual environments and git-ignored files', () => {
  const dir = tempProject({
    '.gitignore': 'generated/\n*.tmp.py\n',
    'repo/.keep': '',
    'src/good.py': GOOD_PY,
    'src/model.ts': 'export class M extends Manual {\n  static definition = `m : int32`;\n}\n',
    'src/skip.tmp.py': BAD_PY,
    'src/generated/bad.py': BAD_PY,
    'src/nested/.gitignore': 'local_*.py\n',
    'src/nested/local_bad.py': BAD_PY,
    'node_modules/pkg/bad.js': 'class B extends Manual { static definition = `b = x : int32` }\n',
    '.git/hooks/bad.py': BAD_PY,
    '.venv/lib/bad.py': BAD_PY,
    'env/pyvenv.cfg': 'home = /usr/bin\n',
    'env/lib/python3.12/site/bad.py': BAD_PY,
    'venv/bad.py': BAD_PY,
  });
  mkdirSync(path.join(dir, '.git'), { recursive: true });
  const r = dj(['lint', 'src', 'node_modules/..', '.'], dir);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stderr, /in 2 definitions of 2 files/);
  // A .gitignore above the folder named on the command line (up to the repository root) applies too.
  const below = dj(['lint', '.'], path.join(dir, 'src'));
  assert.equal(below.code, 0, below.stdout);
  assert.match(below.stderr, /of 2 files/);
  // A file named explicitly is linted even when a folder walk would skip it.
  assert.equal(dj(['lint', 'src/generated/bad.py'], dir).code, 1);
});

test('legacy types are hints: hidden by default, shown with their fix under --hints (text and JSON)', () => {
  const dir = tempProject({ 'legacy.py': 'class Old(dj.Manual):\n    definition = """\n    id : int\n    ---\n    data : longblob\n    """\n' });
  const plain = dj(['lint', '.'], dir);
  assert.equal(plain.code, 0);
  assert.equal(plain.stdout, '');
  const hinted = dj(['lint', '--hints', '.'], dir);
  assert.equal(hinted.code, 0, 'hints never fail the run');
  const lines = hinted.stdout.trim().split('\n');
  assert.equal(lines.length, 2, hinted.stdout);
  assert.match(lines[0], /^legacy\.py:3:10 hint DJ2\d\d .*int32.*\(fix: .*int32.*\)$/);
  assert.match(lines[1], /^legacy\.py:5:12 hint DJ2\d\d .*<blob>.*\(fix: .*<blob>.*\)$/);
  const json = JSON.parse(dj(['lint', '--hints', '--format', 'json', '.'], dir).stdout) as Array<{ severity: string; fix?: string }>;
  assert.deepEqual(json.map((f) => f.severity), ['hint', 'hint']);
  assert.ok(json.every((f) => typeof f.fix === 'string' && f.fix.length > 0));
});

test('a reference cycle and a self-reference fail djx lint (errors, exit 1): DataJoint cannot declare them', () => {
  const dir = tempProject({
    'a.py': 'class A(dj.Manual):\n    definition = "-> B\\na : int32"\nclass B(dj.Manual):\n    definition = "-> A\\nb : int32"\nclass S(dj.Manual):\n    definition = "-> S\\ns : int32"\n',
  });
  const r = dj(['lint', '.'], dir);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.deepEqual(r.stdout.trimEnd().split('\n').map((l) => l.split(' ').slice(0, 3).join(' ')), ['a.py:2:22 error DJ313', 'a.py:4:22 error DJ313', 'a.py:6:22 error DJ312']);
});
