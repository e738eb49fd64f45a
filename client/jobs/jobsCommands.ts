// Actions of the Jobs view, on one item or on a multi-selection: Retry (delete the error
// rows so the next populate takes the keys; jobs.py has no retry, the reference's pattern
// is deleting them, notes §7.6), Retry and Populate (the same, then populate just those
// keys), Ignore, Un-ignore (delete the ignore rows: the keys are computed again), Clear,
// Show Error, Refresh. All go through the runtime's TableJobs.
import * as vscode from 'vscode';
import type { Key } from '../../runtime/populate/target';
import type { AutoTable, ComputationsDatabase } from './computationsDatabase';
import { jobStackUri, type JobsNode, type JobsTreeProvider } from './jobsTree';
import { RECOVER_COMMAND, UNIGNORE_COMMAND } from '../commandNames';

type JobNode = Extract<JobsNode, { kind: 'job' }>;
type TableNode = Extract<JobsNode, { kind: 'table' }>;

/** The nodes an action applies to: the selection when the clicked item is part of it. */
function targets(node: JobsNode | undefined, selected: readonly JobsNode[] | undefined, view: vscode.TreeView<JobsNode>): JobsNode[] {
  const sel = selected?.length ? selected : view.selection;
  if (node && !sel.includes(node)) return [node];
  return sel.length ? [...sel] : node ? [node] : [];
}

/** Job nodes grouped by table, plus whole tables. */
function byTable(nodes: readonly JobsNode[]): Array<{ table: AutoTable; keys?: Key[] }> {
  const groups = new Map<string, { table: AutoTable; keys?: Key[] }>();
  for (const n of nodes) {
    if (n.kind === 'table') groups.set(`${n.table.schema}.${n.table.name}`, { table: n.table });
  }
  for (const n of nodes) {
    if (n.kind !== 'job') continue;
    const id = `${n.table.schema}.${n.table.name}`;
    const g = groups.get(id) ?? { table: n.table, keys: [] };
    if (g.keys) g.keys.push(n.job.key);
    groups.set(id, g);
  }
  return [...groups.values()];
}

export interface JobsActions {
  retry(nodes: readonly JobsNode[]): Promise<number>;
  ignore(nodes: readonly JobsNode[]): Promise<number>;
  /** Ignored jobs of these job nodes, or all of these tables. */
  unignore(nodes: readonly JobsNode[]): Promise<number>;
  clear(nodes: readonly JobsNode[]): Promise<number>;
  /** Reservations of dead holders in these nodes' tables, given back to the queue. */
  recover(nodes: readonly JobsNode[]): Promise<number>;
}

export function registerJobsCommands(
  context: vscode.ExtensionContext,
  db: ComputationsDatabase,
  tree: JobsTreeProvider,
  view: vscode.TreeView<JobsNode>,
  populateKeys: (table: AutoTable, keys: Key[] | undefined) => Thenable<unknown>,
  afterChange: () => void,
): JobsActions {
  const run = async (what: string, nodes: readonly JobsNode[], act: (g: { table: AutoTable; keys?: Key[] }) => Promise<number>): Promise<number> => {
    let n = 0;
    try {
      for (const g of byTable(nodes)) n += await act(g);
    } catch (e) {
      void vscode.window.showErrorMessage(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      afterChange();
    }
    return n;
  };
  const actions: JobsActions = {
    retry: (nodes) => run('Retry', nodes, (g) => db.withJobs(g.table.schema, g.table.name, (jobs) => jobs.retry(g.keys))),
    ignore: (nodes) => run('Ignore', nodes, async (g) => (g.keys?.length ? db.withJobs(g.table.schema, g.table.name, (jobs) => jobs.ignore(g.keys!)) : 0)),
    unignore: (nodes) => run('Un-ignore', nodes, (g) => db.withJobs(g.table.schema, g.table.name, (jobs) => jobs.unignore(g.keys))),
    clear: (nodes) => run('Clear', nodes, (g) => db.withJobs(g.table.schema, g.table.name, (jobs) => jobs.clear(g.keys ? { keys: g.keys } : {}))),
    // A whole table at a time: recover judges every reservation by the one holder rule, so
    // a selected key whose holder came back to life is left alone.
    recover: (nodes) =>
      run('Recover', nodes, async (g) => {
        const r = await db.withJobs(g.table.schema, g.table.name, (jobs) => jobs.recover());
        const n = r.rePended.length + r.completed.length;
        const done = r.completed.length ? ` (${r.completed.length} already computed: completed)` : '';
        void vscode.window.showInformationMessage(
          n ? `${g.table.className}: ${n === 1 ? '1 reservation' : `${n} reservations`} of gone workers given back to the queue${done}.` : `${g.table.className}: no reservation of a gone worker.`,
        );
        return n;
      }),
  };

  const sub = (id: string, fn: (...args: never[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  sub('datajoint.jobs.refresh', () => tree.refresh());
  sub('datajoint.jobs.retry', (node?: JobsNode, selected?: JobsNode[]) => actions.retry(targets(node, selected, view)));
  sub('datajoint.jobs.retryAndPopulate', async (node?: JobsNode, selected?: JobsNode[]) => {
    const nodes = targets(node, selected, view);
    await actions.retry(nodes);
    // One run per table, restricted to the retried keys (all keys for a whole table).
    const results = [];
    for (const g of byTable(nodes)) results.push(await populateKeys(g.table, g.keys));
    return results;
  });
  sub('datajoint.jobs.ignore', (node?: JobsNode, selected?: JobsNode[]) => actions.ignore(targets(node, selected, view).filter((n): n is JobNode => n.kind === 'job')));
  sub(UNIGNORE_COMMAND, (node?: JobsNode, selected?: JobsNode[]) =>
    actions.unignore(targets(node, selected, view).filter((n) => n.kind === 'table' || (n.kind === 'job' && n.job.status === 'ignore'))),
  );
  sub(RECOVER_COMMAND, (node?: JobsNode, selected?: JobsNode[]) => actions.recover(targets(node, selected, view)));
  sub('datajoint.jobs.clear', async (node?: JobsNode, selected?: JobsNode[]) => {
    const nodes = targets(node, selected, view);
    const tables = nodes.filter((n): n is TableNode => n.kind === 'table');
    if (tables.length) {
      // A whole jobs table: asked first (it forgets errors and reservations of other workers).
      const ok = await vscode.window.showWarningMessage(
        `Delete all jobs of ${tables.map((t) => t.table.className).join(', ')}? Computed rows are kept; errors and reservations are forgotten.`,
        { modal: true },
        'Delete Jobs',
      );
      if (ok !== 'Delete Jobs') return 0;
    }
    return actions.clear(nodes);
  });
  sub('datajoint.jobs.showError', async (node?: JobsNode) => {
    const n = node ?? view.selection[0];
    if (n?.kind !== 'job') return undefined;
    const doc = await vscode.workspace.openTextDocument(jobStackUri(n.table, n.key, n.job.completedTime));
    return vscode.window.showTextDocument(doc, { preview: true });
  });
  return actions;
}
