// Which DataJoint a folder targets: versions, specifiers, the files that pin them, the
// evidence of the definitions, and the order in which they decide.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { tempTree } from '../temp-tree';
import {
  chooseTarget, definitionEvidence, parseTargetSetting, PinLookup, pinnedTarget, pinsIn, projectFolderOf, targetOfSpecifier, targetOfVersion,
} from '../../../runtime/project/datajoint-target';
import { parseDefinition } from '../../../runtime/definition';

const folder = (files: Record<string, string>): string => tempTree(files, 'dj-target-');

test('versions: 2.x is 2, 0.14 is 0.14, 0.12 and 0.13 are 0.13', () => {
  assert.equal(targetOfVersion('2.1.0'), '2');
  assert.equal(targetOfVersion('2.3.2.dev1'), '2');
  assert.equal(targetOfVersion('0.14.9'), '0.14');
  assert.equal(targetOfVersion('0.13.8'), '0.13');
  assert.equal(targetOfVersion('0.12.9'), '0.13');
  assert.equal(targetOfVersion('not a version'), undefined);
});

test('specifiers: an exact or compatible pin names its line, an upper bound caps it, a lower bound alone is the line written for', () => {
  const cases: Array<[string, string | undefined]> = [
    ['==0.14.3', '0.14'], ['~=0.12', '0.13'], ['^0.14', '0.14'], ['=0.14.1', '0.14'], ['==2.1.1', '2'], ['~=2.0', '2'],
    ['>=0.14.5,<2.0', '0.14'], ['<2', '0.14'], ['>=0.13,<0.14', '0.13'], ['<=0.13.8', '0.13'], ['>=2.0', '2'], ['>2', '2'],
    ['>=0.13', '0.13'], ['>=0.14.6', '0.14'], ['!=0.14.1', undefined], ['', undefined],
  ];
  for (const [spec, target] of cases) assert.equal(targetOfSpecifier(spec), target, spec);
});

test('pin files: requirements, pyproject (PEP 621 and Poetry), setup.py, setup.cfg, environment.yml; other datajoint-* packages are not datajoint', () => {
  assert.deepEqual(pinsIn('requirements.txt', 'numpy\ndatajoint>=0.14.5,<2.0  # pinned\ndatajoint-utilities==0.5\n').map((p) => p.target), ['0.14']);
  assert.deepEqual(pinsIn('requirements-dev.txt', 'datajoint[s3]==2.1.0 ; python_version >= "3.10"\n').map((p) => p.target), ['2']);
  assert.deepEqual(pinsIn('pyproject.toml', '[project]\ndependencies = [\n  "datajoint>=2.0",\n  "datajoint_plus",\n]\n').map((p) => p.target), ['2']);
  assert.deepEqual(pinsIn('pyproject.toml', '[tool.poetry.dependencies]\ndatajoint = "^0.14"\n').map((p) => p.target), ['0.14']);
  assert.deepEqual(pinsIn('pyproject.toml', '[tool.poetry.dependencies]\ndatajoint = { version = "~0.13", extras = ["s3"] }\n').map((p) => p.target), ['0.13']);
  assert.deepEqual(pinsIn('setup.py', "install_requires=['datajoint~=0.12', 'numpy']").map((p) => p.target), ['0.13']);
  assert.deepEqual(pinsIn('setup.cfg', '[options]\ninstall_requires =\n    datajoint>=0.14.0\n').map((p) => p.target), ['0.14']);
  assert.deepEqual(pinsIn('environment.yml', 'dependencies:\n  - python=3.11\n  - datajoint=0.14.3\n  - pip:\n    - datajoint==2.1.1\n').map((p) => p.target), ['0.14', '2']);
  // A bare name pins nothing: keywords lists and unpinned dependencies.
  assert.deepEqual(pinsIn('pyproject.toml', 'keywords = ["datajoint", "neuroscience"]\n').map((p) => p.target), [undefined]);
});

