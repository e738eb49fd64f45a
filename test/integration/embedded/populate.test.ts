// `djx populate` on the embedded database, as real processes sharing one server: reserved
// jobs with 2 and 4 processes make every key exactly once; a worker killed with -9 while it
// holds the database inside make's transaction loses no key and none is made twice (its holder is known
// dead by its pid: pg_stat_activity cannot tell the clients of the embedded server apart);
// a second stop request rolls back the make holding the database; and DataJoint for
// Python, connected like a server's client (DJ_BACKEND=postgresql,
// DJ_HOST/DJ_PORT of the embedded server, user postgres, DJ_PASS the folder's password), works the same jobs
// table. Make calls are counted in a file (test/fixtures/pipelines/embedded-counting.ts).
//   node --import tsx --test test/integration/embedded/populate.test.ts
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection } from '../../../runtime/index';
import { runPython } from '../python/helpers';
import { cleanEnv, cleanupProjects, clearProcessEnv, djx, projectDir, waitFor } from './helpers';

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'pipelines', 'embedded-counting.ts');
const SCHEMA = 'emb_counting';
type Pipeline = typeof import('../../fixtures/pipelines/embedded-counting');

let project: string;
let embeddedDir: string;
let logFile: string;
let env: NodeJS.ProcessEnv;
let p: Pipeline;
let conn: Connection;

before(async () => {
  project = projectDir();
  embeddedDir = join(project, '.datajoint');
  logFile = join(project, 'makes.log');
  const vars = { DJ_EMBEDDED_DIR: embeddedDir, DJ_PIPELINE_SCHEMA: SCHEMA, DJ_MAKE_LOG: logFile };
  env = cleanEnv(vars);
  clearProcessEnv(vars);
  p = (await import('../../fixtures/pipelines/embedded-counting')) as Pipeline;
  await p.schema.declare();
  conn = await p.schema.connection();
  assert.ok(conn.embedded, 'no host configured: the embedded database');
});
after(async () => {
  await conn?.close();
  await cleanupProjects();
});

const KILL_KEYS = 12;
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const q = (t: string) => `"${SCHEMA}"."${t}"`;

/** Empties targets, parts, jobs and the log, then inserts `subjects`. */
async function reset(subjects: Array<{ subject_id: number; delay_ms?: number; peer?: number; insert_ms?: number }>): Promise<void> {
  for (const t of ['__held__detail', '__held', '__shared__detail', '__shared', 'subject']) await conn.execute(`DELETE FROM ${q(t)}`);
  for (const t of ['~~held', '~~shared']) await conn.execute(`DROP TABLE IF EXISTS ${q(t)}`);
  rmSync(logFile, { force: true });
  await p.Subject.insert(subjects);
}

const ids = async (table: string): Promise<number[]> => (await conn.query<{ subject_id: number }>(`SELECT subject_id FROM ${q(table)} ORDER BY 1`)).map((r) => r.subject_id);
const jobs = async (table: string) => conn.query<{ subject_id: number; status: string }>(`SELECT subject_id, status FROM ${q(`~~${table}`)} ORDER BY 1`);

/** How many times each key has `ev` in the log. */
function counts(ev: string, table: string): Map<number, number> {
  const m = new Map<number, number>();
  for (const l of p.readLog(logFile)) if (l.ev === ev && l.table === table) m.set(l.id, (m.get(l.id) ?? 0) + 1);
  return m;
}

