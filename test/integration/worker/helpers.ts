// The worker tests' harness: the chain pipeline (test/fixtures/pipelines/chain.ts and its
// Python twin test/fixtures/python/worker_chain.py) in a schema of its own, and `djx worker`
// as real processes with their events on fd 3, as a launcher reads them.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import type * as dj from '../../../runtime/index';
import { connect, dropSchemas, schemaName, testServer } from '../runtime/helpers';
import { dbEnv, pythonInterpreter } from '../python/helpers';

const ROOT = join(__dirname, '..', '..', '..');
export const CHAIN_TS = join(ROOT, 'test', 'fixtures', 'pipelines', 'chain.ts');
export const CHAIN_PY = join(ROOT, 'test', 'fixtures', 'python', 'worker_chain.py');
const ENTRY = join(__dirname, 'entry.ts');

export const TABLES = ['trace', 'spikes', 'rates'] as const;
type Chain = typeof import('../../fixtures/pipelines/chain');

export interface WorkerEventLine {
  v: number;
  event: string;
  [field: string]: unknown;
}

export interface Chained {
  schema: string;
  sql: dj.Connection;
  env: Record<string, string>;
  t(name: string): string;
  count(query: string, params?: unknown[]): Promise<number>;
  gate(open: boolean): Promise<void>;
  /** Empties the computed tables, the log, the flags and the jobs tables; `n` recordings. */
  reset(n: number): Promise<void>;
  close(): Promise<void>;
}

/** Declares the chain in a new schema (through the fixture, as the workers will see it). */
export async function chain(prefix: string): Promise<Chained> {
  const s = await testServer();
  const schema = schemaName(prefix);
  const env = { ...dbEnv(s), DJ_PIPELINE_SCHEMA: schema, PYTHONUNBUFFERED: '1', PYTHONWARNINGS: 'ignore:MariaDB is not officially supported,ignore:No datajoint.json found' };
  Object.assign(process.env, env);
  const pipeline = (await import('../../fixtures/pipelines/chain')) as Chain;
  await pipeline.setupChain();
  const sql = await connect();
  const t = (name: string) => sql.dialect.qualified(schema, name);
  const count = async (query: string, params: unknown[] = []) => Number((await sql.query<{ n: unknown }>(query, params))[0]!.n);
  return {
    schema,
    sql,
    env,
    t,
    count,
    gate: async (open) => void (await sql.execute(`UPDATE ${t('gate')} SET open = ? WHERE id = 1`, [open ? 1 : 0])),
    async reset(n) {
      for (const name of ['__rates', '__spikes', '__trace']) await sql.execute(`DELETE FROM ${t(name)}`);
      await sql.execute(`DELETE FROM ${t('recording')}`);
      for (const name of ['make_log', 'fail_flags']) await sql.execute(`DELETE FROM ${t(name)}`);
      for (const name of TABLES) await sql.execute(`DROP TABLE IF EXISTS ${t(`~~${name}`)}`);
      if (n > 0) await sql.execute(`INSERT INTO ${t('recording')} (recording_id) VALUES ${Array.from({ length: n }, () => '(?)').join(', ')}`, Array.from({ length: n }, (_, i) => i + 1));
      await sql.execute(`UPDATE ${t('gate')} SET open = 1 WHERE id = 1`);
    },
    async close() {
      await dropSchemas(sql, [schema]);
      await sql.close();
      await (await pipeline.schema.connection()).close();
    },
  };
}

export interface WorkerRun {
  pid: number;
  events: WorkerEventLine[];
  stderr(): string;
  stdout(): string;
  /** Exit status (128 + n when killed by signal n). */
  done: Promise<number>;
  exited(): boolean;
  signal(sig: NodeJS.Signals): void;
  /** A stop request line on stdin (with `stdin: true`). */
  request(line: string): void;
  /** Resolves at the first event that satisfies `cond`; rejects when the worker exits first. */
  waitEvent(cond: (e: WorkerEventLine) => boolean): Promise<WorkerEventLine>;
  /** Resolves once stderr contains `text`; rejects when the worker exits first. */
  waitStderr(text: string): Promise<void>;
  summary(): WorkerEventLine | undefined;
}

/**
 * `djx worker <module> [args] --json-events 3`: our CLI from sources; a `.py` module goes
 * through the CLI to the Python runner (with the test venv's interpreter).
 */
