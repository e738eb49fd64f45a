// npm run bench:populate — populate and jobs on a local MariaDB that commits durably as a
// lab's production server does (a throwaway one started with `durable`, scripts/mariadb.mjs;
// or the server given by DJ_TEST_*, whose setting is printed), with a trivial make (fetch
// one row, insert one row):
// - against DataJoint for Python's populate() on the same server and tables, alternating
//   (ours, theirs, ours, theirs … ROUNDS rounds, CMP_N fresh keys a run), direct and with
//   reserved jobs; the reference is the interpreter of scripts/python-env.mjs (or
//   DJ_TEST_PYTHON) running test/fixtures/python/bench_populate.py; ours is
//   bench/populate-ours.ts in a process of its own as well, bundled as dist/cli.js is
//   (what a user's populate runs, not the tsx this script runs under). Targets (issue 11):
//   ours >= 3x the reference direct, >= 4x with reserved jobs, measured in the same run.
// - against the fixed targets of issue 5: direct >= 1,800 jobs/s; reserved (refresh
//   included) >= 1,000 jobs/s, i.e. <= 1 ms of overhead per job; refresh of N = 5,000 new
//   keys < 100 ms; processes=2 >= 1.7x on a CPU-bound make; remaining count for
//   1,000,000 keys < 1 s. The reference took about 2.5 s for refreshing 5,000 keys.
// - the backends side by side (issue 13): open, first query and per-key populate cost on
//   this MariaDB, a throwaway PostgreSQL (durable commits too) and the embedded database
//   (PGlite in a temporary folder: created, opened by a new server process, and joined
//   while served), each in a process of its own (bench/backend-probe.ts). No targets; the
//   ratios are to MariaDB's. DJ_BENCH_ONLY=backends runs this section alone;
//   DJ_BENCH_ONLY=reference runs only the comparison with the reference (first section).
// - 8 workers, 4 on each of two simulated hosts (issue 15), on 5,000 keys of a 20 ms make:
//   keys/s against the ideal (8 x 50/s) and against DataJoint for Python's workers in the
//   same setup (bench/worker-hosts.ts; needs root). DJ_BENCH_ONLY=hosts runs it alone.
import { cpus, loadavg } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { BackendFigures } from './backend-probe';

const N = Number(process.env.DJ_BENCH_N ?? 5000);
const BIG = Number(process.env.DJ_BENCH_BIG ?? 1_000_000);
const SPIN_KEYS = Number(process.env.DJ_BENCH_SPIN_KEYS ?? 300);
const ROUNDS = Number(process.env.DJ_BENCH_ROUNDS ?? 5);
const CMP_N = Number(process.env.DJ_BENCH_CMP_N ?? 2000);
const MODES = ['direct', 'reserved'] as const;
type Mode = (typeof MODES)[number];
const TARGET_RATIO: Record<Mode, number> = { direct: 3, reserved: 4 };

interface Server {
  host: string;
  port: number;
  user: string;
  password: string;
  stop(): Promise<void>;
}

async function server(): Promise<Server> {
  const e = process.env;
  if (e.DJ_TEST_HOST && e.DJ_TEST_PORT && e.DJ_TEST_USER) {
    return { host: e.DJ_TEST_HOST, port: Number(e.DJ_TEST_PORT), user: e.DJ_TEST_USER, password: e.DJ_TEST_PASSWORD ?? '', stop: async () => undefined };
  }
  // @ts-expect-error: plain ESM script without type declarations
  const { startMariaDB } = (await import('../scripts/mariadb.mjs')) as { startMariaDB(o: { durable: boolean }): Promise<Server> };
  return startMariaDB({ durable: true });
}

/** One side of the comparison: a process that stays up between runs and makes the keys missing on each `run`. */
interface Side {
  version: string;
  run(mode: Mode): Promise<{ count: number; seconds: number }>;
  close(): void;
}

