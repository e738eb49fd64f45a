// The Jobs view: per Computed/Imported table, its keys still to compute and its jobs
// counted by status; under it the error, reserved and ignored jobs with key, message,
// host and time. Item menus key on the flags in contextValue (`job error retryable ignorable`),
// matched by regex in package.json (the github-actions extension's pattern).
import * as vscode from 'vscode';
import type { HolderState } from '../../runtime/jobs/holder';
import type { JobCounts, JobRow } from '../../runtime/jobs/queue';
import { jsonKey, type JsonKey } from '../../runtime/populate/events';
import type { AutoTable, ComputationsDatabase } from './computationsDatabase';
import { plural } from '../populate/runSummary';

/** How many error/reserved/ignored jobs a table lists, each (the counts stay exact). */
const LISTED = 200;

export interface TableProgress {
  remaining: number;
  total: number;
  jobs: JobCounts;
}

export type JobsNode =
  | { kind: 'table'; table: AutoTable; progress?: TableProgress; error?: string }
  | { kind: 'job'; table: AutoTable; job: JobRow; key: JsonKey }
  | { kind: 'message'; id: string; text: string; error: boolean };

export function formatKey(key: JsonKey): string {
  return Object.entries(key)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}

/**
 * Text for a MarkdownString: appendText escapes Markdown, not `@`, and `user@host`
 * (a MySQL account) would be rendered as a mail link; escaped, it stays text.
 */
export function markdownText(text: string): string {
  return new vscode.MarkdownString().appendText(text).value.replace(/@/g, '\\@');
}

function when(d: Date | null): string {
  return d instanceof Date ? d.toLocaleString() : d ? String(d) : '';
}

/**
 * `datajoint-job:` URI of a job's error stack document. One per error (its time in the
 * query): VS Code keeps an opened document, so a key that fails again after a retry
 * needs an address of its own to show its new error rather than the retried one's.
 */
export function jobStackUri(table: AutoTable, key: JsonKey, at?: Date | string | null): vscode.Uri {
  const time = at instanceof Date ? at.toISOString() : at ? String(at) : '';
  return vscode.Uri.from({
    scheme: 'datajoint-job',
    path: `/${table.schema}/${table.className} ${formatKey(key).replace(/[/\\]/g, '_')}.txt`,
    query: new URLSearchParams({ schema: table.schema, table: table.name, key: JSON.stringify(key), at: time }).toString(),
  });
}

/** What the holder state of a reservation means, for its tooltip. */
const HOLDER_TEXT: Record<HolderState, string> = {
  alive: 'holder alive: its worker is running',
  gone: 'holder gone: its process has exited and its database connection is closed; Recover gives the key back to the queue',
  unknown: 'holder on another machine, not known to be alive: djx jobs recover --older-than takes it back after a time',
};

