// processes > 1 (autopopulate.py: the multiprocessing pool, notes §6.8): N worker
// processes started with child_process.fork, each with its own connections. Direct mode:
// the parent reads `keySource - target` and hands one key at a time to an idle worker.
// Distributed mode: the parent hands out permissions to claim, and each worker claims
// its job atomically from the jobs table (never ahead of time). Workers run in their own
// process group so that one Ctrl-C reaches only the parent: a first stop request hands
// out no more work (each worker finishes its key), a second tells the workers to
// interrupt theirs (interrupt.ts). A worker whose parent dies does the same at once.
// Importing a pipeline takes a worker a second or two, so the parent computes keys itself
// in the place of each worker not yet ready (or never ready); a shared count of slots
// keeps at most `processes` makes running at any moment.
import { fork, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { JobQueue } from '../jobs/queue';
import type { ControlConnection } from './control';
import { exitHooks, InterruptedError, type Interrupt } from './interrupt';
import type { KeySource } from './keysource';
import type { PopulateOptions } from './options';
import { remainingKeys } from './keysource';
import { jobVersion, workerIdentity } from '../jobs/identity';
import { closeSeries, openSeries, populateKey, type Outcome, type RunContext, type RunEnd } from './runner';
import { reviveError, type FromWorker, type ToWorker, type WorkerOutcome } from './protocol';
import type { Report } from './report';
import type { Key, PopulateTarget } from './target';

export interface WorkerEntry {
  /** The script to fork. */
  file: string;
  /** Its arguments (e.g. the hidden CLI command). */
  args: string[];
  /** Node options for the child (e.g. `--import tsx` for TypeScript sources). */
  execArgv: string[];
}

let configuredEntry: WorkerEntry | undefined;

/** The CLI points workers at itself (`djx populate-worker`); library use defaults to worker-main.ts. */
export function setWorkerEntry(entry: WorkerEntry): void {
  configuredEntry = entry;
}

function workerEntry(): WorkerEntry {
  if (configuredEntry) return configuredEntry;
  const ts = join(__dirname, 'worker-main.ts');
  if (existsSync(ts)) return { file: ts, args: [], execArgv: ['--import', 'tsx'] };
  const js = join(__dirname, 'worker-main.js');
  if (existsSync(js)) return { file: js, args: [], execArgv: [] };
  throw new Error('populate: no worker entry found for processes > 1; call setWorkerEntry() first.');
}

interface Args {
  target: PopulateTarget;
  options: PopulateOptions;
  source: KeySource;
  /** The restricted key source when there are restrictions (claims honour it). */
  claimSource?: KeySource;
  queue?: JobQueue;
  control: ControlConnection;
  interrupt: Interrupt;
  report: Report;
  budget: number;
  processes: number;
}

class WorkerDied extends Error {}

interface Worker {
  child: ChildProcess;
  pid: number;
  connectionId: number;
  ready: Promise<void>;
  alive: boolean;
  /** Resolves with the reply to the current request. */
  waiting?: { resolve: (m: FromWorker) => void; reject: (e: Error) => void };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runWorkers(a: Args): Promise<RunEnd> {
  const entry = workerEntry();
  const module = a.options.workerModule ?? process.argv[1];
  if (!module) throw new Error('populate: processes > 1 needs options.workerModule, the module that exports the table.');
  const exportName = a.options.exportName ?? a.target.name;
  const keys = a.queue ? undefined : remainingKeys(a.control.session, a.source, a.target);
  const retry: Key[] = [];
  let attempts = 0;
  let firstError: { key: Key; message: string; error: unknown } | undefined;
  const workers: Worker[] = [];
  /** Workers that have loaded the pipeline and can take keys. */
  let readyCount = 0;
  /** No key or job was left when last asked. */
  let exhausted = false;

  // At most `processes` makes at once, the parent's own included.
  let active = 0;
  const waiters: Array<() => void> = [];
  const acquire = async () => {
    while (active >= a.processes) await new Promise<void>((r) => waiters.push(r));
    active++;
  };
  const release = () => {
    active--;
    waiters.shift()?.();
  };

  const killAll = () => {
    for (const w of workers) if (w.alive) w.child.kill('SIGKILL');
  };
  exitHooks.add(killAll);

  // A worker whose channel is gone can take no more work: it is ended (SIGKILL), and its
  // 'exit' rejects whatever waited on it. A worker can exit between the check of `alive` and
  // the write, which then fails (EPIPE or a closed channel) and is answered the same way.
  const lost = (w: Worker): void => {
    if (w.alive) w.child.kill('SIGKILL');
  };
  const post = (w: Worker, m: ToWorker): void => {
    if (!w.child.connected) return lost(w);
    w.child.send(m, (e) => {
      if (e) lost(w);
    });
  };
  const spawnWorker = (): Worker => {
    const child = fork(entry.file, entry.args, {
      execArgv: entry.execArgv,
      serialization: 'advanced',
      detached: true,
      // make's console output goes to stderr (stdout is the `--json` event stream), a
      // whole line at a time through console.error, where a progress bar drawn by the CLI
      // prints it above itself.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => console.error(line));
    }
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    const w: Worker = {
      child,
      pid: child.pid ?? 0,
      connectionId: 0,
      alive: true,
      ready: new Promise<void>((res, rej) => {
        readyResolve = res;
        readyReject = rej;
      }),
    };
    w.ready.catch(() => undefined);
    child.on('message', (m: FromWorker) => {
      if (m.t === 'ready') {
        w.connectionId = m.connectionId;
        readyCount++;
        readyResolve();
      } else if (m.t === 'fatal') {
        const err = new Error(m.message);
        readyReject(err);
        w.waiting?.reject(err);
      } else {
        const waiting = w.waiting;
        w.waiting = undefined;
        waiting?.resolve(m);
      }
    });
    // Errors of the channel are answered by 'exit' (see post); without a listener they throw.
    // A worker that could not even start has no 'exit' to come: it is gone now.
    child.on('error', () => {
      if (child.pid === undefined) gone();
      else lost(w);
    });
    child.on('disconnect', () => lost(w));
    const gone = () => {
      w.alive = false;
      readyReject(new WorkerDied(`worker ${w.pid} exited before it was ready`));
      const waiting = w.waiting;
      w.waiting = undefined;
      waiting?.reject(new WorkerDied(`worker ${w.pid} exited`));
    };
    child.on('exit', gone);
    const init: ToWorker = {
      t: 'init',
      module,
      exportName,
      reserveJobs: Boolean(a.queue),
      source: a.claimSource,
      kwargs: a.options.makeKwargs ?? {},
      priority: a.options.priority,
    };
    post(w, init);
    return w;
  };

  const send = (w: Worker, m: ToWorker): Promise<FromWorker> =>
    new Promise((resolve, reject) => {
      if (!w.alive) return reject(new WorkerDied(`worker ${w.pid} is gone`));
      w.waiting = { resolve, reject };
      post(w, m);
    });
  const request = async (w: Worker, m: ToWorker): Promise<FromWorker> => {
    await acquire();
    try {
      return await send(w, m);
    } finally {
      release();
    }
  };

  const stopping = () => a.interrupt.stopped || firstError !== undefined || attempts >= a.budget;

  const nextKey = async (): Promise<Key | undefined> => {
    const again = retry.shift();
    if (again) return again;
    const n = await keys!.next();
    return n.done ? undefined : n.value;
  };

  // A worker that died (kill -9, crash) held a reservation on a connection that no longer
  // exists: once the server has dropped that connection, put the job back to pending.
  const recoverReservation = async (w: Worker) => {
    if (!a.queue || !w.connectionId) return;
    const q = a.control.session.sql;
    for (let i = 0; i < 50; i++) {
      const [row] = await a.control.session.query<{ open: unknown }>(`SELECT ${q.sessionOpen('?')} AS ${q.quote('open')}`, [w.connectionId]);
      if (Number(row?.open) !== 1) break;
      await sleep(100);
    }
    await a.queue.refresh({ source: a.source, priority: a.options.priority, delay: -1, staleTimeout: 0 });
  };

  const record = (pid: number, key: Key, status: Outcome['status'], durationMs: number, message: string, error: unknown) => {
    if (status === 'done') a.report.keyDone(key, durationMs, pid);
    else if (status === 'interrupted') a.report.keyInterrupted();
    else if (status === 'failed') {
      a.report.keyFailed(key, message, error, pid);
      if (!a.options.suppressErrors && !firstError) firstError = { key, message, error };
    }
  };
  const handle = (w: Worker, m: FromWorker & { t: 'result' }) => {
    const o: WorkerOutcome = m.outcome;
    if (o.status === 'done') record(w.pid, m.key, 'done', o.durationMs, '', undefined);
    else if (o.status === 'failed' || o.status === 'interrupted') record(w.pid, m.key, o.status, 0, o.message, reviveError(o.error));
  };

  // The parent's own lane, while fewer than `processes` workers are ready.
  const local = async () => {
    const ctx: RunContext = {
      target: a.target,
      control: a.control.session,
      queue: a.queue,
      who: a.queue ? await workerIdentity(a.control.session, a.target.jobs.versionMethod) : undefined,
      kwargs: a.options.makeKwargs ?? {},
      interrupt: a.interrupt,
      jobMetadata: await a.target.hasJobMetadata(),
      version: jobVersion(a.target.jobs.versionMethod),
    };
    openSeries(ctx);
    try {
      while (readyCount < a.processes && !stopping()) {
        await acquire();
        try {
          if (readyCount >= a.processes || stopping()) return;
          let raw: Key | undefined;
          if (a.queue) raw = await a.queue.claim(ctx.who!, { priority: a.options.priority, source: a.claimSource });
          else raw = await nextKey();
          if (!raw) {
            exhausted = true;
            return;
          }
          attempts++;
          const key = a.target.decodeKey(raw);
          const o = await populateKey(ctx, raw, key);
          if (o.status === 'done') record(process.pid, key, 'done', o.durationMs, '', undefined);
          else if (o.status === 'failed' || o.status === 'interrupted') record(process.pid, key, o.status, 0, o.message, o.error);
        } finally {
          release();
        }
      }
    } finally {
      await closeSeries(ctx);
    }
  };

  const drive = async (w: Worker) => {
    await w.ready;
    while (!stopping() && w.alive) {
      if (a.queue) {
        attempts++;
        let reply: FromWorker;
        try {
          reply = await request(w, { t: 'claim' });
        } catch (e) {
          if (e instanceof WorkerDied) await recoverReservation(w);
          throw e;
        }
        if (reply.t === 'empty') {
          attempts--;
          exhausted = true;
          return;
        }
        if (reply.t === 'result') handle(w, reply);
      } else {
        const raw = await nextKey();
        if (!raw) {
          exhausted = true;
          return;
        }
        attempts++;
        let reply: FromWorker;
        try {
          reply = await request(w, { t: 'run', raw });
        } catch (e) {
          if (e instanceof WorkerDied) {
            retry.push(raw);
            attempts--;
          }
          throw e;
        }
        if (reply.t === 'result') handle(w, reply);
      }
    }
  };

  const onInterrupt = () => {
    for (const w of workers) if (w.alive) post(w, { t: 'interrupt', signal: a.interrupt.signal ?? 'SIGINT' });
  };
  a.interrupt.promise.catch((e) => {
    if (e instanceof InterruptedError) onInterrupt();
  });

  try {
    for (let i = 0; i < a.processes; i++) workers.push(spawnWorker());
    let fatal: Error | undefined;
    // A worker that dies is replaced by none: the others drain the work it left.
    const drivers = workers.map((w) =>
      drive(w).catch((e: Error) => {
        if (!(e instanceof WorkerDied)) fatal ??= e;
      }),
    );
    drivers.push(
      local().catch((e: Error) => {
        fatal ??= e;
      }),
    );
    await Promise.all(drivers);
    // Work a dead worker handed back while the others were finishing.
    const survivors = workers.filter((w) => w.alive);
    while (!stopping() && survivors.length > 0 && (retry.length > 0 || a.queue)) {
      const before = attempts;
      await Promise.all(survivors.map((w) => drive(w).catch(() => undefined)));
      if (attempts === before) break;
    }
    if (fatal && a.report.done + a.report.failed === 0) throw fatal;
    // The parent carried on alone: say why the workers did not help.
    if (fatal) process.emitWarning(`populate: worker processes failed (${(fatal as Error).message}); the keys were computed in the main process.`, { code: 'DJ_POPULATE_WORKERS' });
    if (workers.every((w) => !w.alive) && !stopping() && (retry.length > 0 || !exhausted)) {
      throw fatal ?? new Error('populate: every worker process exited before the work was done.');
    }
  } finally {
    for (const w of workers) if (w.alive) post(w, { t: 'stop' });
    const deadline = Date.now() + 10_000;
    while (workers.some((w) => w.alive) && Date.now() < deadline) await sleep(20);
    killAll();
    exitHooks.delete(killAll);
    await keys?.return(undefined);
  }
  return { firstError };
}
