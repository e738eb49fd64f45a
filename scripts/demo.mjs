// The README's first command (`npm ci && npm run demo`): the product on the embedded
// database (PGlite in a temporary project folder: no server installed, no root), or with
// --server on a throwaway MariaDB, the way the tests start one. Declares the example
// pipeline (examples/demo), inserts sample data, runs the bundled `djx populate` as a real
// child process (reserved jobs, two processes, a progress bar on a terminal), shows the one
// key that fails in the jobs table, fixes its input row, retries it and populates again;
// then stops the database and removes its data.
//   npm run demo                 everything on the embedded database, then clean up
//   npm run demo -- --server     the same on a throwaway MariaDB (installed when run as root)
//   npm run demo -- --keep       leave the database running afterwards (for VS Code) until Ctrl-C
//   --no-build                   use the bundles in dist/ as they are (the tests build first)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startMariaDB } from './mariadb.mjs';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const keep = process.argv.includes('--keep');
const onServer = process.argv.includes('--server');
const SCHEMA = 'dj_demo';
const MODULE = 'examples/demo/index.ts';
const TABLE = 'Quality';
const cli = join(root, 'dist', 'cli.js');
const tty = Boolean(process.stdout.isTTY);
const bold = (s) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
let stepNo = 0;
const step = (title) => console.log(`\n${bold(`${++stepNo}. ${title}`)}`);
const say = (s) => console.log(`   ${s}`);

let db;
let stopping = false;
let interrupted;
let kept = false;
const children = new Set();
async function cleanup() {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  if (db) {
    await db.stop().catch(() => undefined);
    db = undefined;
  }
}

const pidRuns = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
};

/**
 * Resolves once process `pid` has exited (not a child we can wait for: it is looked at
 * whenever its folder changes, as when it removes its discovery file, and every 100 ms).
 */
function exitOf(pid, file) {
  return new Promise((res) => {
    let watcher;
    const done = () => {
      clearInterval(timer);
      watcher?.close();
      res();
    };
    const look = () => !pidRuns(pid) && done();
    const timer = setInterval(look, 100);
    try {
      watcher = watch(resolve(file, '..'), look);
      watcher.on('error', () => undefined);
    } catch {
      // The interval alone.
    }
    look();
  });
}

/**
 * The embedded database of a temporary project folder. The runtime starts its server on
 * first use (a process of its own, which exits by itself a minute after its last client);
 * stop() ends it early (SIGTERM: it closes cleanly) and removes the folder.
 */
function embeddedDatabase() {
  const project = mkdtempSync(join(tmpdir(), 'dj-demo-'));
  const dir = join(project, '.datajoint');
  const record = join(dir, 'server.json');
  return {
    dir: project,
    env: { DJ_EMBEDDED_DIR: dir, DJ_IGNORE_CONFIG_FILE: 'true' },
    async stop() {
      let r;
      try {
        r = JSON.parse(readFileSync(record, 'utf8'));
      } catch {
        r = undefined;
      }
      // Only the server of this folder: the record names the data directory it serves.
      if (r && r.dataDir === join(dir, 'pgdata') && Number.isInteger(r.pid) && pidRuns(r.pid)) {
        process.kill(r.pid, 'SIGTERM');
        // unref: the time limit alone must not keep the demo running once the server is gone.
        await Promise.race([exitOf(r.pid, record), new Promise((res) => setTimeout(res, 10_000).unref())]);
        if (pidRuns(r.pid)) process.kill(r.pid, 'SIGKILL');
      }
      rmSync(project, { recursive: true, force: true });
    },
  };
}

