// Owns the language client that runs dist/server.js over IPC. The client library is
// loaded on first start rather than at activation so that activation stays cheap.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { LanguageServerHandle, ServerState } from '../api';
import { documentSelector } from './documentSelector';
import { SERVER_NODE_ARGS } from '../../server/launch';
import { AUTO_POPULATED_REQUEST, INDEX_READY_NOTIFICATION, TARGETS_NOTIFICATION, type AutoPopulatedClass, type AutoPopulatedParams, type FolderTargetInfo, type FolderTargets } from '../../server/protocol';
import { TABLE_CLASSES_REQUEST, type TableClass, type TableClassesParams } from '../../server/protocol';

export const FORMAT_COMMAND = 'datajoint.formatDefinitions';
/** server/features/formatting.ts: FORMAT_DEFINITIONS_COMMAND. */
const SERVER_FORMAT_COMMAND = 'datajoint.server.formatDefinitions';

/** What the server's command answers (server/features/formatting.ts). */
export interface FormatDefinitionsResult {
  edits: number;
  applied: boolean;
}

export class DefinitionLanguageService implements LanguageServerHandle, vscode.Disposable {
  private client: LanguageClient | undefined;
  private current: ServerState = 'stopped';
  private error: string | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly indexedEmitter = new vscode.EventEmitter<void>();
  /** The server has indexed the workspace (again): what depends on other files may have changed. */
  readonly onDidIndex = this.indexedEmitter.event;
  private folderTargets: FolderTargetInfo[] = [];
  private readonly targetsEmitter = new vscode.EventEmitter<FolderTargetInfo[]>();
  /** The server decided the folders' DataJoint targets again (server/protocol.ts: TARGETS_NOTIFICATION). */
  readonly onDidChangeTargets = this.targetsEmitter.event;
  // Serialises start/stop/restart so a restart clicked twice does not start two servers.
  private pending: Promise<void> = Promise.resolve();

  private readonly command: vscode.Disposable;

  constructor(
    private readonly serverModule: string,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.command = vscode.commands.registerCommand(FORMAT_COMMAND, () => this.formatDefinitions());
  }