export class JobsTreeProvider implements vscode.TreeDataProvider<JobsNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<JobsNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscription: vscode.Disposable;
  /** What the last load of the root showed, for the CodeLens and the tests. */
  lastTables: JobsNode[] = [];
  /** The load of the root under way, and the event of its end. */
  private rootLoad: Promise<JobsNode[]> | undefined;
  private readonly loadedEmitter = new vscode.EventEmitter<void>();

  constructor(private readonly db: ComputationsDatabase) {
    this.subscription = db.connection.onDidChangeState((s) => {
      if (s !== 'connecting') this.refresh();
    });
  }

  refresh(): void {
    this.emitter.fire(undefined);
  }

  /**
   * The table nodes as the view last loaded them, once a load under way has ended: the
   * objects the view knows, which reveal() finds without loading the root again.
   */
  async shownTables(): Promise<JobsNode[]> {
    await this.rootLoad?.catch(() => undefined);
    return this.lastTables.length ? this.lastTables : this.getChildren();
  }

  /** Resolves when the next load of the root ends, or after `timeoutMs`. */
  nextLoad(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const sub = this.loadedEmitter.event(done);
      function done() {
        clearTimeout(timer);
        sub.dispose();
        resolve();
      }
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
    this.loadedEmitter.dispose();
  }

  getTreeItem(node: JobsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'table':
        return this.tableItem(node);
      case 'job':
        return this.jobItem(node);
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon(node.error ? 'error' : 'info');
        if (node.error) item.command = { command: 'datajoint.jobs.refresh', title: 'Retry' };
        return item;
      }
    }
  }

  private tableItem(node: Extract<JobsNode, { kind: 'table' }>): vscode.TreeItem {
    const t = node.table;
    const p = node.progress;
    const listed = p ? p.jobs.error + p.jobs.reserved + p.jobs.ignore : 0;
    const item = new vscode.TreeItem(t.className, listed ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.id = `jobs-table:${t.schema}.${t.name}`;
    const flags = ['jobsTable', t.jobsTable ? 'hasJobs' : ''];
    if (node.error || !p) {
      item.description = node.error ?? '';
      item.iconPath = new vscode.ThemeIcon('warning');
      item.tooltip = node.error;
    } else {
      const parts = [`${p.remaining} remaining`];
      if (p.jobs.error) parts.push(plural(p.jobs.error, 'error'));
      for (const s of ['reserved', 'pending', 'ignore'] as const) if (p.jobs[s]) parts.push(`${p.jobs[s]} ${s === 'ignore' ? 'ignored' : s}`);
      item.description = parts.join(' · ');
      item.iconPath =
        p.jobs.error > 0
          ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
          : p.jobs.reserved > 0
            ? new vscode.ThemeIcon('sync~spin')
            : p.remaining === 0
              ? new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'))
              : new vscode.ThemeIcon('circle-large-outline');
      const tip = new vscode.MarkdownString();
      tip.appendMarkdown(`**${t.className}** (${t.tier}) — \`${t.schema}.${t.name}\`\n\n`);
      tip.appendText(`${p.remaining} of ${plural(p.total, 'key')} still to compute\n`);
      tip.appendText(`jobs: ${(['pending', 'reserved', 'error', 'ignore', 'success'] as const).map((s) => `${p.jobs[s]} ${s}`).join(', ')}`);
      item.tooltip = tip;
      if (p.jobs.error) flags.push('hasErrors', 'retryable');
      if (p.jobs.ignore) flags.push('hasIgnored', 'unignorable');
      if (p.remaining) flags.push('hasRemaining');
    }
    item.contextValue = flags.filter(Boolean).join(' ');
    return item;
  }

  private jobItem(node: Extract<JobsNode, { kind: 'job' }>): vscode.TreeItem {
    const { job, table } = node;
    const item = new vscode.TreeItem(formatKey(node.key), vscode.TreeItemCollapsibleState.None);
    item.id = `job:${table.schema}.${table.name}:${JSON.stringify(node.key)}`;
    const where = job.host ? `${job.host}:${job.pid}` : '';
    if (job.status === 'error') {
      item.description = job.errorMessage;
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
      item.contextValue = 'job error retryable ignorable clearable';
      item.command = { command: 'datajoint.jobs.showError', title: 'Show Error', arguments: [node] };
    } else if (job.status === 'ignore') {
      item.description = 'ignored';
      item.iconPath = new vscode.ThemeIcon('circle-slash');
      item.contextValue = 'job ignore unignorable clearable';
    } else if (job.holder === 'gone') {
      // Known dead (runtime/jobs/holder.ts): nobody will finish it, and DataJoint for
      // Python's populate never takes it back; Recover does.
      item.description = `holder gone · ${where} ${when(job.reservedTime)}`.trim();
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
      item.contextValue = `job ${job.status} recoverable clearable`;
    } else {
      item.description = `${where} ${when(job.reservedTime)}`.trim();
      item.iconPath = new vscode.ThemeIcon('sync~spin');
      item.contextValue = `job ${job.status} clearable`;
    }
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`**${table.className}** ${job.status}\n\n`);
    tip.appendCodeblock(JSON.stringify(node.key), 'json');
    if (job.errorMessage) tip.appendMarkdown(`${markdownText(job.errorMessage)}\n\n`);
    const who = [where, job.user].filter(Boolean).join(' · ');
    if (who) tip.appendMarkdown(`${markdownText(who)}\n\n`);
    // Our own text, no markup in it: as markdown, so that its spaces stay spaces.
    if (job.holder) tip.appendMarkdown(`${HOLDER_TEXT[job.holder]}\n\n`);
    if (job.reservedTime) tip.appendText(`reserved ${when(job.reservedTime)}\n`);
    if (job.completedTime) tip.appendText(`ended ${when(job.completedTime)}`);
    item.tooltip = tip;
    return item;
  }

  getParent(node: JobsNode): JobsNode | undefined {
    return node.kind === 'job' ? { kind: 'table', table: node.table } : undefined;
  }

  async getChildren(node?: JobsNode): Promise<JobsNode[]> {
    if (!this.db.connected) return []; // the welcome view takes over
    try {
      if (!node) {
        const load = (this.rootLoad = this.tables());
        try {
          return (this.lastTables = await load);
        } finally {
          if (this.rootLoad === load) this.rootLoad = undefined;
          this.loadedEmitter.fire();
        }
      }
      if (node.kind === 'table') return await this.jobsOf(node.table);
      return [];
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      return [{ kind: 'message', id: `jobs-error:${node?.kind === 'table' ? node.table.name : 'root'}`, text, error: true }];
    }
  }

  private async tables(): Promise<JobsNode[]> {
    const tables = await this.db.autoTables();
    if (!tables.length) return [{ kind: 'message', id: 'jobs-message:none', text: 'No Computed or Imported tables in these schemas.', error: false }];
    return Promise.all(
      tables.map(async (table): Promise<JobsNode> => {
        try {
          return { kind: 'table', table, progress: await this.db.withJobs(table.schema, table.name, (jobs) => jobs.progress()) };
        } catch (e) {
          return { kind: 'table', table, error: e instanceof Error ? e.message : String(e) };
        }
      }),
    );
  }

  private async jobsOf(table: AutoTable): Promise<JobsNode[]> {
    const rows = await this.db.withJobs(table.schema, table.name, async (jobs) => [
      ...(await jobs.errors(LISTED)),
      ...(await jobs.reserved(LISTED)),
      ...(await jobs.ignored(LISTED)),
    ]);
    return rows.map((job) => ({ kind: 'job', table, job, key: jsonKey(job.key) }));
  }
}
