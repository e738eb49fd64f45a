// What activate() returns: used by the extension tests and available to other extensions.
import type * as vscode from 'vscode';
import type { ConnectionManager } from './connection/connectionManager';
import type { ComputationsDatabase } from './jobs/computationsDatabase';
import type { JobsActions } from './jobs/jobsCommands';
import type { JobsNode, JobsTreeProvider } from './jobs/jobsTree';
import type { WorkersNode, WorkersTreeProvider } from './workers/workersTree';
import type { PopulateCodeLensProvider } from './codelens/populateCodeLens';
import type { PopulateRunner } from './populate/populateRun';
import type { Notice } from './notices';
import type { TablesNode, TablesTreeProvider } from './views/tablesTree';
import type { FolderTargetInfo } from '../server/protocol';
import type { DiagramController } from './diagram/diagramPanel';
import type { RowsApi } from './rows/rowsPanel';

export type ServerState = 'stopped' | 'starting' | 'ready' | 'error';

export interface LanguageServerHandle {
  readonly state: ServerState;
  /** Why the server is in the error state, for the status item and the tests. */
  readonly lastError: string | undefined;
  readonly onDidChangeState: vscode.Event<ServerState>;
  restart(): Promise<void>;
  /** The DataJoint each workspace folder's Python definitions are checked against, as the server last said. */
  readonly targets: readonly FolderTargetInfo[];
  readonly onDidChangeTargets: vscode.Event<FolderTargetInfo[]>;
}

/** The computations side: the Jobs view, its actions, populate runs and the CodeLens. */
export interface ComputationsApi {
  /** Auto-populated tables and their jobs, on the window's connection. */
  readonly db: ComputationsDatabase;
  /** The Jobs view's data, as shown. */
  readonly jobs: JobsTreeProvider;
  readonly jobsView: vscode.TreeView<JobsNode>;
  /** The Workers view's data: the reservations by holder, as shown. */
  readonly workers: WorkersTreeProvider;
  readonly workersView: vscode.TreeView<WorkersNode>;
  /** Populate runs in terminals (events, running state). */
  readonly runner: PopulateRunner;
  readonly codeLens: PopulateCodeLensProvider;
  /** Retry, Ignore and Clear on Jobs view nodes, as the view's menus run them. */
  readonly actions: JobsActions;
}

export interface DataJointApi {
  readonly languageServer: LanguageServerHandle;
  /**
   * The database connection of the window: state, label, and the one runtime Connection
   * (`runtime()`, `withConnection()`) that every view and command uses.
   */
  readonly connection: ConnectionManager;
  /** The Tables view's data, as shown. */
  readonly tables: TablesTreeProvider;
  readonly tablesView: vscode.TreeView<TablesNode>;
  readonly computations: ComputationsApi;
  /** Notifications with actions (a populate run's summary, a run or a Connect that cannot start), as shown. */
  readonly onDidNotify: vscode.Event<Notice>;
  /** The pipeline diagram's panel: what its webview drew (`rendered`), populate downstream, exports. */
  readonly diagram: DiagramController;
  /** The rows grids (View Rows): open one, and what each webview last drew (`panel(schema, table).rendered`). */
  readonly rows: RowsApi;
}