  /**
   * "DataJoint: Format Definitions in File": the server formats only the definition
   * strings of the active document and applies the edits (workspace/applyEdit), whether
   * or not `datajoint.format.enable` makes it a document formatter.
   */
  async formatDefinitions(): Promise<FormatDefinitionsResult | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('DataJoint: open a Python, TypeScript or JavaScript file to format its definitions.');
      return undefined;
    }
    const client = this.client;
    if (!client || this.current !== 'ready') {
      void vscode.window.showWarningMessage('DataJoint: the language server is not running; restart it to format definitions.');
      return undefined;
    }
    const result = await client.sendRequest<FormatDefinitionsResult | null>('workspace/executeCommand', {
      command: SERVER_FORMAT_COMMAND,
      arguments: [client.code2ProtocolConverter.asUri(editor.document.uri)],
    });
    if (!result || result.edits === 0) vscode.window.setStatusBarMessage('DataJoint: the definitions are formatted already', 3000);
    else if (!result.applied) void vscode.window.showWarningMessage('DataJoint: the file changed while its definitions were formatted; run the command again.');
    return result ?? undefined;
  }

  get state(): ServerState {
    return this.current;
  }

  /** The DataJoint each workspace folder's definitions are checked against, as the server last said. */
  get targets(): readonly FolderTargetInfo[] {
    return this.folderTargets;
  }

  /** A notification to the running server; dropped when it is not running (it asks again at start). */
  notify(method: string, params: unknown): void {
    if (this.client && this.current === 'ready') void this.client.sendNotification(method, params);
  }

  /** workspace/executeCommand on the running server; undefined when it is not running. */
  async executeCommand<R>(command: string, args: unknown[]): Promise<R | undefined> {
    const client = this.client;
    if (!client || this.current !== 'ready') return undefined;
    return (await client.sendRequest<R | null>('workspace/executeCommand', { command, arguments: args })) ?? undefined;
  }

  /**
   * The Computed/Imported classes of a document (or, without one, of the workspace) as the
   * server's index sees them; undefined while the server is not running.
   */
  async autoPopulated(uri?: vscode.Uri): Promise<AutoPopulatedClass[] | undefined> {
    const client = this.client;
    if (!client || this.current !== 'ready') return undefined;
    const params: AutoPopulatedParams = uri ? { uri: client.code2ProtocolConverter.asUri(uri) } : {};
    return client.sendRequest<AutoPopulatedClass[]>(AUTO_POPULATED_REQUEST, params);
  }

  /** Every table class of a document (all tiers) as the server's index sees them; undefined while the server is not running. */
  async tableClasses(uri: vscode.Uri): Promise<TableClass[] | undefined> {
    const client = this.client;
    if (!client || this.current !== 'ready') return undefined;
    const params: TableClassesParams = { uri: client.code2ProtocolConverter.asUri(uri) };
    return client.sendRequest<TableClass[]>(TABLE_CLASSES_REQUEST, params);
  }

  /** A document or folder uri as the server writes it. */
  asServerUri(uri: vscode.Uri): string {
    return this.client ? this.client.code2ProtocolConverter.asUri(uri) : uri.toString();
  }

  get lastError(): string | undefined {
    return this.error;
  }

  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      this.output.info('Restarting the DataJoint language server');
      await this.doStop();
      await this.doStart();
    });
  }

  dispose(): void {
    this.command.dispose();
    void this.stop();
    this.stateEmitter.dispose();
    this.targetsEmitter.dispose();
    this.indexedEmitter.dispose();
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.pending.then(task, task);
    this.pending = run.catch(() => undefined);
    return run;
  }

  private setState(state: ServerState, error?: string): void {
    this.error = state === 'error' ? error : undefined;
    if (state === this.current) return;
    this.current = state;
    this.stateEmitter.fire(state);
  }

  private async doStart(): Promise<void> {
    if (!existsSync(this.serverModule)) {
      const message = `The language server is missing: ${this.serverModule} does not exist (run \`npm run build\`).`;
      this.output.error(message);
      this.setState('error', message);
      return;
    }
    this.setState('starting');
    try {
      const { LanguageClient, TransportKind, State } = await import('vscode-languageclient/node');
      const ipc = { module: this.serverModule, transport: TransportKind.ipc };
      const client = new LanguageClient(
        'datajoint',
        'DataJoint Language Server',
        { run: { ...ipc, options: { execArgv: [...SERVER_NODE_ARGS] } }, debug: { ...ipc, options: { execArgv: [...SERVER_NODE_ARGS, '--nolazy', '--inspect=6019'] } } },
        {
          documentSelector,
          outputChannel: this.output,
          // Formatting is opt-in: with it off, VS Code does not offer the server as a
          // formatter for whole Python/TS/JS files (no "choose a default formatter" prompt).
          initializationOptions: {
            format: { enable: vscode.workspace.getConfiguration('datajoint.format').get<boolean>('enable', false) },
            // Read at start: a change takes effect when the server restarts (package.json says so).
            maxFileSize: vscode.workspace.getConfiguration('datajoint').get<number>('maxFileSize', 2),
          },
          synchronize: { configurationSection: ['datajoint.format', 'datajoint.targetVersion'] },
        },
      );
      this.client = client;
      client.onNotification(INDEX_READY_NOTIFICATION, () => {
        if (this.client === client) this.indexedEmitter.fire();
      });
      client.onNotification(TARGETS_NOTIFICATION, (p: FolderTargets) => {
        if (this.client !== client) return;
        this.folderTargets = p.folders;
        this.targetsEmitter.fire(p.folders);
      });
      client.onDidChangeState((e) => {
        if (this.client !== client) return;
        if (e.newState === State.Running) this.setState('ready');
        else if (e.newState === State.Starting) this.setState('starting');
        else if (e.newState === State.StartFailed) this.setState('error', 'The language server failed to start; see the DataJoint output.');
        else if (e.newState === State.Stopped && this.current !== 'stopped') {
          this.setState('error', 'The language server stopped; see the DataJoint output.');
        }
      });
      await client.start();
      this.setState('ready');
    } catch (e) {
      const message = `The language server failed to start: ${e instanceof Error ? e.message : String(e)}`;
      this.output.error(message);
      this.setState('error', message);
    }
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.setState('stopped');
    if (!client) return;
    try {
      await client.stop(2000);
    } catch (e) {
      // A server that already died cannot be stopped politely; nothing else to do.
      this.output.warn(`Stopping the language server: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
