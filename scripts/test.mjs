// The whole test suite in one `node --test` run, so there is one summary to read:
// builds the bundles, starts a throwaway MariaDB when database tests are present,
// passes its address to the tests through DJ_TEST_* variables, and stops it at the end;
// for the integration and extension tests it also makes (or reuses) the virtual environment
// with the real DataJoint for Python (scripts/python-env.mjs) and passes it as DJ_TEST_PYTHON
// (the extension tests populate a Python pipeline with it: the VS Code server, and so the
// extension host, inherits this environment).
//   node scripts/test.mjs [--only unit,lsp,integration,extension,syntax] [--no-build] [--match text]
// --match keeps the test files whose path contains the text (a developer's quick run).
import { spawnSync, spawn } from 'node:child_process';
import { glob } from 'tinyglobby';
import { startMariaDB } from './mariadb.mjs';
import { pythonEnv } from './python-env.mjs';

const args = process.argv.slice(2);
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? new Set(args[onlyIdx + 1].split(',')) : undefined;
const groups = ['unit', 'syntax', 'lsp', 'integration', 'extension'].filter((g) => !only || only.has(g));
const needsDb = new Set(['integration', 'extension']);
const matchIdx = args.indexOf('--match');
const match = matchIdx >= 0 ? args[matchIdx + 1] : undefined;

if (!args.includes('--no-build')) {
  const b = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

const files = [];
let wantDb = false;
let wantPython = false;
for (const g of groups) {
  const found = (await glob(`test/${g}/**/*.test.ts`)).sort().filter((f) => !match || f.includes(match));
  if (found.length && needsDb.has(g)) wantDb = true;
  if (found.length && (g === 'integration' || g === 'extension')) wantPython = true;
  files.push(...found);
}
if (files.length === 0) {
  console.error('test: no test files found');
  process.exit(1);
}

let db;
const env = { ...process.env };
if (wantPython) {
  // Compatibility is claimed against the real DataJoint for Python: no environment, no run.
  try {
    env.DJ_TEST_PYTHON = pythonEnv();
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
  console.log(`test: DataJoint for Python in ${env.DJ_TEST_PYTHON}`);
}
if (wantDb) {
  db = await startMariaDB();
  Object.assign(env, {
    DJ_TEST_HOST: db.host,
    DJ_TEST_PORT: String(db.port),
    DJ_TEST_USER: db.user,
    DJ_TEST_PASSWORD: db.password,
    DJ_TEST_SOCKET: db.socket,
  });
  console.log(`test: MariaDB on ${db.host}:${db.port}`);
}

const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit', env });
const stopAll = async () => {
  if (db) await db.stop();
};
process.on('SIGINT', () => child.kill('SIGINT'));
child.on('exit', async (code, signal) => {
  await stopAll();
  process.exit(code ?? (signal ? 1 : 0));
});