for (const processes of [2, 4]) {
  test(`djx populate --reserve-jobs --processes ${processes}: every key made exactly once, by several processes`, async () => {
    // Key 1's compute (outside any transaction) waits for a make of another process, so the
    // work is shared however slowly the workers start.
    await reset(range(24).map((subject_id) => ({ subject_id, delay_ms: 20, peer: subject_id === 1 ? 1 : 0 })));
    const run = djx(['populate', FIXTURE, 'Shared', '--reserve-jobs', '--processes', String(processes), '--json'], env);
    assert.equal(await run.done, 0, run.stderr());
    assert.deepEqual(await ids('__shared'), range(24));
    const c = counts('compute', 'Shared');
    assert.deepEqual([...c.keys()].sort((a, b) => a - b), range(24));
    assert.ok([...c.values()].every((n) => n === 1), `no key computed twice: ${JSON.stringify([...c])}`);
    const pids = new Set((await conn.query<{ pid: number }>(`SELECT pid FROM ${q('__shared')}`)).map((r) => r.pid));
    assert.ok(pids.size >= 2 && pids.size <= processes + 1, `work was shared (${pids.size} processes made keys)`);
    assert.deepEqual(await jobs('shared'), [], 'every job completed');
    const end = run.events.at(-1);
    assert.ok(end?.event === 'end' && end.successCount === 24 && end.errorCount === 0, JSON.stringify(end));
  });
}

test('djx populate --processes 4 (direct): every key made exactly once', async () => {
  await reset(range(16).map((subject_id) => ({ subject_id, delay_ms: 10 })));
  const run = djx(['populate', FIXTURE, 'Shared', '--processes', '4', '--json'], env);
  assert.equal(await run.done, 0, run.stderr());
  assert.deepEqual(await ids('__shared'), range(16));
  assert.ok([...counts('compute', 'Shared').values()].every((n) => n === 1));
});

