// One database connection for the window: the runtime Connection (a small pool of mysql2
// or node-postgres sessions, by the target's backend) opened on Connect, closed on Disconnect or Switch, and shared by everything in the
// client: the Tables view (through its catalog), the Jobs view, the CodeLens and the
// populate command (through withConnection). It reports its state, and when the server
// goes away it probes until the server is back, then tells the views to reload.
// The client never writes SQL: everything goes through runtime/ (catalog, jobs).
// With no server configured the target is the workspace's embedded database (the runtime's
// Connection finds or starts the process serving `.datajoint/` and reads the folder's
// password itself): no password prompt, no SecretStorage, named "Local database — this workspace".
import * as vscode from 'vscode';
import type { Connection, EmbeddedConnectionInfo } from '../../runtime/connection/index';
import type { Catalog } from '../../runtime/catalog/index';
import { describeTarget, resolveConnectionTarget, type ConnectionTarget } from './connectionSettings';
import { ConnectQueue } from './connectQueue';
import { loadRuntime } from './loadRuntime';
import { PasswordStore } from './passwordStore';
import { localDatabaseExists } from './localDatabase';

export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'error';

export interface ConnectionInfo {
  readonly state: ConnectionState;
  /** user@host:port (postgresql://user@host:port/db on PostgreSQL) of the current or last attempt. */
  readonly label: string | undefined;
  readonly lastError: string | undefined;
  /** The last attempt failed for want of settings (no user, unreadable datajoint.json). */
  readonly needsSettings: boolean;
  readonly serverVersion: string | undefined;
  /** The local database the open connection uses (folder, data directory, serving pid). */
  readonly local?: EmbeddedConnectionInfo | undefined;
  /** The target of the current or last attempt. */
  readonly currentTarget?: ConnectionTarget | undefined;
}

/** Where the open connection goes and with which password, for a populate run's environment. */
export interface Credentials {
  readonly target: ConnectionTarget;
  readonly password: string;
}

const CONNECTED_CONTEXT = 'datajoint.connected';

// mysql2/runtime error codes (the runtime's `login` for both backends) that mean "wrong password" rather than "server away".
const ACCESS_DENIED = /ER_ACCESS_DENIED|Access denied/i;

// The runtime's codes for a server that is away (runtime/errors), and mysql2's socket
// codes for errors that reach us untranslated.
const CONNECTION_CODES = new Set(['unreachable', 'lostConnection', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'PROTOCOL_CONNECTION_LOST']);

/** Whether an error says the server is away (rather than a bad query or table). */
export function isConnectionProblem(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && CONNECTION_CODES.has(code);
}

/** Probing a server that went away: first after this long, doubling up to the maximum. */
const PROBE_FIRST_MS = 1000;
const PROBE_MAX_MS = 30_000;

/** The same server, account and database: what a reconnect would change. */
function sameTarget(a: ConnectionTarget, b: ConnectionTarget): boolean {
  if (a.local || b.local) return a.local?.dir === b.local?.dir;
  return a.backend === b.backend && a.host === b.host && a.port === b.port && a.user === b.user && a.tls === b.tls && a.databaseName === b.databaseName;
}

