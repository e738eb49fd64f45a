// `djx db status|reset|export`: the workspace's embedded database (PGlite in
// `<project>/.datajoint`, runtime/embedded), whatever else the settings point at.
//   status [--json]      where it is, whether it exists, whether a process serves it (pid, port),
//                        how a DataJoint for Python worker connects (DJ_PASS read from the password
//                        file: the secret itself is never printed)
//   reset --yes          every schema dropped: the data directory removed when no process
//                        serves it (created afresh on next use), else the schemas dropped in place
//   export [file]        SQL that PostgreSQL 15+ loads (psql -v ON_ERROR_STOP=1 -f file); stdout without a file
// Exit 0 on success, 2 on usage errors (reset without --yes) and when the database cannot be opened.
import { createWriteStream, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { databaseChoiceReason, loadSettings } from '../../config/index';
import { Connection, EMBEDDED_LABEL } from '../../connection/index';
import { claim, readRecord, releaseRecord } from '../../embedded/discovery';
import { exportDatabase } from '../../embedded/export';
import { embeddedLocation, findEmbeddedServer, type EmbeddedLocation } from '../../embedded/locate';
import { resetSchemas } from '../../embedded/reset';
import { tolerateClosedStdout, EXIT_DONE, EXIT_USAGE, failWith } from '../exit';
import { ERROR_PREFIX } from '../name';

export function register(program: Command): void {
  const db = program.command('db').description(`the ${EMBEDDED_LABEL.toLowerCase()}: the embedded PostgreSQL kept in .datajoint/`);
  db.command('status')
    .description('where the local database is, and whether (and by which process) it is served')
    .option('--json', 'JSON output')
    .action(async (opts: { json?: boolean }) => {
      process.exitCode = await runStatus(opts);
    });
  db.command('reset')
    .description('drop everything in the local database (asks for --yes)')
    .option('--yes', 'really drop every schema and its data')
    .action(async (opts: { yes?: boolean }) => {
      process.exitCode = await runReset(opts);
    });
  db.command('export')
    .description('the local database as SQL that a PostgreSQL server loads (stdout without a file)')
    .argument('[file]', 'where to write the SQL')
    .action(async (file: string | undefined) => {
      process.exitCode = await runExport(file);
    });
}

function local(): { location: EmbeddedLocation; isDefault: boolean; why: string } {
  const s = loadSettings();
  const why = s.database.embedded ? databaseChoiceReason(s) : `${databaseChoiceReason(s)}: the runtime uses that one, not this`;
  return { location: embeddedLocation(s.database.embeddedDir), isDefault: s.database.embedded, why };
}

function sizeOf(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/** A word for a POSIX shell: as it is when nothing in it is special, else single-quoted. */
const shellWord = (s: string) => (/^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * The environment of a DataJoint for Python worker on the served database, as shell
 * assignments; the password is read from its file by the shell (`$(cat …)`), never shown.
 */
function pythonVariables(endpoint: { host: string; port: number; user: string }, passwordFile: string): string {
  return [
    'DJ_BACKEND=postgresql',
    `DJ_HOST=${endpoint.host}`,
    `DJ_PORT=${endpoint.port}`,
    `DJ_USER=${endpoint.user}`,
    `DJ_PASS="$(cat ${shellWord(passwordFile)})"`,
    'DJ_USE_TLS=false',
  ].join(' ');
}

async function runStatus(opts: { json?: boolean }): Promise<number> {
  tolerateClosedStdout();
  try {
    const { location, isDefault, why } = local();
    // PGlite's initdb leaves PG_VERSION: a folder without it was never opened.
    const exists = existsSync(join(location.dataDir, 'PG_VERSION'));
    // Only looked at: a status never starts a server.
    const served = exists ? await findEmbeddedServer(location.dataDir, { discoveryFile: location.discoveryFile }) : null;
    const record = served ? readRecord(location.discoveryFile) : undefined;
    const size = exists ? sizeOf(location.dataDir) : 0;
    const hasPassword = existsSync(location.passwordFile);
    const status = {
      label: EMBEDDED_LABEL,
      dir: location.dir,
      dataDir: location.dataDir,
      exists,
      sizeBytes: size,
      served: served !== null,
      ...(served ? { pid: served.pid, host: served.host, port: served.port, user: served.user, database: served.database, startedAt: record?.startedAt } : {}),
      // Where the password is, not the password: a status printed or logged gives nothing away.
      passwordFile: location.passwordFile,
      ...(served ? { python: pythonVariables(served, location.passwordFile) } : {}),
      default: isDefault,
      why,
    };
    if (opts.json) {
      process.stdout.write(JSON.stringify(status) + '\n');
      return EXIT_DONE;
    }
    const lines = [
      EMBEDDED_LABEL,
      `  folder:   ${location.dir}`,
      `  data:     ${exists ? `${location.dataDir} (${mib(size)})` : 'not created yet (created on first use)'}`,
      `  server:   ${served ? `served by process ${served.pid} on ${served.host}:${served.port} (user ${served.user}, database ${served.database}) since ${record?.startedAt ?? '?'}` : 'not running (started by the first process that connects)'}`,
      `  password: ${location.passwordFile}${hasPassword ? ' (only you can read it)' : ' (made on first use)'}; every client must give it`,
      `  used:     ${isDefault ? `by default here: ${why}` : `no: ${why}`}`,
      '  reach:    this machine only (loopback); work across machines needs a database server',
      ...(served ? ['  python:   a DataJoint for Python worker connects with', `            ${pythonVariables(served, location.passwordFile)}`] : []),
    ];
    process.stdout.write(lines.join('\n') + '\n');
    return EXIT_DONE;
  } catch (e) {
    return failWith(e);
  }
}

async function runReset(opts: { yes?: boolean }): Promise<number> {
  try {
    const { location } = local();
    if (!opts.yes) {
      process.stderr.write(`${ERROR_PREFIX}db reset drops every schema and all data of ${location.dataDir}; run it again with --yes to do so\n`);
      return EXIT_USAGE;
    }
    if (!existsSync(location.dataDir)) {
      process.stdout.write(`${location.dataDir}: nothing to reset (not created yet)\n`);
      return EXIT_DONE;
    }
    // Nobody serving it: take the directory (the discovery file is its lock, so nobody opens
    // it meanwhile) and remove it; the next connection creates it afresh.
    const taken = await claim(location.discoveryFile, { dataDir: location.dataDir, pid: process.pid, host: '127.0.0.1', port: 0, user: 'postgres', database: 'postgres' });
    if (taken.claimed) {
      try {
        rmSync(location.dataDir, { recursive: true, force: true });
      } finally {
        releaseRecord(location.discoveryFile, taken.record.token);
      }
      process.stdout.write(`${location.dataDir}: removed; an empty database is created on first use\n`);
      return EXIT_DONE;
    }
    // Served by a live process (its clients stay connected): every schema dropped in place.
    const conn = await Connection.connect({ backend: 'embedded' });
    try {
      const dropped = await resetSchemas(conn);
      process.stdout.write(`${location.dataDir} (served by process ${taken.record.pid}): dropped ${dropped.length} schema(s)${dropped.length ? `: ${dropped.join(', ')}` : ''}\n`);
    } finally {
      await conn.close();
    }
    return EXIT_DONE;
  } catch (e) {
    return failWith(e);
  }
}

async function runExport(file: string | undefined): Promise<number> {
  tolerateClosedStdout();
  let conn: Connection | undefined;
  try {
    const { location } = local();
    conn = await Connection.connect({ backend: 'embedded' });
    const out = file ? createWriteStream(file) : process.stdout;
    // Backpressure: a large table's INSERTs wait for the file (or the pipe) to take them.
    const write = (chunk: string) => (out.write(chunk) ? undefined : new Promise<void>((r) => out.once('drain', () => r())));
    const summary = await exportDatabase(conn, write, {
      header: [
        `DataJoint: ${EMBEDDED_LABEL.toLowerCase()}, ${location.dataDir}`,
        `${conn.serverVersion}, exported ${new Date().toISOString()}`,
        'Load into PostgreSQL 15 or later: psql -v ON_ERROR_STOP=1 -f <this file> <database>',
      ],
    });
    if (file) {
      await new Promise<void>((res, rej) => (out as ReturnType<typeof createWriteStream>).end((e?: Error | null) => (e ? rej(e) : res())));
      process.stderr.write(`${file}: ${summary.schemas.length} schema(s), ${summary.tables} table(s), ${summary.rows} row(s)\n`);
    }
    return EXIT_DONE;
  } catch (e) {
    return failWith(e);
  } finally {
    await conn?.close();
  }
}
