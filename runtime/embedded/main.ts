// Serves an embedded data directory in a process of its own: the server a Connection starts
// when nobody serves the workspace's database (locate.ts: startEmbeddedServer), and the
// tests' server, which they kill:
//   node --import tsx runtime/embedded/main.ts <dataDir> [port] [--idle-exit-ms N]
//   node dist/embedded-server.js <dataDir> [port] [--idle-exit-ms N]
// Prints one JSON line, {"host","port","user","database","pid","served"}, once the database can
// be reached: served false when another live process serves it already (then exits at once).
// The password is in `password` beside the data directory (made there on first use), not in
// that line nor on the command line.
// Serving, it closes cleanly on SIGINT and SIGTERM (and loses nothing committed on SIGKILL);
// with --idle-exit-ms it also closes once it has had no client for that long, so a server
// started for one command does not run forever, and one used by many stays up.
import { ensureEmbeddedServer } from './index';

function parseArgs(argv: string[]): { dataDir: string; port: number; idleExitMs: number | undefined } {
  const positional: string[] = [];
  let idleExitMs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--idle-exit-ms') {
      idleExitMs = Number(argv[++i]);
      if (!Number.isInteger(idleExitMs) || idleExitMs < 0) throw new Error(`--idle-exit-ms expects a whole number of milliseconds, got ${argv[i]}`);
    } else positional.push(a);
  }
  const [dataDir, port] = positional;
  if (!dataDir) throw new Error('usage: main.ts <dataDir> [port] [--idle-exit-ms N]');
  return { dataDir, port: port ? Number(port) : 0, idleExitMs };
}

async function main(): Promise<void> {
  const { dataDir, port, idleExitMs } = parseArgs(process.argv.slice(2));
  // The password is read from (or made in) the folder's password file, never from the command
  // line, and not printed either: whoever reads this line reads the password file.
  const { server, password: _secret, ...endpoint } = await ensureEmbeddedServer({ dataDir, port });
  process.stdout.write(JSON.stringify({ ...endpoint, served: server !== null }) + '\n');
  if (!server) return;
  const stop = () => void server.close().then(() => process.exit(0), () => process.exit(1));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (idleExitMs !== undefined) {
    // Armed whenever the last client leaves (and at the start: the process that started this
    // server connects within moments, or never, if it died meanwhile).
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      if (server.stats().connections === 0) timer = setTimeout(() => server.stats().connections === 0 && stop(), idleExitMs);
    };
    server.on('connect', () => clearTimeout(timer));
    server.on('disconnect', arm);
    arm();
  }
  await server.closed;
}

main().catch((e: unknown) => {
  process.stderr.write(`${new Date().toISOString()} ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