// Variables that would point the demo's processes at some other database.
const DB_VARIABLES = ['DJ_HOST', 'DJ_PORT', 'DJ_USER', 'DJ_PASS', 'DJ_BACKEND', 'DJ_USE_TLS', 'DJ_DATABASE_NAME', 'DJ_EMBEDDED_DIR'];
// Ctrl-C: the children run in their own process group (one signal each: a second one
// would make `djx populate` exit without releasing its jobs), so the signal is passed on
// once, the running `djx populate` stops gracefully, and then the server is stopped.
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = sig;
    console.error(`\ndemo: ${sig}, stopping the server and cleaning up`);
    for (const c of children) if (c.exitCode === null) c.kill(sig);
    const wait = [...children].map((c) => new Promise((r) => (c.exitCode === null ? c.once('exit', r) : r())));
    Promise.race([Promise.all(wait), new Promise((r) => setTimeout(r, 5000))])
      .then(cleanup)
      // In --keep mode Ctrl-C is the expected end.
      .finally(() => process.exit(kept ? 0 : 130));
  });
}

/** Runs `djx <args>` with the terminal attached (progress bar and colours when it is a TTY). */
function dj(args, env) {
  console.log(`   $ djx ${args.join(' ')}`);
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env, stdio: 'inherit', detached: true });
    children.add(child);
    child.on('error', rej);
    child.on('exit', (code, signal) => {
      children.delete(child);
      res(signal ? 128 : code ?? 1);
    });
  });
}

