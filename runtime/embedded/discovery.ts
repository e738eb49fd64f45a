// The discovery file (`server.json` beside the data directory) is both the lock that gives
// one process the right to open a PGlite data directory and the note that tells the other
// processes where that one serves it. PGlite itself does not lock its directory: a second
// process opening it while the first has it open succeeds and both write the same files
// (checked with PGlite 0.5.14; its postmaster.pid always names the WASM pid 42), so every
// opening must go through claim() here.
//
// Written atomically: the record is written to a private temporary file and hard-linked to
// the final name, which fails if the name exists (the exclusive create), and updated by
// rename over it. A reader therefore never sees a half-written record.
import { randomUUID } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { uptime } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export type ServerState = 'starting' | 'ready' | 'closing';

/** What server.json holds. No secrets: the password is in its own file (secret.ts), never here. */
export interface ServerRecord {
  version: 1;
  state: ServerState;
  /** Absolute path of the data directory served. */
  dataDir: string;
  /** OS pid of the serving process. */
  pid: number;
  /** Loopback address and TCP port; port is 0 until state is 'ready'. */
  host: string;
  port: number;
  /** PostgreSQL user and database to connect as (the server serves these, whatever a client asks for). */
  user: string;
  database: string;
  /** When the serving process claimed the directory (ISO 8601): tells a record older than the last boot. */
  startedAt: string;
  /** Random per claim, so that a process only ever updates or removes its own record. */
  token: string;
}

/** The default discovery file of a data directory: `server.json` beside it. */
export function discoveryFileFor(dataDir: string): string {
  return join(dirname(resolve(dataDir)), 'server.json');
}

export class DiscoveryError extends Error {
  override name = 'DiscoveryError';
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Unparsable: not written by claim() (which never leaves a partial file); taken as stale.
    return null;
  }
}

function isRecord(v: unknown): v is ServerRecord {
  const r = v as Partial<ServerRecord> | null;
  return !!r && r.version === 1 && typeof r.pid === 'number' && typeof r.port === 'number' && typeof r.dataDir === 'string' && typeof r.token === 'string';
}

/** The record in `file`: undefined when there is none, null when it is not a record. */
export function readRecord(file: string): ServerRecord | null | undefined {
  const v = readJson(file);
  if (v === undefined) return undefined;
  return isRecord(v) ? v : null;
}

/** Whether an OS process of this pid exists (EPERM: it exists, owned by someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the record's process may still be the one that wrote it. After a reboot pids start
 * again from low numbers, so a record older than the boot names some unrelated process.
 */
export function recordProcessAlive(r: ServerRecord): boolean {
  const bootMs = Date.now() - uptime() * 1000;
  const started = Date.parse(r.startedAt);
  // A minute of slack for clock adjustments between the boot and the record.
  if (Number.isFinite(started) && started < bootMs - 60_000) return false;
  return pidAlive(r.pid);
}

/** Resolves true when something accepts TCP connections at host:port, false when refused. */
export function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Whether `r` no longer describes a serving process: its process is gone, or (pid reused by
 * another program) it says 'ready' but nothing listens on its port and the file still holds
 * this same record after the refused connection. A closing server first rewrites its record
 * to 'closing' and only then stops listening, so a refused 'ready' is never a closing server.
 */
export async function isStale(file: string, r: ServerRecord): Promise<boolean> {
  if (!recordProcessAlive(r)) return true;
  if (r.state !== 'ready' || r.pid === process.pid) return false;
  if (await accepts(r.host, r.port)) return false;
  const again = readRecord(file);
  return !!again && again.token === r.token;
}

function writePrivate(file: string, r: ServerRecord | { pid: number; token: string }): string {
  const tmp = `${file}.${r.token}.tmp`;
  // Private as the folder: other users have no business knowing the port either.
  writeFileSync(tmp, JSON.stringify(r, null, 2) + '\n', { mode: 0o600 });
  return tmp;
}

function unlinkQuiet(file: string): void {
  try {
    unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** Creates `file` holding `content` if it does not exist; false if it does. */
function createExclusive(file: string, content: ServerRecord | { pid: number; token: string }): boolean {
  const tmp = writePrivate(file, content);
  try {
    linkSync(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkQuiet(tmp);
  }
}

export type ClaimResult = { claimed: true; record: ServerRecord } | { claimed: false; record: ServerRecord };

/**
 * Takes the data directory for this process: writes a 'starting' record unless a live one
 * is there, in which case that one is returned (claimed: false) for the caller to use or wait
 * for. A stale record is removed under a second exclusive file (`<file>.takeover`), so that
 * of two processes finding the same stale record, neither removes the fresh record the other
 * has just written. (Left: a process that dies within the few system calls of a takeover
 * leaves a takeover file that the next one removes after checking its pid.)
 */
export async function claim(file: string, record: Omit<ServerRecord, 'token' | 'state' | 'startedAt' | 'version'>): Promise<ClaimResult> {
  const mine: ServerRecord = { version: 1, state: 'starting', startedAt: new Date().toISOString(), token: randomUUID(), ...record };
  for (;;) {
    if (createExclusive(file, mine)) return { claimed: true, record: mine };
    const existing = readRecord(file);
    if (existing === undefined) continue; // removed meanwhile: try again
    if (existing && existing.dataDir !== mine.dataDir)
      throw new DiscoveryError(`${file} belongs to the embedded database in ${existing.dataDir}, not ${mine.dataDir}: give each data directory its own discovery file`);
    if (existing && !(await isStale(file, existing))) return { claimed: false, record: existing };
    await takeOver(file, existing);
  }
}

async function takeOver(file: string, stale: ServerRecord | null): Promise<void> {
  const guard = `${file}.takeover`;
  const me = { pid: process.pid, token: randomUUID() };
  if (!createExclusive(guard, me)) {
    const other = readJson(guard) as { pid?: unknown } | null | undefined;
    if (other && typeof other.pid === 'number' && pidAlive(other.pid) && other.pid !== process.pid) {
      // Another process is taking over right now: let it finish, then look again.
      await new Promise((r) => setTimeout(r, 20));
    } else unlinkQuiet(guard);
    return;
  }
  try {
    // Remove the file only if it still holds the record found stale.
    const now = readRecord(file);
    if (now === undefined) return;
    if (now === null ? stale === null : stale !== null && now.token === stale.token) unlinkQuiet(file);
  } finally {
    unlinkQuiet(guard);
  }
}

/** Replaces this process's record (matched by token); false if the file is no longer ours. */
export function updateRecord(file: string, r: ServerRecord): boolean {
  const now = readRecord(file);
  if (!now || now.token !== r.token) return false;
  renameSync(writePrivate(file, r), file);
  return true;
}

/** Removes this process's record (matched by token); never someone else's. */
export function releaseRecord(file: string, token: string): void {
  const now = readRecord(file);
  if (now && now.token === token) unlinkQuiet(file);
}
