// populate's loop in one process overlaps work (runtime/populate/README.md, "What a key
// costs"): the next key's make starts once the current key's COMMIT is sent, on the same
// session. These are the paths where that overlap meets an error, a signal or a small
// pool: no key may be half-committed, counted wrongly, or leave a session behind.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import * as dj from '../../../runtime/index';
import { populate, MakeError } from '../../../runtime/populate/index';
import { connect } from '../runtime/helpers';
import { connectSql, openTransactions, range, reset, rows, setup, type Env, type TestSql } from './helpers';

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
  assert.equal(await openTransactions(env), 0, 'no transaction left open');
});

/**
 * Makes the COMMITs of `inside` (a function run inside the transaction to hold) wait until
 * `open` is called: MariaDB's BACKUP STAGE BLOCK_COMMIT holds every COMMIT on the server;
 * on PostgreSQL a deferred constraint trigger of a table `inside` writes waits at COMMIT
 * for an advisory lock the side connection holds. `waiting` tells when a COMMIT waits.
 */
async function commitGate(side: TestSql): Promise<{ close(): Promise<void>; inside(): Promise<void>; waiting(): Promise<boolean>; open(): Promise<void> }> {
  if (env.backend !== 'postgresql') {
    return {
      close: async () => {
        for (const stage of ['START', 'FLUSH', 'BLOCK_DDL', 'BLOCK_COMMIT']) await side.query(`BACKUP STAGE ${stage}`);
      },
      inside: async () => undefined,
      waiting: async () => {
        const [r] = await side.query(`SELECT 1 FROM information_schema.processlist WHERE info = 'COMMIT' AND state LIKE '%backup%'`);
        return (r as unknown[]).length > 0;
      },
      open: async () => void (await side.query('BACKUP STAGE END')),
    };
  }
  const lock = randomInt(1, 2 ** 31);
  const gate = `\`${env.schema}\`.commit_gate`;
  await side.query(`CREATE TABLE IF NOT EXISTS ${gate} (id int PRIMARY KEY)`);
  await side.query(`CREATE OR REPLACE FUNCTION \`${env.schema}\`.commit_gate_wait() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_xact_lock_shared(${lock}); RETURN NULL; END $$`);
  await side.query(`DROP TRIGGER IF EXISTS commit_gate_wait ON ${gate}`);
  await side.query(`CREATE CONSTRAINT TRIGGER commit_gate_wait AFTER INSERT ON ${gate} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION \`${env.schema}\`.commit_gate_wait()`);
  await side.query(`DELETE FROM ${gate}`);
  return {
    close: async () => void (await side.query('SELECT pg_advisory_lock(?)', [lock])),
    // On make's session, inside its transaction (the pipeline's connection runs there).
    inside: async () => void (await (await env.pipeline.schema.connection()).execute(`INSERT INTO ${env.q.qualified(env.schema, 'commit_gate')} VALUES (1)`)),
    waiting: async () => {
      // A bigint advisory key below 2^32 is the lock's objid (classid 0, objsubid 1).
      const [r] = await side.query(
        "SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND NOT l.granted AND l.classid = 0 AND l.objid = ? AND l.objsubid = 1 AND a.query = 'COMMIT'",
        [lock],
      );
      return (r as unknown[]).length > 0;
    },
    open: async () => void (await side.query('SELECT pg_advisory_unlock(?)', [lock])),
  };
}

test("Ctrl-C while the previous key's COMMIT waits: that key is done, only the running make is interrupted", async () => {
  await reset(env, [{ subject_id: 1 }, { subject_id: 2 }, { subject_id: 3 }]);
  const side = await connectSql();
  const gate = await commitGate(side);
  const released = new Promise<void>((resolve) => {
    env.pipeline.hooks.afterMake = async (key) => {
      if (Number(key.subject_id) !== 1) return;
      // Key 1's COMMIT waits until the gate opens.
      await gate.close();
      await gate.inside();
      // Once key 1's COMMIT is seen waiting on the server, Ctrl-C; once populate has taken
      // the signal (this listener runs after its own), the COMMIT may go through.
      void (async () => {
        while (!(await gate.waiting())) {
          await new Promise((r) => setTimeout(r, 20));
        }
        process.once('SIGINT', () => void gate.open().then(() => resolve()));
        process.kill(process.pid, 'SIGINT');
      })();
    };
  });
  let r;
  try {
    // Each key commits alone here (no commit window): the COMMIT this test holds is key 1's own.
    r = await populate(env.pipeline.Cumulative, { commitWindowMs: 0 });
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
  assert.equal(await openTransactions(env), 0, 'no transaction left open');
});

test('a connection with a pool of one session still populates a three-part make', async () => {
  await reset(env, range(3).map((subject_id) => ({ subject_id, name: 'x' })));
  const single = await connect({ connectionLimit: 1 });
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
