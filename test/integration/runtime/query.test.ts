// Query expressions against the example pipeline: restriction by object, array (OR),
// SQL string, query (semijoin), negation, join, projection with renaming, antijoin,
// keys, fetch options, fetch1, count; values always bound (quotes, backslashes and SQL
// keywords round-trip and restrict exactly).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as dj from '../../../runtime/index';
import { createPipeline, type Pipeline } from '../../../examples/pipeline/pipeline';
import { connect, dropSchemas, schemaName, testServer } from './helpers';

const db = schemaName('djt_query');
let conn: dj.Connection;
let p: Pipeline;

const nasty = [
  "O'Brien",
  'back\\slash',
  "'; DROP TABLE subject; --",
  'SELECT * FROM `subject` WHERE 1=1 OR ""=""',
  '\\\' OR \'1\'=\'1',
  'percent % and ? placeholder',
  'ünïcødé ✓',
];

before(async () => {
  conn = await connect();
  p = createPipeline(db, { connection: conn });
  await p.schema.declare();
  await p.Subject.insert(nasty.map((name, i) => ({ subject_id: i + 1, subject_name: name, sex: i % 2 ? 'f' : 'm' })));
  await p.Subject.insert1({ subject_id: 100 });
  await p.Session.insert([
    { subject_id: 1, session_idx: 1, session_date: '2024-01-01', operator: 'ann' },
    { subject_id: 1, session_idx: 2, session_date: '2024-01-02', operator: 'bob' },
    { subject_id: 2, session_idx: 1, session_date: '2024-01-03' },
  ]);
});
after(async () => {
  await dropSchemas(conn, [db]);
  await conn.close();
  await (await testServer()).stop();
});

const ids = (rows: dj.Row[]) => rows.map((r) => r.subject_id);

