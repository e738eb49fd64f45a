// Serves one PGlite database to other processes over the PostgreSQL wire protocol on a
// loopback port, giving each client's unit of work exclusive use of PGlite's single backend.
//
// Why not pglite-socket's PGLiteSocketServer: it queues client *messages* and keeps a client
// exclusive only while PGlite reports an explicit transaction block (BEGIN..COMMIT). An
// extended-protocol sequence (Parse/Bind/Execute/Sync, what node-postgres sends for every
// parameterised query) is not such a block, so another client's messages can run between its
// Parse and its Bind, which then binds the other client's statement (measured; README.md
// has the evidence). Here a client holds the backend from its first message
// until the backend's ReadyForQuery says idle ('I'): that covers a simple query, an extended
// sequence up to Sync, a whole transaction (statuses 'T' and 'E') and a COPY.
//
// PGlite runs PostgreSQL in single-user mode inside WebAssembly: one backend, one session.
// Session state (SET, temporary tables, prepared statement names, advisory locks, LISTEN) is
// therefore shared by all clients; README.md says what a client must avoid.
//
// PGlite itself accepts anyone, so this server authenticates every client before any of its
// messages reaches PGlite: SCRAM-SHA-256 against the secret in the embedded folder's
// password file (secret.ts), as a PostgreSQL server with password_encryption=scram-sha-256.
import { EventEmitter } from 'node:events';
import { createServer, isIP, type AddressInfo, type Server, type Socket } from 'node:net';
import { dirname, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { claim, discoveryFileFor, releaseRecord, updateRecord, type ServerRecord } from './discovery';
import {
  authenticationSASL,
  authenticationSASLContinue,
  authenticationSASLFinal,
  BackendTail,
  ClientReader,
  copyFailMessage,
  fatalMessage,
  guardMessage,
  parseSASLInitialResponse,
  queryMessage,
  saslResponseData,
  startupMessage,
  syncMessage,
  UNIT_ENDING,
} from './protocol';
import {
  ensurePassword,
  makePrivateDir,
  passwordFileFor,
  readPassword,
  restrictMode,
  SCRAM_MECHANISM,
  ScramError,
  ScramExchange,
  scramVerifier,
  type ScramVerifier,
} from './secret';

/** The user and database every client gets, whatever its startup message asks for. */
export const EMBEDDED_USER = 'postgres';
export const EMBEDDED_DATABASE = 'postgres';

export interface ServeOptions {
  /** PGlite data directory; created (initdb) on first use. Its parent is created if missing. */
  dataDir: string;
  /**
   * Loopback address to listen on (default 127.0.0.1; 127.x.x.x or ::1). Anything else is
   * refused: there is no TLS, and the server is meant for this machine's processes only.
   */
  host?: string;
  /** TCP port; 0 (the default) lets the OS pick a free one, published in the discovery file. */
  port?: number;
  /** Discovery and lock file (default: server.json in the data directory's parent). */
  discoveryFile?: string;
  /** Connections beyond this are refused with SQLSTATE 53300 (default 100). */
  maxConnections?: number;
  /**
   * The file holding the password every client must give (default: `password` in the data
   * directory's parent); created, with a random secret, when missing. Read again before each
   * client's authentication, so a password file made anew applies without a restart.
   */
  passwordFile?: string;
}

/** A client that has not authenticated within this time is disconnected (PostgreSQL's authentication_timeout). */
const AUTH_TIMEOUT_MS = 60_000;

export interface EmbeddedServerEvents {
  /** A client connected; `id` numbers clients in order of arrival. */
  connect: [id: number];
  /** A client's statement arrived while another client holds the database; it waits. */
  wait: [id: number, holder: number];
  /** A client's connection ended; `rolledBack`: it held an open unit that was rolled back. */
  disconnect: [id: number, rolledBack: boolean];
  /** The server stopped on its own after an internal PGlite failure (then `closed` settles). */
  error: [error: Error];
}

export interface EmbeddedServerStats {
  /** Open client connections. */
  connections: number;
  /** Clients with statements waiting for the database. */
  waiting: number;
  /** The client holding the database in the middle of a unit of work, if any. */
  holder: number | null;
}

export interface EmbeddedServer extends EventEmitter<EmbeddedServerEvents> {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly discoveryFile: string;
  readonly passwordFile: string;
  /** Connection parameters for clients: host, port, user, database and the password (never log it). */
  readonly connection: { host: string; port: number; user: string; database: string; password: string };
  stats(): EmbeddedServerStats;
  /**
   * Stops serving: refuses new connections, rolls back the transaction in progress (if any),
   * disconnects every client, closes PGlite (a checkpoint) and removes the discovery file.
   * Everything committed before is in the data directory.
   */
  close(): Promise<void>;
  /** Settles when the server has stopped, by close() or by an internal failure (rejects). */
  readonly closed: Promise<void>;
}

/** Thrown by serveEmbedded when another live process (or this one) already serves the data directory. */
export class EmbeddedServerBusyError extends Error {
  override name = 'EmbeddedServerBusyError';
  constructor(readonly record: ServerRecord) {
    super(`the embedded database ${record.dataDir} is ${record.state === 'ready' ? `served by process ${record.pid} on ${record.host}:${record.port}` : `being ${record.state === 'starting' ? 'opened' : 'closed'} by process ${record.pid}`}`);
  }
}

// Defined beside the record it names, so that a client finds a server without loading PGlite.
export { discoveryFileFor };

function assertLoopback(host: string): void {
  // IP literals only: 'localhost' may resolve to 127.0.0.1 for the server and ::1 for a client.
  const ok = (isIP(host) === 4 && host.startsWith('127.')) || host === '::1';
  if (!ok) throw new Error(`the embedded database listens on a loopback address (127.x.x.x or ::1) only, since it has no TLS; not ${host}`);
}

type Queued = { kind: 'message'; type: string; bytes: Buffer } | { kind: 'terminate' };

interface Client {
  id: number;
  socket: Socket;
  reader: ClientReader;
  /** Complete messages received and not yet run, in order. */
  queue: Queued[];
  /** In the server's wait list. */
  waiting: boolean;
  /** Socket closed, Terminate received, or dropped by the server: runs nothing more. */
  gone: boolean;
  /**
   * Where the client is in its authentication: before its startup message, expecting the
   * SASLInitialResponse, expecting the SASLResponse with its proof, authenticated. Nothing
   * but 'done' clients' messages are ever queued for PGlite.
   */
  auth: 'startup' | 'first' | 'final' | 'done';
  scram: ScramExchange | null;
  authTimer: NodeJS.Timeout | undefined;
}

class Embedded extends EventEmitter<EmbeddedServerEvents> implements EmbeddedServer {
  readonly host: string;
  port = 0;
  readonly dataDir: string;
  readonly discoveryFile: string;
  readonly passwordFile: string;
  readonly closed: Promise<void>;
  /** The password and its SCRAM verifier; the file is read again before each authentication. */
  private secret: string;
  private verifier: ScramVerifier;
  private settle!: { resolve: () => void; reject: (e: Error) => void };
  private net!: Server;
  private clients = new Set<Client>();
  private waitList: Client[] = [];
  /** The client whose unit of work is in progress; null when the backend is idle. */
  private holder: Client | null = null;
  /** Follows the backend's output stream, whoever it goes to: tells when a unit has ended. */
  private backend = new BackendTail();
  private running: Promise<void> | null = null;
  /** PGlite's reply to a startup message: AuthenticationOk, ParameterStatus…, BackendKeyData, ReadyForQuery. */
  private startupReply = Buffer.alloc(0);
  private nextId = 1;
  private closing: Promise<void> | null = null;
  private failed = false;
  private readonly maxConnections: number;
  private readonly onExit = (): void => releaseRecord(this.discoveryFile, this.record.token);

  constructor(
    private db: PGlite,
    private record: ServerRecord,
    options: { host: string; dataDir: string; discoveryFile: string; maxConnections: number; passwordFile: string; secret: string },
  ) {
    super();
    this.host = options.host;
    this.dataDir = options.dataDir;
    this.discoveryFile = options.discoveryFile;
    this.passwordFile = options.passwordFile;
    this.secret = options.secret;
    this.verifier = scramVerifier(options.secret);
    this.maxConnections = options.maxConnections;
    this.closed = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    // Observed through close() or the 'error' event; no unhandled rejection when neither is used.
    this.closed.catch(() => undefined);
  }

  get connection() {
    return { host: this.host, port: this.port, user: EMBEDDED_USER, database: EMBEDDED_DATABASE, password: this.secret };
  }

  /**
   * The verifier of the password file's secret now (the one of the last secret read when
   * the file is missing or unreadable): a file made anew after its removal applies at once.
   */
  private currentVerifier(): ScramVerifier {
    let now: string | undefined;
    try {
      now = readPassword(this.passwordFile);
    } catch {
      now = undefined;
    }
    if (now !== undefined && now !== this.secret) {
      this.secret = now;
      this.verifier = scramVerifier(now);
    }
    return this.verifier;
  }

  async listen(port: number): Promise<void> {
    // PGlite has one session and ignores what a startup message asks for (user, database,
    // options), so its reply to one startup serves every client: a client connects at once,
    // even while another holds the database in a long transaction (connect timeouts). The
    // reply starts with AuthenticationOk: sent once the client has proved the password.
    this.startupReply = Buffer.from(await this.db.execProtocolRaw(startupMessage(EMBEDDED_USER, EMBEDDED_DATABASE)));
    this.net = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      this.net.once('error', reject);
      this.net.listen(port, this.host, () => {
        this.net.off('error', reject);
        resolve();
      });
    });
    this.port = (this.net.address() as AddressInfo).port;
    this.record = { ...this.record, state: 'ready', port: this.port };
    updateRecord(this.discoveryFile, this.record);
    // A process that exits without close() (process.exit, an uncaught error) leaves no record
    // naming a port nobody serves; SIGKILL does, and readers then find its pid dead.
    process.on('exit', this.onExit);
  }

  stats(): EmbeddedServerStats {
    return { connections: this.clients.size, waiting: this.waitList.length, holder: this.holder && this.unitOpen() ? this.holder.id : null };
  }

  private unitOpen(): boolean {
    return !(this.backend.atReady && this.backend.status === 'I');
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    if (this.closing || this.clients.size >= this.maxConnections) {
      socket.end(fatalMessage(this.closing ? '57P03' : '53300', this.closing ? 'the embedded database server is shutting down' : 'too many connections to the embedded database'));
      return;
    }
    const c: Client = { id: this.nextId++, socket, reader: new ClientReader(), queue: [], waiting: false, gone: false, auth: 'startup', scram: null, authTimer: undefined };
    this.clients.add(c);
    this.emit('connect', c.id);
    socket.on('data', (data) => this.receive(c, data));
    // 'error' is always followed by 'close'; the listener keeps it from being thrown.
    socket.on('error', () => undefined);
    socket.on('close', () => this.drop(c));
  }

  private receive(c: Client, data: Buffer): void {
    if (c.gone) return;
    let packets;
    try {
      packets = c.reader.push(data);
    } catch (e) {
      c.socket.end(fatalMessage('08P01', (e as Error).message));
      this.drop(c, false);
      return;
    }
    for (const p of packets) {
      if (p.kind === 'ssl' || p.kind === 'gssenc') c.socket.write('N'); // no encryption on loopback
      else if (p.kind === 'cancel') {
        // PGlite runs a statement synchronously to its end: there is nothing to interrupt.
        c.socket.end();
        this.drop(c);
        return;
      } else if (p.kind === 'startup') this.challenge(c);
      else if (c.auth !== 'done') {
        if (!this.authenticate(c, p.type, p.bytes)) return;
      } else if (p.type === 'X') c.queue.push({ kind: 'terminate' });
      else c.queue.push({ kind: 'message', type: p.type, bytes: guardMessage(p.type, p.bytes) });
    }
    if (c.queue.length > 0) this.schedule(c);
  }

  /** Answers a startup message: the password is asked for (SCRAM-SHA-256) before anything else. */
  private challenge(c: Client): void {
    c.auth = 'first';
    c.scram = new ScramExchange(this.currentVerifier());
    c.authTimer = setTimeout(() => {
      if (c.gone || c.auth === 'done') return;
      c.socket.end(fatalMessage('08P01', 'canceling authentication due to timeout'));
      this.drop(c, false);
    }, AUTH_TIMEOUT_MS);
    c.authTimer.unref();
    c.socket.write(authenticationSASL([SCRAM_MECHANISM]));
  }

  /**
   * One message of a client that has not authenticated yet: the next step of its SCRAM
   * exchange. False when the client is dropped: a wrong proof, anything but the expected
   * SASL message (a missing password), a malformed one.
   */
  private authenticate(c: Client, type: string, bytes: Buffer): boolean {
    if (type === 'X') {
      // It gave up (a client with no password to give closes so).
      c.socket.end();
      this.drop(c, false);
      return false;
    }
    if (type !== 'p') return this.refuse(c, 'no password was given');
    try {
      if (c.auth === 'first') {
        const initial = parseSASLInitialResponse(bytes);
        if (!initial || initial.mechanism !== SCRAM_MECHANISM) return this.refuse(c, `expected a ${SCRAM_MECHANISM} SASL response`);
        c.socket.write(authenticationSASLContinue(c.scram!.first(initial.data)));
        c.auth = 'final';
        return true;
      }
      const serverFinal = c.scram!.final(saslResponseData(bytes));
      if (serverFinal === null) return this.refuse(c);
      clearTimeout(c.authTimer);
      c.auth = 'done';
      c.reader.authenticated();
      c.scram = null;
      c.socket.write(Buffer.concat([authenticationSASLFinal(serverFinal), this.startupReply]));
      return true;
    } catch (e) {
      if (e instanceof ScramError) return this.refuse(c, e.message);
      throw e;
    }
  }

  /** As PostgreSQL answers a failed authentication: FATAL 28P01, then the connection is closed. */
  private refuse(c: Client, detail?: string): false {
    c.socket.end(fatalMessage('28P01', `password authentication failed for user "${EMBEDDED_USER}"`, detail));
    this.drop(c, false);
    return false;
  }

  private schedule(c: Client): void {
    if (c !== this.holder && !c.waiting) {
      c.waiting = true;
      this.waitList.push(c);
      if (this.holder && this.unitOpen()) this.emit('wait', c.id, this.holder.id);
    }
    this.kick();
  }

  /** The socket closed (or the server dropped the client). Its open unit, if any, is rolled back by the loop. */
  private drop(c: Client, destroy = true): void {
    if (!this.clients.has(c)) return;
    c.gone = true;
    c.queue = [];
    clearTimeout(c.authTimer);
    if (c.waiting) {
      c.waiting = false;
      this.waitList.splice(this.waitList.indexOf(c), 1);
    }
    if (c === this.holder) this.kick();
    else {
      this.clients.delete(c);
      this.emit('disconnect', c.id, false);
    }
    // Not after end(message): destroy() would discard the message still being written.
    if (destroy && !c.socket.destroyed) c.socket.destroy();
  }

  private kick(): void {
    if (this.running || this.failed) return;
    this.running = this.loop()
      .catch((e: unknown) => this.fail(e instanceof Error ? e : new Error(String(e))))
      .finally(() => {
        this.running = null;
        // Work that arrived while the loop was finishing (not waiting clients behind a holder
        // that is mid-unit: the loop would only stop again, and again).
        if (!this.failed && this.runnable()) this.kick();
      });
  }

  private runnable(): boolean {
    const h = this.holder;
    if (h) return h.gone || h.queue.length > 0 || !this.unitOpen();
    return this.waitList.length > 0;
  }

  /** Runs clients' messages, one holder at a time, until nothing can run. */
  private async loop(): Promise<void> {
    for (;;) {
      let c = this.holder;
      if (!c) {
        c = this.waitList.shift() ?? null;
        if (!c) return;
        c.waiting = false;
        this.holder = c;
      }
      if (c.gone) {
        const open = this.unitOpen();
        if (open) await this.abandon();
        this.holder = null;
        this.clients.delete(c);
        this.emit('disconnect', c.id, open);
        continue;
      }
      const next = c.queue[0];
      if (!next) {
        // Mid-unit with nothing more received yet: everyone else waits for this client.
        if (this.unitOpen()) return;
        this.holder = null;
        continue;
      }
      if (next.kind === 'terminate') {
        c.queue.shift();
        c.socket.end();
        this.drop(c, false);
        continue;
      }
      await this.run(this.takeBatch(c), c);
      // A client that went away meanwhile stays the holder: the branch above retires it.
      if (!this.unitOpen() && !c.gone) {
        // The unit ended: the next waiting client's turn, this one goes to the back of the line.
        this.holder = null;
        if (c.queue.length > 0) {
          c.waiting = true;
          this.waitList.push(c);
        }
      }
    }
  }

  /**
   * The client's next messages up to and including the first one after which the backend
   * reports ReadyForQuery (a Query, a Sync…), so that clients take turns statement by statement.
   */
  private takeBatch(c: Client): Buffer {
    const parts: Buffer[] = [];
    while (c.queue.length > 0) {
      const q = c.queue[0]!;
      if (q.kind === 'terminate') break;
      c.queue.shift();
      parts.push(q.bytes);
      if (UNIT_ENDING.has(q.type)) break;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** Runs protocol bytes in PGlite, streaming the replies to `to` (null: discarded). */
  private async run(bytes: Buffer, to: Client | null): Promise<void> {
    await this.db.runExclusive(() =>
      this.db.execProtocolRawStream(bytes, {
        onRawData: (chunk) => {
          this.backend.push(chunk);
          // A copy: the chunk may be a view of PGlite's memory, reused by the next reply.
          if (to && !to.gone && to.socket.writable) to.socket.write(Buffer.from(chunk));
        },
      }),
    );
  }

  /**
   * Ends the unit of a client that went away in the middle of it, as PostgreSQL does when a
   * connection drops: nothing of it is committed. A Query 'ROLLBACK' aborts an explicit
   * transaction and also the implicit one of an extended-protocol sequence cut before its
   * Sync (a Sync would commit that one instead). After an error in such a sequence the
   * backend ignores everything up to a Sync, and that Sync commits nothing since the error
   * already aborted the transaction.
   */
  private async abandon(): Promise<void> {
    const b = this.backend;
    // CopyIn/CopyBoth: not reachable while guardMessage refuses COPY FROM STDIN; kept so that a
    // PGlite that does support it gets its copy aborted rather than committed.
    if (b.lastType === 'G' || b.lastType === 'W') await this.run(copyFailMessage('client disconnected'), null);
    if (!b.atReady) {
      if (!b.errorSinceReady) await this.run(queryMessage('ROLLBACK'), null);
      if (!b.atReady) await this.run(syncMessage(), null);
    }
    if (b.atReady && b.status !== 'I') await this.run(queryMessage('ROLLBACK'), null);
    if (this.unitOpen() || this.db.isInTransaction()) throw new Error('could not roll back the transaction of a disconnected client');
  }

  private fail(e: Error): void {
    if (this.failed) return;
    this.failed = true;
    for (const c of this.clients) c.socket.destroy();
    this.clients.clear();
    this.net.close();
    process.off('exit', this.onExit);
    releaseRecord(this.discoveryFile, this.record.token);
    this.db.close().catch(() => undefined);
    // An 'error' event without a listener would throw here; `closed` reports it anyway.
    if (this.listenerCount('error') > 0) this.emit('error', e);
    this.settle.reject(e);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.failed) return this.closed;
    // 'closing' before the port stops answering: a reader never takes a refused 'ready' record
    // of a closing server for a stale one (discovery.ts isStale).
    updateRecord(this.discoveryFile, (this.record = { ...this.record, state: 'closing' }));
    const stopped = new Promise<void>((r) => this.net.close(() => r()));
    for (const c of [...this.clients]) {
      if (!c.socket.destroyed) c.socket.end(fatalMessage('57P01', 'terminating connection: the embedded database server is shutting down'));
      this.drop(c, false);
    }
    // The loop rolls back the holder's unit and retires it; wait until it has.
    while (this.running) await this.running;
    if (this.failed) return this.closed;
    await stopped;
    await this.db.close();
    process.off('exit', this.onExit);
    releaseRecord(this.discoveryFile, this.record.token);
    this.settle.resolve();
  }
}

