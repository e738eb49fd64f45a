// A throwaway one-node SLURM cluster for tests, as scripts/mariadb.mjs is for MariaDB: munge,
// slurmctld and slurmd with every file in a temporary directory, free ports, the short host
// name as controller and only node, stopped by their pids. Steps follow
// shared/notes/slurm-test-cluster.md (verified on these machines with Debian's slurm-wlm 22.05).
// It needs root (slurmd starts jobs as their submitting user) and the slurm-wlm package
// (scripts/system-deps.sh installs it when run as root or with sudo).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, readFileSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort } from './mariadb.mjs';
import { which as findCommand } from './which.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The daemons live in /usr/sbin, which a non-login PATH may lack.
const which = (cmd) => findCommand(cmd, { also: ['/usr/sbin', '/sbin'] });

/** Why a cluster cannot start here, or undefined when it can. */
export function slurmUnavailable() {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'the one-node SLURM test cluster needs root (slurmd runs jobs as their users): run the SLURM tests as root or in CI (see scripts/slurm.mjs and shared/notes/slurm-test-cluster.md)';
  }
  const missing = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'sinfo'].filter((c) => !which(c));
  if (missing.length) return `SLURM is not installed (${missing.join(', ')} missing): run \`apt-get install -y slurm-wlm\` (scripts/system-deps.sh does)`;
  return undefined;
}

function readPid(file) {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tail(file) {
  try {
    return readFileSync(file, 'utf8').slice(-2000);
  } catch {
    return '';
  }
}

/**
 * Starts the cluster and waits until its node is idle. Returns { env: { SLURM_CONF }, dir,
 * host, partition, stop() }: pass `env` to sbatch, squeue, scancel and sinfo.
 */
export async function startSlurm({ cpus = 8, memoryMb = 8000 } = {}) {
  const why = slurmUnavailable();
  if (why) throw new Error(why);
  const dir = mkdtempSync(join(tmpdir(), 'dj-slurm-'));
  const munge = join(dir, 'munge');
  for (const d of [munge, join(dir, 'state'), join(dir, 'spool'), join(dir, 'log')]) mkdirSync(d, { recursive: true, mode: 0o700 });
  const key = join(munge, 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o400 });
  chmodSync(key, 0o400);
  const socket = join(munge, 'munge.sock');
  // SLURM names nodes by the short host name (`hostname -s`), which slurmd matches itself against.
  const host = hostname().split('.')[0];
  const [ctldPort, dPort] = [await freePort(), await freePort()];
  const conf = join(dir, 'slurm.conf');
  writeFileSync(
    conf,
    [
      'ClusterName=djtest',
      `SlurmctldHost=${host}`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      `AuthInfo=socket=${socket}`,
      'CredType=cred/munge',
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'log', 'ctld.log')}`,
      `SlurmdLogFile=${join(dir, 'log', 'd.log')}`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${dPort}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_CPU',
      'ReturnToService=2',
      'MpiDefault=none',
      'JobAcctGatherType=jobacct_gather/none',
      // The node offers `cpus` whatever the machine has (2 cores in CI), so a test's array of
      // workers runs at once; the tests' workers mostly wait on the database.
      'SlurmdParameters=config_overrides',
      // The time between SIGTERM and SIGKILL when a job is cancelled or reaches its limit
      // (30 s by default; shorter here, so a test of a worker killed mid-make waits less).
      'KillWait=10',
      // A finished job stays visible to squeue/scontrol for a while (the tests read its state).
      'MinJobAge=300',
      `NodeName=${host} CPUs=${cpus} RealMemory=${memoryMb} State=UNKNOWN`,
      `PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  );
  const env = { SLURM_CONF: conf };
  const childEnv = { ...process.env, ...env };
  const pids = { munged: join(munge, 'munged.pid'), slurmctld: join(dir, 'slurmctld.pid'), slurmd: join(dir, 'slurmd.pid') };

  const stopped = new Set();
  const stop = async () => {
    // slurmd first (it ends the job steps it runs), then the controller, then munge.
    for (const name of ['slurmd', 'slurmctld', 'munged']) {
      const pid = readPid(pids[name]);
      if (!pid || stopped.has(pid)) continue;
      stopped.add(pid);
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        continue;
      }
      const until = Date.now() + 20_000;
      while (alive(pid) && Date.now() < until) await sleep(100);
      if (alive(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const start = (cmd, args) => {
    const child = spawn(which(cmd), args, { stdio: 'ignore', detached: true, env: childEnv });
    child.unref();
    return child;
  };
  try {
    start('munged', [`--key-file=${key}`, `--socket=${socket}`, `--pid-file=${pids.munged}`, `--log-file=${join(munge, 'munged.log')}`, `--seed-file=${join(munge, 'seed')}`, '-f']);
    await until(() => existsSync(socket), 20_000, () => `munged did not start:\n${tail(join(munge, 'munged.log'))}`);
    start('slurmctld', ['-c']);
    start('slurmd', []);
    await until(
      () => {
        try {
          const state = execFileSync(which('sinfo'), ['-h', '-N', '-o', '%t'], { env: childEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
          return state === 'idle';
        } catch {
          return false;
        }
      },
      60_000,
      () => `the SLURM node did not become idle:\n${tail(join(dir, 'log', 'ctld.log'))}\n${tail(join(dir, 'log', 'd.log'))}`,
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { env, dir, host, partition: 'debug', stop };
}

async function until(check, ms, message) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(message());
    await sleep(100);
  }
}
