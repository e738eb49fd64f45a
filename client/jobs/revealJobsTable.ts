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

/** The view's selection is the table, or becomes it within the wait (its change event may come after reveal's answer). */
function selected(view: vscode.TreeView<JobsNode>, match: JobsTableMatch): Promise<boolean> {
  const now = (): boolean => view.selection.some((n) => matches(n, match));
  if (now()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(now()), REVEAL_RELOAD_WAIT_MS);
    const sub = view.onDidChangeSelection(() => {
      if (now()) done(true);
    });
    function done(value: boolean): void {
      clearTimeout(timer);
      sub.dispose();
      resolve(value);
    }
  });
}

/**
 * Reveals the table's node; false when the view does not list the table. A refresh asked
 * for just before (a run's end) may not have reached the view yet: the node it shows can
 * then be missing or stale, and reveal() of a stale one may select nothing. Each of those
 * waits for the view's next load and tries again.
 */
export async function revealJobsTable(jobs: JobsTreeProvider, view: vscode.TreeView<JobsNode>, match: JobsTableMatch): Promise<boolean> {
  await vscode.commands.executeCommand(JOBS_VIEW_FOCUS_COMMAND);
  for (let attempt = 1; ; attempt++) {
    const node = (await jobs.shownTables()).find((n) => matches(n, match));
    if (node) {
      try {
        await view.reveal(node, { expand: true, select: true, focus: true });
        if (await selected(view, match)) return true;
      } catch (e) {
        if (attempt >= REVEAL_ATTEMPTS) throw e;
      }
    }
    if (attempt >= REVEAL_ATTEMPTS) return false;
    await jobs.nextLoad(REVEAL_RELOAD_WAIT_MS);
  }
}
