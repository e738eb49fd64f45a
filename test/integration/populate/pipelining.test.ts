// populate's loop in one process overlaps work (runtime/populate/README.md, "What a key
// costs"): the next key's make starts once the current key's COMMIT is sent, on the same
// session. These are the paths where that overlap meets an error, a signal or a small
// pool: no key may be half-committed, counted wrongly, or leave a session behind.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import * as dj from '../../../runtime/index';
import { populate, MakeError } from '../../../runtime/populate/index';
import { testServer } from '../runtime/helpers';
import { range, reset, rows, setup, type Env } from './helpers';

let env: Env;
before(async () => {
  env = await setup('djpop_pipe');
});
after(async () => env?.close());

const keysIn = async (table: string) =>
  (await rows<{ subject_id: number }>(env, `SELECT DISTINCT subject_id FROM \`${env.schema}\`.\`${table}\` ORDER BY 1`)).map((r) => Number(r.subject_id));

test('an error while the previous key settles never commits half of the next key', async () => {
  await reset(env, [{ subject_id: 1 }, { subject_id: 2, name: 'fail' }, { subject_id: 3 }]);
  // Key 2's make inserts its rows and then throws; meanwhile reporting key 1 fails.
  const onEvent = (e: { event: string }) => {
    if (e.event === 'keyDone') throw new Error('the event consumer broke');
  };
  await assert.rejects(populate(env.pipeline.Analysis, { onEvent, suppressErrors: true }), /the event consumer broke/);
  assert.deepEqual(await keysIn('__analysis'), [1]);
  assert.deepEqual(await keysIn('__analysis__detail'), [1]);
  const open = await rows<{ n: number }>(env, 'SELECT COUNT(*) AS n FROM information_schema.innodb_trx');
  assert.equal(Number(open[0]!.n), 0, 'no transaction left open');
});

test("Ctrl-C while the previous key's COMMIT waits: that key is done, only the running make is interrupted", async () => {
  await reset(env, [{ subject_id: 1 }, { subject_id: 2 }, { subject_id: 3 }]);
  const s = await testServer();
  const side = await mysql.createConnection({ host: s.host, port: s.port, user: s.user, password: s.password });
  const released = new Promise<void>((resolve) => {
    env.pipeline.hooks.afterMake = async (key) => {
      if (Number(key.subject_id) !== 1) return;
      // Every COMMIT on the server waits until the backup stage ends (key 1's first).
      for (const stage of ['START', 'FLUSH', 'BLOCK_DDL', 'BLOCK_COMMIT']) await side.query(`BACKUP STAGE ${stage}`);
      // Once key 1's COMMIT is seen waiting on the server, Ctrl-C; once populate has taken
      // the signal (this listener runs after its own), the COMMIT may go through.
      void (async () => {
        while (!(await side.query(`SELECT 1 FROM information_schema.processlist WHERE info = 'COMMIT' AND state LIKE '%backup%'`).then(([r]) => (r as unknown[]).length > 0))) {
          await new Promise((r) => setTimeout(r, 20));
        }
        process.once('SIGINT', () => void side.query('BACKUP STAGE END').then(() => resolve()));
        process.kill(process.pid, 'SIGINT');
      })();
    };
  });
  let r;
  try {
    r = await populate(env.pipeline.Cumulative);
  } finally {
    env.pipeline.hooks.afterMake = undefined;
    await released;
    await side.end();
  }
  assert.equal(r.interrupted, 'SIGINT');
  const done = await keysIn('__cumulative');
  assert.ok(done.includes(1), `key 1 was committed before the signal: ${JSON.stringify(done)}`);
  assert.equal(done.includes(3), false);
  assert.equal(r.successCount, done.length, JSON.stringify(r));
  assert.ok(!r.errorList.some(([k]) => Number((k as { subject_id: number }).subject_id) === 1), `key 1 reported failed: ${JSON.stringify(r.errorList)}`);
});

test('a three-part make sees the previous key committed, and a second stop request during makeCompute leaves no session behind', async () => {
  await reset(env, range(6).map((subject_id) => ({ subject_id, name: 'ab' })));
  assert.equal((await populate(env.pipeline.Triple, 'subject_id <= 3')).successCount, 3);
  let computing!: () => void;
  const inCompute = new Promise<void>((r) => (computing = r));
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  env.pipeline.hooks.beforeCompute = async (key) => {
    if (Number(key.subject_id) !== 4) return;
    computing();
    // Key 4 stays in its compute until populate has returned.
    await released;
  };
  try {
    // The first request would let key 4 finish (interrupt.ts): the second interrupts it.
    void inCompute.then(() => {
      process.kill(process.pid, 'SIGINT');
      process.kill(process.pid, 'SIGTERM');
    });
    const r = await populate(env.pipeline.Triple, { suppressErrors: true });
    assert.equal(r.interrupted, 'SIGINT');
    // The abandoned make finishes its compute after populate returned: its insert must
    // not find a session of the closed run. The pause after the release is a margin for
    // that late insert: on a loaded machine it can only miss the fault, never fail.
    release();
    await new Promise((res) => setTimeout(res, 1500));
  } finally {
    release();
    env.pipeline.hooks.beforeCompute = undefined;
  }
  assert.deepEqual(await keysIn('__triple'), [1, 2, 3]);
  const open = await rows<{ n: number }>(env, 'SELECT COUNT(*) AS n FROM information_schema.innodb_trx');
  assert.equal(Number(open[0]!.n), 0, 'no transaction left open');
});

test('a connection with a pool of one session still populates a three-part make', async () => {
  await reset(env, range(3).map((subject_id) => ({ subject_id, name: 'x' })));
  const s = await testServer();
  const single = await dj.Connection.connect({ host: s.host, port: s.port, user: s.user, password: s.password, ignoreConfigFile: true, env: {}, connectionLimit: 1 });
  try {
    const schema = new dj.Schema(env.schema, { connection: single });
    class Subject extends dj.Manual {
      static override definition = env.pipeline.Subject.definition;
    }
    class Triple extends dj.Computed {
      static override definition = env.pipeline.Triple.definition;
      static async makeFetch(key: dj.Row) {
        return Subject.restrict(key).fetch1<{ name: string }>();
      }
      static async makeCompute(key: dj.Row, fetched: unknown) {
        return Number(key.subject_id) + (fetched as { name: string }).name.length;
      }
      static async makeInsert(key: dj.Row, total: unknown) {
        await Triple.insert1({ ...key, total });
      }
    }
    schema.register(Subject, Triple);
    const r = await populate(Triple, { suppressErrors: true });
    assert.deepEqual(r.errorList, []);
    assert.equal(r.successCount, 3);
  } finally {
    await single.close();
  }
  assert.deepEqual(await keysIn('__triple'), [1, 2, 3]);
});

test('without suppressErrors the run stops at a failing key with its MakeError, after the key before it is committed', async () => {
  await reset(env, [{ subject_id: 1 }, { subject_id: 2 }, { subject_id: 3, name: 'fail' }, { subject_id: 4 }]);
  await assert.rejects(populate(env.pipeline.Analysis), (e: unknown) => {
    assert.ok(e instanceof MakeError);
    assert.deepEqual(e.key, { subject_id: 3 });
    assert.equal(e.result.successCount, 2);
    return true;
  });
  assert.deepEqual(await keysIn('__analysis'), [1, 2]);
});
