// Issue 14's figure for `npm run bench:extension`: the first page of View Rows on a
// 1,000,000-row table, read as the panel reads it (runtime/rows readRowsPage: the heading
// from a fresh catalog, the page of 100 rows in primary-key order, the server's row
// estimate), several times; p50 and the slowest against the 300 ms target. For context,
// not targets: a page deep in the table (OFFSET), the first page sorted by an unindexed
// attribute, and the exact COUNT(*) the panel asks for after the page shows.
//
// The table is DataJoint's layout (declared by the runtime), filled in one INSERT … SELECT
// over a cross join of a 1,000-row digits table; rows 1-100 carry a small blob.
import { Connection } from '../../runtime/connection/index';
import { Catalog } from '../../runtime/catalog/index';
import { Schema } from '../../runtime/schema/index';
import { Manual } from '../../runtime/table/tiers';
import { packBlob } from '../../runtime/blob/pack';
import { countRows, readRowsPage } from '../../runtime/rows/index';

const ROWS = 1_000_000;
const ROUNDS = 7;
const TARGET_MS = 300;

export async function benchRowsFirstPage(db: { host: string; port: number; user: string; password: string }): Promise<string[]> {
  const conn = await Connection.connect({ ...db, backend: 'mysql', ignoreConfigFile: true, env: {} });
  const name = `bench_rows_${process.pid}`;
  const q = conn.dialect.quote(name);
  try {
    await conn.execute(`DROP DATABASE IF EXISTS ${q}`);
    const schema = new Schema(name, { connection: conn });
    class Reading extends Manual {
      static override definition = `
        # a million readings
        reading_id : int32
        ---
        value : float64
        label : varchar(16)
        recorded : datetime
        trace = null : <blob>
      `;
    }
    await schema.declare(Reading);
    const fillStart = performance.now();
    await conn.execute(`CREATE TABLE ${q}.\`digits\` (n int NOT NULL PRIMARY KEY)`);
    await conn.execute(`INSERT INTO ${q}.\`digits\` (n) VALUES ${Array.from({ length: 1000 }, (_, i) => `(${i})`).join(', ')}`);
    await conn.execute(
      `INSERT INTO ${q}.\`reading\` (reading_id, value, label, recorded) ` +
        `SELECT a.n * 1000 + b.n + 1, ((a.n * 1000 + b.n) * 7919) % 100003 / 7.0, CONCAT('r', b.n % 13), TIMESTAMP('2024-03-31 02:30:00') + INTERVAL b.n SECOND ` +
        `FROM ${q}.\`digits\` a CROSS JOIN ${q}.\`digits\` b`,
    );
    await conn.execute(`UPDATE ${q}.\`reading\` SET trace = ? WHERE reading_id <= 100`, [packBlob(Float64Array.from({ length: 64 }, (_, i) => i / 8))]);
    await conn.execute(`ANALYZE TABLE ${q}.\`reading\``);
    const fillMs = performance.now() - fillStart;

    const times: number[] = [];
    let estimate: number | undefined;
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      const page = await readRowsPage(conn, new Catalog(conn), { schema: name, table: 'reading', page: 0 });
      times.push(performance.now() - t);
      estimate = page.estimatedRows;
      if (page.rows.length !== 100 || page.keys[0]?.reading_id !== 1) throw new Error(`unexpected first page: ${page.rows.length} rows from ${JSON.stringify(page.keys[0])}`);
    }
    const heading = await new Catalog(conn).describeTable(name, 'reading');
    const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
      const t = performance.now();
      const v = await fn();
      return [v, performance.now() - t];
    };
    const [, deepMs] = await timed(() => readRowsPage(conn, new Catalog(conn), { schema: name, table: 'reading', page: 5000 }, heading));
    const [, sortedMs] = await timed(() => readRowsPage(conn, new Catalog(conn), { schema: name, table: 'reading', page: 0, sort: { attribute: 'value', descending: true } }, heading));
    const [count, countMs] = await timed(() => countRows(conn, heading));
    if (count !== ROWS) throw new Error(`expected ${ROWS} rows, counted ${count}`);

    const sorted = [...times].sort((a, b) => a - b);
    const p50 = sorted[Math.floor(sorted.length / 2)]!;
    const max = sorted[sorted.length - 1]!;
    const ratio = (ms: number) => `${(ms / TARGET_MS).toFixed(2)}x of target`;
    return [
      `rows grid, first page of a ${ROWS.toLocaleString('en')}-row table (heading, 100 rows, estimate ~${estimate}), ${ROUNDS} rounds: p50 ${p50.toFixed(1)} ms (${ratio(p50)}), max ${max.toFixed(1)} ms (${ratio(max)}); target ${TARGET_MS} ms${max <= TARGET_MS ? '' : ' MISSED'}`,
      `rows grid, for context: page 5001 (OFFSET 500000) ${deepMs.toFixed(0)} ms; first page sorted by an unindexed float64 ${sortedMs.toFixed(0)} ms; exact count after the page ${countMs.toFixed(0)} ms; table filled in ${(fillMs / 1000).toFixed(1)} s`,
    ];
  } finally {
    await conn.execute(`DROP DATABASE IF EXISTS ${q}`).catch(() => undefined);
    await conn.close();
  }
}
