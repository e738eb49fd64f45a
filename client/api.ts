// What activate() returns: used by the extension tests and available to other extensions.
import type * as vscode from 'vscode';
import type { ConnectionManager } from './connection/connectionManager';
import type { ComputationsApi } from './populate/computationsApi';
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
