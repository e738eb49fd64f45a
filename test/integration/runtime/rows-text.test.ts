// The rows grid reads long text and JSON as a prefix and a length (the dialect's prefixOf:
// characters, not bytes; PostgreSQL casts json to text), never whole, on MariaDB and, in the
// second pass, PostgreSQL: a cut value ends with `…`, says its whole length and opens whole;
// a short one is shown as it is; key attributes are read whole.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as dj from '../../../runtime/index';
import { MAX_CELL_TEXT, PREFIX_CHARS, readRowValue, readRowsPage, type RowsPage } from '../../../runtime/rows/index';
import { DEFAULT_BACKEND, connect, dropSchemas, schemaName, testServer } from './helpers';

const db = schemaName('djt_rows_text');
let conn: dj.Connection;
let catalog: dj.Catalog;

class Note extends dj.Manual {
  static override definition = `
    # notes with long text
    note_id : int32
    ---
    body = null : varchar(16000)
    short : varchar(16)
    meta = null : json
  `;
}

// Multi-byte characters: a prefix counted in bytes would cut them, or stop early.
const LONG = 'ä€𝄞x'.repeat(3000);
const LONG_JSON = { samples: Array.from({ length: 3000 }, (_, i) => i), label: 'long' };

before(async () => {
  conn = await connect();
  const schema = new dj.Schema(db, { connection: conn });
  await schema.declare(Note);
  await Note.insert([
    { note_id: 1, body: LONG, short: 'tiny', meta: LONG_JSON },
    { note_id: 2, body: 'a short note', short: 'x', meta: { a: 1 } },
    { note_id: 3, body: null, short: '', meta: null },
  ]);
  catalog = new dj.Catalog(conn);
});
after(async () => {
  await dropSchemas(conn, [db]);
  await conn.close();
  await (await testServer()).stop();
});

const cell = (p: RowsPage, row: number, column: string) => p.rows[row]![p.columns.findIndex((c) => c.name === column)]!;

describe(`rows grid: long text and JSON as a prefix (${DEFAULT_BACKEND})`, () => {
  it('reads a bounded prefix and the length in characters, never the whole value', async () => {
    const seen: string[] = [];
    const heading = await catalog.describeTable(db, 'note');
    const query = conn.query.bind(conn);
    // What the page asks the server for, and what it gets back.
    const results: Array<Record<string, unknown>[]> = [];
    (conn as { query: typeof conn.query }).query = (async (sql: string, params?: unknown[], o?: unknown) => {
      seen.push(sql);
      const rows = await (query as (s: string, p?: unknown[], o?: unknown) => Promise<Record<string, unknown>[]>)(sql, params, o);
      results.push(rows);
      return rows;
    }) as typeof conn.query;
    let page: RowsPage;
    try {
      page = await readRowsPage(conn, catalog, { schema: db, table: 'note', page: 0 }, heading);
    } finally {
      (conn as { query: typeof conn.query }).query = query;
    }
    const select = seen.find((s) => /^SELECT/.test(s) && /CHAR_LENGTH/.test(s))!;
    assert.ok(select, seen.join('\n'));
    assert.match(select, new RegExp(`SUBSTRING\\(.*FOR ${PREFIX_CHARS}\\)`));
    // No value in any row read is longer than the prefix.
    for (const rows of results) for (const r of rows) for (const v of Object.values(r)) if (typeof v === 'string') assert.ok([...v].length <= PREFIX_CHARS, `${v.length}`);

    const body = cell(page, 0, 'body');
    assert.equal(body.kind, 'text');
    assert.equal(body.openable, true);
    assert.equal(body.title, `${[...LONG].length} characters`);
    assert.ok(body.text.endsWith('…'));
    assert.equal([...body.text].length, MAX_CELL_TEXT);
    assert.ok(LONG.startsWith(body.text.slice(0, -1)), 'the prefix is the value\'s start, no character cut in half');

    const meta = cell(page, 0, 'meta');
    assert.equal(meta.kind, 'json');
    assert.equal(meta.openable, true);
    assert.ok(meta.text.endsWith('…'));
    assert.match(meta.title ?? '', /^\d+ characters$/);
    assert.match(meta.text, /^\{\s*"(samples|label)"/);
  });

  it('shows short text and JSON whole, NULL as NULL, and short varchar columns are read whole', async () => {
    const p = await readRowsPage(conn, catalog, { schema: db, table: 'note', page: 0 });
    assert.deepEqual(cell(p, 1, 'body'), { kind: 'text', text: 'a short note' });
    assert.equal(cell(p, 1, 'meta').kind, 'json');
    assert.deepEqual(JSON.parse(cell(p, 1, 'meta').text), { a: 1 });
    assert.equal(cell(p, 1, 'meta').openable, undefined);
    assert.deepEqual(cell(p, 0, 'short'), { kind: 'text', text: 'tiny' });
    assert.deepEqual(cell(p, 2, 'short'), { kind: 'text', text: '' });
    assert.equal(cell(p, 2, 'body').kind, 'null');
    assert.equal(cell(p, 2, 'meta').kind, 'null');
  });

  it('opens the cut value whole', async () => {
    const heading = await catalog.describeTable(db, 'note');
    const body = await readRowValue(conn, heading, { note_id: 1 }, 'body');
    assert.equal(body.text, LONG);
    const meta = await readRowValue(conn, heading, { note_id: 1 }, 'meta');
    assert.equal(meta.language, 'json');
    assert.deepEqual(JSON.parse(meta.text), LONG_JSON);
  });
});
