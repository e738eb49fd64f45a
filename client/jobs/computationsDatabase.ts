// What the Jobs view, the Populate command and the CodeLens need of the database: the
// auto-populated tables (through the window's catalog), each table's jobs (the runtime's
// TableJobs over a catalog target), and the credentials a populate run gets in its
// environment. Everything runs on the window's one runtime Connection (ConnectionManager)
// and is a runtime call: the client writes no SQL.
import * as vscode from 'vscode';
import type { TableSummary } from '../../runtime/catalog/index';
import type { Connection } from '../../runtime/connection/index';
import type { TableJobs } from '../../runtime/populate/table-jobs';
import { isConnectionProblem, type ConnectionManager, type Credentials } from '../connection/connectionManager';
import { loadRuntime } from '../connection/loadRuntime';
import { SessionNamesCache } from './sessionNamesCache';

export type { Credentials } from '../connection/connectionManager';

/** An auto-populated table as the database knows it. */
export type AutoTable = TableSummary & { tier: 'Computed' | 'Imported' };

export function isAutoTable(t: TableSummary): t is AutoTable {
  return (t.tier === 'Computed' || t.tier === 'Imported') && !t.master;
}

export class ComputationsDatabase implements vscode.Disposable {
  /** Table targets of the open connection (each read the table's heading once). */
  private readonly jobsByTable = new Map<string, Promise<TableJobs>>();
  private readonly subscription: vscode.Disposable;
  /** Session names shared by the Jobs and Workers views within one refresh (sessionNamesCache.ts). */
  private readonly names = new SessionNamesCache();

  constructor(readonly connection: ConnectionManager) {
    // A target holds the connection it was made on: a new or closed one voids them all.
    this.subscription = connection.onDidChangeConnection(() => {
      this.jobsByTable.clear();
      this.names.invalidate();
    });
  }

  /**
   * The session names of reservations' connections (`ids`), asked through `table`'s jobs
   * (the names are the server's, any table serves); cached until the next refresh.
   */
  sessionNames(table: { schema: string; name: string }, ids: readonly number[]): Promise<Map<number, string>> {
    return this.names.names(ids, (missing) => this.withJobs(table.schema, table.name, (jobs) => jobs.sessionNames(missing)));
  }

  /** A view refreshes: session names are asked for again. */
  newRefresh(): void {
    this.names.invalidate();
  }

  get connected(): boolean {
    return this.connection.connected;
  }

  /** The target and password of the window's connection, for a populate run's environment. */
  async credentials(): Promise<Credentials | undefined> {
    return this.connection.credentials();
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
        } catch (e) {
          // A schema named in the settings that does not exist (yet) hides nothing else;
          // a server that went away is news for withCatalog.
          if (isConnectionProblem(e)) throw e;
        }
      }
      return out;
    });
  }

  /**
   * Runs `fn` on the runtime's `Table.jobs` of a table found in the catalog, on the
   * window's connection (a server going away is noticed there, see withConnection).
   */
  withJobs<T>(schema: string, table: string, fn: (jobs: TableJobs) => Promise<T>): Promise<T> {
    return this.connection.withConnection(async (conn) => fn(await this.jobsOf(conn, schema, table)));
  }

  /**
   * The key source's attributes of a declared table (what a restriction may name), or
   * undefined when the table is not in the database yet.
   */
  async keySourceAttributes(schema: string, className: string): Promise<string[] | undefined> {
    const table = (await this.autoTables()).find((t) => t.schema === schema && t.className === className);
    return table && this.withJobs(schema, table.name, (jobs) => jobs.keySourceAttributes());
  }

  private jobsOf(conn: Connection, schema: string, table: string): Promise<TableJobs> {
    const id = `${schema}.${table}`;
    let found = this.jobsByTable.get(id);
    if (!found) {
      found = (async () => {
        const { targetFromCatalog, TableJobs } = await loadRuntime();
        return new TableJobs(await targetFromCatalog(conn, schema, table));
      })();
      const mine = found;
      mine.catch(() => this.jobsByTable.get(id) === mine && this.jobsByTable.delete(id));
      this.jobsByTable.set(id, found);
    }
    return found;
  }

  /** Forgets cached table targets (after a table was declared or dropped). */
  forgetTables(): void {
    this.jobsByTable.clear();
  }

  dispose(): void {
    this.subscription.dispose();
    this.jobsByTable.clear();
  }
}
