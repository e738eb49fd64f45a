// The whole test suite in one `node --test` run, so there is one summary to read:
// builds the bundles, starts a throwaway MariaDB and a throwaway PostgreSQL (in parallel)
// when database tests are present, passes their addresses to the tests through DJ_TEST_*
// (MariaDB) and DJ_TEST_PG_* (PostgreSQL) variables, and stops both at the end (also on
// SIGINT/SIGTERM and when a start fails);
// for the integration and extension tests it also makes (or reuses) the virtual environment
// with the real DataJoint for Python (scripts/python-env.mjs) and passes it as DJ_TEST_PYTHON
// (the extension tests populate a Python pipeline with it: the VS Code server, and so the
// extension host, inherits this environment).
//   node scripts/test.mjs [--only unit,lsp,integration,extension,syntax] [--no-build] [--match text]
// --match keeps the test files whose path contains the text (a developer's quick run).
import { spawnSync, spawn } from 'node:child_process';
import { glob } from 'tinyglobby';
import { startMariaDB } from './mariadb.mjs';
import { startPostgres } from './postgres.mjs';
import { pythonEnv } from './python-env.mjs';
import { startSlurm } from './slurm.mjs';

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

const servers = [];
let stopping;
/** Stops every server started so far, once (each by its pid, its directory removed). */
const stopAll = () =>
  (stopping ??= Promise.allSettled(servers.map((s) => s.stop())).then((results) => {
    for (const r of results) if (r.status === 'rejected') console.error(`test: stopping a server failed: ${r.reason}`);
  }));
let child;
let interrupted;
let starting = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    interrupted ??= sig;
    if (child) child.kill(sig);
    // While the servers start, the start below sees `interrupted` and stops them.
    else if (!starting) stopAll().then(() => process.exit(130));
  });
}

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
  // Both backends, unless DJ_TEST_BACKENDS (e.g. `mysql`) names fewer; the tests read the
  // same variable (test/integration/runtime/helpers.ts: backends()). MariaDB always runs:
  // the tests not yet written for both backends use it.
  const backends = (process.env.DJ_TEST_BACKENDS ?? '').split(',').map((b) => b.trim()).filter(Boolean);
  const wantPg = backends.length === 0 || backends.includes('postgresql');
  starting = true;
  const started = await Promise.allSettled([startMariaDB(), wantPg ? startPostgres() : Promise.resolve(undefined)]);
  for (const r of started) if (r.status === 'fulfilled' && r.value) servers.push(r.value);
  const failed = started.filter((r) => r.status === 'rejected');
  if (failed.length || interrupted) {
    for (const r of failed) console.error(`test: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
    await stopAll();
    process.exit(interrupted ? 130 : 1);
  }
  const [db, pg] = started.map((r) => r.value);
  Object.assign(env, {
    DJ_TEST_HOST: db.host,
    DJ_TEST_PORT: String(db.port),
    DJ_TEST_USER: db.user,
    DJ_TEST_PASSWORD: db.password,
    DJ_TEST_SOCKET: db.socket,
  });
  console.log(`test: MariaDB on ${db.host}:${db.port}`);
  if (pg) {
    Object.assign(env, {
      DJ_TEST_PG_HOST: pg.host,
      DJ_TEST_PG_PORT: String(pg.port),
      DJ_TEST_PG_USER: pg.user,
      DJ_TEST_PG_PASSWORD: pg.password,
      DJ_TEST_PG_DATABASE: pg.database,
    });
    console.log(`test: PostgreSQL on ${pg.host}:${pg.port}`);
  }
}

// The SLURM suites (test/integration/slurm/, and the extension's slurm.suite.ts in a real VS
// Code) get a one-node cluster of their own (scripts/slurm.mjs: root and Debian's slurm-wlm, as
// CI has; its error says what is missing). Without it the integration run stops; the extension
// run goes on and its SLURM suite fails with that error (test/extension/driver.ts).
const slurmIntegration = files.some((f) => f.startsWith('test/integration/slurm/'));
const slurmExtension = files.some((f) => f === 'test/extension/vscode.test.ts' || f === 'test/extension/vsix.test.ts');
if ((slurmIntegration || slurmExtension) && !interrupted) {
  try {
    const cluster = await startSlurm();
    servers.push(cluster);
    env.DJ_TEST_SLURM_CONF = cluster.env.SLURM_CONF;
    console.log(`test: SLURM cluster in ${cluster.dir}`);
  } catch (e) {
    console.error(`test: ${e instanceof Error ? e.message : String(e)}`);
    if (slurmIntegration) {
      await stopAll();
      process.exit(1);
    }
    env.DJ_TEST_SLURM_UNAVAILABLE = e instanceof Error ? e.message : String(e);
  }
}

// The database suites written for both backends run a second time on PostgreSQL (their
// helpers read DJ_TEST_BACKEND); the others, and the first pass, on MariaDB.
const BOTH_BACKENDS = [
  'test/integration/runtime/',
  'test/integration/populate/',
  'test/integration/jobs/',
  'test/integration/python/ts-declared.test.ts',
  'test/integration/python/python-pipeline.test.ts',
  'test/integration/python/one-queue.test.ts',
  'test/integration/python/migration.test.ts',
  'test/integration/python/mixed-host.test.ts',
  'test/integration/python/recover-after-kill.test.ts',
  'test/integration/python/runner.test.ts',
  'test/integration/python/runner-make.test.ts',
  'test/integration/worker/',
];
const onPostgres = env.DJ_TEST_PG_HOST ? files.filter((f) => BOTH_BACKENDS.some((p) => f.startsWith(p)) && !f.endsWith('postgres-server.test.ts')) : [];

/** One `node --test` run; resolves with its exit status. */
function run(list, extraEnv, label) {
  if (label) console.log(`test: ${label}`);
  return new Promise((resolve) => {
    child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...list], { stdio: 'inherit', env: { ...env, ...extraEnv } });
    child.on('error', (e) => {
      console.error(`test: could not run node --test: ${e.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const first = await run(files, {}, onPostgres.length ? `${files.length} files (the database suites on MariaDB)` : undefined);
let second = 0;
if (onPostgres.length && !interrupted) {
  second = await run(onPostgres, { DJ_TEST_BACKEND: 'postgresql' }, `${onPostgres.length} database suites again, on PostgreSQL`);
  const verdict = (code) => (code === 0 ? 'passed' : 'FAILED');
  console.log(`test: first pass ${verdict(first)}; PostgreSQL pass ${verdict(second)}`);
}
await stopAll();
process.exit(interrupted ? 130 : first || second);