/**
 * Opens the PGlite database in `dataDir` (creating it on first use) and serves it on a
 * loopback port. Claims the data directory through its discovery file first: throws
 * EmbeddedServerBusyError if another live process (or this one) serves it already.
 */
export async function serveEmbedded(options: ServeOptions): Promise<EmbeddedServer> {
  const host = options.host ?? '127.0.0.1';
  assertLoopback(host);
  const dataDir = resolve(options.dataDir);
  const discoveryFile = resolve(options.discoveryFile ?? discoveryFileFor(dataDir));
  const passwordFile = resolve(options.passwordFile ?? passwordFileFor(dataDir));
  makePrivateDir(dirname(dataDir));
  makePrivateDir(dirname(discoveryFile));
  // Before the claim: a client that finds this server 'ready' finds its password too.
  const secret = ensurePassword(passwordFile);
  const claimed = await claim(discoveryFile, { dataDir, pid: process.pid, host, port: 0, user: EMBEDDED_USER, database: EMBEDDED_DATABASE });
  if (!claimed.claimed) throw new EmbeddedServerBusyError(claimed.record);
  let db: PGlite | undefined;
  try {
    db = await PGlite.create(dataDir);
    // The database's files are no one else's business either (PostgreSQL wants 0700 too).
    restrictMode(dataDir, 0o700);
    const server = new Embedded(db, claimed.record, { host, dataDir, discoveryFile, maxConnections: options.maxConnections ?? 100, passwordFile, secret });
    await server.listen(options.port ?? 0);
    return server;
  } catch (e) {
    await db?.close().catch(() => undefined);
    releaseRecord(discoveryFile, claimed.record.token);
    throw e;
  }
}
