// Brings a table's node in the Jobs view into sight (expanded, selected, focused): for a run's
// Show Errors and for the diagram's Show Errors, one function. The view may be loading its
// root meanwhile (a run's end refreshes it): reveal() of a node it does not know yet loads
// the root too, and the two loads collide ("already registered"); the node is then taken
// again from the view's own load.
import * as vscode from 'vscode';
import { JOBS_VIEW_FOCUS_COMMAND } from '../commandNames';
import type { JobsNode, JobsTreeProvider } from './jobsTree';

const REVEAL_ATTEMPTS = 3;
/** How long an attempt waits for the view's next load before it tries again anyway. */
const REVEAL_RELOAD_WAIT_MS = 2000;

/** Which table: by its schema and SQL name, or its schema and class name. */
export type JobsTableMatch = { schema: string; table: string } | { schema: string; className: string };

function matches(n: JobsNode, m: JobsTableMatch): boolean {
  if (n.kind !== 'table' || n.table.schema !== m.schema) return false;
  return 'table' in m ? n.table.name === m.table : n.table.className === m.className;
}

/** Reveals the table's node; false when the view does not list the table. */
export async function revealJobsTable(jobs: JobsTreeProvider, view: vscode.TreeView<JobsNode>, match: JobsTableMatch): Promise<boolean> {
  await vscode.commands.executeCommand(JOBS_VIEW_FOCUS_COMMAND);
  for (let attempt = 1; ; attempt++) {
    const node = (await jobs.shownTables()).find((n) => matches(n, match));
    if (!node) return false;
    try {
      await view.reveal(node, { expand: true, select: true, focus: true });
      return true;
    } catch (e) {
      if (attempt >= REVEAL_ATTEMPTS) throw e;
      await jobs.nextLoad(REVEAL_RELOAD_WAIT_MS);
    }
  }
}