/**
 * A side's process, answering JSON lines: `{"ready": version}` once, then one answer a run
 * (test/fixtures/python/bench_populate.py and bench/populate-ours.ts speak the same).
 */
async function sideProcess(label: string, command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Side> {
  const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  // A side that died is reported by its answer (below), not by an EPIPE on its stdin.
  child.stdin.on('error', () => undefined);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const answer = async (): Promise<Record<string, unknown>> => {
    let l = await lines.next();
    // DataJoint's own log lines may come on stdout too: the answers are the JSON lines.
    while (!l.done && !l.value.startsWith('{"')) l = await lines.next();
    if (l.done) throw new Error(`${label} (${command} ${args.join(' ')}) ended:\n${stderr}`);
    const a = JSON.parse(l.value) as Record<string, unknown>;
    if (typeof a.error === 'string') throw new Error(`${label} failed: ${a.error}\n${stderr}`);
    return a;
  };
  const ready = await answer();
  return {
    version: String(ready.ready),
    async run(mode) {
      child.stdin.write(`${mode}\n`);
      const a = await answer();
      return { count: Number(a.count), seconds: Number(a.seconds) };
    },
    close() {
      child.stdin.end();
      // One that hangs in a run must not keep the bench alive.
      const kill = setTimeout(() => child.kill(), 5000);
      kill.unref();
      child.once('exit', () => clearTimeout(kill));
    },
  };
}

/**
 * DataJoint for Python's populate() (test/fixtures/python/bench_populate.py), on the server
 * of DJ_HOST etc. set by main.
 */
async function reference(schemaName: string): Promise<Side> {
  let py = process.env.DJ_TEST_PYTHON;
  if (!py) {
    // @ts-expect-error: plain ESM script without type declarations
    const { pythonEnv } = (await import('../scripts/python-env.mjs')) as { pythonEnv(): string };
    py = pythonEnv();
  }
  const script = join(__dirname, '..', 'test', 'fixtures', 'python', 'bench_populate.py');
  // DataJoint warns on every connection to MariaDB and without a datajoint.json (python-side.md).
  const env = { ...process.env, DJ_PIPELINE_SCHEMA: schemaName, PYTHONUNBUFFERED: '1', PYTHONWARNINGS: 'ignore:MariaDB is not officially supported,ignore:No datajoint.json found' };
  return sideProcess('the reference', py, [script], env);
}

/**
 * Our populate() (bench/populate-ours.ts) as the .vsix ships the runtime: bundled with the
 * options of dist/cli.js into `dir`, run by plain Node, on the server of DJ_HOST etc.
 */
async function oursProcess(dir: string): Promise<Side> {
  // @ts-expect-error: plain ESM script without type declarations
  const { bundleOptions } = (await import('../scripts/build.mjs')) as { bundleOptions(o: { production: boolean }): Array<{ outfile: string } & Record<string, unknown>> };
  const options = bundleOptions({ production: true }).find((o) => o.outfile === 'dist/cli.js')!;
  const outfile = join(dir, 'populate-ours.js');
  const { build } = await import('esbuild');
  // Minified as dist/cli.js is, but for its identifiers: the pipeline's tables are named by
  // their classes' names. The pipeline is bundled too, where a user's is loaded by sucrase
  // or tsx (runtime/populate/load.ts): only its trivial make differs by that.
  await build({ ...options, minify: false, minifyWhitespace: true, minifySyntax: true, sourcemap: false, absWorkingDir: join(__dirname, '..'), entryPoints: ['bench/populate-ours.ts'], outfile, logLevel: 'error' });
  // Its settings from DJ_HOST etc. alone, as the reference's are (no datajoint.json in this folder).
  return sideProcess('ours', process.execPath, [outfile], { ...process.env, DJ_IGNORE_CONFIG_FILE: 'true' });
}

/**
 * 8 workers on two simulated hosts, ours then DataJoint for Python's (bench/worker-hosts.ts):
 * keys/s against the ideal and against the reference. Without root there are no simulated
 * hosts: said, and the section is left out.
 */
async function compareWorkerHosts(s: Server): Promise<void> {
  // @ts-expect-error: plain ESM script without type declarations
  const { workerHostsUnavailable } = (await import('../scripts/worker-hosts.mjs')) as { workerHostsUnavailable(): string | undefined };
  const why = workerHostsUnavailable();
  if (why) {
    console.log(`worker hosts: not measured: ${why}`);
    return;
  }
  let py = process.env.DJ_TEST_PYTHON;
  if (!py) {
    // @ts-expect-error: plain ESM script without type declarations
    const { pythonEnv } = (await import('../scripts/python-env.mjs')) as { pythonEnv(): string };
    py = pythonEnv();
  }
  const { benchWorkerHosts, IDEAL_KEYS_PER_SECOND } = await import('./worker-hosts');
  const figures = await benchWorkerHosts(s, py);
  const ours = figures.find((f) => f.side === 'ours')!;
  const ref = figures.find((f) => f.side === 'reference')!;
  console.log(`worker hosts: 8 workers (4 on each of 2 simulated hosts), ${ours.keys} keys, a 20 ms make, reserved jobs; first make to last:`);
  for (const f of figures) {
    console.log(`  ${f.side === 'ours' ? 'ours (djx populate)' : 'DataJoint for Python'}`.padEnd(30) + `${f.keysPerSecond.toFixed(0).padStart(6)} keys/s in ${f.seconds.toFixed(1)} s   ${(f.keysPerSecond / IDEAL_KEYS_PER_SECOND).toFixed(2)}x of the ideal ${IDEAL_KEYS_PER_SECOND} keys/s`);
  }
  console.log(`  ours / DataJoint for Python: ${(ours.keysPerSecond / ref.keysPerSecond).toFixed(2)}x (no target)`);
}

/** bench/backend-probe.ts in a new process with `env` over this one's (undefined: removed). */
function probe(env: Record<string, string | undefined>): Promise<BackendFigures> {
  // From the repository (where `--import tsx` resolves), reading no datajoint.json.
  const cwd = join(__dirname, '..');
  const childEnv: NodeJS.ProcessEnv = { ...process.env, DJ_IGNORE_CONFIG_FILE: 'true' };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'backend-probe.ts')], { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      if (code !== 0 || !line) reject(new Error(`backend probe (${JSON.stringify(env)}) exited with ${code}:\n${err}`));
      else resolve(JSON.parse(line) as BackendFigures);
    });
  });
}

