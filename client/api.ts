// What activate() returns: used by the extension tests and available to other extensions.
import type * as vscode from 'vscode';

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
}
