// What activate() returns: used by the extension tests and available to other extensions.
import type * as vscode from 'vscode';
import type { ConnectionManager } from './connection/connectionManager';
import type { TablesNode, TablesTreeProvider } from './views/tablesTree';

export type ServerState = 'stopped' | 'starting' | 'ready' | 'error';

export interface LanguageServerHandle {
  readonly state: ServerState;
  /** Why the server is in the error state, for the status item and the tests. */
  readonly lastError: string | undefined;
  readonly onDidChangeState: vscode.Event<ServerState>;
  restart(): Promise<void>;
}

export interface DataJointApi {
  readonly languageServer: LanguageServerHandle;
  /** The database connection of the window (state, label, catalog access). */
  readonly connection: ConnectionManager;
  /** The Tables view's data, as shown. */
  readonly tables: TablesTreeProvider;
  readonly tablesView: vscode.TreeView<TablesNode>;
}