/** Resolves once process `pid` has exited (after SIGTERM, which the embedded server handles by closing cleanly). */
async function stopProcess(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  // Not our child: no exit event to wait for, so its existence is polled.
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The backends side by side: open, first query, per-key populate cost (see the header). */
async function compareBackends(maria: Server): Promise<void> {
  const schemaOf = () => `djbench_${randomBytes(3).toString('hex')}`;
  const serverVars = ['DJ_HOST', 'DJ_PORT', 'DJ_USER', 'DJ_PASS', 'DJ_BACKEND', 'DJ_DATABASE_NAME', 'DJ_EMBEDDED_DIR'] as const;
  const none = Object.fromEntries(serverVars.map((k) => [k, undefined])) as Record<string, undefined>;
  const rows: Array<[string, BackendFigures]> = [];
  const scratch = mkdtempSync(join(tmpdir(), 'djbench-backends-'));
  try {
    rows.push(['MariaDB', await probe({ ...none, DJ_HOST: maria.host, DJ_PORT: String(maria.port), DJ_USER: maria.user, DJ_PASS: maria.password, DJ_USE_TLS: 'false', DJ_PIPELINE_SCHEMA: schemaOf() })]);
    // @ts-expect-error: plain ESM script without type declarations
    const { startPostgres } = (await import('../scripts/postgres.mjs')) as { startPostgres(o: { durable: boolean }): Promise<Server & { database: string }> };
    const pg = await startPostgres({ durable: true });
    try {
      rows.push(['PostgreSQL', await probe({ ...none, DJ_BACKEND: 'postgresql', DJ_HOST: pg.host, DJ_PORT: String(pg.port), DJ_USER: pg.user, DJ_PASS: pg.password, DJ_DATABASE_NAME: pg.database, DJ_USE_TLS: 'false', DJ_PIPELINE_SCHEMA: schemaOf() })]);
    } finally {
      await pg.stop();
    }
    const embedded = { ...none, DJ_BACKEND: 'embedded', DJ_EMBEDDED_DIR: join(scratch, '.datajoint'), DJ_EMBEDDED_IDLE_MS: '600000' };
    const created = await probe({ ...embedded, DJ_PIPELINE_SCHEMA: schemaOf() });
    rows.push(['embedded, created (first use)', created]);
    if (created.embeddedServerPid) await stopProcess(created.embeddedServerPid);
    const opened = await probe({ ...embedded, DJ_PIPELINE_SCHEMA: schemaOf() });
    rows.push(['embedded, opened (server started)', opened]);
    const joined = await probe({ ...embedded, DJ_PIPELINE_SCHEMA: schemaOf() });
    rows.push(['embedded, joined (server running)', joined]);
    if (joined.embeddedServerPid) await stopProcess(joined.embeddedServerPid);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const base = rows[0]![1];
  const keys = base.keys;
  console.log(`backends side by side (each in a new process; populate of the trivial make on ${keys} keys; ratio to MariaDB in brackets):`);
  console.log(`  ${'backend'.padEnd(34)} ${'open ms'.padStart(14)} ${'1st query ms'.padStart(14)} ${'round trip ms'.padStart(14)} ${'direct ms/key'.padStart(16)} ${'reserved ms/key'.padStart(16)}`);
  const cell = (v: number, b: number, w: number) => `${v.toFixed(v < 10 ? 2 : 0)} (${(v / b).toFixed(1)}x)`.padStart(w);
  for (const [name, f] of rows) {
    console.log(
      `  ${name.padEnd(34)} ${cell(f.openMs, base.openMs, 14)} ${cell(f.firstQueryMs, base.firstQueryMs, 14)} ${cell(f.roundTripMs, base.roundTripMs, 14)} ${cell(f.directMsPerKey, base.directMsPerKey, 16)} ${cell(f.reservedMsPerKey, base.reservedMsPerKey, 16)}`,
    );
  }
  for (const [name, f] of rows) console.log(`  ${name}: ${f.serverVersion}`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const s = await server();
  if (process.env.DJ_BENCH_ONLY === 'backends') {
    try {
      await compareBackends(s);
    } finally {
      await s.stop();
    }
    return;
  }
  if (process.env.DJ_BENCH_ONLY === 'hosts') {
    try {
      await compareWorkerHosts(s);
    } finally {
      await s.stop();
    }
    return;
  }
  const schemaName = `djbench_${randomBytes(3).toString('hex')}`;
  Object.assign(process.env, { DJ_HOST: s.host, DJ_PORT: String(s.port), DJ_USER: s.user, DJ_PASS: s.password, DJ_USE_TLS: 'false', DJ_PIPELINE_SCHEMA: schemaName });
  const pipelinePath = join(__dirname, '..', 'test', 'fixtures', 'pipelines', 'bench.ts');
  const b = await import('../test/fixtures/pipelines/bench');
  const { populate, progress, jobsFor } = await import('../runtime/populate/index');
  const conn = await b.schema.connection();
  const q = (t: string) => `\`${schemaName}\`.\`${t}\``;
  const results: Array<{ name: string; value: string; target: string; ratio: number }> = [];
  const report = (name: string, value: string, target: string, ratio: number) => {
    results.push({ name, value, target, ratio });
    console.log(`${name.padEnd(44)} ${value.padStart(14)}   target ${target.padEnd(12)} ${ratio.toFixed(2)}x ${ratio >= 1 ? 'ok' : 'BELOW'}`);
  };
  /** The processes of the comparison (ours, the reference), closed however the bench ends. */
  const sides: Side[] = [];
  const sideDir = mkdtempSync(join(tmpdir(), 'dj-bench-ours-'));
  try {
    await b.schema.declare();
    // The sequence engine gives the keys in one statement.
    await conn.execute(`INSERT INTO ${q('source')} (source_id, value) SELECT seq, seq / 2 FROM ${q(`seq_1_to_${N}`)}`);
    const [dur] = await conn.query<{ f: unknown; s: unknown; b: unknown }>('SELECT @@innodb_flush_log_at_trx_commit AS f, @@sync_binlog AS s, @@log_bin AS b');
    console.log(`populate bench: N=${N}, ${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}, schema ${schemaName}`);
    console.log(`server: innodb_flush_log_at_trx_commit=${dur!.f}, binary log ${Number(dur!.b) ? `on, sync_binlog=${dur!.s}` : 'off'}${Number(dur!.f) === 1 ? ' (durable commits)' : ' (NOT durable: a COMMIT costs less than on a production server)'}`);
    // The floor: in sequence a key costs its make's statements (here fetch and insert); its
    // savepoint rides with the fetch, the COMMIT, key checks and claims come once a window
    // (runtime/populate/README.md, "What a key costs").
    const rtt: number[] = [];
    for (let round = 0; round < 3; round++) {
      const t = performance.now();
      for (let i = 0; i < 1000; i++) await conn.query('SELECT 1');
      rtt.push((performance.now() - t) / 1000);
    }
    const rt = median(rtt);
    console.log(`server round trip ${(rt * 1000).toFixed(0)} us (through the pool): 2 in sequence per key, at most about ${(1000 / (2 * rt)).toFixed(0)} jobs/s`);

    const clear = async () => {
      await conn.execute(`DELETE FROM ${q('__trivial')}`);
      await conn.execute(`DROP TABLE IF EXISTS ${q('~~trivial')}`);
    };

    // Ours against the reference, alternating on this server: ours, theirs, ours, theirs …
    // in each mode, every run on CMP_N fresh keys (new Source rows; the target keeps the
    // earlier rounds' rows, so both sides see the same table sizes in turn).
    const py = await reference(schemaName);
    sides.push(py);
    const us = await oursProcess(sideDir);
    sides.push(us);
    // The N keys of the sections below count as made, so each run makes only its fresh keys.
    await conn.execute(`INSERT INTO ${q('__trivial')} (source_id, doubled) SELECT source_id, value * 2 FROM ${q('source')}`);
    let nextId = N;
    const freshKeys = async () => {
      await conn.execute(`INSERT INTO ${q('source')} (source_id, value) SELECT seq + ?, (seq + ?) / 2 FROM ${q(`seq_1_to_${CMP_N}`)}`, [nextId, nextId]);
      nextId += CMP_N;
    };
    const rates = { direct: { ours: [] as number[], ref: [] as number[] }, reserved: { ours: [] as number[], ref: [] as number[] } };
    const ours = async (mode: Mode) => {
      await freshKeys();
      const r = await us.run(mode);
      if (r.count !== CMP_N) throw new Error(`ours, ${mode}: ${r.count} of ${CMP_N} keys`);
      return r.count / r.seconds;
    };
    const theirs = async (mode: Mode) => {
      await freshKeys();
      const r = await py.run(mode);
      if (r.count !== CMP_N) throw new Error(`reference, ${mode}: ${r.count} of ${CMP_N} keys`);
      return r.count / r.seconds;
    };
    // Warm-up of both (JIT, pools, caches), then discarded.
    for (const mode of MODES) {
      await ours(mode);
      await theirs(mode);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of MODES) {
        rates[mode].ours.push(await ours(mode));
        rates[mode].ref.push(await theirs(mode));
      }
    }
    for (const side of sides.splice(0)) side.close();
    await conn.execute(`DELETE FROM ${q('__trivial')} WHERE source_id > ?`, [N]);
    await conn.execute(`DELETE FROM ${q('source')} WHERE source_id > ?`, [N]);
    const d = median(rates.direct.ours);
    const rv = median(rates.reserved.ours);
    console.log(`ours against DataJoint for Python ${py.version} on this server, ${ROUNDS} rounds of ${CMP_N} fresh keys each, alternating (keys/s, median; range):`);
    for (const mode of MODES) {
      const o = rates[mode].ours;
      const r = rates[mode].ref;
      const ratio = median(o) / median(r);
      const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`;
      console.log(`  ${mode.padEnd(9)} ours ${median(o).toFixed(0).padStart(5)} (${range(o)})   reference ${median(r).toFixed(0).padStart(5)} (${range(r)})`);
      report(`  ${mode}: ours / reference, same run`, `${ratio.toFixed(2)}x`, `>= ${TARGET_RATIO[mode]}x`, ratio / TARGET_RATIO[mode]);
    }
    report('direct, trivial make', `${d.toFixed(0)} jobs/s`, '>= 1800/s', d / 1800);
    console.log(`${''.padEnd(44)} ${(1000 / d).toFixed(3).padStart(10)} ms/job`);
    report('reserved jobs (refresh included)', `${rv.toFixed(0)} jobs/s`, '>= 1000/s', rv / 1000);
    const overhead = 1000 / rv - 1000 / d;
    report('  reservation overhead per job', `${overhead.toFixed(3)} ms`, '<= 1 ms', 1 / Math.max(overhead, 1e-6));
    if (process.env.DJ_BENCH_ONLY === 'reference') return;

    const refresh: number[] = [];
    for (let round = 0; round < 5; round++) {
      await clear();
      const jobs = jobsFor(b.Trivial);
      await (await jobs.queue()).declare();
      const t = performance.now();
      const res = await jobs.refresh();
      refresh.push(performance.now() - t);
      if (res.added !== N) throw new Error(`refresh added ${res.added}, expected ${N}`);
    }
    const rf = median(refresh);
    report(`refresh ${N} new keys`, `${rf.toFixed(1)} ms`, '< 100 ms', 100 / rf);
    console.log(`${''.padEnd(44)} (reference ~2500 ms: ${(2500 / rf).toFixed(0)}x)`);

    // CPU-bound make: processes=2 against 1, on SPIN_KEYS keys.
    const spinRange = `source_id <= ${SPIN_KEYS}`;
    const timeSpin = async (processes: number) => {
      await conn.execute(`DELETE FROM ${q('__spin')}`);
      const done: Array<{ at: number; worker: number }> = [];
      const t = performance.now();
      const r = await populate(b.Spin, spinRange, { processes, workerModule: pipelinePath, onEvent: (e) => e.event === 'keyDone' && done.push({ at: performance.now(), worker: e.worker }) });
      const wall = performance.now() - t;
      if (r.successCount !== SPIN_KEYS) throw new Error(`Spin: ${r.successCount} of ${SPIN_KEYS}`);
      // Steady state: once every worker process has finished its first key (start-up
      // over), keys per second to the end. One process: from its first key.
      const workers = new Set(done.map((d) => d.worker).filter((w) => w !== process.pid));
      const firstOf = (w: number) => done.find((d) => d.worker === w)!.at;
      const from = processes > 1 && workers.size > 0 ? Math.max(...[...workers].map(firstOf)) : done[0]!.at;
      const after = done.filter((d) => d.at > from);
      const steady = after.length / ((done[done.length - 1]!.at - from) / 1000);
      return { wall, steady, startup: from - t, workers: workers.size };
    };
    // What two processes can gain on this machine right now: the same spin in one thread,
    // then in two at once (other work on a shared machine takes cores away).
    const { Worker } = await import('node:worker_threads');
    const spinThread = () =>
      new Promise<void>((resolve, reject) => {
        const w = new Worker(`let a = 0; for (let i = 0; i < ${b.SPIN * 10}; i++) a += Math.sqrt(i) % 3; require('node:worker_threads').parentPort.postMessage(a);`, { eval: true });
        w.once('message', () => resolve());
        w.once('error', reject);
      });
    let t0 = performance.now();
    await spinThread();
    const single = performance.now() - t0;
    t0 = performance.now();
    await Promise.all([spinThread(), spinThread()]);
    const parallel = (2 * single) / (performance.now() - t0);
    console.log(`parallelism available now: ${parallel.toFixed(2)}x of 2 (other processes share the cores)`);
    const one = await timeSpin(1);
    const two = await timeSpin(2);
    console.log(`CPU-bound make: ${(one.wall / SPIN_KEYS).toFixed(1)} ms/key, ${SPIN_KEYS} keys; 1 process ${(one.wall / 1000).toFixed(2)} s, 2 processes ${(two.wall / 1000).toFixed(2)} s (${two.workers} worker processes, both computing after ${(two.startup / 1000).toFixed(2)} s of start-up, the parent computing meanwhile)`);
    report('processes=2 vs 1, CPU-bound (steady state)', `${(two.steady / one.steady).toFixed(2)}x`, '>= 1.7x', two.steady / one.steady / 1.7);
    console.log(`${'processes=2 vs 1, CPU-bound (wall clock, start-up included)'.padEnd(44)} ${`${(one.wall / two.wall).toFixed(2)}x`.padStart(14)}   (no target: start-up is fixed, so this tends to the steady state as runs get longer)`);

    // Remaining count for a million keys, half of them computed.
    await conn.execute(`INSERT INTO ${q('big')} (big_id) SELECT seq FROM ${q(`seq_1_to_${BIG}`)}`);
    await conn.execute(`INSERT INTO ${q('__big_out')} (big_id, x) SELECT seq, 1 FROM ${q(`seq_1_to_${BIG}`)} WHERE seq % 2 = 0`);
    await conn.execute(`ANALYZE TABLE ${q('big')}, ${q('__big_out')}`);
    const counts: number[] = [];
    let last = { remaining: 0, total: 0 };
    for (let round = 0; round < 3; round++) {
      const t = performance.now();
      last = await progress(b.BigOut);
      counts.push(performance.now() - t);
    }
    if (last.total !== BIG || last.remaining !== BIG / 2) throw new Error(`progress gave ${JSON.stringify(last)}`);
    const rc = median(counts);
    report(`remaining count, ${BIG} keys (half done)`, `${rc.toFixed(0)} ms`, '< 1000 ms', 1000 / rc);
    // The issue's claim for set-based refresh: a queue of a million keys in seconds.
    const bigJobs = jobsFor(b.BigOut);
    await (await bigJobs.queue()).declare();
    const t = performance.now();
    const added = (await bigJobs.refresh()).added;
    const bigRefresh = performance.now() - t;
    console.log(`refresh of ${added} new keys (of ${BIG}): ${(bigRefresh / 1000).toFixed(2)} s (no target; the reference: ~${((2.5 * added) / 5000 / 60).toFixed(0)} min at its rate)`);
    await compareBackends(s);
    await compareWorkerHosts(s);
  } finally {
    // A side's process would keep this one alive after a failure.
    for (const side of sides) side.close();
    rmSync(sideDir, { recursive: true, force: true });
    await conn.execute(`DROP DATABASE IF EXISTS \`${schemaName}\``).catch(() => undefined);
    await conn.close();
    await s.stop();
  }
  const below = results.filter((r) => r.ratio < 1);
  console.log(below.length ? `${below.length} figure(s) below target (machine load ${loadavg()[0]!.toFixed(1)})` : 'all targets met');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
