// The computations side of what activate() returns (api.ts: DataJointApi.computations), as
// registerComputations.ts builds it; apart from api.ts so that the diagram, which api.ts
// names too, can take it.
import type * as vscode from 'vscode';
import type { ComputationsDatabase } from '../jobs/computationsDatabase';
import type { JobsActions } from '../jobs/jobsCommands';
import type { JobsNode, JobsTreeProvider } from '../jobs/jobsTree';
import type { WorkersNode, WorkersTreeProvider } from '../workers/workersTree';
import type { PopulateCodeLensProvider } from '../codelens/populateCodeLens';
import type { PopulateRunner } from './populateRun';

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
