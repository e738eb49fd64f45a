// The Workers view: who holds the reservations of the pipeline's jobs tables, one node per
// worker process (host · pid, as the jobs tables record them), with its account, its
// connection ids, since when it holds keys and whether it lives (runtime/jobs/holder.ts:
// the process on this machine, else its connection in the server's process list), and
// the keys beneath. A holder known to be gone carries Recover, which gives its keys back.
import * as vscode from 'vscode';
import { groupByHolder, type HeldKey, type WorkerHolder } from '../../runtime/jobs/workers';
import { slurmTaskOf, type SlurmTask } from '../../runtime/connection/session-name';
import type { HolderState } from '../../runtime/jobs/holder';
import { jsonKey } from '../../runtime/populate/events';
import type { AutoTable, ComputationsDatabase } from '../jobs/computationsDatabase';
import { HOLDER_TEXT, formatKey, markdownText, when } from '../jobs/jobsTree';
import { plural } from '../populate/runSummary';

/** How many reservations of each table are read (a pipeline has as many as its workers run at once). */
const LISTED = 500;

/** A holder, and the SLURM task its sessions are named after (runtime/connection/session-name.ts). */
export type Holder = WorkerHolder<AutoTable> & { slurm?: SlurmTask };

export type WorkersNode =
  | { kind: 'holder'; holder: Holder }
  | { kind: 'held'; holder: Holder; held: HeldKey<AutoTable> }
  | { kind: 'message'; id: string; text: string; error: boolean };

const STATE_LABEL: Record<HolderState, string> = { alive: 'alive', gone: 'gone', unknown: 'not known to be alive' };
const STATE_ICON: Record<HolderState, vscode.ThemeIcon> = {
  alive: new vscode.ThemeIcon('pulse', new vscode.ThemeColor('testing.iconPassed')),
  gone: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')),
  unknown: new vscode.ThemeIcon('question'),
};

export class WorkersTreeProvider implements vscode.TreeDataProvider<WorkersNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<WorkersNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscription: vscode.Disposable;
  /** The holders the last load of the root showed, for the tests. */
  lastHolders: Holder[] = [];

  constructor(private readonly db: ComputationsDatabase) {
    this.subscription = db.connection.onDidChangeState((s) => {
      if (s !== 'connecting') this.refresh();
    });
  }

  refresh(): void {
    this.db.newRefresh();
    this.emitter.fire(undefined);
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }

  getTreeItem(node: WorkersNode): vscode.TreeItem {
    switch (node.kind) {
      case 'holder':
        return holderItem(node.holder);
      case 'held': {
        const { table, job } = node.held;
        const item = new vscode.TreeItem(`${table.className} ${formatKey(jsonKey(job.key))}`, vscode.TreeItemCollapsibleState.None);
        item.id = `worker-key:${node.holder.id}:${table.schema}.${table.name}:${JSON.stringify(jsonKey(job.key))}`;
        item.description = when(job.reservedTime);
        item.iconPath = new vscode.ThemeIcon('key');
        item.tooltip = `${table.schema}.${table.className}: reserved ${when(job.reservedTime)} on connection ${job.connectionId}`;
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon(node.error ? 'error' : 'info');
        return item;
      }
    }
  }

  async getChildren(node?: WorkersNode): Promise<WorkersNode[]> {
    if (!this.db.connected) return [];
    if (node?.kind === 'holder') return node.holder.keys.map((held) => ({ kind: 'held', holder: node.holder, held }));
    if (node) return [];
    try {
      this.lastHolders = await this.holders();
    } catch (e) {
      this.lastHolders = [];
      return [{ kind: 'message', id: 'workers-error', text: e instanceof Error ? e.message : String(e), error: true }];
    }
    if (!this.lastHolders.length) return [{ kind: 'message', id: 'workers-none', text: 'No reserved jobs: no worker holds a key now.', error: false }];
    return this.lastHolders.map((holder) => ({ kind: 'holder', holder }));
  }

  /** The reservations of every auto-populated table that has a jobs table, by holder. */
  async holders(): Promise<Holder[]> {
    const tables = (await this.db.autoTables()).filter((t) => t.jobsTable);
    const held = await Promise.all(
      tables.map(async (table) => (await this.db.withJobs(table.schema, table.name, (jobs) => jobs.reserved(LISTED))).map((job) => ({ table, job }))),
    );
    const holders: Holder[] = groupByHolder(held.flat());
    const ids = holders.flatMap((h) => h.connectionIds);
    if (tables[0] && ids.length) {
      const names = await this.db.sessionNames(tables[0], ids);
      for (const h of holders) {
        const slurm = h.connectionIds.map((id) => slurmTaskOf(names.get(id))).find(Boolean);
        if (slurm) h.slurm = slurm;
      }
    }
    return holders;
  }

  getParent(node: WorkersNode): WorkersNode | undefined {
    return node.kind === 'held' ? { kind: 'holder', holder: node.holder } : undefined;
  }
}

function holderItem(h: Holder): vscode.TreeItem {
  const item = new vscode.TreeItem(`${h.host || '(no host)'} · pid ${h.pid}`, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `worker:${h.id}`;
  const tables = new Set(h.keys.map((k) => k.table.className));
  item.description = [h.slurm ? `SLURM ${h.slurm.id}` : '', STATE_LABEL[h.state], plural(h.keys.length, 'key'), h.since ? `since ${when(h.since)}` : ''].filter(Boolean).join(' · ');
  item.iconPath = STATE_ICON[h.state];
  item.contextValue = ['workerHolder', h.state, h.state === 'gone' ? 'recoverable' : '', h.slurm ? 'slurm' : ''].filter(Boolean).join(' ');
  const tip = new vscode.MarkdownString();
  tip.appendMarkdown(`**${markdownText(h.host)}** pid ${h.pid}${h.users.length ? ` · ${markdownText(h.users.join(', '))}` : ''}\n\n`);
  tip.appendMarkdown(`${HOLDER_TEXT[h.state]}\n\n`);
  if (h.slurm) tip.appendText(`SLURM job ${h.slurm.job}${h.slurm.task !== undefined ? `, array task ${h.slurm.task}` : ''} (Cancel SLURM Job: scancel ${h.slurm.id})\n`);
  tip.appendText(`connection ${h.connectionIds.join(', ')}\n`);
  tip.appendText(`${plural(h.keys.length, 'key')} of ${[...tables].join(', ')}`);
  item.tooltip = tip;
  return item;
}
