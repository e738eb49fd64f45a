// A throwaway MariaDB/MySQL server for tests, benchmarks and the demo: a temporary data
// directory, a free loopback port, a generated password, stopped by its pid.
// Steps follow shared/notes/test-database.md (verified on these machines).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { which } from './which.mjs';


export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs a command to its end without blocking the event loop (so MariaDB and PostgreSQL
 * can be set up at the same time); rejects with the tail of its stderr when it fails.
 * `quiet`: its stdout is dropped, else shown.
 */
export function run(cmd, args, { quiet = true, ...options } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => {
      err = (err + d.toString()).slice(-4000);
      if (!quiet) process.stderr.write(d);
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} failed (${signal ?? `exit status ${code}`}):\n${err}`)),
    );
  });
}

/**
 * Starts a server and creates user `dj` with all privileges.
 * Returns { host, port, user, password, dir, socket, stop() }.
 * `durable`: every COMMIT is flushed to disk before it is answered, as on a lab's production
 * server (`innodb_flush_log_at_trx_commit=1`, MariaDB's default; `sync_binlog=1` for when a
 * binary log is on). Without it the redo log is written at commit and flushed about once a
 * second (`=2`): fast tests, but it hides what a COMMIT costs, so benchmarks that compare
 * per-key costs ask for `durable`.
 * `serverArgs`: more server options, for a test of how the server behaves under one.
 */
export async function startMariaDB({ quiet = true, durable = false, serverArgs = [] } = {}) {
  const mariadbd = which('mariadbd') ?? which('mysqld');
  const installDb = which('mariadb-install-db') ?? which('mysql_install_db');
  const client = which('mariadb') ?? which('mysql');
  if (!mariadbd || !installDb || !client) {
    throw new Error('MariaDB is not installed: run `apt-get install -y mariadb-server` (see .ci/run).');
  }
  const dir = mkdtempSync(join(tmpdir(), 'dj-mariadb-'));
  const datadir = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  const pidFile = join(dir, 'mysqld.pid');
  const port = await freePort();
  await run(installDb, ['--no-defaults', '--user=root', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db'], { quiet });
  const child = spawn(
    mariadbd,
    [
      '--no-defaults',
      '--user=root',
      `--datadir=${datadir}`,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--pid-file=${pidFile}`,
      `--log-error=${join(dir, 'err.log')}`,
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_general_ci',
      '--skip-name-resolve',
      // Connection attributes (a SLURM task's session name: runtime/jobs/session-names.ts) are
      // kept only with performance_schema on, which MariaDB leaves off by default.
      '--performance-schema=ON',
      '--max-connections=500',
      '--innodb-buffer-pool-size=256M',
      `--innodb-flush-log-at-trx-commit=${durable ? 1 : 2}`,
      `--sync-binlog=${durable ? 1 : 0}`,
      '--skip-log-bin',
      ...serverArgs,
    ],
    { stdio: 'ignore', detached: true },
  );
  child.unref();
  const exited = new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const stop = () => {
    try {
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : child.pid;
      if (pid) process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      execFileSync(client, ['--no-defaults', `--socket=${socket}`, '-uroot', '-e', 'SELECT 1'], { stdio: 'ignore' });
      break;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) {
        stop();
        let log = '';
        try {
          log = readFileSync(join(dir, 'err.log'), 'utf8').slice(-2000);
        } catch {}
        throw new Error(`MariaDB did not start on port ${port}:\n${log}`);
      }
      await sleep(200);
    }
  }
  const password = randomBytes(12).toString('hex');
  const user = 'dj';
  try {
    execFileSync(client, ['--no-defaults', `--socket=${socket}`, '-uroot'], {
      input: `CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${password}';\nGRANT ALL ON *.* TO '${user}'@'127.0.0.1' WITH GRANT OPTION;\nFLUSH PRIVILEGES;\n`,
    });
  } catch (e) {
    stop(); // a server nobody can log in to is of no use: not left running
    throw e;
  }
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    dir,
    socket,
    client,
    /**
     * Stops the server and removes its directory once it has exited (never under a server
     * still writing there); a server that ignores SIGTERM for 30 s is killed.
     */
    async stop() {
      stop();
      const kill = setTimeout(() => {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 30_000);
      await exited;
      clearTimeout(kill);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
