// Actions of the Jobs view, on one item or on a multi-selection: Retry (delete the error
// rows so the next populate takes the keys; jobs.py has no retry, the reference's pattern
// is deleting them, notes §7.6), Retry and Populate (the same, then populate just those
// keys), Ignore, Un-ignore (delete the ignore rows: the keys are computed again), Clear,
// Show Error, Refresh. All go through the runtime's TableJobs. Retry, Retry and Populate
// and Ignore also take an error group (every key of it) and a table's Errors node (all its
// errors); Un-ignore the Ignored node (all ignored keys). An action on more than
// CONFIRM_ABOVE keys asks first in a modal dialog naming the count; callers that asked the
// user themselves (and the tests: VS Code answers modals with Cancel there) pass
// `{ confirmed: true }` as the third argument.
import * as vscode from 'vscode';
import type { Key } from '../../runtime/populate/target';
import { jsonKey } from '../../runtime/populate/events';
import type { AutoTable, ComputationsDatabase } from './computationsDatabase';
import { jobStackUri, type JobsNode, type JobsTreeProvider } from './jobsTree';
import { RECOVER_COMMAND, UNIGNORE_COMMAND } from '../commandNames';

type JobNode = Extract<JobsNode, { kind: 'job' }>;
type TableNode = Extract<JobsNode, { kind: 'table' }>;

/** Group actions on more keys than this ask first. */
export const CONFIRM_ABOVE = 10;

/** The third argument of the job commands. */
export interface JobCommandOptions {
  /** The user agreed already: no modal question. */
  confirmed?: boolean;
}

/** What one action does to how many keys, in the words of its modal question. */
export function confirmationText(action: 'retry' | 'retryAndPopulate' | 'ignore' | 'unignore', keys: number, tables: readonly string[]): { message: string; button: string } {
  const what = `${keys} keys of ${tables.join(', ')}`;
  switch (action) {
    case 'retry':
      return { message: `Retry ${what}? Their error jobs are deleted, so that the next populate computes them again.`, button: `Retry ${keys} Keys` };
    case 'retryAndPopulate':
      return { message: `Retry and populate ${what}? Their error jobs are deleted and populate runs for them.`, button: `Retry and Populate ${keys} Keys` };
    case 'ignore':
      return { message: `Ignore ${what}? Populate skips ignored keys until they are un-ignored.`, button: `Ignore ${keys} Keys` };
    case 'unignore':
      return { message: `Un-ignore ${what}? They become keys to compute again.`, button: `Un-ignore ${keys} Keys` };
  }
}

/** The nodes an action applies to: the selection when the clicked item is part of it. */
function targets(node: JobsNode | undefined, selected: readonly JobsNode[] | undefined, view: vscode.TreeView<JobsNode>): JobsNode[] {
  const sel = selected?.length ? selected : view.selection;
  if (node && !sel.includes(node)) return [node];
  return sel.length ? [...sel] : node ? [node] : [];
}

/**
 * The nodes' keys by table: a whole table (keys undefined) for a table node, the Errors node
 * (all its errors) or the Ignored node (all its ignored keys); else the keys of the job
 * nodes and of every key of the error groups.
 */
function byTable(nodes: readonly JobsNode[]): Array<{ table: AutoTable; keys?: Key[] }> {
  const groups = new Map<string, { table: AutoTable; keys?: Key[]; seen?: Set<string> }>();
  for (const n of nodes) {
    if (n.kind === 'table' || n.kind === 'errors' || n.kind === 'ignored') groups.set(`${n.table.schema}.${n.table.name}`, { table: n.table });
  }
  const add = (table: AutoTable, keys: readonly Key[]) => {
    const id = `${table.schema}.${table.name}`;
    const g = groups.get(id) ?? { table, keys: [], seen: new Set<string>() };
    groups.set(id, g);
    if (!g.keys) return;
    for (const k of keys) {
      const kid = JSON.stringify(jsonKey(k));
      if (g.seen!.has(kid)) continue;
      g.seen!.add(kid);
      g.keys.push(k);
    }
  };
  for (const n of nodes) {
    if (n.kind === 'job') add(n.table, [n.job.key]);
    else if (n.kind === 'group') add(n.table, n.group.keys);
  }
  return [...groups.values()].map(({ table, keys }) => ({ table, keys }));
}

