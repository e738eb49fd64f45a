// Two worker hosts against one server, as a lab runs them: each host is a network namespace
// of this machine (`ip netns`, a veth pair into a bridge of the test's own) with its own host
// name (a UTS namespace), and reaches the server through a TCP relay on the bridge's address
// (the test's MariaDB listens on loopback only; scripts/worker-hosts.mjs). Our `djx populate --reserve-jobs` workers
// run there as real processes. Shown:
// - two hosts, two workers each: every key made once, by both hosts;
// - a host cut off from the network (its veth down) while it holds a reservation: while its
//   connection lingers on the server nothing takes the key (its holder counts as alive), the
//   other host makes every other key; once the server's end of that connection closes (as
//   its wait_timeout or TCP keepalive would end it; here the relay closes it), the holder is
//   no longer known alive and the orphan rule (`recover --older-than`) gives the key back,
//   another worker makes it, and the cut-off make, rolled back by the server, left nothing.
// Needs root (network namespaces), as CI has; a developer without root gets the message below.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { jobsFor } from '../../../runtime/populate/index';
import { testServer } from '../runtime/helpers';
import { calls, range, reset, rows, setup, type Env } from '../populate/helpers';

const CLI = join(__dirname, '..', '..', '..', 'runtime', 'cli', 'populate', 'standalone.ts');
const PIPELINE = join(__dirname, '..', '..', 'fixtures', 'pipelines', 'counting.ts');

interface Host {
  name: string;
  address: string;
}
interface WorkerHosts {
  hosts: Host[];
  relay: { host: string; port: number };
  spawn(h: Host, argv: string[], options: { env: NodeJS.ProcessEnv }): ChildProcess;
  cut(h: Host): void;
  restore(h: Host): void;
  closeServerSide(h: Host): void;
  stop(): Promise<void>;
}
// @ts-expect-error: plain ESM script without type declarations
const hostsModule = import('../../../scripts/worker-hosts.mjs') as Promise<{ startWorkerHosts(o: { names: string[]; server: { host: string; port: number } }): Promise<WorkerHosts>; workerHostsUnavailable(): string | undefined }>;

let env: Env;
let net: WorkerHosts;

before(async () => {
  const { startWorkerHosts, workerHostsUnavailable } = await hostsModule;
  const why = workerHostsUnavailable();
  if (why) throw new Error(`test/integration/hosts: ${why} Without root, leave this folder out (node scripts/test.mjs --match …).`);
  env = await setup('djhosts');
  const s = await testServer();
  net = await startWorkerHosts({ names: ['worker-a', 'worker-b'], server: { host: s.host, port: s.port } });
});

after(async () => {
  await net?.stop();
  await env?.close();
});

interface Worker {
  child: ChildProcess;
  exited: Promise<number>;
  output: () => string;
}

