// `djx populate` as a real child process for the stop and summary tests: events on fd 3
// (`--json-events 3`, as the extension runs it) while stderr carries the human summary;
// stop requests as signals or as lines on stdin (`--stop-on-stdin`).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { parseEvent, type EndEvent, type PopulateEvent } from '../../../runtime/populate/index';
import { rows, type Env } from './helpers';

export const CLI = join(__dirname, '..', '..', '..', 'runtime', 'cli', 'populate', 'standalone.ts');

export interface CliRun {
  pid: number;
  events: PopulateEvent[];
  stderr(): string;
  /** Exit status (128 + … when killed by a signal is reported as 128). */
  done: Promise<number>;
  /** A signal, or with `stdin: true` a stop request line. */
  stop(request: 'SIGINT' | 'SIGTERM'): void;
  kill(signal: NodeJS.Signals): void;
  /** Resolves at the first event that satisfies `cond` (checked on every event). */
  waitEvent(cond: (e: PopulateEvent, all: PopulateEvent[]) => boolean): Promise<PopulateEvent>;
  end(): EndEvent | undefined;
}

export function dj(args: string[], opts: { stdin?: boolean; env?: Record<string, string> } = {}): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args, '--json-events', '3', ...(opts.stdin ? ['--stop-on-stdin'] : [])], {
    env: { ...process.env, ...opts.env },
    stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
  });
  const events: PopulateEvent[] = [];
  const waiters: Array<{ cond: (e: PopulateEvent, all: PopulateEvent[]) => boolean; resolve: (e: PopulateEvent) => void }> = [];
  let err = '';
  let buf = '';
  (child.stdio[3] as Readable).on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const e = parseEvent(buf.slice(0, i));
      buf = buf.slice(i + 1);
      if (!e) continue;
      events.push(e);
      for (const w of [...waiters]) {
        if (w.cond(e, events)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    }
  });
  child.stdout!.on('data', () => undefined);
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<number>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  return {
    pid: child.pid!,
    events,
    stderr: () => err,
    done,
    stop: (request) => (opts.stdin ? child.stdin!.write(`${request}\n`) : child.kill(request)),
    kill: (signal) => child.kill(signal),
    waitEvent: (cond) => {
      const seen = events.find((e) => cond(e, events));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ cond, resolve });
        void done.then(() => reject(new Error(`djx exited before the awaited event; stderr: ${err}`)));
      });
    },
    end: () => events.find((e): e is EndEvent => e.event === 'end'),
  };
}

/** Polls the database until `cond` holds (the tests wait for states, never for time). */
export async function until(what: string, cond: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const limit = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > limit) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const jobStates = (env: Env) =>
  rows<{ subject_id: number; status: string; error_message: string; connection_id: number }>(
    env,
    `SELECT subject_id, status, error_message, connection_id FROM \`${env.schema}\`.\`~~analysis\` ORDER BY 1`,
  );

export const computed = async (env: Env) => (await rows<{ subject_id: number }>(env, `SELECT subject_id FROM \`${env.schema}\`.__analysis ORDER BY 1`)).map((r) => Number(r.subject_id));

export const makeCalls = (env: Env) =>
  rows<{ subject_id: number; pid: number }>(env, `SELECT subject_id, pid FROM \`${env.schema}\`.make_calls WHERE tbl = 'Analysis' ORDER BY id`);

/** True while a process of this pid exists. */
export function runs(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
