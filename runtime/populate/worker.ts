// The worker process side of populate with processes > 1 (see workers.ts): loads the
// pipeline module, opens its own connections, and runs make for the keys or claims it is
// given, one at a time.
import { JobQueue } from '../jobs/queue';
import { jobVersion, workerIdentity } from '../jobs/identity';
import { targetFromTable } from './adapter';
import { openControl } from './control';
import { Interrupt } from './interrupt';
import type { KeySource } from './keysource';
import { findTable, loadPipelineModule } from './load';
import { jobsTargetOf } from './populate';
import { serializeError, type FromWorker, type ToWorker, type WorkerInit } from './protocol';
import { closeSeries, openSeries, populateKey, type Outcome, type RunContext } from './runner';
import type { Key } from './target';

function toWire(o: Outcome): Extract<FromWorker, { t: 'result' }>['outcome'] {
  if (o.status === 'done') return { status: 'done', durationMs: o.durationMs };
  if (o.status === 'skipped') return { status: 'skipped' };
  return { status: o.status, message: o.message, error: serializeError(o.error) };
}

export function runWorker(): void {
  const interrupt = new Interrupt();
  // The parent may be gone (killed); results then have nowhere to go.
  const send = (m: FromWorker) => {
    if (process.connected) process.send?.(m, undefined, undefined, () => undefined);
  };
  let ctx: RunContext | undefined;
  let init: WorkerInit | undefined;
  let closeControl: (() => Promise<void>) | undefined;
  let chain = Promise.resolve();

  // The parent is gone (killed: the IPC channel closes at once) or this worker was
  // signalled: interrupt the key in progress (rolled back, its job pending again, never an
  // error job) and exit. The parent's own stop requests arrive as messages instead.
  let leaving = false;
  const leave = () => {
    if (leaving) process.exit(130);
    leaving = true;
    interrupt.abort('SIGTERM');
    void chain
      .then(async () => {
        if (ctx) await closeSeries(ctx);
        await closeControl?.();
      })
      .finally(() => process.exit(0));
  };
  process.on('disconnect', leave);
  process.on('SIGINT', leave);
  process.on('SIGTERM', leave);

  const run = async (raw: Key): Promise<void> => {
    const key = ctx!.target.decodeKey(raw);
    const outcome = await populateKey(ctx!, raw, key);
    send({ t: 'result', raw, key, outcome: toWire(outcome) });
  };

  const handle = async (m: ToWorker): Promise<void> => {
    switch (m.t) {
      case 'init': {
        init = m;
        const mod = await loadPipelineModule(m.module);
        const target = await targetFromTable(findTable(mod, m.exportName, m.module));
        const control = await openControl(target.server);
        closeControl = control.close;
        const queue = m.reserveJobs ? new JobQueue(control.session, await jobsTargetOf(target), target.jobs) : undefined;
        ctx = {
          target,
          control: control.session,
          queue,
          who: queue ? await workerIdentity(control.session, target.jobs.versionMethod) : undefined,
          kwargs: m.kwargs,
          interrupt,
          jobMetadata: await target.hasJobMetadata(),
          version: jobVersion(target.jobs.versionMethod),
        };
        openSeries(ctx);
        send({ t: 'ready', pid: process.pid, connectionId: await control.session.connectionId() });
        return;
      }
      case 'run':
        return run(m.raw);
      case 'claim': {
        const source: KeySource | undefined = init!.source;
        const queue = ctx!.queue!;
        let raw = interrupt.stopped ? undefined : await queue.claim(ctx!.who!, { priority: init!.priority, source });
        // Interrupted while claiming: the job was never started, so it goes back untouched.
        if (raw && interrupt.stopped) {
          await queue.release(raw, await ctx!.control.connectionId());
          raw = undefined;
        }
        if (!raw) send({ t: 'empty' });
        else await run(raw);
        return;
      }
      case 'stop':
        if (ctx) await closeSeries(ctx);
        await closeControl?.();
        process.exit(0);
    }
  };

  process.on('message', (m: ToWorker) => {
    if (m.t === 'interrupt') return interrupt.abort(m.signal);
    chain = chain.then(() => handle(m)).catch((e: unknown) => {
      send({ t: 'fatal', message: e instanceof Error ? e.message : String(e) });
      setTimeout(() => process.exit(1), 100);
    });
  });
}
