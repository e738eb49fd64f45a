// Brings a table's node in the Jobs view into sight (expanded, selected, focused): for a run's
// Show Errors and for the diagram's Show Errors, one function. The view may be loading its
// root meanwhile (a run's end refreshes it), or not be showing yet (the focus command opens
// it): VS Code then reports the node as not found ("Data tree node not found"), or the two
// loads collide ("already registered"), or the reveal resolves selecting nothing. Each of
// those waits for the view's next load (or a moment, should it have come already) and tries
// again with the node of the view's own load.
import * as vscode from 'vscode';
import { JOBS_VIEW_FOCUS_COMMAND } from '../commandNames';
import type { JobsNode, JobsTreeProvider } from './jobsTree';

const REVEAL_ATTEMPTS = 6;
/** How long an attempt waits for the view's next load (or its selection) before it tries again anyway. */
const REVEAL_WAIT_MS = 1000;

/** Which table: by its schema and SQL name, or its schema and class name. */
export type JobsTableMatch = { schema: string; table: string } | { schema: string; className: string };

function matches(n: JobsNode, m: JobsTableMatch): boolean {
  if (n.kind !== 'table' || n.table.schema !== m.schema) return false;
  return 'table' in m ? n.table.name === m.table : n.table.className === m.className;
}

/** Resolves with `value` when `event` fires with `done(e)` true, or with `otherwise()` after `ms`. */
function when<T, E>(event: vscode.Event<E>, done: (e: E) => boolean, ms: number, value: T, otherwise: () => T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(otherwise()), ms);
    const sub = event((e) => {
      if (done(e)) finish(value);
    });
    function finish(v: T): void {
      clearTimeout(timer);
      sub.dispose();
      resolve(v);
    }
  });
}

/** The view's selection is the table, or becomes it within the wait (its change event may come after reveal's answer). */
function selected(view: vscode.TreeView<JobsNode>, match: JobsTableMatch): Promise<boolean> {
  const now = (): boolean => view.selection.some((n) => matches(n, match));
  return now() ? Promise.resolve(true) : when(view.onDidChangeSelection, now, REVEAL_WAIT_MS, true, now);
}

/** Reveals the table's node; false when the view does not list the table or would not show it. */
export async function revealJobsTable(jobs: JobsTreeProvider, view: vscode.TreeView<JobsNode>, match: JobsTableMatch): Promise<boolean> {
  await vscode.commands.executeCommand(JOBS_VIEW_FOCUS_COMMAND);
  if (!view.visible) await when(view.onDidChangeVisibility, (e) => e.visible, REVEAL_WAIT_MS, undefined, () => undefined);
  let listed = false;
  for (let attempt = 1; attempt <= REVEAL_ATTEMPTS; attempt++) {
    const node = (await jobs.shownTables()).find((n) => matches(n, match));
    if (node) {
      listed = true;
      try {
        await view.reveal(node, { expand: true, select: true, focus: true });
        if (await selected(view, match)) return true;
      } catch {
        // The view's tree is not the one the node came from yet: its next load brings it.
      }
    } else if (attempt > 1 && !listed) {
      return false;
    }
    await jobs.nextLoad(REVEAL_WAIT_MS);
  }
  return false;
}
