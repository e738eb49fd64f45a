// One database connection for the window: connects with the resolved target and the
// stored password, reports its state, and hands the runtime's catalog to the views.
// The client never writes SQL: everything goes through runtime/ (catalog, jobs).
import * as vscode from 'vscode';
import type { Connection } from '../../runtime/connection/index';
import type { Catalog } from '../../runtime/catalog/index';
import { describeTarget, resolveConnectionTarget, type ConnectionTarget } from './connectionSettings';
import { PasswordStore } from './passwordStore';

export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'error';

export interface ConnectionInfo {
  readonly state: ConnectionState;
  /** user@host:port of the current or last attempt. */
  readonly label: string | undefined;
  readonly lastError: string | undefined;
  readonly serverVersion: string | undefined;
}

const CONNECTED_CONTEXT = 'datajoint.connected';

// mysql2/runtime error codes that mean "wrong password" rather than "server away".
const ACCESS_DENIED = /ER_ACCESS_DENIED|Access denied/i;

// The runtime's codes for a server that is away (runtime/errors), and mysql2's socket
// codes for errors that reach us untranslated.
const CONNECTION_CODES = new Set(['unreachable', 'lostConnection', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'PROTOCOL_CONNECTION_LOST']);

function isConnectionProblem(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && CONNECTION_CODES.has(code);
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class ConnectionManager implements ConnectionInfo, vscode.Disposable {
  private conn: Connection | undefined;
  private catalogInstance: Catalog | undefined;
  private target: ConnectionTarget | undefined;
  private current: ConnectionState = 'disconnected';
  private error: string | undefined;
  private readonly emitter = new vscode.EventEmitter<ConnectionState>();
  readonly onDidChangeState = this.emitter.event;
  private readonly passwords: PasswordStore;
  private pending: Promise<boolean> | undefined;

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
  get lastError(): string | undefined {
    return this.error;
  }
  get serverVersion(): string | undefined {
    return this.conn?.serverVersion;
  }
  get passwordStore(): PasswordStore {
    return this.passwords;
  }

  private setState(state: ConnectionState, error?: string): void {
    this.error = error;
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

  /**
   * Connects (or reconnects after settings changed). Interactive: may ask for the
   * password. Resolves to whether the window is connected afterwards.
   */
  connect(options: { interactive?: boolean } = {}): Promise<boolean> {
    this.pending ??= this.doConnect(options.interactive ?? true).finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async doConnect(interactive: boolean): Promise<boolean> {
    await this.closeConnection();
    this.setState('connecting');
    let target: ConnectionTarget;
    try {
      target = await resolveConnectionTarget(vscode.workspace.workspaceFolders?.[0]?.uri);
    } catch (e) {
      // A malformed datajoint.json or DJ_* value: runtime/config names the culprit.
      return this.fail(`Cannot read the connection settings: ${messageOf(e)}`);
    }
    this.target = target;
    if (!target.user) {
      return this.fail('No database user: set `datajoint.user`, DJ_USER, or database.user in datajoint.json.');
    }
    let password = target.passwordFromEnvironment ?? (await this.passwords.get(target));
    let fromStore = target.passwordFromEnvironment === undefined && password !== undefined;
    if (password === undefined) {
      if (!interactive) return this.fail(`No password stored for ${describeTarget(target)}; run "DataJoint: Connect".`, 'disconnected');
      password = await this.passwords.ask(target);
      if (password === undefined) return this.fail('Connection cancelled: no password given.', 'disconnected');
    }
    for (let attempt = 0; ; attempt++) {
      try {
        this.output.info(`Connecting to ${describeTarget(target)}`);
        const { Connection } = await import('../../runtime/connection/index');
        const { Catalog } = await import('../../runtime/catalog/index');
        const conn = await Connection.connect({
          host: target.host,
          port: target.port,
          user: target.user,
          password,
          useTls: target.tls,
          // The target is already resolved; do not read files or the environment again.
          ignoreConfigFile: true,
          env: {},
          connectionLimit: 4,
          connectTimeout: 8000,
        });
        this.conn = conn;
        this.catalogInstance = new Catalog(conn);
        if (target.passwordFromEnvironment === undefined) await this.passwords.store(target, password);
        this.output.info(`Connected to ${describeTarget(target)} (${conn.serverVersion})`);
        this.setState('connected');
        return true;
      } catch (e) {
        const message = messageOf(e);
        // A stored password that no longer works is forgotten and asked again, once.
        const refused = (e as { code?: unknown }).code === 'login' || ACCESS_DENIED.test(message);
        if (refused && attempt === 0 && interactive && target.passwordFromEnvironment === undefined) {
          if (fromStore) await this.passwords.forget(target);
          const again = await this.passwords.ask(target, 'The server refused the password.');
          if (again === undefined) return this.fail(`Access denied for ${describeTarget(target)}.`);
          password = again;
          fromStore = false;
          continue;
        }
        // The runtime's messages already say what failed and where; add who, once.
        return this.fail(/^Cannot connect/i.test(message) ? `${message} (as ${target.user})` : `Cannot connect to ${describeTarget(target)}: ${message}`);
      }
    }
  }

  private fail(message: string, state: ConnectionState = 'error'): false {
    this.output.error(message);
    this.setState(state, message);
    return false;
  }

  async disconnect(): Promise<void> {
    await this.closeConnection();
    this.output.info('Disconnected');
    this.setState('disconnected');
  }

  /** Forgets the stored password of the current target and asks for a new one. */
  async changePassword(): Promise<boolean> {
    const target = this.target ?? (await resolveConnectionTarget(vscode.workspace.workspaceFolders?.[0]?.uri));
    const password = await this.passwords.ask(target, 'New password.');
    if (password === undefined) return false;
    await this.passwords.store(target, password);
    return this.connect();
  }

  /**
   * Runs a catalog query for a view. A failure caused by the server going away marks
   * the connection as in error; the next success marks it connected again, so views
   * recover on their own when the server comes back (mysql2's pool opens new sessions).
   */
  async withCatalog<T>(fn: (catalog: Catalog) => Promise<T>): Promise<T> {
    const catalog = this.catalogInstance;
    if (!catalog) throw new Error('Not connected to a database.');
    try {
      const result = await fn(catalog);
      if (this.current === 'error') this.setState('connected');
      return result;
    } catch (e) {
      if (isConnectionProblem(e)) this.setState('error', `Lost the database connection: ${messageOf(e)}`);
      throw e;
    }
  }

  private async closeConnection(): Promise<void> {
    const conn = this.conn;
    this.conn = undefined;
    this.catalogInstance = undefined;
    if (conn) await conn.close().catch((e: unknown) => this.output.warn(`Closing the connection: ${messageOf(e)}`));
  }

  dispose(): void {
    void this.closeConnection();
    this.emitter.dispose();
  }
}
