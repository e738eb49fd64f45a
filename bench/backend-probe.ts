// One backend's figures for bench:populate's comparison of backends (MariaDB, PostgreSQL,
// the embedded database), measured in a process of its own so that "open" is what a new
// `djx populate` pays: the connection from the environment (DJ_BACKEND, DJ_HOST …, or
// DJ_BACKEND=embedded with DJ_EMBEDDED_DIR), its first query, then the trivial make of
// test/fixtures/pipelines/bench.ts on KEYS keys, direct and with reserved jobs.
// Prints one JSON line (BackendFigures) on stdout.
import { conn } from '../runtime/connection/index';

export interface BackendFigures {
  serverVersion: string;
  /** Connection.connect to the first session checked, ms (the embedded database: finding or starting its server included). */
  openMs: number;
  /** The first query after connecting, ms. */
  firstQueryMs: number;
  /** Round trip of SELECT 1 on a warm session, ms (median of 200). */
  roundTripMs: number;
  keys: number;
  /** populate() of the trivial make, ms per key. */
  directMsPerKey: number;
  reservedMsPerKey: number;
  /** OS pid of the embedded database's serving process (undefined on a server). */
  embeddedServerPid?: number;
}

const KEYS = Number(process.env.DJ_BENCH_BACKEND_KEYS ?? 1000);

async function main(): Promise<void> {
  const t0 = performance.now();
  const c = await conn();
  const openMs = performance.now() - t0;
  const t1 = performance.now();
  await c.query('SELECT 1');
  const firstQueryMs = performance.now() - t1;
  const rtt: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await c.query('SELECT 1');
    rtt.push(performance.now() - t);
  }
  rtt.sort((a, b) => a - b);

  // The pipeline reads DJ_PIPELINE_SCHEMA and the default connection opened above.
  const b = await import('../test/fixtures/pipelines/bench');
  const { populate } = await import('../runtime/populate/index');
  await b.schema.declare();
  try {
    const rows = Array.from({ length: KEYS }, (_, i) => ({ source_id: i + 1, value: (i + 1) / 2 }));
    for (let i = 0; i < rows.length; i += 500) await b.Source.insert(rows.slice(i, i + 500));
    const timed = async (reserveJobs: boolean) => {
      const t = performance.now();
      const r = await populate(b.Trivial, { reserveJobs });
      const ms = performance.now() - t;
      if (r.successCount !== KEYS) throw new Error(`${reserveJobs ? 'reserved' : 'direct'}: ${r.successCount} of ${KEYS} keys made`);
      return ms / KEYS;
    };
    const directMsPerKey = await timed(false);
    await b.Trivial.delete();
    const reservedMsPerKey = await timed(true);
    const figures: BackendFigures = {
      serverVersion: c.serverVersion,
      openMs,
      firstQueryMs,
      roundTripMs: rtt[Math.floor(rtt.length / 2)]!,
      keys: KEYS,
      directMsPerKey,
      reservedMsPerKey,
      embeddedServerPid: c.embedded?.serverPid,
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    await b.schema.drop();
    await c.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