/** The only variable of the editor's environment a local database connection reads: the serving process's idle time. */
function embeddedEnv(): NodeJS.ProcessEnv {
  return process.env.DJ_EMBEDDED_IDLE_MS ? { DJ_EMBEDDED_IDLE_MS: process.env.DJ_EMBEDDED_IDLE_MS } : {};
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class ConnectionManager implements ConnectionInfo, vscode.Disposable {
  private conn: Connection | undefined;
  private catalogInstance: Catalog | undefined;
  private openedWith: Credentials | undefined;
  private target: ConnectionTarget | undefined;
  private current: ConnectionState = 'disconnected';
  private error: string | undefined;
  private settingsMissing = false;
  private readonly emitter = new vscode.EventEmitter<ConnectionState>();
  readonly onDidChangeState = this.emitter.event;
  private readonly connectionEmitter = new vscode.EventEmitter<Connection | undefined>();
  /** Fired when the runtime Connection is opened (with it) or closed (undefined). */
  readonly onDidChangeConnection = this.connectionEmitter.event;
  private probe: { timer: NodeJS.Timeout; delay: number } | undefined;
  /** A Connect that failed because the server is away is tried again quietly. */
  private retry: NodeJS.Timeout | undefined;
  /**
   * Bumped by every Connect attempt and Disconnect: an attempt, a retry or a password
   * prompt that finishes after a newer one started must not touch the state.
   */
  private generation = 0;
  /** Whether the user asked to be connected (a Connect since the last Disconnect). */
  private wanted = false;
  private settingsWrites = 0;
  /** A Connect or Disconnect was asked (by the user or a command) in this window. */
  private userActed = false;
  private readonly passwords: PasswordStore;
  private readonly queue = new ConnectQueue((interactive) => this.doConnect(interactive));

  constructor(
    secrets: vscode.SecretStorage,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.passwords = new PasswordStore(secrets);
    void vscode.commands.executeCommand('setContext', CONNECTED_CONTEXT, false);
  }

  get state(): ConnectionState {
    return this.current;
  }
  get label(): string | undefined {
    return this.target && describeTarget(this.target);
  }
  /** The target of the current or last attempt (Switch Connection remembers it). */
  get currentTarget(): ConnectionTarget | undefined {
    return this.target;
  }
  /** Whether anyone asked to connect or disconnect yet (an automatic connect does not count). */
  get touched(): boolean {
    return this.userActed;
  }
  get lastError(): string | undefined {
    return this.error;
  }
  get needsSettings(): boolean {
    return this.settingsMissing;
  }
  get serverVersion(): string | undefined {
    return this.conn?.serverVersion;
  }
  get passwordStore(): PasswordStore {
    return this.passwords;
  }
  /** The embedded database the open connection uses (folder, data directory, serving pid); undefined on a server. */
  get local(): EmbeddedConnectionInfo | undefined {
    return this.conn?.embedded;
  }

  private setState(state: ConnectionState, error?: string, needsSettings = false): void {
    this.error = error;
    this.settingsMissing = needsSettings;
    this.current = state;
    // The views have something to show while a connection object exists, even when the
    // server is away for a moment; otherwise the welcome view with Connect.
    void vscode.commands.executeCommand('setContext', CONNECTED_CONTEXT, this.conn !== undefined);
    // Fired on every call: a new error message is news even when the state is the same.
    this.emitter.fire(state);
  }

  /** The catalog of the open connection, or undefined when not connected. */
  get catalog(): Catalog | undefined {
    return this.catalogInstance;
  }

  /** Whether a runtime Connection is open (the server may still be away for a moment). */
  get connected(): boolean {
    return this.conn !== undefined;
  }

  /**
   * The target and password of the open connection; undefined when not connected. On the
   * local database: the endpoint it is served on now (the runtime's Connection moves to
   * another serving process when one exits), with the target's `local` kept.
   */
  credentials(): Credentials | undefined {
    if (!this.conn || !this.openedWith) return undefined;
    if (!this.openedWith.target.local) return this.openedWith;
    const db = this.conn.settings.database;
    return {
      target: { ...this.openedWith.target, host: db.host, port: db.port, user: db.user ?? 'postgres', databaseName: db.name ?? 'postgres', tls: false },
      password: db.password ?? '',
    };
  }

  /**
   * Runs `fn` on a connection to the local database in `dir`: the window's own when it is
   * connected there, else one opened for the purpose and closed after (Reset and Export of
   * a workspace whose window uses a server). Undefined, with nothing opened, when that
   * database was never created.
   */
  async withLocalDatabase<T>(dir: string, fn: (conn: Connection, dataDir: string) => Promise<T>): Promise<{ value: T } | undefined> {
    const mine = this.conn?.embedded;
    if (mine && mine.dir === dir) return { value: await fn(await this.runtime(), mine.dataDir) };
    if (!localDatabaseExists(dir)) return undefined;
    const { Connection } = await loadRuntime();
    const conn = await Connection.connect({ backend: 'embedded', cwd: dir, overrides: { database: { embeddedDir: dir } }, ignoreConfigFile: true, env: embeddedEnv() });
    try {
      return { value: await fn(conn, conn.embedded?.dataDir ?? dir) };
    } finally {
      await conn.close().catch(() => undefined);
    }
  }

  /** Tells the views the data changed (after a reset of the local database): they reload. */
  dataChanged(): void {
    this.setState(this.current, this.error, this.settingsMissing);
  }

  /**
   * The window's runtime Connection, once a Connect under way has settled. Rejects when
   * not connected. Prefer withConnection, which also tracks a server going away.
   */
  async runtime(): Promise<Connection> {
    for (let p = this.queue.pending; p; p = this.queue.pending) await p;
    if (!this.conn) throw new Error('Not connected to a database: run "DataJoint: Connect" first.');
    return this.conn;
  }

  /**
   * Connects (or reconnects after settings changed). Interactive: may ask for the
   * password. Resolves to whether the window is connected afterwards. Asked while an
   * attempt is under way, it runs one more attempt after that one (connectQueue.ts).
   */
  connect(options: { interactive?: boolean; automatic?: boolean } = {}): Promise<boolean> {
    this.wanted = true;
    if (!options.automatic) this.userActed = true;
    return this.queue.request(options.interactive ?? true);
  }

  /**
   * datajoint.backend/host/port/user/tls/databaseName changed: reconnect quietly whenever the user wants to be
   * connected (a Connect since the last Disconnect) and the settings now name another
   * target than the current one, once any attempt under way has ended. Not only when
   * connected: settings are written one at a time, and a half-written target (a new host
   * with the old port) may have failed, leaving the window disconnected just before the
   * write that completes the target.
   */
  async settingsChanged(): Promise<void> {
    // While writingSettings runs, the writer connects once its writes are done: an earlier
    // change's (debounced) call arriving now would read a half-written target.
    if (!this.wanted || this.settingsWrites > 0) return;
    for (let p = this.queue.pending; p; p = this.queue.pending) await p;
    if (!this.wanted || this.settingsWrites > 0) return;
    let target: ConnectionTarget | undefined;
    try {
      target = await resolveConnectionTarget(vscode.workspace.workspaceFolders?.[0]?.uri);
    } catch {
      target = undefined; // the attempt reports the bad setting
    }
    if (this.settingsWrites > 0) return;
    // Nothing new: the open connection, the attempt under way or the last one (failed, and
    // retrying in the background) already uses this target. A reconnect here would also
    // end that retry, and without a password stored for the target, end it for good.
    if (target && this.target && sameTarget(target, this.target)) return;
    // A Disconnect while the target was read wins; and this reconnect is not the user
    // asking to be connected (connect() would set `wanted` again).
    if (!this.wanted) return;
    await this.queue.request(false);
  }

  /**
   * Runs settings writes that together name one target (Switch Connection writes host,
   * port and user one by one, each a change event of its own): while they run, the
   * change events do not retarget the connection, so no half-written target is ever
   * tried. The caller connects afterwards.
   */
  async writingSettings(writes: () => Promise<void>, written: Readonly<Record<string, unknown>> = {}): Promise<void> {
    this.settingsWrites++;
    // The extension host applies a write to what getConfiguration() reads a little after
    // update() resolves (its change event comes then): a Connect right after the writes
    // could still read the half-written target. So wait until `written` (setting name under
    // `datajoint.` → value) reads back, checking at each change event.
    // At the level written (a folder's own value may override it: that must not hang this).
    const readBack = () => {
      const config = vscode.workspace.getConfiguration('datajoint');
      return Object.entries(written).every(([k, v]) => {
        const at = config.inspect(k);
        return [at?.globalValue, at?.workspaceValue, at?.workspaceFolderValue].includes(v);
      });
    };
    let settled: () => void = () => undefined;
    const applied = new Promise<void>((resolve) => (settled = resolve));
    const watching = vscode.workspace.onDidChangeConfiguration(() => {
      if (readBack()) settled();
    });
    try {
      await writes();
      if (!readBack()) await applied;
    } finally {
      watching.dispose();
      this.settingsWrites--;
    }
  }

  /** Whether writingSettings is under way (the change events are the writer's). */
  get writesSettings(): boolean {
    return this.settingsWrites > 0;
  }

  private async doConnect(interactive: boolean): Promise<boolean> {
    const generation = ++this.generation;
    // Every step that waits ends with this check: a Disconnect, or a newer attempt, in
    // the meantime makes this attempt's outcome nobody's news.
    const stale = () => generation !== this.generation;
    await this.closeConnection();
    if (stale()) return false;
    this.setState('connecting');
    let target: ConnectionTarget;
    try {
      target = await resolveConnectionTarget(vscode.workspace.workspaceFolders?.[0]?.uri);
    } catch (e) {
      // A malformed datajoint.json or DJ_* value: runtime/config names the culprit.
      this.target = undefined;
      return this.fail(generation, `Cannot read the connection settings: ${messageOf(e)}`, 'error', true);
    }
    if (stale()) return false;
    if (target.local) return this.connectLocal(generation, target);
    if (!target.user) {
      // No target to name: the status bar must not show a half-made `?@localhost`.
      this.target = undefined;
      return this.fail(generation, 'No database user is set: set one in the DataJoint settings (User), in DJ_USER, or in datajoint.json.', 'error', true);
    }
    this.target = target;
    let password = target.passwordFromEnvironment ?? (await this.passwords.get(target));
    if (stale()) return false;
    let fromStore = target.passwordFromEnvironment === undefined && password !== undefined;
    if (password === undefined) {
      if (!interactive) return this.fail(generation, `No password stored for ${describeTarget(target)}; run "DataJoint: Connect".`, 'disconnected');
      password = await this.passwords.ask(target);
      if (stale()) return false;
      if (password === undefined) return this.fail(generation, 'Connection cancelled: no password given.', 'disconnected');
    }
    for (let attempt = 0; ; attempt++) {
      try {
        this.output.info(`Connecting to ${describeTarget(target)}`);
        if (!(await this.open(generation, target, password))) return false;
        if (target.passwordFromEnvironment === undefined) await this.passwords.store(target, password);
        if (stale()) return false;
        this.output.info(`Connected to ${describeTarget(target)} (${this.serverVersion})`);
        this.setState('connected');
        return true;
      } catch (e) {
        if (stale()) return false;
        const message = messageOf(e);
        // A stored password that no longer works is forgotten and asked again, once.
        const refused = (e as { code?: unknown }).code === 'login' || ACCESS_DENIED.test(message);
        if (refused && attempt === 0 && interactive && target.passwordFromEnvironment === undefined) {
          if (fromStore) await this.passwords.forget(target);
          const again = await this.passwords.ask(target, 'The server refused the password.');
          if (stale()) return false;
          if (again === undefined) return this.fail(generation, `Access denied for ${describeTarget(target)}.`);
          password = again;
          fromStore = false;
          continue;
        }
        // The server is away (not refusing us): try again quietly until it is back.
        if (isConnectionProblem(e)) this.scheduleRetry(generation, target, password, PROBE_FIRST_MS * 2);
        // The runtime's messages already say what failed and where; add who, once.
        return this.fail(generation, /^Cannot connect/i.test(message) ? `${message} (as ${target.user})` : `Cannot connect to ${describeTarget(target)}: ${message}`);
      }
    }
  }

  /** The workspace's embedded database: found or started by the runtime, which reads its password; no prompt. */
  private async connectLocal(generation: number, target: ConnectionTarget): Promise<boolean> {
    this.target = target;
    try {
      this.output.info(`Opening the ${describeTarget(target).toLowerCase()} (${target.local!.dir}): ${target.local!.reason}`);
      if (!(await this.open(generation, target, ''))) return false;
      if (generation !== this.generation) return false;
      const local = this.conn?.embedded;
      this.output.info(`Connected to the ${describeTarget(target).toLowerCase()}: ${local?.dataDir}, served on ${this.conn?.settings.database.host}:${this.conn?.settings.database.port} by process ${local?.serverPid} (${this.serverVersion})`);
      this.setState('connected');
      return true;
    } catch (e) {
      if (generation !== this.generation) return false;
      // The runtime's message names the database and its folder.
      return this.fail(generation, messageOf(e));
    }
  }

  /**
   * Opens the runtime Connection (a small pool) and makes it the window's, unless a
   * Connect or Disconnect came in the meantime (then it is closed again: false).
   */
  private async open(generation: number, target: ConnectionTarget, password: string): Promise<boolean> {
    const { Connection, Catalog } = await loadRuntime();
    const conn = target.local
      ? await Connection.connect({
          backend: 'embedded',
          cwd: target.local.dir,
          overrides: { database: { embeddedDir: target.local.dir } },
          ignoreConfigFile: true,
          // Only the serving process's idle time comes from the editor's environment.
          env: embeddedEnv(),
          connectTimeout: 8000,
        })
      : await Connection.connect({
      backend: target.backend,
      host: target.host,
      port: target.port,
      user: target.user,
      password,
      useTls: target.tls,
      // The database only PostgreSQL has (MySQL's schemas are its databases).
      overrides: target.databaseName === undefined ? undefined : { database: { name: target.databaseName } },
      // The target is already resolved; do not read files or the environment again.
      ignoreConfigFile: true,
      env: {},
      connectionLimit: 4,
      connectTimeout: 8000,
    });
    if (generation !== this.generation || this.conn) {
      await conn.close().catch(() => undefined);
      return false;
    }
    this.conn = conn;
    this.catalogInstance = new Catalog(conn);
    this.openedWith = { target, password };
    this.connectionEmitter.fire(conn);
    return true;
  }

  // After a Connect failed on an unreachable server: the same target and password again,
  // in the background (no 'connecting' flicker), doubling the wait up to PROBE_MAX_MS.
  // Any Connect or Disconnect in between (a new generation) cancels it.
  private scheduleRetry(generation: number, target: ConnectionTarget, password: string, delay: number): void {
    this.stopRetrying();
    this.retry = setTimeout(() => {
      this.retry = undefined;
      const current = () => generation === this.generation && !this.conn && !this.queue.pending;
      if (!current()) return;
      void this.open(generation, target, password).then(
        async (opened) => {
          if (!opened) return;
          if (target.passwordFromEnvironment === undefined) await this.passwords.store(target, password);
          if (generation !== this.generation) return;
          this.output.info(`The database is reachable again: connected to ${describeTarget(target)} (${this.serverVersion})`);
          this.setState('connected');
        },
        (e: unknown) => {
          if (current() && isConnectionProblem(e)) this.scheduleRetry(generation, target, password, Math.min(delay * 2, PROBE_MAX_MS));
        },
      );
    }, delay);
  }

  private stopRetrying(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
  }

  /** The attempt of `generation` failed: said, unless a newer attempt or a Disconnect came. */
  private fail(generation: number, message: string, state: ConnectionState = 'error', needsSettings = false): false {
    if (generation !== this.generation) return false;
    this.output.error(message);
    this.setState(state, message, needsSettings);
    return false;
  }

  /** Also ends a Connect under way (its outcome is dropped) and the one queued after it. */
  async disconnect(): Promise<void> {
    this.wanted = false;
    this.userActed = true;
    this.generation++;
    this.queue.dropQueued();
    this.stopRetrying();
    await this.closeConnection();
    this.output.info('Disconnected');
    this.setState('disconnected');
  }

  /** Forgets the stored password of the current target and asks for a new one. */
  async changePassword(): Promise<boolean> {
    const target = this.target ?? (await resolveConnectionTarget(vscode.workspace.workspaceFolders?.[0]?.uri));
    if (target.local) {
      void vscode.window.showInformationMessage(`The ${describeTarget(target).toLowerCase()} has no password to change: it is reachable from this machine only.`);
      return false;
    }
    const password = await this.passwords.ask(target, 'New password.');
    if (password === undefined) return false;
    await this.passwords.store(target, password);
    return this.connect();
  }

  /**
   * Runs runtime calls on the window's connection (catalog queries, a table's jobs). A
   * failure caused by the server going away marks the connection as in error and starts
   * probing; the next success marks it connected again, so the views recover on their
   * own when the server comes back (mysql2's pool opens new sessions).
   */
  async withConnection<T>(fn: (conn: Connection, catalog: Catalog) => Promise<T>): Promise<T> {
    const conn = this.conn;
    const catalog = this.catalogInstance;
    if (!conn || !catalog) throw new Error('Not connected to a database: run "DataJoint: Connect" first.');
    try {
      const result = await fn(conn, catalog);
      // Only news about the connection still open: a late answer from a closed one is not.
      if (this.current === 'error' && this.conn === conn) {
        this.stopProbing();
        this.output.info(`The database is reachable again (${this.label ?? ''})`);
        this.setState('connected');
      }
      return result;
    } catch (e) {
      // Once per loss: the views reload on every state event, and a reload that fails
      // again must not announce it again (that would loop while the server is away).
      if (isConnectionProblem(e) && this.conn === conn && this.current !== 'error') {
        const message = `Lost the database connection: ${messageOf(e)}`;
        this.output.warn(message);
        this.setState('error', message);
        this.startProbing();
      }
      throw e;
    }
  }

  /** Runs a catalog query for a view (see withConnection). */
  withCatalog<T>(fn: (catalog: Catalog) => Promise<T>): Promise<T> {
    return this.withConnection((_conn, catalog) => fn(catalog));
  }

  // A cheap catalog call every few seconds (doubling) while the server is away; its
  // success goes through withConnection, which marks the window connected again.
  private startProbing(): void {
    if (this.probe) return;
    const tick = (delay: number) => {
      const timer = setTimeout(() => {
        if (!this.probe || this.probe.timer !== timer) return;
        this.withCatalog((c) => c.listSchemas()).then(
          () => this.stopProbing(),
          () => {
            if (this.probe?.timer === timer && this.current === 'error') tick(Math.min(delay * 2, PROBE_MAX_MS));
          },
        );
      }, delay);
      this.probe = { timer, delay };
    };
    tick(PROBE_FIRST_MS);
  }

  private stopProbing(): void {
    if (this.probe) clearTimeout(this.probe.timer);
    this.probe = undefined;
  }

  private async closeConnection(): Promise<void> {
    this.stopProbing();
    this.stopRetrying();
    const conn = this.conn;
    this.conn = undefined;
    this.catalogInstance = undefined;
    this.openedWith = undefined;
    if (conn) this.connectionEmitter.fire(undefined);
    if (conn) await conn.close().catch((e: unknown) => this.output.warn(`Closing the connection: ${messageOf(e)}`));
  }

  dispose(): void {
    this.generation++; // an open still under way is closed, not adopted
    this.queue.dropQueued();
    void this.closeConnection();
    this.emitter.dispose();
    this.connectionEmitter.dispose();
  }
}
