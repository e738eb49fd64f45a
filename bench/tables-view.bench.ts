// The Tables view's database side without VS Code: a schema of 200 tables in DataJoint's
// layout on a throwaway MariaDB, and the catalog calls the TablesTreeProvider makes to
// show them (client/views/tablesTree.ts: listSchemas for the roots, listTables for the
// schema's children), timed from a refresh to the last item. The full figure, inside a
// real VS Code window with tree items resolved, is bench/extension.bench.ts.
// Run: npm run bench:tables   (BENCH_ROUNDS=20 by default; target < 500 ms)
import { performance } from 'node:perf_hooks';
import { Connection } from '../runtime/connection/index';
import { Catalog } from '../runtime/catalog/index';
import { benchDatabase, declareManyTables } from './bench-database';

const TABLES = 200;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const SCHEMA = 'bench_tables_catalog';
const TARGET_MS = 500;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function main(): Promise<void> {
  const db = await benchDatabase();
  const connect = () => Connection.connect({ host: db.host, port: db.port, user: db.user, password: db.password, ignoreConfigFile: true, env: {} });
  const conn = await connect();
  try {
    await declareManyTables(conn, SCHEMA, TABLES);
    // The first refresh after connecting (the view's first load) and later refreshes.
    const fresh = await connect();
    const first = await load(new Catalog(fresh));
    await fresh.close();
    const catalog = new Catalog(conn);
    const times: number[] = [];
    let count = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const t = await load(catalog);
      times.push(t.ms);
      count = t.tables;
    }
    if (count !== TABLES) throw new Error(`listTables returned ${count} tables, expected ${TABLES}`);
    const p50 = pct(times, 50);
    const p95 = pct(times, 95);
    console.log(`Tables view catalog calls, ${TABLES} tables: first load ${first.ms.toFixed(1)} ms; ${ROUNDS} refreshes p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms`);
    console.log(`ratio to the ${TARGET_MS} ms target: first ${(first.ms / TARGET_MS).toFixed(2)}, p95 ${(p95 / TARGET_MS).toFixed(2)}`);
    const ok = first.ms < TARGET_MS && p95 < TARGET_MS;
    console.log(ok ? 'target met' : 'TARGET MISSED');
    if (!ok) process.exitCode = 1;
    await conn.execute(`DROP DATABASE IF EXISTS \`${SCHEMA}\``);
  } finally {
    await conn.close();
    await db.stop();
  }
}

async function load(catalog: Catalog): Promise<{ ms: number; tables: number }> {
  const t0 = performance.now();
  const schemas = await catalog.listSchemas();
  if (!schemas.includes(SCHEMA)) throw new Error(`schema ${SCHEMA} is not listed`);
  const tables = await catalog.listTables(SCHEMA);
  return { ms: performance.now() - t0, tables: tables.length };
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