/** How many keys an action on these scopes takes: the listed keys, or a whole table's count of the status. */
function keyCount(scopes: ReadonlyArray<{ table: AutoTable; keys?: Key[] }>, nodes: readonly JobsNode[], status: 'error' | 'ignore'): number {
  let n = 0;
  for (const g of scopes) {
    if (g.keys) {
      n += g.keys.length;
      continue;
    }
    const same = (x: JobsNode) => 'table' in x && x.table.schema === g.table.schema && x.table.name === g.table.name;
    const whole = nodes.find((x): x is Extract<JobsNode, { kind: 'table' | 'errors' | 'ignored' }> => (x.kind === 'table' || x.kind === 'errors' || x.kind === 'ignored') && same(x));
    if (whole?.kind === 'table') n += whole.progress?.jobs[status] ?? 0;
    else if (whole?.kind === 'errors' || whole?.kind === 'ignored') n += whole.count;
  }
  return n;
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
    // A set of keys (a group may have thousands) in batches; a whole table in one statement.
    retry: (nodes) => run('Retry', nodes, (g) => db.withJobs(g.table.schema, g.table.name, (jobs) => (g.keys ? jobs.retryKeys(g.keys) : jobs.retry()))),
    ignore: (nodes) => run('Ignore', nodes, async (g) => (g.keys?.length ? db.withJobs(g.table.schema, g.table.name, (jobs) => jobs.ignoreErrors(g.keys!)) : 0)),
    unignore: (nodes) => run('Un-ignore', nodes, (g) => db.withJobs(g.table.schema, g.table.name, (jobs) => (g.keys ? jobs.unignoreKeys(g.keys) : jobs.unignore()))),
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
  /** Asks before an action on more than CONFIRM_ABOVE keys; true when it may go on. */
  const confirm = async (action: Parameters<typeof confirmationText>[0], nodes: readonly JobsNode[], status: 'error' | 'ignore', options?: JobCommandOptions): Promise<boolean> => {
    if (options?.confirmed) return true;
    const scopes = byTable(nodes);
    const n = keyCount(scopes, nodes, status);
    if (n <= CONFIRM_ABOVE) return true;
    const { message, button } = confirmationText(action, n, scopes.map((g) => g.table.className));
    // A dialog that cannot be shown (VS Code refuses them while extension tests run) is no answer.
    const answer = await Promise.resolve(vscode.window.showWarningMessage(message, { modal: true }, button)).catch(() => undefined);
    return answer === button;
  };
  const retryable = (n: JobsNode) => n.kind === 'table' || n.kind === 'errors' || n.kind === 'group' || n.kind === 'job';
  sub('datajoint.jobs.retry', async (node?: JobsNode, selected?: JobsNode[], options?: JobCommandOptions) => {
    const nodes = targets(node, selected, view).filter(retryable);
    if (!(await confirm('retry', nodes, 'error', options))) return 0;
    return actions.retry(nodes);
  });
  sub('datajoint.jobs.retryAndPopulate', async (node?: JobsNode, selected?: JobsNode[], options?: JobCommandOptions) => {
    const nodes = targets(node, selected, view).filter(retryable);
    if (!(await confirm('retryAndPopulate', nodes, 'error', options))) return [];
    await actions.retry(nodes);
    // One run per table, restricted to the retried keys (all keys for a whole table or its Errors node).
    const results = [];
    for (const g of byTable(nodes)) results.push(await populateKeys(g.table, g.keys));
    return results;
  });
  sub('datajoint.jobs.ignore', async (node?: JobsNode, selected?: JobsNode[], options?: JobCommandOptions) => {
    const nodes = targets(node, selected, view).filter((n): n is JobNode | Extract<JobsNode, { kind: 'group' }> => n.kind === 'job' || n.kind === 'group');
    if (!(await confirm('ignore', nodes, 'error', options))) return 0;
    return actions.ignore(nodes);
  });
  sub(UNIGNORE_COMMAND, async (node?: JobsNode, selected?: JobsNode[], options?: JobCommandOptions) => {
    const nodes = targets(node, selected, view).filter((n) => n.kind === 'table' || n.kind === 'ignored' || (n.kind === 'job' && n.job.status === 'ignore'));
    if (!(await confirm('unignore', nodes, 'ignore', options))) return 0;
    return actions.unignore(nodes);
  });
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