test('the folder\'s pin: pyproject.toml before setup.py before requirements; environments/ is looked into', () => {
  const a = folder({ 'pyproject.toml': 'dependencies = ["datajoint>=0.14.5,<2.0"]', 'requirements.txt': 'datajoint>=2' });
  assert.deepEqual(pinnedTarget(a), { target: '0.14', file: 'pyproject.toml', requirement: 'datajoint>=0.14.5,<2.0' });
  const b = folder({ 'setup.py': 'setup(name="x")', 'environments/environment.yml': 'dependencies:\n  - pip:\n    - datajoint==2.1.0\n' });
  assert.deepEqual(pinnedTarget(b), { target: '2', file: 'environments/environment.yml', requirement: 'datajoint==2.1.0' });
  assert.equal(pinnedTarget(folder({ 'README.md': 'datajoint==0.14' })), undefined);
});

test('a file\'s pin is the nearest folder above it that names one, stopping at the workspace folder', () => {
  const root = folder({
    'requirements.txt': 'datajoint==0.14.3',
    'pkg/a.py': '',
    'sub/pyproject.toml': 'dependencies = ["datajoint>=2.0"]',
    'sub/deep/b.py': '',
  });
  const pins = new PinLookup([path.join(root, 'sub')]);
  assert.equal(pins.forFile(path.join(root, 'pkg/a.py'))?.target, '0.14');
  assert.equal(pins.forFile(path.join(root, 'sub/deep/b.py'))?.target, '2');
  assert.equal(pins.forFile(path.join(root, 'sub/deep/b.py'))?.folder, path.join(root, 'sub'));
  const bounded = new PinLookup([path.join(root, 'pkg')]);
  assert.equal(bounded.forFile(path.join(root, 'pkg/a.py')), undefined, 'not above the workspace folder');
  assert.equal(projectFolderOf(path.join(root, 'sub/deep/b.py')), path.join(root, 'sub'));
});

test('evidence from definitions: 2.x types, 0.x types and old-style foreign keys', () => {
  const e = definitionEvidence(['a : int32\n---\nb : <blob>', 'x : int\n---\ny : longblob\nz : blob@raw', '(p) -> Parent\n---\nv : float'].map((t) => parseDefinition(t).ast));
  assert.deepEqual(e, { newer: 2, legacy: 2, oldForeignKeys: 1 });
});

test('the order: an explicit setting, the installed version, the pin, the definitions, else 2', () => {
  const pin = { target: '0.14' as const, file: 'pyproject.toml', requirement: 'datajoint<2' };
  const installed = { version: '2.1.1', interpreter: '.venv/bin/python' };
  const evidence = { newer: 0, legacy: 5, oldForeignKeys: 0 };
  assert.deepEqual(chooseTarget({ setting: '0.14', installed, pin, evidence }), { target: '0.14', source: 'setting', detail: 'datajoint.targetVersion is 0.14' });
  assert.deepEqual(chooseTarget({ setting: 'auto', installed, pin, evidence }), { target: '2', source: 'installed', detail: 'datajoint 2.1.1 in .venv/bin/python' });
  assert.equal(chooseTarget({ setting: 'auto', installed: { version: null, interpreter: 'python3' }, pin, evidence }).source, 'pin');
  assert.deepEqual(chooseTarget({ evidence }), { target: '0.14', source: 'definitions', detail: 'the definitions use 5 DataJoint 0.x and 0 DataJoint 2 types' });
  assert.equal(chooseTarget({ evidence: { newer: 0, legacy: 3, oldForeignKeys: 2 } }).target, '0.13');
  // Old-style foreign keys alone (a 0.13 pipeline of int and varchar only) say 0.13 too.
  assert.equal(chooseTarget({ evidence: { newer: 0, legacy: 0, oldForeignKeys: 1 } }).target, '0.13');
  assert.equal(chooseTarget({ evidence: { newer: 4, legacy: 1, oldForeignKeys: 0 } }).target, '2');
  assert.deepEqual(chooseTarget({}), { target: '2', source: 'default', detail: 'nothing names a DataJoint version' });
  assert.equal(parseTargetSetting('0.14'), '0.14');
  assert.equal(parseTargetSetting('0.13'), '0.13');
  assert.equal(parseTargetSetting('3'), undefined);
});
