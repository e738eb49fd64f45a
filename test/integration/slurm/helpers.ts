// The SLURM tests' cluster and pipeline: the one-node cluster scripts/test.mjs started
// (DJ_TEST_SLURM_CONF), else one of this file's own (scripts/slurm.mjs: needs root and
// Debian's slurm-wlm; without them it throws saying so — run these tests as root, as CI
// does); the chain pipeline (test/fixtures/pipelines/chain.ts and, for DataJoint for
// Python, test/fixtures/python/worker_chain.py) in a schema of its own on the test server.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { testServer, type TestServer } from '../runtime/helpers';
import { connectSql, type TestSql } from '../populate/helpers';
import { sbatchScript, type SbatchOptions } from '../../../runtime/slurm/sbatch-script';
import { submitScript } from '../../../runtime/slurm/cluster';

const ROOT = join(__dirname, '..', '..', '..');
export const CHAIN_TS = join(ROOT, 'test', 'fixtures', 'pipelines', 'chain.ts');
export const CHAIN_PY = join(ROOT, 'test', 'fixtures', 'python', 'worker_chain.py');
/** `djx` from the sources, by absolute paths (the tasks run in a folder of their own). */
export const DJX = [process.execPath, '--import', join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs'), join(ROOT, 'runtime', 'cli', 'main.ts')];

export interface Cluster {
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function cluster(): Promise<Cluster> {
  if (process.env.DJ_TEST_SLURM_CONF) return { env: { ...process.env, SLURM_CONF: process.env.DJ_TEST_SLURM_CONF }, stop: async () => undefined };
  // @ts-expect-error: a plain ES module of the scripts (no types)
  const { startSlurm } = (await import('../../../scripts/slurm.mjs')) as { startSlurm(): Promise<{ env: Record<string, string>; stop(): Promise<void> }> };
  const s = await startSlurm();
  return { env: { ...process.env, ...s.env }, stop: s.stop };
}

export interface ChainEnv {
  schema: string;
  server: TestServer;
  sql: TestSql;
  /** Where the tasks run and their logs go. */
  dir: string;
  /** The workers' environment: the connection (the password too: sbatch passes it on, the script never holds it). */
  jobEnv: NodeJS.ProcessEnv;
  q(table: string): string;
  close(): Promise<void>;
}

export async function chain(prefix: string, slurm: Cluster): Promise<ChainEnv> {
  const server = await testServer();
  const schema = `${prefix}_${randomBytes(4).toString('hex')}`;
  const connection = {
    DJ_HOST: server.host,
    DJ_PORT: String(server.port),
    DJ_USER: server.user,
    DJ_PASS: server.password,
    DJ_USE_TLS: 'false',
    DJ_BACKEND: server.backend,
    DJ_PIPELINE_SCHEMA: schema,
    ...(server.backend === 'postgresql' ? { DJ_DATABASE_NAME: server.database ?? 'postgres' } : {}),
  };
  // Declared by a process of its own: the fixture binds its schema when first imported, and each test has its own.
  await new Promise<void>((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', '-e', `import(${JSON.stringify(CHAIN_TS)}).then(async (x) => { const m = x.setupChain ? x : x.default; await m.setupChain(); await (await m.schema.connection()).close(); })`],
      { env: { ...process.env, ...connection }, cwd: ROOT },
      (e, _out, err) => (e ? reject(new Error(`declaring the chain pipeline failed: ${err || e.message}`)) : resolve()),
    ),
  );
  const sql = await connectSql();
  const dir = mkdtempSync(join(tmpdir(), 'dj-slurm-run-'));
  const q = (t: string) => (server.backend === 'postgresql' ? `"${schema}"."${t}"` : `\`${schema}\`.\`${t}\``);
  return {
    schema,
    server,
    sql,
    dir,
    jobEnv: { ...slurm.env, ...connection },
    q,
    async close() {
      await sql.query(`DROP DATABASE IF EXISTS \`${schema}\``);
      await sql.end();
      rmSync(dir, { recursive: true, force: true });
      await server.stop();
    },
  };
}

export async function count(env: ChainEnv, sql: string, params: unknown[] = []): Promise<number> {
  const [r] = await env.sql.query(sql, params);
  return Number((r as Array<Record<string, unknown>>)[0]!.n);
}

/** Writes the script of these options into the run folder and submits it; the job id. */
export async function submit(env: ChainEnv, name: string, o: Omit<SbatchOptions, 'jobName' | 'logDir' | 'workdir' | 'djx'>): Promise<{ id: string; script: string }> {
  const text = sbatchScript({ ...o, jobName: name, logDir: env.dir, workdir: env.dir, djx: DJX });
  const file = join(env.dir, `${name}.sbatch`);
  writeFileSync(file, text, { mode: 0o755 });
  return { id: await submitScript(file, { cwd: env.dir, env: env.jobEnv }), script: text };
}

function scontrol(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => execFile('scontrol', args, { env, encoding: 'utf8' }, (e, out, err) => (e ? reject(new Error(`scontrol ${args.join(' ')}: ${err || e.message}`)) : resolve(out))));
}

export interface TaskState {
  task: string;
  state: string;
  exitCode: string;
  runSeconds: number;
}

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE']);

/** The tasks of an array job as scontrol shows them (one line each). */
export async function tasks(jobId: string, env: NodeJS.ProcessEnv): Promise<TaskState[]> {
  const out = await scontrol(['show', 'job', '-o', jobId], env);
  const field = (line: string, name: string) => new RegExp(`(?:^|\\s)${name}=(\\S*)`).exec(line)?.[1] ?? '';
  const toSeconds = (t: string) => t.split(/[-:]/).map(Number).reduce((a, n) => a * 60 + n, 0);
  return out
    .split('\n')
    .filter((l) => l.includes('JobId='))
    .map((l) => ({ task: `${field(l, 'ArrayJobId') || field(l, 'JobId')}_${field(l, 'ArrayTaskId') || '0'}`, state: field(l, 'JobState'), exitCode: field(l, 'ExitCode'), runSeconds: toSeconds(field(l, 'RunTime')) }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves when `check` holds, looked at every `everyMs` (an event of the database or the cluster). */
export async function until<T>(check: () => Promise<T | undefined | false>, everyMs = 200): Promise<T> {
  for (;;) {
    const v = await check();
    if (v) return v;
    await sleep(everyMs);
  }
}

/** Resolves with the tasks once every one of them has ended. */
export function ended(jobId: string, env: NodeJS.ProcessEnv, expected: number): Promise<TaskState[]> {
  return until(async () => {
    const t = await tasks(jobId, env);
    // A pending array shows as one line until its tasks start.
    return t.length >= expected && t.every((x) => TERMINAL.has(x.state)) ? t : undefined;
  }, 300);
}

/** Every task's log, for a failing assertion's message. */
export function logs(env: ChainEnv): string {
  return readdirSync(env.dir)
    .filter((f) => f.endsWith('.out'))
    .map((f) => `--- ${f}\n${readFileSync(join(env.dir, f), 'utf8').slice(-3000)}`)
    .join('\n');
}
