// The runtime on the embedded database, as a user with no database configured gets it:
// temporary project folders, an environment without any DJ_* variable (so nothing points at
// a server), `djx` run from sources, and waits on file-system events (never fixed sleeps).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseEvent, type PopulateEvent } from '../../../runtime/populate/index';

export const ROOT = resolve(__dirname, '..', '..', '..');
export const CLI = join(ROOT, 'runtime', 'cli', 'populate', 'standalone.ts');
export const FULL_CLI = join(ROOT, 'runtime', 'cli', 'main.ts');

const temps: string[] = [];

/** A temporary project folder (removed by cleanupProjects). */
export function projectDir(prefix = 'dj-emb-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}

/**
 * A variable the runtime reads (DJ_HOST, DJ_BACKEND, …). The test script's DJ_TEST_* (its
 * servers, DataJoint for Python's interpreter) are not among them and stay.
 */
const runtimeVariable = (k: string) => k.startsWith('DJ_') && !k.startsWith('DJ_TEST_');

/** The environment of a process that has no database configured: no runtime DJ_* at all, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!runtimeVariable(k)) env[k] = v;
  // The servers these tests start exit soon after their last client, whatever happens here.
  return { DJ_EMBEDDED_IDLE_MS: '20000', ...env, ...extra };
}

/** Removes every runtime DJ_* variable from this process's environment (the fixture modules read it) and sets `extra`. */
export function clearProcessEnv(extra: Record<string, string> = {}): void {
  for (const k of Object.keys(process.env)) if (runtimeVariable(k)) delete process.env[k];
  Object.assign(process.env, { DJ_EMBEDDED_IDLE_MS: '20000' }, extra);
}

export function pidRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Resolves once `check` holds, looking again on every change in `dir` (and every 250 ms,
 * for what leaves no file event: a process exiting). No time limit: a wait that never ends is
 * the test runner's to report; an error of `check` rejects, naming what was awaited.
 */
export function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, dir: string): Promise<T> {
  return new Promise<T>((res, rej) => {
    let done = false;
    let busy = false;
    let again = false;
    const finish = (f: () => void) => {
      done = true;
      clearInterval(timer);
      watcher?.close();
      f();
    };
    const look = async () => {
      if (done) return;
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      try {
        const v = await check();
        if (v !== undefined && v !== false) return finish(() => res(v));
      } catch (e) {
        return finish(() => rej(new Error(`while waiting for ${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e })));
      } finally {
        busy = false;
      }
      if (again) {
        again = false;
        void look();
      }
    };
    let watcher: ReturnType<typeof watch> | undefined;
    try {
      watcher = watch(dir, () => void look());
      watcher.on('error', () => undefined);
    } catch {
      // No watching here: the interval alone.
    }
    const timer = setInterval(() => void look(), 250);
    void look();
  });
}

/** The pid in a folder's discovery file, if a process serves its embedded database. */
export function servingPid(embeddedDir: string): number | undefined {
  try {
    const r = JSON.parse(readFileSync(join(embeddedDir, 'server.json'), 'utf8')) as { pid?: unknown };
    return typeof r.pid === 'number' && pidRuns(r.pid) ? r.pid : undefined;
  } catch {
    return undefined;
  }
}

/** Stops the server of a folder's embedded database (started by these tests) and waits for its exit. */
export async function stopServer(embeddedDir: string): Promise<void> {
  const pid = servingPid(embeddedDir);
  if (pid === undefined) return;
  process.kill(pid, 'SIGTERM');
  await waitFor('the embedded server to exit', () => !pidRuns(pid), embeddedDir);
}

/** Stops the servers of every project folder made here and removes the folders. */
export async function cleanupProjects(): Promise<void> {
  for (const d of temps.splice(0)) {
    const dj = join(d, '.datajoint');
    if (existsSync(dj)) await stopServer(dj);
    rmSync(d, { recursive: true, force: true });
  }
}

export interface CliRun {
  pid: number;
  events: PopulateEvent[];
  stdout(): string;
  stderr(): string;
  done: Promise<number>;
}

/** `djx` from sources (populate, make, jobs, progress; `full`: every command) in `env`. */
export function djx(args: string[], env: NodeJS.ProcessEnv, options: { full?: boolean; cwd?: string } = {}): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', options.full ? FULL_CLI : CLI, ...args], { cwd: options.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: PopulateEvent[] = [];
  let out = '';
  let err = '';
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const e = parseEvent(buf.slice(0, i));
      if (e) events.push(e);
      buf = buf.slice(i + 1);
    }
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<number>((r) => child.on('close', (code, signal) => r(code ?? (signal ? 128 : 1))));
  return { pid: child.pid!, events, stdout: () => out, stderr: () => err, done };
}

