// The rows grid's runtime (runtime/rows) against the test run's database (MariaDB, and
// PostgreSQL in the second pass): pages in primary-key order with a following-page flag,
// sorting with the primary key as tie-breaker (pages cover every row once), restrictions
// as SQL and key JSON (refused text never runs, each backend's lexer applies), blob
// summaries from a prefix (small, compressed and uncompressed large ones), attachments,
// NULLs and dates as the server gives them, the estimate and the exact count, and one
// value opened whole.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as dj from '../../../runtime/index';
import { countRows, estimateRows, readRowValue, readRowsPage, RestrictionError, type RowsPage } from '../../../runtime/rows/index';
import { DEFAULT_BACKEND, connect, dropSchemas, schemaName, testServer } from './helpers';

const db = schemaName('djt_rows');
const N = 250;
let conn: dj.Connection;
let catalog: dj.Catalog;
let heading: dj.CatalogTable;

class Reading extends dj.Manual {
  static override definition = `
    # readings to page through
    reading_id : int32
    ---
    label : varchar(32)
    score = null : float64
    taken : datetime
    day : date
    trace = null : <blob>
    doc = null : <attach>
  `;
}

const big = Float64Array.from({ length: 200_000 }, (_, i) => i); // compresses well
let seed = 7;
const noise = Float64Array.from({ length: 20_000 }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647)); // does not

function trace(i: number): unknown {
  if (i === 1) return Float64Array.of(1, 2, 3);
  if (i === 2) return big;
  if (i === 3) return noise;
  if (i === 4) return dj.NDArray.fromRowMajor('int32', [3, 2], Int32Array.of(1, 2, 3, 4, 5, 6));
  if (i === 5) return { gain: 2, channels: ['a', 'b'] };
  return null;
}

before(async () => {
  conn = await connect();
  const schema = new dj.Schema(db, { connection: conn });
  await schema.declare(Reading);
  const rows = Array.from({ length: N }, (_, k) => {
    const i = k + 1;
    return {
      reading_id: i,
      label: `r${i % 7}`,
      score: i % 10 === 0 ? null : (i * 37) % 101,
      taken: '2024-03-10 02:30:00',
      day: '2024-03-10',
      trace: trace(i),
      doc: i === 6 ? { filename: 'notes.txt', data: Buffer.from('hello rows') } : null,
    };
  });
  await Reading.insert(rows);
  catalog = new dj.Catalog(conn);
  heading = await catalog.describeTable(db, 'reading');
});
after(async () => {
  await dropSchemas(conn, [db]);
  await conn.close();
  await (await testServer()).stop();
});

const ids = (p: RowsPage) => p.keys.map((k) => k.reading_id as number);
const cell = (p: RowsPage, row: number, column: string) => p.rows[row]![p.columns.findIndex((c) => c.name === column)]!;

