// The CLI's name is declared once (runtime/cli/name.ts); the Python runner, which cannot
// import it, carries a copy that must stay equal: the extension reads either one's error
// line as the reason a run did not start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_NAME, ERROR_PREFIX } from '../../../runtime/cli/name';

const ROOT = join(__dirname, '..', '..', '..');

test('the Python runner prefixes its error lines as the CLI does; package.json names the CLI so', () => {
  const runner = readFileSync(join(ROOT, 'python', 'datajoint_vscode_runner.py'), 'utf8');
  const m = /^PREFIX = "([^"]*)"/m.exec(runner);
  assert.ok(m, 'no PREFIX in the runner');
  assert.equal(m[1], ERROR_PREFIX);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  assert.deepEqual(Object.keys(pkg.bin), [CLI_NAME]);
  assert.notEqual(CLI_NAME, 'dj', "DataJoint for Python's console script");
});
