// A throwaway PostgreSQL server for tests and benchmarks, as scripts/mariadb.mjs is for
// MariaDB: a temporary data directory, a free loopback port, a generated password for the
// superuser `dj` (password authentication, scram-sha-256, over TCP on 127.0.0.1), stopped
// by its pid. Debian's `postgresql` package (scripts/system-deps.sh) puts the server's
// binaries in /usr/lib/postgresql/<major>/bin, off PATH; they are looked up there too.
// Debian's postgres refuses to run as root: as root, initdb and the server run as the
// `postgres` user (made by the package), the temporary directory chowned to it.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, existsSync, readdirSync, realpathSync, chownSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort, run } from './mariadb.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function which(cmd) {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const hasServer = (dir) => ['postgres', 'initdb'].every((b) => existsSync(join(dir, b)));

/**
 * The directory holding `postgres`, `initdb` and `psql` of one installation: where the
 * `postgres` on PATH really lives (Debian's symlinks lead to /usr/lib/postgresql/N/bin),
 * else the newest /usr/lib/postgresql/N/bin.
 */
export function postgresBinDir() {
  const onPath = which('postgres');
  if (onPath) {
    const dir = dirname(realpathSync(onPath));
    if (hasServer(dir)) return dir;
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+(\.\d+)?$/.test(v) && hasServer(join(root, v, 'bin')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return join(root, versions[0], 'bin');
  }
  return undefined;
}

/** uid and gid of a local account, or undefined when there is none. */
function account(name) {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid, name } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts a server with superuser `dj` (LOGIN SUPERUSER, a random password) and returns
 * { backend: 'postgresql', host, port, user, password, database: 'postgres', dir, socketDir,
 * pid, stop() }. `durable`: every COMMIT is flushed to disk before it is answered
 * (PostgreSQL's defaults: fsync, synchronous_commit, full_page_writes on), as on a lab's
 * server; without it they are off, for fast tests.
 */
export async function startPostgres({ quiet = true, durable = false } = {}) {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed: run `apt-get install -y postgresql` (scripts/system-deps.sh does).');
  const psql = existsSync(join(bin, 'psql')) ? join(bin, 'psql') : which('psql');
  const pgIsReady = existsSync(join(bin, 'pg_isready')) ? join(bin, 'pg_isready') : which('pg_isready');
  if (!psql && !pgIsReady) throw new Error(`PostgreSQL's client (psql) is missing beside ${bin}: run \`apt-get install -y postgresql-client\`.`);

  // As root, run as the `postgres` account: spawn's uid/gid switch user (and drop root's
  // supplementary groups) with no wrapper process, so the child's pid is the server's.
  let runAs;
  if (typeof process.getuid === 'function' && process.getuid() === 0) {
    runAs = account('postgres');
    if (!runAs) throw new Error('PostgreSQL refuses to run as root and there is no `postgres` account: install Debian\'s `postgresql` package, which makes it.');
  }
  const asUser = runAs ? { uid: runAs.uid, gid: runAs.gid } : {};

  const dir = mkdtempSync(join(tmpdir(), 'dj-postgres-'));
  const datadir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const pwFile = join(dir, 'pwfile');
  const user = 'dj';
  const password = randomBytes(16).toString('hex');
  const port = await freePort();
  const own = (path) => {
    if (runAs) chownSync(path, runAs.uid, runAs.gid);
  };
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const logTail = () => {
    try {
      return readFileSync(logFile, 'utf8').slice(-3000);
    } catch {
      return '';
    }
  };

  // The password reaches initdb through a file (argv is visible to everyone in `ps`).
  own(dir);
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  own(pwFile);
  try {
    await run(
      join(bin, 'initdb'),
      ['-D', datadir, '-U', user, `--pwfile=${pwFile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-instructions'],
      { quiet, cwd: dir, ...asUser, env: { ...process.env, LC_ALL: 'C' } },
    );
  } catch (e) {
    cleanup();
    if (runAs && e instanceof Error) {
      e.message += `\n(as root, initdb and postgres run as user ${runAs.name}, who must be able to reach ${dir}: a TMPDIR such as /tmp)`;
    }
    throw e;
  } finally {
    rmSync(pwFile, { force: true });
  }
  // Passwords over TCP on loopback only; the unix socket (in `dir`, 0700) trusts its user.
  writeFileSync(
    join(datadir, 'pg_hba.conf'),
    ['# written by scripts/postgres.mjs', 'local all all trust', 'host all all 127.0.0.1/32 scram-sha-256', ''].join('\n'),
  );
  own(join(datadir, 'pg_hba.conf'));

  const settings = [
    'listen_addresses=127.0.0.1',
    'max_connections=300',
    'password_encryption=scram-sha-256',
    ...(durable ? [] : ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off']),
  ];
  // A spawn that throws (no such file, no permission) leaves neither the log's descriptor
  // open nor the temporary directory behind.
  let child;
  const log = openSync(logFile, 'a');
  try {
    own(logFile);
    child = spawn(join(bin, 'postgres'), ['-D', datadir, '-p', String(port), '-k', dir, ...settings.flatMap((s) => ['-c', s])], {
      cwd: dir,
      ...asUser,
      stdio: ['ignore', log, log],
      detached: true,
      env: { ...process.env, LC_ALL: 'C' },
    });
  } catch (e) {
    cleanup();
    throw e;
  } finally {
    closeSync(log);
  }
  child.unref();
  let exited = false;
  child.on('exit', () => (exited = true));
  child.on('error', () => (exited = true));
  const pid = child.pid;

  const signal = (sig) => {
    try {
      if (pid && !exited) process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  };
  const waitExit = async (ms) => {
    const until = Date.now() + ms;
    while (!exited && Date.now() < until) await sleep(50);
    return exited;
  };
  /** Fast shutdown (SIGINT: open sessions are ended), then immediate (SIGQUIT), then SIGKILL. */
  const shutdown = async () => {
    signal('SIGINT');
    if (!(await waitExit(20_000))) {
      signal('SIGQUIT');
      if (!(await waitExit(5_000))) {
        signal('SIGKILL');
        await waitExit(5_000);
      }
    }
  };

  // Ready when a real session answers a query (over the socket, as the trusted superuser).
  const probe = psql
    ? [psql, ['-X', '-q', '-h', dir, '-p', String(port), '-U', user, '-d', 'postgres', '-c', 'SELECT 1']]
    : [pgIsReady, ['-q', '-h', dir, '-p', String(port), '-U', user, '-d', 'postgres']];
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await run(probe[0], probe[1], { env: { ...process.env, PGCONNECT_TIMEOUT: '5' } });
      break;
    } catch {
      if (Date.now() > deadline || exited) {
        const tail = logTail();
        await shutdown();
        cleanup();
        throw new Error(`PostgreSQL did not start on port ${port}${exited ? ` (the server exited: ${child.exitCode ?? child.signalCode})` : ''}:\n${tail}`);
      }
      await sleep(100);
    }
  }

  return {
    backend: 'postgresql',
    host: '127.0.0.1',
    port,
    user,
    password,
    database: 'postgres',
    dir,
    socketDir: dir,
    pid,
    bin,
    /** Stops the server by its pid and removes its directory. */
    async stop() {
      await shutdown();
      cleanup();
    },
  };
}
