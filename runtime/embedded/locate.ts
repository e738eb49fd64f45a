// Finding the process that serves a workspace's embedded database, and starting one when
// none does: what Connection.connect needs. Nothing here loads PGlite, so the CLI and the
// extension's runtime bundle stay free of it; the serving process is a child of its own
// (main.ts, bundled as dist/embedded-server.js) that outlives the command that started it
// and exits once no client has been connected for a while.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, fchmodSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { discoveryFileFor, DiscoveryError, isStale, readRecord } from './discovery';
import { ensurePassword, makePrivateDir, passwordFileFor } from './secret';

/** Where to connect to an embedded database. */
export interface EmbeddedEndpoint {
  host: string;
  port: number;
  user: string;
  database: string;
  /** The embedded folder's password (from its password file; never in the discovery file, never logged). */
  password: string;
  /** OS pid of the serving process. */
  pid: number;
}

/** The files of one workspace's embedded database. */
export interface EmbeddedLocation {
  /** The folder holding everything below (`<project>/.datajoint` by default). */
  dir: string;
  /** PGlite's data directory. */
  dataDir: string;
  /** The lock and the note saying who serves dataDir (discovery.ts). */
  discoveryFile: string;
  /** What the serving process writes to stderr (its errors). */
  logFile: string;
  /** The password every client gives (mode 0600; secret.ts), created on first use and kept. */
  passwordFile: string;
}

export function embeddedLocation(dir: string): EmbeddedLocation {
  const abs = resolve(dir);
  const dataDir = join(abs, 'pgdata');
  return { dir: abs, dataDir, discoveryFile: discoveryFileFor(dataDir), logFile: join(abs, 'server.log'), passwordFile: passwordFileFor(dataDir) };
}

/**
 * The password of the embedded database of `location` (what DJ_PASS must be for a DataJoint
 * for Python worker), created when the folder has none yet. Read from its file, never from
 * the discovery file.
 */
export function embeddedPassword(location: EmbeddedLocation | string): string {
  return ensurePassword(typeof location === 'string' ? embeddedLocation(location).passwordFile : location.passwordFile);
}

/**
 * The live server of `dataDir` per its discovery file, or null when there is none: no file,
 * a stale one (its process is gone), or a server still starting or closing.
 */
export async function findEmbeddedServer(dataDir: string, options: { discoveryFile?: string; passwordFile?: string } = {}): Promise<EmbeddedEndpoint | null> {
  const file = resolve(options.discoveryFile ?? discoveryFileFor(dataDir));
  const r = readRecord(file);
  if (!r || r.state !== 'ready' || r.dataDir !== resolve(dataDir)) return null;
  if (await isStale(file, r)) return null;
  const password = ensurePassword(resolve(options.passwordFile ?? passwordFileFor(dataDir)));
  return { host: r.host, port: r.port, user: r.user, database: r.database, password, pid: r.pid };
}

/** Opens the log file for appending, private to this user (an existing one made so too). */
function openLog(file: string): number {
  const fd = openSync(file, 'a', 0o600);
  try {
    if (process.platform !== 'win32' && (fstatSync(fd).mode & 0o077) !== 0) fchmodSync(fd, 0o600);
  } catch {
    // Not ours to change: it stays as it is.
  }
  return fd;
}

/** How long a started server keeps serving with no client connected (DJ_EMBEDDED_IDLE_MS overrides). */
export const DEFAULT_IDLE_EXIT_MS = 60_000;

export interface StartOptions {
  /** Idle time before the started server exits, in ms (default: idleExitFrom(process.env)). */
  idleExitMs?: number;
}

interface ServerEntry {
  file: string;
  execArgv: string[];
  cwd: string;
}

/**
 * The script that serves: main.ts beside this file when the runtime runs from its sources
 * (tsx), else embedded-server.js beside the bundle this code was bundled into (dist/).
 */
function serverEntry(): ServerEntry {
  const ts = join(__dirname, 'main.ts');
  // The repository root, where `--import tsx` resolves.
  if (existsSync(ts)) return { file: ts, execArgv: ['--import', 'tsx'], cwd: resolve(__dirname, '..', '..') };
  const js = join(__dirname, 'embedded-server.js');
  if (existsSync(js)) return { file: js, execArgv: [], cwd: __dirname };
  throw new DiscoveryError(`the embedded database server is missing: neither ${ts} nor ${js} exists`);
}

/** DJ_EMBEDDED_IDLE_MS of `env`, else DEFAULT_IDLE_EXIT_MS. */
export function idleExitFrom(env: NodeJS.ProcessEnv): number {
  const raw = env.DJ_EMBEDDED_IDLE_MS;
  if (raw === undefined || raw === '') return DEFAULT_IDLE_EXIT_MS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new DiscoveryError(`DJ_EMBEDDED_IDLE_MS: expected a whole number of milliseconds, got "${raw}"`);
  return n;
}

function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join('\n');
  } catch {
    return '';
  }
}

/**
 * The endpoint of the server of `location`, starting one when none runs: a detached child
 * process (its own process group, so a Ctrl-C of the command that started it does not stop
 * it) that serves until it has had no client for `idleExitMs`. Several processes starting
 * at once each start a child; the discovery file lets exactly one of them serve, and the
 * others report that one's endpoint and exit (main.ts).
 */
export async function startEmbeddedServer(location: EmbeddedLocation, options: StartOptions = {}): Promise<EmbeddedEndpoint> {
  const found = await findEmbeddedServer(location.dataDir, { discoveryFile: location.discoveryFile, passwordFile: location.passwordFile });
  if (found) return found;
  const idle = options.idleExitMs ?? idleExitFrom(process.env);
  const entry = serverEntry();
  makePrivateDir(location.dir);
  // Made here (not only by the child): the child finds it, and nothing secret is on its command line.
  const password = ensurePassword(location.passwordFile);
  const log = openLog(location.logFile);
  let child;
  try {
    // The child reads the password from its file: its command line is readable by every user.
    child = spawn(process.execPath, [...entry.execArgv, entry.file, location.dataDir, '0', '--idle-exit-ms', String(idle)], {
      cwd: entry.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', log],
      // In VS Code's extension host process.execPath is Electron, which runs as Node only so.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      windowsHide: true,
    });
  } finally {
    closeSync(log);
  }
  const started = child;
  const lines = createInterface({ input: started.stdout! });
  try {
    const line = await new Promise<string>((resolveLine, reject) => {
      lines.once('line', resolveLine);
      started.once('error', reject);
      started.once('exit', (code, signal) => {
        const tail = logTail(location.logFile);
        reject(new DiscoveryError(`the embedded database server for ${location.dataDir} exited (${signal ?? `status ${code}`}) before serving${tail ? `: ${tail}` : ''}`));
      });
    });
    const info = JSON.parse(line) as Omit<EmbeddedEndpoint, 'password'> & { served: boolean };
    return { host: info.host, port: info.port, user: info.user, database: info.database, password, pid: info.pid };
  } finally {
    lines.close();
    // main.ts prints nothing more; the pipe is closed so that nothing ties the two processes.
    started.stdout?.destroy();
    started.removeAllListeners('exit');
    started.unref();
  }
}
