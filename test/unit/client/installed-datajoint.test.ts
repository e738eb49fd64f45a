// The DataJoint installed in an interpreter, as the status bar and the server's target see
// it: read from the package metadata of the real test environment (DataJoint for Python
// 2.x), none from an interpreter without it, none from one that cannot start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { installedDataJoint, parseInstalled } from '../../../client/targets/installedDataJoint';
import type { PythonInterpreter } from '../../../client/python/interpreter';
import { pythonInterpreter } from '../../integration/python/helpers';

const interp = (executable: string, args: string[] = []): PythonInterpreter => ({ executable, args, source: 'setting', env: {}, description: executable, skipped: [] });

test('the test environment has DataJoint for Python 2.x', async () => {
  const version = await installedDataJoint(interp(await pythonInterpreter()), tmpdir());
  assert.match(version ?? '', /^2\.\d+\.\d+/);
});

test('an interpreter without DataJoint, and one that cannot start, have none', async () => {
  // `-I`: isolated from user site-packages, so the system python3 sees no DataJoint.
  assert.equal(await installedDataJoint(interp('python3', ['-I', '-S']), tmpdir()), null);
  assert.equal(await installedDataJoint(interp('/no/such/python'), tmpdir()), null);
});

test('the answer is read from its own line, after whatever a sitecustomize prints', () => {
  assert.equal(parseInstalled('hello from sitecustomize\ndatajoint-version:"0.14.3"\n'), '0.14.3');
  assert.equal(parseInstalled('datajoint-version:null\n'), null);
  assert.equal(parseInstalled('garbage'), null);
});

test('no module of the folder it runs in is imported (a json.py there does not run)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dj-probe-'));
  const marker = path.join(dir, 'ran');
  writeFileSync(path.join(dir, 'json.py'), `open(${JSON.stringify(marker)}, "w").write("x")\n`);
  const version = await installedDataJoint(interp(await pythonInterpreter()), dir);
  assert.match(version ?? '', /^2\./);
  assert.equal(existsSync(marker), false);
});
