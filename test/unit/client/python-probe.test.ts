// The probe of a Python interpreter before a run (client/python/probe.ts): its JSON line
// read among other output, DataJoint 2.x accepted, missing or older refused with a reason;
// and a real probe of an interpreter that has no runner script and one that is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datajointProblem, parseProbe, probeInterpreter } from '../../../client/python/probe';
import type { PythonInterpreter } from '../../../client/python/interpreter';

test('the probe line is found after other output; versions 2.x pass, none or 0.14 are refused', () => {
  const ok = parseProbe('sitecustomize says hi\n{"python": "/v/bin/python", "pythonVersion": "3.11.7", "datajoint": "2.3.5"}\n');
  assert.deepEqual(ok, { python: '/v/bin/python', pythonVersion: '3.11.7', datajoint: '2.3.5' });
  assert.equal(datajointProblem(ok!), undefined);
  assert.equal(datajointProblem({ ...ok!, datajoint: '2.0.0rc1' }), undefined);
  const none = parseProbe('{"python": "/usr/bin/python3", "pythonVersion": "3.11.2", "datajoint": null, "error": "ModuleNotFoundError: No module named \'datajoint\'"}');
  assert.equal(datajointProblem(none!), "DataJoint for Python is not installed in /usr/bin/python3 (Python 3.11.2: ModuleNotFoundError: No module named 'datajoint')");
  assert.equal(datajointProblem({ ...ok!, datajoint: '0.14.3' }), '/v/bin/python has DataJoint 0.14.3; Populate needs DataJoint for Python 2.0 or newer');
  assert.equal(parseProbe('Traceback (most recent call last):\n  ...\nSyntaxError: invalid syntax\n'), undefined);
  assert.equal(parseProbe('{"python": 3}'), undefined, 'a JSON line of another shape is not the probe');
});

const interpreter = (executable: string): PythonInterpreter => ({ executable, args: [], source: 'setting', env: {}, description: 'test', skipped: [] });

test('a probe that cannot run says why: a missing interpreter, a script that prints no probe line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dj-probe-'));
  try {
    const missing = await probeInterpreter(interpreter(join(dir, 'no-such-python')), join(dir, 'runner.py'), dir);
    assert.deepEqual(missing, { ok: false, problem: `the Python interpreter ${join(dir, 'no-such-python')} was not found` });
    // A real child process standing in for an interpreter whose runner fails: Node itself.
    const script = join(dir, 'fails.js');
    writeFileSync(script, "process.stderr.write('ImportError: something\\n'); process.exit(3);\n");
    const failed = await probeInterpreter(interpreter(process.execPath), script, dir);
    assert.equal(failed.ok, false);
    assert.equal(!failed.ok && failed.problem, `${process.execPath} did not answer the probe (exit 3: ImportError: something)`);
    const answers = join(dir, 'answers.js');
    writeFileSync(answers, 'console.log(JSON.stringify({ python: process.execPath, pythonVersion: "3.12.0", datajoint: "1.9", argv: process.argv.slice(2), cwd: process.cwd() }));\n');
    const old = await probeInterpreter(interpreter(process.execPath), answers, dir);
    assert.deepEqual(old, { ok: false, problem: `${process.execPath} has DataJoint 1.9; Populate needs DataJoint for Python 2.0 or newer`, result: { python: process.execPath, pythonVersion: '3.12.0', datajoint: '1.9' } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
