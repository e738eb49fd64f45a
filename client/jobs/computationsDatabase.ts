// What the Jobs view, the Populate command and the CodeLens need of the database: the
// auto-populated tables (through the window's catalog), each table's jobs (the runtime's
// TableJobs over a catalog target), and the credentials a populate run gets in its
// environment. The client writes no SQL: everything here is a runtime call.
//
// Adapter: ConnectionManager does not hand out its runtime Connection, and
// targetFromCatalog needs one; so this opens a second small pool with the same target and
// password, closed whenever the window's connection changes. (Should move: a
// `withConnection(fn)` on ConnectionManager.)
import * as vscode from 'vscode';
import type { Connection } from '../../runtime/connection/index';
import type { TableSummary } from '../../runtime/catalog/index';
import type { TableJobs } from '../../runtime/populate/table-jobs';
import type { ConnectionManager } from '../connection/connectionManager';
import { resolveConnectionTarget, type ConnectionTarget } from '../connection/connectionSettings';

export interface Credentials {
  target: ConnectionTarget;
  password: string;
}

/** An auto-populated table as the database knows it. */
export type AutoTable = TableSummary & { tier: 'Computed' | 'Imported' };

export function isAutoTable(t: TableSummary): t is AutoTable {
  return (t.tier === 'Computed' || t.tier === 'Imported') && !t.master;
}

export class ComputationsDatabase implements vscode.Disposable {
  private pool: Promise<Connection> | undefined;
  private readonly jobsByTable = new Map<string, Promise<TableJobs>>();
  private readonly subscription: vscode.Disposable;

  constructor(readonly connection: ConnectionManager) {
    this.subscription = connection.onDidChangeState((s) => {
      if (s === 'connecting' || s === 'disconnected') void this.close();
    });
  }

  get connected(): boolean {
    return this.connection.catalog !== undefined;
  }

  /** The target and password of the window's connection, for a populate run's environment. */
  async credentials(): Promise<Credentials | undefined> {
    if (!this.connected) return undefined;
    const target = await resolveConnectionTarget(vscode.workspace.workspaceFolders?.[0]?.uri);
    const password = target.passwordFromEnvironment ?? (await this.connection.passwordStore.get(target));
    if (!target.user || password === undefined) return undefined;
    return { target, password };
  }

  private async runtimeConnection(): Promise<Connection> {
    this.pool ??= (async () => {
      const creds = await this.credentials();
      if (!creds) throw new Error('Not connected to a database.');
      const { Connection } = await import('../../runtime/connection/index');
      return Connection.connect({
        host: creds.target.host,
        port: creds.target.port,
        user: creds.target.user,
        password: creds.password,
        useTls: creds.target.tls,
        ignoreConfigFile: true,
        env: {},
        connectionLimit: 2,
        connectTimeout: 8000,
      });
    })();
    try {
      return await this.pool;
    } catch (e) {
      this.pool = undefined;
      throw e;
    }
  }

  /** Computed and Imported tables (not parts) of the schemas the Tables view shows. */
  async autoTables(): Promise<AutoTable[]> {
    return this.connection.withCatalog(async (catalog) => {
      const wanted = vscode.workspace.getConfiguration('datajoint').get<string[]>('schemas', []);
      const schemas = wanted.length ? wanted : await catalog.listSchemas();
      const out: AutoTable[] = [];
      for (const schema of schemas) {
        try {
          out.push(...(await catalog.listTables(schema)).filter(isAutoTable));
        } catch {
          // A schema named in the settings that does not exist (yet) hides nothing else.
        }
      }
      return out;
    });
  }

  /** The runtime's `Table.jobs` for a table found in the catalog. */
  jobs(schema: string, table: string): Promise<TableJobs> {
    const id = `${schema}.${table}`;
    let found = this.jobsByTable.get(id);
    if (!found) {
      found = (async () => {
        const conn = await this.runtimeConnection();
        const { targetFromCatalog, TableJobs } = await import('../../runtime/populate/index');
        return new TableJobs(await targetFromCatalog(conn, schema, table));
      })();
      found.catch(() => this.jobsByTable.delete(id));
      this.jobsByTable.set(id, found);
    }
    return found;
  }

  /** Forgets cached table targets (after a table was declared or dropped). */
  forgetTables(): void {
    this.jobsByTable.clear();
  }

  private async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    this.jobsByTable.clear();
    if (pool) await pool.then((c) => c.close()).catch(() => undefined);
  }

  dispose(): void {
    this.subscription.dispose();
    void this.close();
  }
}