describe('query expressions', () => {
  it('stores and restricts on values with quotes, backslashes and SQL keywords, bound as parameters', async () => {
    for (const [i, name] of nasty.entries()) {
      const row = await p.Subject.restrict({ subject_name: name }).fetch1();
      assert.equal(row.subject_name, name);
      assert.equal(row.subject_id, i + 1);
    }
    const sql = await p.Subject.restrict({ subject_name: nasty[2] }).toSql();
    assert.ok(!sql.sql.includes('DROP'), 'the value is not in the SQL text');
    assert.deepEqual(sql.params, [nasty[2]]);
    assert.equal(await p.Subject.count(), nasty.length + 1);
  });

  it('restricts by object (unknown keys ignored), array (OR), string and boolean', async () => {
    assert.deepEqual(ids(await p.Subject.restrict({ sex: 'f', not_an_attribute: 1 }).fetch({ orderBy: 'subject_id' })), [2, 4, 6]);
    assert.deepEqual(ids(await p.Subject.restrict([{ subject_id: 1 }, { subject_id: 3 }]).fetch({ orderBy: 'KEY' })), [1, 3]);
    assert.equal(await p.Subject.restrict([]).count(), 0);
    assert.deepEqual(ids(await p.Subject.restrict('subject_id > 5 AND subject_id < 100').fetch({ orderBy: 'subject_id DESC' })), [7, 6]);
    assert.equal(await p.Subject.restrict(false).count(), 0);
    assert.deepEqual(ids(await p.Subject.restrict({ date_of_birth: null }).restrict({ subject_id: 100 }).fetch()), [100]);
  });

  it("checks a string restriction by the rules of the server it is sent to", async () => {
    // One string to MySQL; to PostgreSQL the string ends at \' and `OR TRUE --` would widen
    // every query built around it (a delete among them): refused there before anything runs.
    const text = "subject_name = 'x\\' ) OR TRUE --'";
    if (conn.backend === 'postgresql') {
      await assert.rejects(p.Subject.restrict(text).fetch(), { code: 'usage', message: /is not one SQL condition: it has a `\)` without its `\(`/ });
      await assert.rejects(p.Subject.restrict(text).delete(), { code: 'usage' });
      assert.equal(await p.Subject.count(), nasty.length + 1, 'nothing deleted');
      await assert.rejects(p.Subject.restrict('subject_id = $$1$$').fetch(), { code: 'usage', message: /\$…\$` string/ });
    } else {
      assert.deepEqual(await p.Subject.restrict(text).fetch(), []);
    }
  });

  it('negates restrictions', async () => {
    assert.deepEqual(ids(await p.Subject.restrict(dj.not({ sex: 'm' })).fetch({ orderBy: 'subject_id' })), [2, 4, 6, 100]);
    assert.deepEqual(ids(await p.Subject.minus([{ subject_id: 1 }, 'subject_id >= 3']).fetch()), [2]);
  });

  it('restricts by another query (semijoin) and subtracts it (antijoin)', async () => {
    assert.deepEqual(ids(await p.Subject.restrict(p.Session).fetch({ orderBy: 'subject_id' })), [1, 2]);
    assert.deepEqual(ids(await p.Subject.restrict(p.Session.restrict({ operator: 'bob' })).fetch()), [1]);
    assert.deepEqual(ids(await p.Subject.minus(p.Session).fetch({ orderBy: 'subject_id' })), [3, 4, 5, 6, 7, 100]);
    assert.equal(await p.Session.minus(p.Subject).count(), 0);
  });

  it('joins on common attributes and projects with renaming', async () => {
    const rows = await p.Session.join(p.Subject).fetch({ attributes: ['subject_id', 'session_idx', 'subject_name'], orderBy: ['subject_id', 'session_idx'] });
    assert.deepEqual(rows, [
      { subject_id: 1, session_idx: 1, subject_name: "O'Brien" },
      { subject_id: 1, session_idx: 2, subject_name: "O'Brien" },
      { subject_id: 2, session_idx: 1, subject_name: 'back\\slash' },
    ]);
    const renamed = await p.Subject.proj({ name: 'subject_name' }).restrict({ name: 'back\\slash' }).fetch();
    assert.deepEqual(renamed, [{ subject_id: 2, name: 'back\\slash' }]);
    const key = await p.Subject.proj({ sid: 'subject_id' }).restrict({ sid: 3 }).fetch();
    assert.deepEqual(key, [{ sid: 3 }]);
    // A projection hides secondary attributes: the join below cannot match on them.
    assert.equal(await p.Session.proj().join(p.Subject.proj('sex')).count(), 3);
    assert.deepEqual(await p.Session.proj('operator').restrict({ subject_id: 1 }).heading().then((h) => h.map((a) => a.name)), ['subject_id', 'session_idx', 'operator']);
  });

  it('matches namesake attributes only when their lineage agrees (semantic matching)', async () => {
    await assert.rejects(p.Subject.proj({ session_idx: 'subject_id' }).join(p.Session).count(), {
      message: `Cannot join on attribute \`session_idx\`: different lineages (${db}.subject.subject_id vs ${db}.session.session_idx); use .proj() to rename one of the attributes`,
    });
    await assert.rejects(p.Subject.restrict(p.Subject.proj('subject_name')).count(), { message: /^Cannot join on attribute `subject_name`: lineage missing on one side \(null vs null\)/ });
    // Renaming keeps lineage: a renamed key still matches its origin.
    assert.equal(await p.Session.proj({ sid: 'subject_id' }).proj({ subject_id: 'sid' }).join(p.Subject).count(), 3);
  });

  it('aggregates over matching rows (aggr), keeping unmatched rows on request', async () => {
    assert.deepEqual(await p.Subject.aggr(p.Session, { n: 'count(*)', last: 'max(session_date)' }).fetch({ orderBy: 'subject_id' }), [
      { subject_id: 1, n: 2, last: '2024-01-02' },
      { subject_id: 2, n: 1, last: '2024-01-03' },
    ]);
    const all = await p.Subject.aggr(p.Session.restrict({ operator: 'bob' }), { n: 'count(session_idx)' }, { keepAllRows: true }).restrict('n = 0').count();
    assert.equal(all, nasty.length + 1 - 1);
    assert.deepEqual(await p.Subject.aggr(p.Session, { n: 'count(*)' }).restrict({ n: 2 }).keys(), [{ subject_id: 1 }]);
  });

  it('fetches keys, with limit/offset, and fetch1 demands exactly one row', async () => {
    assert.deepEqual(await p.Session.keys({ orderBy: 'KEY' }), [
      { subject_id: 1, session_idx: 1 },
      { subject_id: 1, session_idx: 2 },
      { subject_id: 2, session_idx: 1 },
    ]);
    assert.deepEqual(ids(await p.Subject.fetch({ orderBy: 'subject_id', limit: 2, offset: 1 })), [2, 3]);
    await assert.rejects(p.Subject.restrict({ subject_id: 999 }).fetch1(), { code: 'fetch1', message: 'fetch1 requires exactly one row, but the query returned none' });
    await assert.rejects(p.Session.restrict({ subject_id: 1 }).fetch1(), { code: 'fetch1', message: 'fetch1 requires exactly one row, but the query returned several' });
    await assert.rejects(p.Subject.fetch({ orderBy: 'subject_id; DROP TABLE x' }), { code: 'usage' });
    await assert.rejects(p.Subject.fetch({ attributes: ['nope'] }), { code: 'unknownAttribute' });
  });

  it('inserts with skipDuplicates, ignoreExtraFields and replace, and refuses unknown fields and duplicates', async () => {
    await assert.rejects(p.Subject.insert1({ subject_id: 1 }), { code: 'duplicate' });
    // The count is the server's: MySQL counts the row it found, PostgreSQL's DO NOTHING none.
    assert.equal(await p.Subject.insert1({ subject_id: 1, subject_name: 'changed' }, { skipDuplicates: true }), conn.backend === 'mysql' ? 1 : 0);
    assert.equal((await p.Subject.restrict({ subject_id: 1 }).fetch1()).subject_name, "O'Brien");
    await assert.rejects(p.Subject.insert1({ subject_id: 50, color: 'red' }), { code: 'unknownAttribute', message: /`color` is not an attribute of Subject/ });
    await p.Subject.insert1({ subject_id: 50, color: 'red' }, { ignoreExtraFields: true });
    await p.Subject.insert1({ subject_id: 50, subject_name: 'fifty' }, { replace: true });
    assert.equal((await p.Subject.restrict({ subject_id: 50 }).fetch1()).subject_name, 'fifty');
    // A key repeated in one replace: the last row stands, as MySQL's REPLACE leaves it
    // (PostgreSQL's ON CONFLICT DO UPDATE alone would refuse to touch the row twice).
    await p.Subject.insert(
      [
        { subject_id: 52, subject_name: 'first' },
        { subject_id: '52', subject_name: 'second' },
        { subject_id: 53, subject_name: 'other' },
      ],
      { replace: true },
    );
    assert.deepEqual((await p.Subject.restrict('subject_id IN (52, 53)').fetch({ attributes: ['subject_id', 'subject_name'], orderBy: ['subject_id'] })).map((r) => r.subject_name), ['second', 'other']);
    await p.Subject.insert([[51, 'positional', 'f', '2020-02-02']]);
    assert.equal((await p.Subject.restrict({ subject_id: 51 }).fetch1()).subject_name, 'positional');
    await assert.rejects(p.ProcessedData.insert1({ subject_id: 1, session_idx: 1, method: 'mean', result: 1, n_samples: 1n }), { code: 'usage', message: /auto-populated/ });
    // This row also repeats the UNIQUE (session_date, session_idx) of session 1/1. InnoDB
    // checks the foreign key first; PostgreSQL checks unique indexes as it inserts the row
    // and foreign keys only after the statement, so there the duplicate is what it reports.
    await assert.rejects(p.Session.insert1({ subject_id: 999, session_idx: 1, session_date: '2024-01-01' }), { code: conn.backend === 'mysql' ? 'integrity' : 'duplicate' });
    // A missing parent alone is an integrity error on both.
    await assert.rejects(p.Session.insert1({ subject_id: 999, session_idx: 1, session_date: '2024-06-01' }), { code: 'integrity' });
    await p.Subject.restrict('subject_id >= 50 AND subject_id < 100').delete();
  });

  it('updates one row by its primary key', async () => {
    await p.Session.update1({ subject_id: 1, session_idx: 2, operator: "o'hara" });
    assert.equal((await p.Session.restrict({ subject_id: 1, session_idx: 2 }).fetch1()).operator, "o'hara");
    await p.Session.update1({ subject_id: 1, session_idx: 2, operator: null });
    assert.equal((await p.Session.restrict({ subject_id: 1, session_idx: 2 }).fetch1()).operator, null);
    await assert.rejects(p.Session.update1({ subject_id: 1, operator: 'x' }), { code: 'usage', message: 'update1 must supply all primary key values (missing session_idx)' });
    await assert.rejects(p.Session.update1({ subject_id: 9, session_idx: 9, operator: 'x' }), { message: 'Update can only be applied to one existing entry.' });
    await assert.rejects(p.Session.update1({ subject_id: 1, session_idx: 2, nope: 1 }), { code: 'unknownAttribute' });
  });

  it('runs inserts in a transaction and rolls back on error; nesting is refused', async () => {
    await assert.rejects(
      conn.transaction(async () => {
        await p.Subject.insert1({ subject_id: 70 });
        assert.equal(await p.Subject.restrict({ subject_id: 70 }).count(), 1);
        throw new Error('boom');
      }),
      { message: 'boom' },
    );
    assert.equal(await p.Subject.restrict({ subject_id: 70 }).count(), 0);
    await assert.rejects(conn.transaction(() => conn.transaction(async () => 1)), { code: 'transaction', message: 'Nested transactions are not supported' });
    assert.equal(await conn.transaction(async () => (await p.Subject.count()) > 0), true);
  });
});