export async function startWorker(module: string, args: string[], opts: { stdin?: boolean; env?: Record<string, string>; group?: boolean } = {}): Promise<WorkerRun> {
  const py = module.endsWith('.py') ? ['--python', await pythonInterpreter()] : [];
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'worker', module, ...py, ...args, '--json-events', '3', ...(opts.stdin ? ['--stop-on-stdin'] : [])], {
    env: { ...process.env, ...opts.env },
    stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
    // `group`: a process group of its own, which a test can signal as a terminal does.
    detached: opts.group === true,
  });
  const events: WorkerEventLine[] = [];
  const waiters = new Set<() => void>();
  let out = '';
  let err = '';
  let buf = '';
  let exited = false;
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  (child.stdio[3] as Readable).on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        const e = JSON.parse(line) as WorkerEventLine;
        if (e && typeof e.event === 'string') events.push(e);
      } catch {
        /* not an event */
      }
    }
    notify();
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    notify();
  });
  const done = new Promise<number>((resolve) =>
    child.on('close', (code, signal) => {
      exited = true;
      notify();
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    }),
  );
  const wait = (what: string, test: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (test()) {
          waiters.delete(check);
          resolve();
        } else if (exited) {
          waiters.delete(check);
          reject(new Error(`the worker exited before ${what}\nstderr:\n${err}`));
        }
      };
      waiters.add(check);
      check();
    });
  return {
    pid: child.pid!,
    events,
    stderr: () => err,
    stdout: () => out,
    done,
    exited: () => exited,
    signal: (sig) => void child.kill(sig),
    request: (line) => void child.stdin!.write(`${line}\n`),
    waitEvent: async (cond) => {
      await wait('the awaited event', () => events.some(cond));
      return events.find(cond)!;
    },
    waitStderr: (text) => wait(`stderr had ${JSON.stringify(text)}`, () => err.includes(text)),
    summary: () => events.find((e) => e.event === 'summary'),
  };
}

/** Polls the database until `cond` holds; fails at once when a watched worker exits first. */
export async function until(what: string, cond: () => Promise<boolean>, watch: readonly WorkerRun[] = []): Promise<void> {
  for (;;) {
    if (await cond()) return;
    const gone = watch.find((r) => r.exited());
    if (gone) throw new Error(`${what}: worker ${gone.pid} exited first (${await gone.done})\nstderr:\n${gone.stderr()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface TableSummaryLine {
  table: string;
  made: number;
  failed: number;
  skipped: number;
  left: number | null;
}

export const tablesOf = (run: WorkerRun): TableSummaryLine[] => (run.summary()?.tables ?? []) as TableSummaryLine[];

/** Every key of every table made exactly once, each after its parent's, nothing left in the jobs tables. */
export async function assertChainComplete(c: Chained, n: number, assert: typeof import('node:assert/strict')): Promise<void> {
  for (const name of TABLES) {
    assert.equal(await c.count(`SELECT COUNT(*) AS n FROM ${c.t(`__${name}`)}`), n, `rows of ${name}`);
    assert.equal(await c.count(`SELECT COUNT(*) AS n FROM ${c.t(`~~${name}`)} WHERE status <> 'success'`), 0, `jobs left in ~~${name}`);
  }
  // A make that committed is the last call logged for its key (earlier calls were rolled back).
  const logged = await c.sql.query<{ tbl: string; recording_id: unknown; first: unknown; last: unknown }>(
    `SELECT tbl, recording_id, MIN(id) AS first, MAX(id) AS last FROM ${c.t('make_log')} GROUP BY tbl, recording_id`,
  );
  const last = new Map(logged.map((r) => [`${r.tbl}:${Number(r.recording_id)}`, Number(r.last)]));
  const first = new Map(logged.map((r) => [`${r.tbl}:${Number(r.recording_id)}`, Number(r.first)]));
  for (let k = 1; k <= n; k++) {
    assert.ok(last.get(`trace:${k}`)! < first.get(`spikes:${k}`)!, `Trace of ${k} made before Spikes of ${k} started`);
    assert.ok(last.get(`spikes:${k}`)! < first.get(`rates:${k}`)!, `Spikes of ${k} made before Rates of ${k} started`);
  }
  assert.equal(await c.count(`SELECT COUNT(*) AS n FROM ${c.t('__rates')} r JOIN ${c.t('__spikes')} s USING (recording_id) JOIN ${c.t('__trace')} t USING (recording_id) WHERE r.rate = 2 * s.spike_count AND s.spike_count = t.trace_value + 1 AND t.trace_value = 10 * t.recording_id`), n, 'values computed from the parents');
}