/** Runs `djx <args>` and returns its stdout (for --json output). */
function djJson(args, env) {
  const r = spawnSync(process.execPath, [cli, ...args, '--json'], { cwd: root, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`djx ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function expectExit(code, wanted, what) {
  if (code !== wanted) throw new Error(`${what}: dj exited ${code}, expected ${wanted}`);
}

async function main() {
  const t0 = performance.now();
  if (!process.argv.includes('--no-build')) {
    step('Build the bundles (dist/extension.js, dist/server.js, dist/cli.js)');
    const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('build failed');
    say('done');
  }

  for (const k of DB_VARIABLES) delete process.env[k];
  let dbEnv;
  if (onServer) {
    step('Start a throwaway MariaDB (temporary data directory, loopback only)');
    // MariaDB installed when missing (as root or with sudo); the embedded database needs nothing.
    const deps = spawnSync('bash', [join(root, 'scripts', 'system-deps.sh'), '--db-only'], { cwd: root, stdio: 'inherit' });
    if (deps.status !== 0) throw new Error('installing MariaDB failed (scripts/system-deps.sh --db-only)');
    db = await startMariaDB();
    say(`listening on ${db.host}:${db.port}, user ${db.user}, data in ${db.dir}`);
    dbEnv = { DJ_HOST: db.host, DJ_PORT: String(db.port), DJ_USER: db.user, DJ_PASS: db.password, DJ_USE_TLS: 'false' };
  } else {
    step('Use the embedded database (PostgreSQL in WebAssembly, kept in a temporary project folder: no server, no root)');
    db = embeddedDatabase();
    say(`no database host configured, so the runtime opens the local database in ${db.env.DJ_EMBEDDED_DIR}; data in ${db.dir}`);
    dbEnv = db.env;
  }
  Object.assign(process.env, dbEnv, { DJ_PIPELINE_SCHEMA: SCHEMA });
  const env = { ...process.env };

  const { tsImport } = await import('tsx/esm/api');
  const steps = await tsImport(pathToFileURL(join(root, 'examples', 'demo', 'steps.ts')).href, import.meta.url);
  if (!onServer) {
    // The first connection starts the server (initdb on first use) and every later process finds it.
    const w = await steps.where();
    say(`${w.label}: served on ${w.host}:${w.port} by process ${w.serverPid}, which every djx process below shares`);
  }

  step(`Declare the example pipeline in schema ${SCHEMA} and insert sample data`);
  const before = await steps.setup();
  say(Object.entries(before).map(([t, n]) => `${t}: ${n}`).join(', '));
  say(`recording ${JSON.stringify(steps.BROKEN_KEY)} was saved without its sampling rate: its ${TABLE} key will fail`);

  step(`Populate ${TABLE} with reserved jobs and two worker processes`);
  let t = performance.now();
  let code = await dj(['populate', MODULE, TABLE, '--reserve-jobs', '--processes', '2', '--suppress-errors'], env);
  const firstMs = performance.now() - t;
  expectExit(code, 1, 'the first populate should report the failing key');
  const afterFirst = await steps.counts();
  const computed = afterFirst[TABLE] - before[TABLE];
  say(`${computed} keys computed in ${(firstMs / 1000).toFixed(2)} s (${(computed / (firstMs / 1000)).toFixed(1)} jobs/s, process start-up included); 1 failed as planned`);

  step('The failing key waits in the jobs table');
  code = await dj(['jobs', 'list', MODULE, '--table', TABLE, '--status', 'error'], env);
  expectExit(code, 0, 'djx jobs list');
  const errors = djJson(['jobs', 'list', MODULE, '--table', TABLE, '--status', 'error'], env);
  const errorCount = JSON.stringify(errors).match(/"status":"error"/g)?.length ?? 0;
  if (errorCount !== 1) throw new Error(`expected exactly one error job, found ${errorCount}`);

  step(`Fix the input: set the recording's sampling rate, then retry the key`);
  await steps.fix();
  say(`RawData ${JSON.stringify(steps.BROKEN_KEY)}: sampling_rate = 1000 Hz`);
  code = await dj(['jobs', 'retry', MODULE, '--table', TABLE], env);
  expectExit(code, 0, 'djx jobs retry');
  t = performance.now();
  code = await dj(['populate', MODULE, TABLE, '--reserve-jobs', '--processes', '2'], env);
  const secondMs = performance.now() - t;
  expectExit(code, 0, 'the second populate');
  const after = await steps.counts();
  say(`${after[TABLE] - afterFirst[TABLE]} key computed in ${(secondMs / 1000).toFixed(2)} s`);

  step('Result');
  say(`${TABLE}: ${after[TABLE]} of ${after.RawData} recordings computed, 0 errors left`);
  code = await dj(['progress', MODULE, '--table', TABLE], env);
  expectExit(code, 0, 'djx progress');
  // With --keep the connection stays for the pings below.
  if (!keep) await steps.close();
  say(`demo finished in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  if (keep && !onServer) {
    // The embedded server exits a minute after its last client; a query now and then (a
    // fresh pooled socket each time the pool has closed its idle one) keeps it serving.
    setInterval(() => steps.counts().catch(() => undefined), 30_000);
    const w = await steps.where();
    step('The embedded database keeps running for VS Code (Ctrl-C stops it)');
    say(`settings: "datajoint.backend": "postgresql", "datajoint.host": "${w.host}", "datajoint.port": ${w.port}, "datajoint.user": "postgres"`);
    say(`password (the extension asks once and keeps it in its secret storage): in ${join(db.env.DJ_EMBEDDED_DIR, 'password')} (cat it)`);
    say(`djx in a shell: DJ_EMBEDDED_DIR=${db.env.DJ_EMBEDDED_DIR} npx djx progress ${MODULE}`);
    say(`schema: ${SCHEMA}; pipeline module: ${MODULE}`);
  } else if (keep) {
    step('The server keeps running for VS Code (Ctrl-C stops it)');
    say(`settings: "datajoint.host": "${db.host}", "datajoint.port": ${db.port}, "datajoint.user": "${db.user}"`);
    say(`password (the extension asks once and keeps it in its secret storage): ${db.password}`);
    say(`schema: ${SCHEMA}; pipeline module: ${MODULE}`);
  }
  if (keep) {
    // Until Ctrl-C: the signal handler stops the server and exits.
    kept = true;
    setInterval(() => undefined, 1 << 30);
    await new Promise(() => undefined);
  }
}

main().then(
  async () => {
    await cleanup();
    console.log('\nServer stopped and its data removed.');
  },
  async (e) => {
    // After Ctrl-C the signal handler reports and exits; a step cut short is no failure.
    if (interrupted) return;
    console.error(`\ndemo failed: ${e instanceof Error ? e.message : String(e)}`);
    await cleanup();
    process.exit(1);
  },
);