test('a worker killed with -9 inside make, holding the database, loses no key and makes none twice', async (t) => {
  // Shared's makeInsert sleeps inside its transaction: while one runs, it holds the embedded
  // server and every other process waits, so the insert in progress is the log's last
  // `start`. Key 1's compute (outside any transaction) waits for another process, so the
  // parent does not get through the keys before its workers are ready.
  await reset(range(KILL_KEYS).map((subject_id) => ({ subject_id, insert_ms: 250, peer: subject_id === 1 ? 1 : 0 })));
  const run = djx(['populate', FIXTURE, 'Shared', '--reserve-jobs', '--processes', '2', '--json'], env);
  let ended = false;
  void run.done.then(() => (ended = true));
  const victim = await waitFor(
    'a worker inside make',
    () => {
      const lines = p.readLog(logFile);
      if (ended) throw new Error(`the run ended before a worker was seen inside make: ${JSON.stringify(lines)}\n${run.stderr()}`);
      const last = lines.at(-1);
      // A worker (not the parent) that has started its insert and not ended it.
      return last && last.ev === 'start' && last.pid !== run.pid ? last : undefined;
    },
    project,
  );
  process.kill(victim.pid, 'SIGKILL');
  // Asked at once: the server rolls the victim's transaction back when its socket closes,
  // and this statement arrives before any worker could have made the key again.
  const victimDone = (await ids('__shared')).includes(victim.id);
  t.diagnostic(`killed worker ${victim.pid} in the make of key ${victim.id} (${victimDone ? 'already committed' : 'rolled back'})`);
  const code = await run.done;
  assert.equal(code, 0, run.stderr());
  assert.deepEqual(await ids('__shared'), range(KILL_KEYS), 'every key computed');
  const starts = counts('start', 'Shared');
  assert.equal(starts.get(victim.id), victimDone ? 1 : 2, victimDone ? 'a committed make never runs again' : 'the killed make ran again');
  for (const id of range(KILL_KEYS)) if (id !== victim.id) assert.equal(starts.get(id), 1, `key ${id} made once`);
  // Rolled back: exactly the part rows of committed makes.
  assert.equal(Number((await conn.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${q('__shared__detail')}`))[0]!.n), 2 * KILL_KEYS);
  assert.deepEqual(await jobs('shared'), [], 'no job left reserved: the dead holder was recognised by its pid');
  const end = run.events.at(-1);
  assert.ok(end?.event === 'end' && end.successCount === KILL_KEYS && end.errorCount === 0, JSON.stringify(end));
});

for (const processes of [1, 2]) {
  test(`a second stop request rolls back the make holding the database and returns its job to pending (processes ${processes})`, async () => {
    // Held's make sleeps a minute inside its transaction. On the embedded server a statement
    // of the control connection ending that session would wait for the transaction itself:
    // the make's own socket is closed instead, and the server rolls it back.
    await reset(range(4).map((subject_id) => ({ subject_id, delay_ms: 60_000 })));
    const run = djx(['populate', FIXTURE, 'Held', '--reserve-jobs', '--processes', String(processes), '--json'], env);
    await waitFor('a make started', () => p.readLog(logFile).some((l) => l.ev === 'start'), project);
    process.kill(run.pid, 'SIGINT');
    process.kill(run.pid, 'SIGTERM');
    assert.equal(await run.done, 130, run.stderr());
    assert.deepEqual(await ids('__held'), [], 'the interrupted make was rolled back');
    const left = await jobs('held');
    assert.deepEqual(left.filter((j) => j.status !== 'pending'), [], 'no error job, nothing reserved');
    assert.equal(left.length, 4, 'every key is still to do');
  });
}

test('DataJoint for Python shares the embedded database and its jobs table', async () => {
  await reset(range(12).map((subject_id) => ({ subject_id, delay_ms: 30 })));
  // Ours first, four keys.
  const ours = djx(['populate', FIXTURE, 'Held', '--reserve-jobs', '--limit', '4', '--json'], env);
  assert.equal(await ours.done, 0, ours.stderr());
  const endpoint = conn.settings.database;
  const pyEnv = {
    DJ_BACKEND: 'postgresql',
    DJ_HOST: '127.0.0.1',
    DJ_PORT: String(endpoint.port),
    DJ_USER: 'postgres',
    // What the extension gives a Python worker: the connection's password, the folder's secret.
    DJ_PASS: endpoint.password!,
    DJ_USE_TLS: 'false',
    DJ_PIPELINE_SCHEMA: SCHEMA,
    DJ_MAKE_LOG: logFile,
  };
  // The server this process is connected to stays up while Python works (idle exit is per client).
  const read = await runPython('embedded_worker.py', ['read'], { env: pyEnv });
  assert.equal(await read.done, 0, read.stderr());
  const seen = JSON.parse(read.stdout().trim().split('\n').at(-1)!) as { subjects: number; held: number[] };
  assert.deepEqual(seen, { subjects: 12, held: [1, 2, 3, 4] }, 'Python reads what we inserted and computed');
  const py = await runPython('embedded_worker.py', ['populate'], { env: pyEnv });
  assert.equal(await py.done, 0, py.stderr());
  assert.equal((JSON.parse(py.stdout().trim().split('\n').at(-1)!) as { success_count: number }).success_count, 8, py.stdout());
  assert.deepEqual(await ids('__held'), range(12), 'the rest made by Python, read here');
  const byPid = new Map<number, number[]>();
  for (const l of p.readLog(logFile)) if (l.ev === 'start') byPid.set(l.pid, [...(byPid.get(l.pid) ?? []), l.id]);
  assert.ok([...counts('start', 'Held').values()].every((n) => n === 1), 'no key made twice');
  assert.equal(byPid.size, 2, 'our process and Python made keys');
  assert.equal(Number((await conn.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${q('__held__detail')}`))[0]!.n), 24);
  assert.deepEqual(
    (await jobs('held')).filter((j) => j.status !== 'success'),
    [],
    'the shared jobs table has nothing pending, reserved or failed',
  );

  // Both at once on new keys: one queue, every key once.
  await reset(range(20).map((subject_id) => ({ subject_id, delay_ms: 20 })));
  const both = [djx(['populate', FIXTURE, 'Held', '--reserve-jobs', '--json'], env), await runPython('embedded_worker.py', ['populate'], { env: pyEnv })];
  const codes = await Promise.all(both.map((r) => r.done));
  assert.deepEqual(codes, [0, 0], both.map((r) => r.stderr()).join('\n'));
  assert.deepEqual(await ids('__held'), range(20));
  assert.ok([...counts('start', 'Held').values()].every((n) => n === 1), `no key made twice: ${JSON.stringify([...counts('start', 'Held')])}`);
});