/** `djx populate Analysis --reserve-jobs` on a host: its namespace, its host name, the relay as DJ_HOST. */
function worker(h: Host): Worker {
  const child = net.spawn(h, [process.execPath, '--import', 'tsx', CLI, 'populate', PIPELINE, 'Analysis', '--reserve-jobs', '--suppress-errors', '--progress', 'never'], {
    env: { ...process.env, DJ_HOST: net.relay.host, DJ_PORT: String(net.relay.port), DJ_JOBS_KEEP_COMPLETED: 'true' },
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number>((res) => child.on('exit', (code, signal) => res(code ?? (signal ? 128 : 1))));
  return { child, exited, output: () => out };
}

const J = () => `\`${env.schema}\`.\`~~analysis\``;
const made = async () => (await rows<{ subject_id: number }>(env, `SELECT subject_id FROM \`${env.schema}\`.__analysis ORDER BY subject_id`)).map((r) => Number(r.subject_id));

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  while (!(await probe())) await new Promise((r) => setTimeout(r, 50));
  void what;
}

test('two hosts with two workers each: every key made once, by both hosts', async () => {
  // Each make takes a moment, so that the four workers all find keys.
  await reset(env, range(16).map((subject_id) => ({ subject_id, delay_ms: 150 })));
  const [a, b] = net.hosts as [Host, Host];
  const workers = [worker(a), worker(a), worker(b), worker(b)];
  const codes = await Promise.all(workers.map((w) => w.exited));
  assert.deepEqual(codes, [0, 0, 0, 0], workers.map((w) => w.output()).join('\n---\n'));
  assert.deepEqual(await made(), range(16));
  const n = await calls(env, 'analysis');
  assert.deepEqual([...n.values()].filter((c) => c !== 1), [], `a key made more than once: ${JSON.stringify([...n])}`);
  const byHost = await rows<{ host: string; n: number }>(env, `SELECT host, COUNT(*) AS n FROM ${J()} WHERE status = 'success' GROUP BY host ORDER BY host`);
  assert.deepEqual(byHost.map((r) => r.host), ['worker-a', 'worker-b'], 'both hosts made keys, each under its own name');
  assert.equal(byHost.reduce((s, r) => s + Number(r.n), 0), 16);
});

test('a host cut off while it holds a key: nothing taken while its connection lingers, recovered once the server closes it, made once', async () => {
  // Key 1's make takes far longer than the test: it is in flight when its host is cut off.
  await reset(env, [{ subject_id: 1, delay_ms: 600_000 }]);
  const [hostA, hostB] = net.hosts as [Host, Host];
  const a = worker(hostA);
  await until('host A reserves key 1 and its make starts', async () => (await calls(env, 'analysis')).get(1) === 1);
  const [held] = await rows<{ host: string; connection_id: number }>(env, `SELECT host, connection_id FROM ${J()} WHERE subject_id = 1 AND status = 'reserved'`);
  assert.equal(held?.host, 'worker-a');
  net.cut(hostA);

  await env.sql.query(`INSERT INTO \`${env.schema}\`.subject (subject_id, name, delay_ms, work) VALUES ?`, [range(5, 2).map((id) => [id, '', 0, 0])]);
  const b = worker(hostB);
  assert.equal(await b.exited, 0, b.output());
  assert.deepEqual(await made(), [2, 3, 4, 5, 6], 'host B made every key but the one host A holds');
  const jobs = jobsFor(env.pipeline.Analysis);
  const [reserved] = await jobs.reserved();
  assert.equal(reserved?.holder, 'alive', 'its connection is still listed: the holder counts as alive');
  assert.deepEqual(await jobs.recover({ olderThan: 0.001 }), { rePended: [], completed: [] }, 'the orphan rule leaves a live holder alone');

  // The server's end of host A's connections closes, as wait_timeout or keepalive would end it.
  net.closeServerSide(hostA);
  await until('the server no longer lists host A\'s session', async () => {
    const [r] = await rows<{ n: number }>(env, 'SELECT COUNT(*) AS n FROM information_schema.processlist WHERE id = ?', [held!.connection_id]);
    return Number(r!.n) === 0;
  });
  const [orphan] = await jobs.reserved();
  assert.equal(orphan?.holder, 'unknown', 'on another host and its connection closed: not known to be alive');
  assert.deepEqual((await jobs.recover()).rePended, [], 'the holder rule alone does not take it: the host is not this machine');
  const recovered = await jobs.recover({ olderThan: 0.001 });
  assert.deepEqual(recovered.rePended.map((k) => Number(k.subject_id)), [1]);

  // Another worker makes it now (a short make this time).
  await env.sql.query(`UPDATE \`${env.schema}\`.subject SET delay_ms = 0 WHERE subject_id = 1`);
  const again = worker(hostB);
  assert.equal(await again.exited, 0, again.output());
  assert.deepEqual(await made(), range(6), 'every key once');
  assert.equal((await calls(env, 'analysis')).get(1), 2, "key 1 was made twice, and the cut-off host's make left nothing");
  const [row] = await rows<{ status: string; host: string }>(env, `SELECT status, host FROM ${J()} WHERE subject_id = 1`);
  assert.deepEqual({ ...row }, { status: 'success', host: 'worker-b' });

  // Host A back on the network: its worker finds its session gone and ends; nothing changes.
  net.restore(hostA);
  a.child.kill('SIGKILL');
  await a.exited;
  assert.deepEqual(await made(), range(6));
});
