// Wires the computations part of the extension: the Jobs view, the Populate command and
// runs, the CodeLens, and the `datajoint-job:` documents. Called once from activate().
import * as vscode from 'vscode';
import type { ConnectionManager } from '../connection/connectionManager';
import { ComputationsDatabase, type AutoTable } from '../jobs/computationsDatabase';
import { JobsTreeProvider, type JobsNode } from '../jobs/jobsTree';
import { JOB_SCHEME, JobStackDocuments } from '../jobs/jobStackDocument';
import { registerJobsCommands } from '../jobs/jobsCommands';
import { revealJobsTable } from '../jobs/revealJobsTable';
import { jsonKey } from '../../runtime/populate/events';
import type { ComputationsApi } from './computationsApi';
import { PopulateCodeLensProvider, type AutoClassSource } from '../codelens/populateCodeLens';
import { DEBUG_MAKE_COMMAND, POPULATE_COMMAND, POPULATE_WITH_OPTIONS_COMMAND, WORKERS_CANCEL_SLURM_COMMAND, WORKERS_RECOVER_COMMAND, WORKERS_REFRESH_COMMAND } from '../commandNames';
import { WorkersTreeProvider, type WorkersNode } from '../workers/workersTree';
import { cancelSlurmHolder, recoverHolder } from '../workers/workersCommands';
import { autoRefresh } from '../views/autoRefresh';
import { debugMakeCommand, type DebugMakeArgument, type DebugMakeContext } from '../debug/debugMakeCommand';
import { PythonDebugAdapters } from '../debug/pythonDebugAdapter';
import { PopulateRunner, type PopulateOutcome } from './populateRun';
import { populateTableCommand, type PopulateArgument, type PopulateContext } from './populateCommand';
import type { Notices } from '../notices';
import { preparePython } from '../python/pythonLaunch';

export interface ComputationsDeps {
  connection: ConnectionManager;
  output: vscode.LogOutputChannel;
  /** Anything with refresh(): the Tables view, refreshed after runs and job actions. */
  tables?: { refresh(what?: 'tables' | 'rows'): void };
  /** The language server: its index finds the Computed/Imported classes of a file for the CodeLens. */
  languageServer: AutoClassSource;
  notices: Notices;
}

const HOST_LANGUAGES = ['python', 'typescript', 'javascript', 'typescriptreact', 'javascriptreact'];
/** Jobs view refresh period while a populate runs and the view is visible. */
const LIVE_REFRESH_MS = 2000;

