// Who reserves a job: the worker columns of the jobs table (reference notes §7.7).
import { hostname } from 'node:os';
import { execFileSync } from 'node:child_process';
import type { SqlSession } from './session';

export interface WorkerIdentity {
  host: string;
  pid: number;
  connectionId: number;
  user: string;
  version: string;
}

/** jobs.py: _get_job_version — `git rev-parse --short HEAD` when version_method is "git". */
export function jobVersion(method: string | null | undefined, cwd = process.cwd()): string {
  if (method !== 'git') return '';
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .slice(0, 64);
  } catch {
    return '';
  }
}

/**
 * Read once per session. Unlike the reference (notes 11.3 #20) the connection id is the
 * one of the connection that writes the reservation, read from that connection itself,
 * so forked workers and reconnects never record a stale id.
 */
export async function workerIdentity(session: SqlSession, versionMethod?: string | null): Promise<WorkerIdentity> {
  const [row] = await session.query<{ u: string }>(`SELECT ${session.sql.currentUser} AS u`);
  return {
    host: hostname(),
    pid: process.pid,
    connectionId: await session.connectionId(),
    user: String(row?.u ?? ''),
    version: jobVersion(versionMethod),
  };
}
