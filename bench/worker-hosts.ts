// The worker-hosts section of npm run bench:populate (issue 15): 8 workers, 4 on each of two
// simulated hosts (network namespaces with host names of their own, scripts/worker-hosts.mjs),
// share 5,000 keys of a 20 ms make through the jobs table: ours (`djx populate
// --reserve-jobs`, one process each) and then DataJoint for Python's
// (populate(reserve_jobs=True)) on the same tables and server. Keys/s is counted from the
// first make's row to the last one's (`made_ms`), so the workers' start-up is left out on
// both sides; the ideal is 8 workers x 50 keys/s. Needs root, as the simulated hosts do.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

const KEYS = Number(process.env.DJ_BENCH_HOSTS_KEYS ?? 5000);
const PER_HOST = 4;
const MAKE_MS = 20;

interface Host {
  name: string;
}
interface WorkerHosts {
  hosts: Host[];
  relay: { host: string; port: number };
  spawn(h: Host, argv: string[], options: { env: NodeJS.ProcessEnv }): ChildProcess;
  stop(): Promise<void>;
}

export interface HostsFigures {
  side: 'ours' | 'reference';
  keys: number;
  seconds: number;
  keysPerSecond: number;
}

function exited(child: ChildProcess, what: string): Promise<void> {
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-3000)));
  child.stdout?.resume();
  return new Promise((resolve, reject) =>
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${what} exited with ${code ?? signal}:\n${err}`)))),
  );
}

/**
 * Runs both sides on `server`; resolves to their figures. `python`: the interpreter with
 * DataJoint for Python 2.x.
 */
export async function benchWorkerHosts(server: { host: string; port: number; user: string; password: string }, python: string): Promise<HostsFigures[]> {
  // @ts-expect-error: plain ESM script without type declarations
  const { startWorkerHosts } = (await import('../scripts/worker-hosts.mjs')) as { startWorkerHosts(o: { names: string[]; server: { host: string; port: number } }): Promise<WorkerHosts> };
  const schemaName = `djbench_hosts_${randomBytes(3).toString('hex')}`;
  const env: NodeJS.ProcessEnv = { ...process.env, DJ_HOST: server.host, DJ_PORT: String(server.port), DJ_USER: server.user, DJ_PASS: server.password, DJ_USE_TLS: 'false', DJ_PIPELINE_SCHEMA: schemaName };
  Object.assign(process.env, { DJ_HOST: server.host, DJ_PORT: String(server.port), DJ_USER: server.user, DJ_PASS: server.password, DJ_USE_TLS: 'false', DJ_PIPELINE_SCHEMA: schemaName });
  const p = await import('../test/fixtures/pipelines/hosts-bench');
  const conn = await p.schema.connection();
  const q = (t: string) => conn.dialect.qualified(schemaName, t);
  const net = await startWorkerHosts({ names: ['bench-a', 'bench-b'], server });
  const onHost: NodeJS.ProcessEnv = { ...env, DJ_HOST: net.relay.host, DJ_PORT: String(net.relay.port), PYTHONWARNINGS: 'ignore:MariaDB is not officially supported,ignore:No datajoint.json found' };
  const cli = join(__dirname, '..', 'runtime', 'cli', 'populate', 'standalone.ts');
  const module = join(__dirname, '..', 'test', 'fixtures', 'pipelines', 'hosts-bench.ts');
  const pyScript = join(__dirname, '..', 'test', 'fixtures', 'python', 'hosts_bench.py');
  const out: HostsFigures[] = [];
  try {
    await p.schema.declare();
    await conn.execute(`INSERT INTO ${q('source')} (source_id) SELECT seq FROM ${q(`seq_1_to_${KEYS}`)}`);
    const sides: Array<{ side: HostsFigures['side']; argv: string[] }> = [
      { side: 'ours', argv: [process.execPath, '--import', 'tsx', cli, 'populate', module, 'Slow', '--reserve-jobs', '--progress', 'never'] },
      { side: 'reference', argv: [python, pyScript] },
    ];
    for (const { side, argv } of sides) {
      await conn.execute(`DELETE FROM ${q('__slow')}`);
      await conn.execute(`DROP TABLE IF EXISTS ${q('~~slow')}`);
      const runs = net.hosts.flatMap((h) => Array.from({ length: PER_HOST }, (_, i) => exited(net.spawn(h, argv, { env: { ...onHost, ...(side === 'ours' ? {} : { PYTHONUNBUFFERED: '1' }) } }), `${side} worker ${h.name}#${i + 1}`)));
      await Promise.all(runs);
      const [r] = await conn.query<{ n: unknown; first: unknown; last: unknown; twice: unknown }>(
        `SELECT COUNT(*) AS n, MIN(made_ms) AS first, MAX(made_ms) AS last, COUNT(*) - COUNT(DISTINCT source_id) AS twice FROM ${q('__slow')}`,
      );
      const keys = Number(r!.n);
      if (keys !== KEYS) throw new Error(`${side}: ${keys} of ${KEYS} keys made`);
      // The first row was made MAKE_MS after its make began.
      const seconds = (Number(r!.last) - Number(r!.first) + MAKE_MS) / 1000;
      out.push({ side, keys, seconds, keysPerSecond: keys / seconds });
    }
  } finally {
    await net.stop();
    await conn.execute(`DROP DATABASE IF EXISTS ${conn.dialect.quote(schemaName)}`).catch(() => undefined);
  }
  return out;
}

/** The ideal: every worker always inside a make. */
export const IDEAL_KEYS_PER_SECOND = 2 * PER_HOST * (1000 / MAKE_MS);
