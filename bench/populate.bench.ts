// npm run bench:populate — populate and jobs on a local MariaDB (the test server given
// by DJ_TEST_*, or a throwaway one), N = 5,000 keys with a trivial make (fetch one row,
// insert one row), against the issue's targets (issue 5):
//   direct >= 1,800 jobs/s; reserved (refresh included) >= 1,000 jobs/s, i.e. <= 1 ms of
//   overhead per job; refresh of 5,000 new keys < 100 ms; processes=2 >= 1.7x on a
//   CPU-bound make; remaining count for 1,000,000 keys < 1 s.
// The reference (DataJoint for Python on this kind of machine, loopback MariaDB) does
// about 550 jobs/s direct, 250 jobs/s reserved and 2.5 s for refreshing 5,000 keys.
import { cpus, loadavg } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

const N = Number(process.env.DJ_BENCH_N ?? 5000);
const BIG = Number(process.env.DJ_BENCH_BIG ?? 1_000_000);
const SPIN_KEYS = Number(process.env.DJ_BENCH_SPIN_KEYS ?? 300);

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
  const { startMariaDB } = (await import('../scripts/mariadb.mjs')) as { startMariaDB(): Promise<Server> };
  return startMariaDB();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const s = await server();
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
  try {
    await b.schema.declare();
    // The sequence engine gives the keys in one statement.
    await conn.execute(`INSERT INTO ${q('source')} (source_id, value) SELECT seq, seq / 2 FROM ${q(`seq_1_to_${N}`)}`);
    console.log(`populate bench: N=${N}, ${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}, schema ${schemaName}`);
    // The floor: in sequence a key costs its make's statements (here fetch and insert) and
    // its COMMIT; the key check (direct) or claim (reserved) and the next make's start
    // overlap them (runtime/populate/README.md, "What a key costs").
    const rtt: number[] = [];
    for (let round = 0; round < 3; round++) {
      const t = performance.now();
      for (let i = 0; i < 1000; i++) await conn.query('SELECT 1');
      rtt.push((performance.now() - t) / 1000);
    }
    const rt = median(rtt);
    console.log(`server round trip ${(rt * 1000).toFixed(0)} us (through the pool): 3 in sequence per key, about ${(1000 / (3 * rt)).toFixed(0)} jobs/s`);

    // Warm-up (JIT, pool, caches), then discarded.
    await populate(b.Trivial, 'source_id <= 300');
    await populate(b.Trivial, 'source_id <= 600', { reserveJobs: true });
    const clear = async () => {
      await conn.execute(`DELETE FROM ${q('__trivial')}`);
      await conn.execute(`DROP TABLE IF EXISTS ${q('~~trivial')}`);
    };

    const direct: number[] = [];
    const reserved: number[] = [];
    for (let round = 0; round < 2; round++) {
      await clear();
      let t = performance.now();
      let r = await populate(b.Trivial);
      direct.push(r.successCount / ((performance.now() - t) / 1000));
      await clear();
      t = performance.now();
      r = await populate(b.Trivial, { reserveJobs: true });
      reserved.push(r.successCount / ((performance.now() - t) / 1000));
    }
    const d = Math.max(...direct);
    const rv = Math.max(...reserved);
    report('direct, trivial make', `${d.toFixed(0)} jobs/s`, '>= 1800/s', d / 1800);
    console.log(`${''.padEnd(44)} ${(1000 / d).toFixed(3).padStart(10)} ms/job   (reference ~550 jobs/s: ${(d / 550).toFixed(1)}x)`);
    report('reserved jobs (refresh included)', `${rv.toFixed(0)} jobs/s`, '>= 1000/s', rv / 1000);
    const overhead = 1000 / rv - 1000 / d;
    report('  reservation overhead per job', `${overhead.toFixed(3)} ms`, '<= 1 ms', 1 / Math.max(overhead, 1e-6));
    console.log(`${''.padEnd(44)} (reference ~250 jobs/s: ${(rv / 250).toFixed(1)}x)`);

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
  } finally {
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
