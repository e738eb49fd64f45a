// Wires the LSP connection to the workspace model and the features. Every handler goes
// through `guard`, so one feature failing on some input leaves the others working.
import {
  DidChangeWatchedFilesNotification,
  ErrorCodes,
  ResponseError,
  FileChangeType,
  NotebookDocuments,
  TextDocuments,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { sep } from 'node:path';
import { clientSupport, serverCapabilities, type ClientSupport } from './capabilities';
import { guard } from './safe';
import { HostFile } from './documents/hostFile';
import { hostLanguageOfId, hostLanguageOfPath, SOURCE_EXTENSIONS } from './documents/languages';
import { keyOfUri, uriOfKey } from './documents/uris';
import { Project } from './workspace/project';
import { indexWorkspace, maxFileBytes, readIndexable, skippedMessage, skippedPlaceholder } from './workspace/indexer';
import { DiagnosticsScheduler } from './features/diagnostics';
import { completion } from './features/completion';
import { hover } from './features/hover';
import { definition, references } from './features/navigation';
import { documentSymbols, workspaceSymbols } from './features/symbols';
import { autoPopulated } from './features/autoPopulated';
import { tableClasses } from './features/tableClasses';
import { TABLE_CLASSES_REQUEST, type TableClassesParams } from './protocol';
import { codeActions } from './features/codeActions';
import { formatDefinitionsCommand, formatDocument, FORMAT_DEFINITIONS_COMMAND, uriArgument } from './features/formatting';
import { FormattingOptIn, formatEnabledIn } from './features/formatOptIn';
import { migrateDefinitions } from './features/migrate';
import { Targets } from './workspace/targets';
import { parseTargetSetting } from '../runtime/project/index';
import { parseDefinition } from '../runtime/definition/index';
import { parseCatalogSnapshot } from '../runtime/catalog/snapshot';
import { AUTO_POPULATED_REQUEST, CATALOG_NOTIFICATION, INSTALLED_DATAJOINT_NOTIFICATION, MIGRATE_COMMAND, TARGETS_NOTIFICATION, type AutoPopulatedParams, type FolderTargets, type InstalledDataJoint, type MigrateParams } from './protocol';

export interface ServerOptions {
  /** Milliseconds to wait after an edit before checking (coalesces fast typing). */
  debounceMs?: number;
  /** `datajoint.format` at start; later changes arrive by didChangeConfiguration. */
  format?: { enable?: boolean };
  /** `datajoint.maxFileSize`: megabytes above which a workspace file is not indexed (0: no limit); read at start. */
  maxFileSize?: number;
}

export function startServer(connection: Connection): void {
  const project = new Project();
  const documents = new TextDocuments(TextDocument);
  const notebooks = new NotebookDocuments(TextDocument);
  let support: ClientSupport = clientSupport({});
  let roots: string[] = [];
  let options: ServerOptions = {};
  const log = connection.console;
  const diagnostics = new DiagnosticsScheduler(connection, project, () => support, () => options.debounceMs ?? 0);
  let formatting = new FormattingOptIn(connection, () => support, false);
  const targets = new Targets(project);
  /** Pin files: a change there may change a folder's target. */
  const PIN_FILE = /(^|[\\/])(pyproject\.toml|setup\.py|setup\.cfg|requirements[^\\/]*\.txt|environment[^\\/]*\.ya?ml)$/i;

  /** Decides the folders' targets again; re-checks open files and tells the client when something changed. */
  function refreshTargets(force = false): void {
    const changed = targets.decide();
    if (changed.targets) diagnostics.schedule(project.openKeys(), 0);
    if (changed.info || force) void connection.sendNotification(TARGETS_NOTIFICATION, { folders: targets.info() } satisfies FolderTargets);
  }

  /** `datajoint.targetVersion` of every folder (resource scope), when the client answers workspace/configuration. */
  async function pullTargetSettings(): Promise<void> {
    if (!support.configuration || roots.length === 0) return;
    const values: unknown[] = await connection.workspace.getConfiguration(roots.map((r) => ({ scopeUri: uriOfKey(r), section: 'datajoint.targetVersion' })));
    roots.forEach((r, i) => targets.setSetting(r, parseTargetSetting(values[i]) ?? 'auto'));
  }

  connection.onInitialize((params): InitializeResult => {
    support = clientSupport(params.capabilities);
    options = (params.initializationOptions ?? {}) as ServerOptions;
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    roots = folders.filter((u) => u.startsWith('file:')).map(keyOfUri);
    targets.setRoots(roots);
    const notebooksSupported = !!params.capabilities.notebookDocument?.synchronization;
    const formatAtStart = options.format?.enable === true;
    formatting = new FormattingOptIn(connection, () => support, formatAtStart);
    return {
      capabilities: serverCapabilities(support, notebooksSupported, FormattingOptIn.announceAtStart(support, formatAtStart), [FORMAT_DEFINITIONS_COMMAND, MIGRATE_COMMAND]),
      serverInfo: { name: 'datajoint-language-server', version: '0.1.0' },
    };
  });

  connection.onInitialized(
    guard(log, 'initialized', undefined, async () => {
      if (support.watchedFilesDynamic) {
        // A client refusing the registration still gets an index, only not kept current from disk.
        await connection.client
          .register(DidChangeWatchedFilesNotification.type, {
            watchers: [{ globPattern: `**/*{${SOURCE_EXTENSIONS.join(',')}}` }, { globPattern: '**/{pyproject.toml,setup.py,setup.cfg,requirements*.txt,environment*.yml,environment*.yaml}' }],
          })
          .catch((e: unknown) => log.warn(`datajoint: file watching unavailable: ${String(e)}`));
      }
      // The setting as the client has it now (it may differ from the initialization options).
      await formatting.pull().catch((e: unknown) => log.warn(`datajoint: reading datajoint.format: ${String(e)}`));
      await formatting.set(formatting.enabled);
      if (support.workspaceFolders) {
        connection.workspace.onDidChangeWorkspaceFolders(guard(log, 'didChangeWorkspaceFolders', undefined, (e) => changeFolders(e.added.map((f) => f.uri), e.removed.map((f) => f.uri))));
      }
      // The definition parser is built once per process (Chevrotain's grammar analysis, some
      // 20 ms): at start, not in the first document's diagnostics.
      parseDefinition('');
      try {
        await indexWorkspace(connection, project, roots, support, () => undefined, true, maxFileBytes(options.maxFileSize));
        // Before the first diagnostics: the definitions are checked against their own DataJoint from the start.
        await pullTargetSettings().catch((e: unknown) => log.warn(`datajoint: reading datajoint.targetVersion: ${String(e)}`));
        refreshTargets(true);
      } finally {
        diagnostics.ready = true;
        diagnostics.schedule(project.openKeys(), 0);
      }
      void warmUp();
    }),
  );

  let warming = 0;
  /**
   * After indexing, in the background: every definition of the workspace checked once, a
   * file at a time between other requests, so that a file opened later (even one of
   * thousands of definitions) gets its diagnostics from the index's cache. A newer call (a
   * folder added) takes over.
   */
  async function warmUp(): Promise<void> {
    const run = ++warming;
    try {
      for (const key of project.keys()) {
        await new Promise<void>((r) => setImmediate(r));
        if (run !== warming) return;
        if (!project.isOpen(key)) project.tables.check(key);
      }
    } catch (e) {
      log.warn(`datajoint: checking the workspace in the background: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Folders added or removed while running: drop the removed folders' files, index the new ones. */
  async function changeFolders(added: string[], removed: string[]): Promise<void> {
    const gone = removed.filter((u) => u.startsWith('file:')).map(keyOfUri);
    const fresh = added.filter((u) => u.startsWith('file:')).map(keyOfUri);
    roots = [...roots.filter((r) => !gone.includes(r)), ...fresh];
    for (const key of project.keys()) {
      if (!project.isOpen(key) && gone.some((r) => key.startsWith(`${r}${sep}`)) && !roots.some((r) => key.startsWith(`${r}${sep}`))) project.removeFile(key);
    }
    project.setRoots(roots);
    targets.setRoots(roots);
    await indexWorkspace(connection, project, fresh, support, (keys) => diagnostics.schedule(keys, 0), false, maxFileBytes(options.maxFileSize));
    await pullTargetSettings().catch((e: unknown) => log.warn(`datajoint: reading datajoint.targetVersion: ${String(e)}`));
    refreshTargets(true);
    void warmUp();
  }

  // ---- documents -------------------------------------------------------------------
  const syncText = (doc: TextDocument): void => {
    const language = hostLanguageOfId(doc.languageId);
    if (!language) return;
    const key = keyOfUri(doc.uri);
    const changed = project.setFile(new HostFile(key, language, [{ uri: doc.uri, text: doc.getText(), doc }]), true);
    diagnostics.schedule(changed);
  };
  documents.onDidChangeContent(guard(log, 'didChange', undefined, (e) => syncText(e.document)));
  documents.onDidClose(
    guard(log, 'didClose', undefined, async (e) => {
      const key = keyOfUri(e.document.uri);
      diagnostics.clear([e.document.uri]);
      project.markClosed(key);
      await revertToDisk(key);
    }),
  );

  const syncNotebook = (uri: string): void => {
    const nb = notebooks.getNotebookDocument(uri);
    if (!nb) return;
    const parts: Array<{ uri: string; text: string; doc: TextDocument }> = [];
    for (const cell of nb.cells) {
      const doc = notebooks.getCellTextDocument(cell);
      if (doc && doc.languageId === 'python') parts.push({ uri: doc.uri, text: doc.getText(), doc });
    }
    const changed = project.setFile(new HostFile(keyOfUri(uri), 'python', parts), true);
    diagnostics.schedule(changed);
  };
  notebooks.onDidOpen(guard(log, 'notebookDidOpen', undefined, (nb) => syncNotebook(nb.uri)));
  notebooks.onDidChange(guard(log, 'notebookDidChange', undefined, (e) => syncNotebook(e.notebookDocument.uri)));
  notebooks.onDidClose(
    guard(log, 'notebookDidClose', undefined, (nb) => {
      const file = project.file(keyOfUri(nb.uri));
      if (file) diagnostics.clear(file.uris);
      diagnostics.schedule(project.removeFile(keyOfUri(nb.uri)));
    }),
  );

  async function revertToDisk(key: string): Promise<void> {
    const language = hostLanguageOfPath(key);
    let file: HostFile | undefined;
    if (language && key.startsWith('/')) {
      // The same limit as the index: a file grown past it on disk leaves the index, said so.
      const limit = maxFileBytes(options.maxFileSize);
      const r = await readIndexable(key, limit);
      if (r && 'skipped' in r) {
        log.warn(skippedMessage(r.skipped, limit));
        file = skippedPlaceholder(r.skipped, limit, language);
      } else if (r) file = new HostFile(key, language, [{ uri: uriOfKey(key), text: r.text }]);
    }
    if (project.isOpen(key)) return; // reopened while the disk was read: the editor wins
    const changed = file ? project.setFile(file, false) : project.removeFile(key);
    diagnostics.schedule(changed.filter((k) => k !== key));
  }

  connection.onDidChangeWatchedFiles(
    guard(log, 'didChangeWatchedFiles', undefined, async (params) => {
      let pins = false;
      for (const change of params.changes) {
        const key = keyOfUri(change.uri);
        if (PIN_FILE.test(key)) {
          pins = true;
          continue;
        }
        if (!hostLanguageOfPath(key) || project.isOpen(key)) continue; // open documents override disk
        if (change.type === FileChangeType.Deleted) diagnostics.schedule(project.removeFile(key));
        else await revertToDisk(key);
      }
      if (pins) {
        targets.pinsChanged();
        refreshTargets();
      }
    }),
  );
  connection.onNotification(
    INSTALLED_DATAJOINT_NOTIFICATION,
    guard(log, 'installedDataJoint', undefined, (p: InstalledDataJoint) => {
      const root = targets.rootOf(keyOfUri(p.folder));
      if (!root || typeof p.interpreter !== 'string' || (p.version !== null && typeof p.version !== 'string')) return;
      targets.setInstalled(root, { version: p.version, interpreter: p.interpreter });
      refreshTargets();
    }),
  );

  connection.onNotification(
    CATALOG_NOTIFICATION,
    guard(log, 'catalog', undefined, (p: unknown) => {
      let snapshot;
      try {
        snapshot = parseCatalogSnapshot(p);
      } catch (e) {
        // What came is not a catalog: say so and keep the one we have.
        log.warn(`datajoint: ignored a malformed ${CATALOG_NOTIFICATION} notification: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
      project.setCatalog(snapshot);
      log.info(snapshot ? `datajoint: database catalog of ${snapshot.label}: ${snapshot.tables.length} tables in ${snapshot.schemas.length} schemas` : 'datajoint: database catalog cleared (disconnected)');
      diagnostics.schedule(project.openKeys(), 0);
    }),
  );

  // ---- features ----------------------------------------------------------------------
  const fileOf = (uri: string): HostFile | undefined => {
    const nb = notebooks.findNotebookDocumentForCell(uri);
    return project.file(keyOfUri(nb ? nb.uri : uri));
  };
  const ctx = { project, fileOf, support: () => support };

  connection.onCompletion(guard(log, 'completion', null, (p) => completion(ctx, p)));
  connection.onHover(guard(log, 'hover', null, (p) => hover(ctx, p)));
  connection.onDefinition(guard(log, 'definition', null, (p) => definition(ctx, p)));
  connection.onReferences(guard(log, 'references', null, (p) => references(ctx, p)));
  connection.onDocumentSymbol(guard(log, 'documentSymbol', null, (p) => documentSymbols(ctx, p)));
  connection.onWorkspaceSymbol(guard(log, 'workspaceSymbol', [], (p) => workspaceSymbols(ctx, p)));
  connection.onCodeAction(guard(log, 'codeAction', null, (p) => codeActions(ctx, p)));
  connection.onRequest(AUTO_POPULATED_REQUEST, guard(log, 'autoPopulated', [], (p: AutoPopulatedParams | undefined) => autoPopulated(ctx, p)));
  connection.onRequest(TABLE_CLASSES_REQUEST, guard(log, 'tableClasses', [], (p: TableClassesParams) => tableClasses(ctx, p)));
  // Only while opted in: a client that announced the providers at start keeps sending these.
  connection.onDocumentFormatting(guard(log, 'formatting', null, (p) => (formatting.enabled ? formatDocument(ctx, p.textDocument.uri) : null)));
  connection.onDocumentRangeFormatting(guard(log, 'rangeFormatting', null, (p) => (formatting.enabled ? formatDocument(ctx, p.textDocument.uri, p.range) : null)));
  const runFormatCommand = guard(log, 'formatDefinitions', null, (uri: string) =>
    formatDefinitionsCommand(ctx, (edit) => connection.workspace.applyEdit({ label: 'Format DataJoint definitions', edit }), uri),
  );
  const runMigrate = guard(log, 'migrateDefinitions', null, (params: MigrateParams) => migrateDefinitions(ctx, roots, params));
  connection.onExecuteCommand((p) => {
    if (p.command === MIGRATE_COMMAND) {
      const arg: unknown = p.arguments?.[0];
      const uri = typeof arg === 'string' ? arg : arg && typeof arg === 'object' && typeof (arg as MigrateParams).uri === 'string' ? (arg as MigrateParams).uri : undefined;
      return runMigrate(uri ? { uri } : {});
    }
    // Bad calls are the caller's error (InvalidParams), not an internal one.
    if (p.command !== FORMAT_DEFINITIONS_COMMAND) return new ResponseError(ErrorCodes.InvalidParams, `datajoint: unknown command ${p.command}`);
    const uri = uriArgument(p.arguments);
    if (!uri) return new ResponseError(ErrorCodes.InvalidParams, `datajoint: ${FORMAT_DEFINITIONS_COMMAND} takes the document's uri (a string or { uri })`);
    return runFormatCommand(uri);
  });
  connection.onDidChangeConfiguration(
    guard(log, 'didChangeConfiguration', undefined, async (p) => {
      // Pushed settings (`synchronize.configurationSection`) say it; otherwise ask.
      const pushed = formatEnabledIn(p.settings);
      if (pushed !== undefined) await formatting.set(pushed);
      else await formatting.pull();
      await pullTargetSettings();
      refreshTargets();
    }),
  );
  connection.onShutdown(() => diagnostics.dispose());

  documents.listen(connection);
  notebooks.listen(connection);
}