export function registerComputations(context: vscode.ExtensionContext, deps: ComputationsDeps): ComputationsApi {
  const db = new ComputationsDatabase(deps.connection);
  const jobs = new JobsTreeProvider(db);
  const jobsView = vscode.window.createTreeView('datajoint.jobs', { treeDataProvider: jobs, canSelectMany: true, showCollapseAll: true });
  const workers = new WorkersTreeProvider(db);
  const workersView = vscode.window.createTreeView('datajoint.workers', { treeDataProvider: workers, showCollapseAll: true });
  const runner = new PopulateRunner(context.asAbsolutePath('dist/cli.js'), db, deps.output);
  const codeLens = new PopulateCodeLensProvider(db, deps.languageServer);
  const documents = new JobStackDocuments(db, context.asAbsolutePath('dist'));
  const notices = deps.notices;
  context.subscriptions.push(
    db,
    jobs,
    jobsView,
    workers,
    workersView,
    autoRefresh(workersView, () => workers.refresh(), () => db.connected),
    runner,
    codeLens,
    documents,
    vscode.workspace.registerTextDocumentContentProvider(JOB_SCHEME, documents),
    vscode.languages.registerDocumentLinkProvider({ scheme: JOB_SCHEME }, documents),
    // An open stack document follows the view: after a retry it says the job is gone.
    jobs.onDidChangeTreeData(() => documents.refreshOpen()),
    vscode.languages.registerCodeLensProvider(
      HOST_LANGUAGES.map((language) => ({ language })),
      codeLens,
    ),
  );

  // After a run (which may declare tables) the Tables view reloads as asked for; after a
  // Jobs-view action or a Debug make() only rows and jobs changed.
  const refreshAll = (what: 'tables' | 'rows' = 'rows') => {
    jobs.refresh();
    workers.refresh();
    codeLens.refresh();
    deps.tables?.refresh(what);
  };

  // Live refresh while a run goes on and someone looks at the view; once more at its end.
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    const wanted = runner.running && (jobsView.visible || workersView.visible);
    if (wanted && !timer) {
      timer = setInterval(() => {
        if (jobsView.visible) jobs.refresh();
        if (workersView.visible) workers.refresh();
      }, LIVE_REFRESH_MS);
    }
    if (!wanted && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  context.subscriptions.push(
    runner.onDidStart(schedule),
    runner.onDidEnd(() => {
      schedule();
      refreshAll('tables');
    }),
    jobsView.onDidChangeVisibility(schedule),
    workersView.onDidChangeVisibility(schedule),
    new vscode.Disposable(() => timer && clearInterval(timer)),
  );

  // A table's node in the Jobs view, expanded and selected (its errors are its children).
  // Show Errors of a run's notification (the diagram's uses the same function).
  const revealJobs = (schema: string, className: string): Promise<boolean> => revealJobsTable(jobs, jobsView, { schema, className });
  const ctx: PopulateContext = {
    db,
    runner,
    memory: context.workspaceState,
    notices,
    revealJobs,
    preparePython: (module, className) => preparePython(context.extensionPath, module, className, notices, deps.output),
  };
  const populate = (arg?: PopulateArgument, withOptions = false): Promise<PopulateOutcome | undefined> => populateTableCommand(ctx, arg, withOptions);
  // Keys as JSON objects, combined with OR (the CLI's JSON-array restriction).
  const populateKeys = (table: AutoTable, keys: Array<Record<string, unknown>> | undefined) =>
    populate({
      className: table.className,
      schema: table.schema,
      options: { reserveJobs: true, suppressErrors: true, restrictions: keys?.length ? [JSON.stringify(keys.map((k) => jsonKey(k)))] : undefined },
    });
  const actions = registerJobsCommands(context, db, jobs, jobsView, populateKeys, refreshAll);
  const pythonAdapters = new PythonDebugAdapters();
  const debugCtx: DebugMakeContext = {
    db,
    memory: context.workspaceState,
    notices,
    output: deps.output,
    extensionPath: context.extensionPath,
    cli: context.asAbsolutePath('dist/cli.js'),
    preparePython: (module, className) => preparePython(context.extensionPath, module, className, notices, deps.output, 'Debug make()'),
    pythonAdapters,
    refreshAll,
  };
  const api: ComputationsApi = { db, jobs, jobsView, workers, workersView, runner, codeLens, actions };
  context.subscriptions.push(
    pythonAdapters,
    vscode.commands.registerCommand(DEBUG_MAKE_COMMAND, (arg?: DebugMakeArgument) => debugMakeCommand(debugCtx, arg)),
    vscode.commands.registerCommand(POPULATE_COMMAND, (arg?: PopulateArgument) => populate(arg)),
    vscode.commands.registerCommand(WORKERS_REFRESH_COMMAND, () => workers.refresh()),
    vscode.commands.registerCommand(WORKERS_CANCEL_SLURM_COMMAND, async (node?: WorkersNode | JobsNode, options?: { confirmed?: boolean }) => {
      try {
        return await cancelSlurmHolder(node, options);
      } finally {
        refreshAll();
      }
    }),
    vscode.commands.registerCommand(WORKERS_RECOVER_COMMAND, async (node?: WorkersNode) => {
      try {
        return await recoverHolder(db, node);
      } finally {
        refreshAll();
      }
    }),
    vscode.commands.registerCommand(POPULATE_WITH_OPTIONS_COMMAND, (arg?: PopulateArgument) => populate(arg, true)),
  );
  return api;
}