describe(`rows grid pages (${DEFAULT_BACKEND})`, () => {
  it('reads the first page in primary-key order, with the heading, an estimate and a following page', async () => {
    const p = await readRowsPage(conn, catalog, { schema: db, table: 'reading', page: 0 });
    assert.equal(p.rows.length, 100);
    assert.deepEqual(ids(p), Array.from({ length: 100 }, (_, i) => i + 1));
    assert.equal(p.hasMore, true);
    assert.ok(p.estimatedRows !== undefined && p.estimatedRows >= 101, `estimate ${p.estimatedRows}`);
    assert.deepEqual(
      p.columns.map((c) => [c.name, c.type, c.inKey, c.sortable]),
      [
        ['reading_id', 'int32', true, true],
        ['label', 'varchar(32)', false, true],
        ['score', 'float64', false, true],
        ['taken', 'datetime', false, true],
        ['day', 'date', false, true],
        ['trace', '<blob>', false, false],
        ['doc', '<attach>', false, false],
      ],
    );
    assert.deepEqual(p.primaryKey, ['reading_id']);
  });

  it('pages forward to the last, partial page', async () => {
    const second = await readRowsPage(conn, catalog, { schema: db, table: 'reading', page: 1 }, heading);
    assert.deepEqual(ids(second).slice(0, 2), [101, 102]);
    const last = await readRowsPage(conn, catalog, { schema: db, table: 'reading', page: 2 }, heading);
    assert.equal(last.rows.length, N - 200);
    assert.equal(last.hasMore, false);
    assert.equal(last.offset, 200);
    const beyond = await readRowsPage(conn, catalog, { schema: db, table: 'reading', page: 9 }, heading);
    assert.equal(beyond.rows.length, 0);
  });

  it('sorts by an attribute in both directions, the primary key breaking ties, so pages cover every row once', async () => {
    const seen: number[] = [];
    const labels: string[] = [];
    for (let page = 0; page < 3; page++) {
      const p = await readRowsPage(conn, catalog, { schema: db, table: 'reading', page, sort: { attribute: 'label', descending: true } }, heading);
      seen.push(...ids(p));
      labels.push(...p.rows.map((_, r) => cell(p, r, 'label').text));
    }
    assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: N }, (_, i) => i + 1));
    assert.deepEqual(labels, [...labels].sort().reverse());
    // Within one label, keys ascend.
    const r6 = seen.filter((id) => id % 7 === 6);
    assert.deepEqual(r6, [...r6].sort((a, b) => a - b));
    const asc = await readRowsPage(conn, catalog, { schema: db, table: 'reading', page: 0, sort: { attribute: 'score', descending: false } }, heading);
    const scores = asc.rows.map((_, r) => cell(asc, r, 'score')).filter((c) => c.kind !== 'null').map((c) => Number(c.text));
    assert.deepEqual(scores, [...scores].sort((a, b) => a - b));
    await assert.rejects(readRowsPage(conn, catalog, { schema: db, table: 'reading', page: 0, sort: { attribute: 'trace', descending: false } }, heading), /Cannot sort by `trace`/);
    await assert.rejects(readRowsPage(conn, catalog, { schema: db, table: 'reading', page: 0, sort: { attribute: 'nope', descending: false } }, heading), /Cannot sort by `nope`/);
  });

  it('restricts by one SQL condition and by key JSON, with no estimate and an exact count', async () => {
    const sql = await readRowsPage(conn, catalog, { schema: db, table: 'reading', page: 0, restriction: "reading_id < 10 AND label <> 'r3'" }, heading);
    assert.deepEqual(ids(sql), [1, 2, 4, 5, 6, 7, 8, 9]);
    assert.equal(sql.estimatedRows, undefined);
    assert.equal(sql.hasMore, false);
    assert.equal(await countRows(conn, heading, "reading_id < 10 AND label <> 'r3'"), 8);
    const json = await readRowsPage(conn, catalog, { schema: db, table: 'reading', page: 0, restriction: '{"label": "r3"}' }, heading);
    assert.equal(json.rows.length, Math.floor((N - 3) / 7) + 1);
    const or = await readRowsPage(conn, catalog, { schema: db, table: 'reading', page: 0, restriction: '[{"reading_id": 3}, "reading_id > 248"]' }, heading);
    assert.deepEqual(ids(or), [3, 249, 250]);
    assert.equal(await countRows(conn, heading), N);
  });

  it('refuses text that is not one condition, and unknown attributes, before anything runs', async () => {
    const refused = async (restriction: string, message: RegExp) => {
      await assert.rejects(readRowsPage(conn, catalog, { schema: db, table: 'reading', page: 0, restriction }, heading), (e: unknown) => {
        assert.ok(e instanceof RestrictionError, String(e));
        assert.match((e as Error).message, message);
        return true;
      });
    };
    await refused('reading_id < 10; DELETE FROM reading', /has `;` at character 16/);
    await refused('reading_id < 10) OR (1', /`\)` without its `\(` at character 16/);
    await refused('reading_id < 10 -- all', /`--` comment at character 17/);
    await refused('{"reading": 3}', /Attribute `reading` is not in/);
    await refused('{"reading_id": 3', /Invalid JSON/);
    await refused('[3]', /neither a key/);
    assert.equal(await countRows(conn, heading), N, 'nothing was deleted');
    // One condition to MySQL, more than one to PostgreSQL: each backend's own rules apply.
    const tricky = String.raw`label = 'x\' ) OR TRUE --'`;
    if (conn.dialect.name === 'postgresql') {
      await assert.rejects(readRowsPage(conn, catalog, { schema: db, table: 'reading', page: 0, restriction: tricky }, heading), /not one SQL condition/);
    } else {
      assert.equal((await readRowsPage(conn, catalog, { schema: db, table: 'reading', page: 0, restriction: tricky }, heading)).rows.length, 0);
    }
  });

  it('summarises blobs from their first bytes, names attachments, shows NULL and dates as the server gives them', async () => {
    const p = await readRowsPage(conn, catalog, { schema: db, table: 'reading', page: 0 }, heading);
    assert.deepEqual(cell(p, 0, 'trace'), { kind: 'blob', text: 'float64 3: 1, 2, 3', title: cell(p, 0, 'trace').title, openable: true });
    assert.equal(cell(p, 1, 'trace').text, 'float64 200000: 0, 1, 2, 3, 4, 5, …');
    assert.match(cell(p, 1, 'trace').title ?? '', /compressed; summarised from its first 8\.0 KiB/);
    assert.match(cell(p, 2, 'trace').text, /^float64 20000: 0\.\d+, 0\.\d+/);
    assert.equal(cell(p, 3, 'trace').text, 'int32 3×2: 1, 2, 3, 4, 5, 6');
    assert.equal(cell(p, 4, 'trace').text, 'dict of 2 entries (gain, channels)');
    assert.deepEqual(cell(p, 5, 'doc'), { kind: 'attach', text: 'notes.txt (10 bytes)', title: 'attachment "notes.txt", 10 bytes' });
    assert.deepEqual(cell(p, 6, 'trace'), { kind: 'null', text: 'NULL' });
    assert.deepEqual(cell(p, 9, 'score'), { kind: 'null', text: 'NULL' });
    assert.deepEqual(cell(p, 0, 'taken'), { kind: 'date', text: '2024-03-10 02:30:00' });
    assert.deepEqual(cell(p, 0, 'day'), { kind: 'date', text: '2024-03-10' });
    assert.deepEqual(cell(p, 0, 'score'), { kind: 'number', text: '37' });
  });

  it('opens one value whole as JSON-like text', async () => {
    const small = await readRowValue(conn, heading, { reading_id: 4 }, 'trace');
    assert.equal(small.language, 'json');
    assert.equal(small.text, '{\n  "dtype": "int32",\n  "shape": [3, 2],\n  "data": [\n    [1, 2],\n    [3, 4],\n    [5, 6]\n  ]\n}');
    const large = await readRowValue(conn, heading, { reading_id: 2 }, 'trace');
    assert.ok(large.text.includes('"shape": [200000]'));
    assert.ok(large.text.includes(', 199999]'), 'every element of the decoded value');
    await assert.rejects(readRowValue(conn, heading, { reading_id: 9999 }, 'trace'), /The row is gone/);
    await assert.rejects(readRowValue(conn, heading, {}, 'trace'), /The key lacks `reading_id`/);
  });

  it('estimates without counting', async () => {
    const n = await estimateRows(conn, db, 'reading');
    assert.ok(Number.isInteger(n) && n >= 0);
  });
});
