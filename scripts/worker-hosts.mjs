// Simulated worker hosts for tests and benchmarks: each host is a network namespace of this
// machine (`ip netns`) joined to a bridge of its own by a veth pair, and runs its processes
// under a host name of its own (a UTS namespace, `unshare --uts`). The database server the
// tests start listens on loopback only, so the hosts reach it through a TCP relay on the
// bridge's address; the relay also lets a test close the server's end of one host's
// connections (as the server's wait_timeout or TCP keepalive would end them). Needs root.
//   const h = await startWorkerHosts({ names: ['worker-a', 'worker-b'], server: { host, port } });
//   h.spawn(h.hosts[0], argv, { env })   h.cut(host) / h.restore(host)   h.closeServerSide(host)   await h.stop()
import { execFileSync, spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { randomBytes, randomInt } from 'node:crypto';

/** Why simulated hosts cannot be made here, or undefined when they can. */
export function workerHostsUnavailable() {
  if (process.getuid?.() !== 0) return 'simulated worker hosts need root: they are network namespaces (ip netns) with veth pairs. Run as root (CI does).';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    execFileSync('unshare', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'simulated worker hosts need `ip` (iproute2) and `unshare` (util-linux): bash scripts/system-deps.sh installs them.';
  }
  return undefined;
}

const ip = (...args) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const quietly = (fn) => {
  try {
    fn();
  } catch {
    // not there
  }
};

/**
 * Makes the hosts and the relay. `names`: their host names (at most 250). `server`: the
 * database's address as this machine reaches it. Resolves to the hosts, the relay's
 * address (DJ_HOST/DJ_PORT for processes on the hosts) and the controls.
 */
export async function startWorkerHosts({ names, server }) {
  const why = workerHostsUnavailable();
  if (why) throw new Error(why);
  // Names and a subnet of this run's own, so that runs side by side do not collide (and no
  // namespace of another run is ever deleted).
  const taken = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  let tag;
  do tag = randomBytes(2).toString('hex');
  while (taken.includes(`dj-${tag}-`));
  const subnet = `10.231.${20 + randomInt(200)}`;
  const bridge = `djbr${tag}`;
  const hosts = names.map((name, i) => ({ name, ns: `dj-${tag}-${i}`, veth: `djh${tag}${i}`.slice(0, 15), peer: `djp${tag}${i}`.slice(0, 15), address: `${subnet}.${i + 2}` }));
  const teardown = () => {
    // Deleting a namespace deletes its end of the veth pair, and so the pair.
    for (const h of hosts) quietly(() => ip('netns', 'del', h.ns));
    quietly(() => ip('link', 'del', bridge));
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `${subnet}.1/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    for (const h of hosts) {
      ip('netns', 'add', h.ns);
      ip('link', 'add', h.veth, 'type', 'veth', 'peer', 'name', h.peer);
      ip('link', 'set', h.peer, 'netns', h.ns);
      ip('link', 'set', h.veth, 'master', bridge);
      ip('link', 'set', h.veth, 'up');
      ip('netns', 'exec', h.ns, 'ip', 'addr', 'add', `${h.address}/24`, 'dev', h.peer);
      ip('netns', 'exec', h.ns, 'ip', 'link', 'set', h.peer, 'up');
      ip('netns', 'exec', h.ns, 'ip', 'link', 'set', 'lo', 'up');
    }
  } catch (e) {
    teardown();
    throw e;
  }

  /** Open relay pairs by the host side's address. */
  const links = new Map();
  const relay = createServer((worker) => {
    const from = worker.remoteAddress?.replace(/^::ffff:/, '') ?? '';
    const upstream = connect(server.port, server.host);
    const pair = { worker, upstream };
    const set = links.get(from) ?? new Set();
    links.set(from, set);
    set.add(pair);
    worker.pipe(upstream).pipe(worker);
    const end = () => {
      set.delete(pair);
      worker.destroy();
      upstream.destroy();
    };
    worker.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise((res, rej) => {
    relay.once('error', rej);
    relay.listen(0, `${subnet}.1`, res);
  });
  const relayPort = relay.address().port;
  const children = new Set();

  return {
    hosts,
    relay: { host: `${subnet}.1`, port: relayPort },
    /** Runs argv on a host under its host name; the child is killed at stop(). */
    spawn(h, argv, options = {}) {
      const child = spawn('ip', ['netns', 'exec', h.ns, 'unshare', '--uts', '--', 'sh', '-c', 'hostname "$0" && exec "$@"', h.name, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
      children.add(child);
      child.on('exit', () => children.delete(child));
      return child;
    },
    /** The host off the network: its veth down (its connections linger on the server). */
    cut(h) {
      ip('link', 'set', h.veth, 'down');
    },
    restore(h) {
      ip('link', 'set', h.veth, 'up');
    },
    /** The server's end of the host's connections closes; the host is not told. */
    closeServerSide(h) {
      for (const p of links.get(h.address) ?? []) p.upstream.destroy();
    },
    async stop() {
      for (const c of children) c.kill('SIGKILL');
      // close() waits for the open connections: they go first.
      const closed = new Promise((res) => relay.close(() => res()));
      for (const set of links.values()) for (const p of set) p.upstream.destroy();
      await closed;
      teardown();
    },
  };
}
