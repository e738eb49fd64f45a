// The real DataJoint for Python beside our runtime: its interpreter (DJ_TEST_PYTHON from the
// test script, or the test environment made here when a file runs on its own: never a
// skip), Python runs on a simulated second host, and our CLI run from sources.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { constants } from 'node:os';

const ROOT = join(__dirname, '..', '..', '..');
export const PYTHON_FIXTURES = join(ROOT, 'test', 'fixtures', 'python');
const CLI = join(ROOT, 'runtime', 'cli', 'populate', 'standalone.ts');
/** The `djx` users run: bin/djx.js, which loads the bundle dist/cli.js. */
const BUNDLED_CLI = join(ROOT, 'bin', 'djx.js');

let interpreter: Promise<string> | undefined;

/** The interpreter of the environment with DataJoint for Python; throws when it cannot be made. */
export function pythonInterpreter(): Promise<string> {
  interpreter ??= (async () => {
    if (process.env.DJ_TEST_PYTHON) return process.env.DJ_TEST_PYTHON;
    // @ts-expect-error: plain ESM script without type declarations
    const { pythonEnv } = (await import('../../../scripts/python-env.mjs')) as { pythonEnv(): string };
    return pythonEnv();
  })();
  return interpreter;
}

// DataJoint warns on every connection to MariaDB, and without a datajoint.json: expected
// here, so kept out of the output (python-side.md).
const PYTHON_WARNINGS = 'ignore:MariaDB is not officially supported,ignore:No datajoint.json found';

export interface Run {
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Exit status (128 + n for a signal). */
  done: Promise<number>;
  exited(): boolean;
}

function track(cmd: string, args: string[], env: NodeJS.ProcessEnv): Run {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let exited = false;
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<number>((resolve) =>
    child.on('close', (code, signal) => {
      exited = true;
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    }),
  );
  child.on('error', (e) => {
    err += `spawn ${cmd}: ${e.message}\n`;
  });
  return { pid: child.pid ?? 0, stdout: () => out, stderr: () => err, done, exited: () => exited };
}

/**
 * A fixture script under test/fixtures/python/ run by DataJoint's interpreter; with `host`,
 * in a UTS namespace of its own under that host name (`unshare --uts`, needs root), so its
 * jobs rows record another host, as a worker on a second machine does.
 */
export async function runPython(script: string, args: string[], opts: { host?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const py = await pythonInterpreter();
  const env = { ...process.env, PYTHONUNBUFFERED: '1', PYTHONWARNINGS: PYTHON_WARNINGS, ...opts.env };
  const argv = [py, join(PYTHON_FIXTURES, script), ...args];
  if (!opts.host) return track(argv[0]!, argv.slice(1), env);
  return track('unshare', ['--uts', 'sh', '-c', 'hostname "$1" && shift && exec "$@"', 'sh', opts.host, ...argv], env);
}

/** Our `djx` (populate, jobs, progress) from sources. */
export function runDj(args: string[], env: Record<string, string> = {}): Run {
  return track(process.execPath, ['--import', 'tsx', CLI, ...args], { ...process.env, ...env });
}

/**
 * The bundled `djx` (bin/djx.js) as users run it. `npm test` builds the bundle first; a lone
 * run of a test file builds it once when it is missing (never rebuilds under other tests).
 */
export function runBundledDj(args: string[], env: Record<string, string> = {}): Run {
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) {
    const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('build of dist/cli.js failed');
  }
  return track(process.execPath, [BUNDLED_CLI, ...args], { ...process.env, ...env });
}

/**
 * The JSON lines a run printed on stdout (`djx populate --json` events, a fixture's
 * result), other output (DataJoint's progress and log lines) left out.
 */
export function jsonLines<T = Record<string, unknown>>(run: Run): T[] {
  const out: T[] = [];
  for (const line of run.stdout().split('\n')) {
    if (!line.startsWith('{') && !line.startsWith('[')) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // not JSON: a log line in brackets
    }
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until `cond` holds, checking every few milliseconds; fails at once when one of
 * the `watch`ed processes ends first (with its output), so a broken run never hangs.
 */
export async function waitUntil(what: string, cond: () => Promise<boolean>, watch: readonly Run[] = []): Promise<void> {
  for (;;) {
    if (await cond()) return;
    const gone = watch.find((r) => r.exited());
    if (gone) throw new Error(`${what}: process ${gone.pid} exited first (${await gone.done})\nstdout:\n${gone.stdout()}\nstderr:\n${gone.stderr()}`);
    await sleep(25);
  }
}

/** What a server's test address looks like here (test/integration/runtime/helpers.ts: TestServer). */
interface ServerLike {
  backend: 'mysql' | 'postgresql';
  host: string;
  port: number;
  user: string;
  password: string;
  database?: string;
}

/**
 * The DJ_* variables that point DataJoint (ours, and for Python the same names:
 * settings.py ENV_VAR_MAPPING) at the test server of either backend.
 */
export function dbEnv(s: ServerLike): Record<string, string> {
  const env: Record<string, string> = { DJ_HOST: s.host, DJ_PORT: String(s.port), DJ_USER: s.user, DJ_PASS: s.password, DJ_USE_TLS: 'false' };
  if (s.backend === 'postgresql') Object.assign(env, { DJ_BACKEND: 'postgresql', DJ_DATABASE_NAME: s.database ?? 'postgres' });
  else Object.assign(env, { DJ_BACKEND: 'mysql' });
  return env;
}

/**
 * `pg_dump --schema-only` of one PostgreSQL schema, with the schema's name written {db}
 * and pg_dump's own comments and session settings left out: what the server stores, for
 * comparing a schema we declared with one DataJoint for Python declared.
 */
export async function pgSchemaDump(s: ServerLike, schema: string): Promise<string> {
  // @ts-expect-error: plain ESM script without type declarations
  const { postgresBinDir } = (await import('../../../scripts/postgres.mjs')) as { postgresBinDir(): string };
  const r = spawnSync(
    join(postgresBinDir(), 'pg_dump'),
    ['--schema-only', '--no-owner', '--no-privileges', '-h', s.host, '-p', String(s.port), '-U', s.user, '-n', schema, s.database ?? 'postgres'],
    // The password through the environment, never the command line.
    { encoding: 'utf8', env: { ...process.env, PGPASSWORD: s.password } },
  );
  if (r.status !== 0) throw new Error(`pg_dump failed (${r.status}): ${r.stderr}`);
  return r.stdout
    .split('\n')
    // \restrict and \unrestrict carry a random key per dump (pg_dump 15.14 and later).
    .filter((l) => l.trim() !== '' && !l.startsWith('--') && !/^SET |^SELECT pg_catalog\.set_config|^\\(un)?restrict /.test(l))
    .join('\n')
    .replaceAll(schema, '{db}');
}
