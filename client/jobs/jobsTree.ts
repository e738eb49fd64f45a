// The Jobs view: per Computed/Imported table, its keys still to compute and its jobs
// counted by status; under it an "Errors" node with the errors grouped by exception type
// and message pattern (runtime/jobs/triage.ts: `ValueError: bad value <n> · 12 keys`),
// each group's keys beneath it, then the reserved jobs, then an "Ignored" node with the
// ignored keys. Item menus key on the flags in contextValue (`job error retryable ignorable`,
// `jobGroup retryable ignorable`), matched by regex in package.json (the github-actions
// extension's pattern): a group takes the menus of a failed job, Retry, Retry and
// Populate and Ignore acting on all its keys.
import * as vscode from 'vscode';
import type { HolderState } from '../../runtime/jobs/holder';
import type { ErrorEntry, JobCounts, JobRow } from '../../runtime/jobs/queue';
import { groupLabel, type ErrorGroup } from '../../runtime/jobs/triage';
import { formatSeconds, type DurationStats } from '../../runtime/jobs/durations';
import { slurmTaskOf, type SlurmTask } from '../../runtime/connection/session-name';
import { jsonKey, type JsonKey } from '../../runtime/populate/events';
import type { AutoTable, ComputationsDatabase } from './computationsDatabase';
import { plural } from '../populate/runSummary';

/** How many error/reserved/ignored jobs a table lists, each (the counts stay exact). */
const LISTED = 200;
/** How many of a table's most recent errors are grouped (the counts of the Errors node stay exact). */
export const GROUPED = 10_000;

export interface TableProgress {
  remaining: number;
  total: number;
  jobs: JobCounts;
}

export type JobsNode =
  | { kind: 'table'; table: AutoTable; progress?: TableProgress; error?: string }
  /** A table's errors: the groups beneath. */
  | { kind: 'errors'; table: AutoTable; count: number; parent?: JobsNode }
  /** Errors of one exception type and message pattern: their keys beneath (the first LISTED). */
  | { kind: 'group'; table: AutoTable; group: ErrorGroup<ErrorEntry>; of: { grouped: number; total: number }; parent?: JobsNode }
  /** A table's ignored keys. */
  | { kind: 'ignored'; table: AutoTable; count: number; parent?: JobsNode }
  | { kind: 'job'; table: AutoTable; job: JobRow; key: JsonKey; group?: Extract<JobsNode, { kind: 'group' }>; slurm?: SlurmTask }
  | { kind: 'message'; id: string; text: string; error: boolean; parent?: JobsNode }
  /**
   * How long the table's makes took (runtime/jobs/durations.ts): the slowest keys and the
   * versions beneath. `stats` is read when the node is first expanded (its queries sort the
   * table's durations), then kept until the number of made keys changes.
   */
  | { kind: 'durations'; table: AutoTable; made: number; stats?: DurationStats | null; parent?: JobsNode }
  /** One line under Durations: a slow key or a code version. */
  | { kind: 'fact'; id: string; label: string; description: string; tooltip: string; icon: string; parent: JobsNode };

/** A job row of an error triage entry (its stack is read when shown, as for every job). */
export function entryJob(e: ErrorEntry): JobRow {
  return {
    key: e.key,
    status: 'error',
    priority: e.priority,
    createdTime: null,
    scheduledTime: null,
    reservedTime: e.reservedTime,
    completedTime: e.completedTime,
    duration: null,
    errorMessage: e.errorMessage,
    user: e.user,
    host: e.host,
    pid: e.pid,
    connectionId: 0,
    version: e.version,
    holder: null,
  };
}

function tableId(t: AutoTable): string {
  return `${t.schema}.${t.name}`;
}

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

export function when(d: Date | null): string {
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

/** What the holder state of a reservation means, for its tooltip (also the Workers view's). */
export const HOLDER_TEXT: Record<HolderState, string> = {
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
    this.db.newRefresh();
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
      case 'errors': {
        const item = new vscode.TreeItem('Errors', vscode.TreeItemCollapsibleState.Expanded);
        item.id = `jobs-errors:${tableId(node.table)}`;
        item.description = plural(node.count, 'key');
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        item.contextValue = 'jobErrors retryable';
        item.tooltip = `${node.table.className}: ${plural(node.count, 'key')} whose make failed, grouped by exception type and message`;
        return item;
      }
      case 'group':
        return this.groupItem(node);
      case 'ignored': {
        const item = new vscode.TreeItem('Ignored', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `jobs-ignored:${tableId(node.table)}`;
        item.description = plural(node.count, 'key');
        item.iconPath = new vscode.ThemeIcon('circle-slash');
        item.contextValue = 'jobIgnored unignorable';
        item.tooltip = `${node.table.className}: ${plural(node.count, 'key')} that populate skips until un-ignored`;
        return item;
      }
      case 'durations': {
        const d = node.stats;
        const item = new vscode.TreeItem('Durations', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `jobs-durations:${tableId(node.table)}`;
        item.iconPath = new vscode.ThemeIcon('watch');
        item.contextValue = 'jobDurations';
        if (!d) {
          item.description = d === null ? 'none recorded' : 'p50, p95, slowest keys: expand';
          item.tooltip = 'How long make took, from the table\'s _job_duration (jobs.add_job_metadata) or the jobs table\'s success rows (jobs.keep_completed)';
          return item;
        }
        item.description = `p50 ${formatSeconds(d.p50)} · p95 ${formatSeconds(d.p95)} · ${plural(d.count, 'key')}`;
        const tip = new vscode.MarkdownString();
        tip.appendMarkdown(`**${node.table.className}**: how long make took, over ${plural(d.count, 'key')}\n\n`);
        tip.appendText(`median ${formatSeconds(d.p50)}, 95th percentile ${formatSeconds(d.p95)}, longest ${formatSeconds(d.max)}\n`);
        tip.appendText(d.source === 'target' ? 'from the table\'s _job_duration and _job_version (jobs.add_job_metadata)' : 'from the jobs table\'s success rows (jobs.keep_completed)');
        item.tooltip = tip;
        return item;
      }
      case 'fact': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.description = node.description;
        item.tooltip = node.tooltip;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        return item;
      }
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
    // Keys made: their Durations node, collapsed until asked for (its queries run then).
    const made = p ? p.total - p.remaining : 0;
    const state = listed ? vscode.TreeItemCollapsibleState.Expanded : made > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(t.className, state);
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

  private groupItem(node: Extract<JobsNode, { kind: 'group' }>): vscode.TreeItem {
    const { group, table } = node;
    const item = new vscode.TreeItem(groupLabel(group), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `jobs-group:${tableId(table)}:${group.id}`;
    item.description = plural(group.count, 'key');
    item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    item.contextValue = 'jobGroup retryable ignorable';
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`**${table.className}**: ${plural(group.count, 'key')} failed with\n\n`);
    tip.appendCodeblock(groupLabel(group), 'text');
    tip.appendMarkdown(`most recent (${markdownText(formatKey(jsonKey(group.sample.key)))}):\n\n`);
    tip.appendCodeblock(group.sample.errorMessage, 'text');
    if (group.truncated) tip.appendMarkdown('Some messages were cut at 2047 characters.\n\n');
    if (node.of.grouped < node.of.total) tip.appendMarkdown(`Of the ${node.of.grouped} most recent of ${node.of.total} errors.\n\n`);
    tip.appendMarkdown('Retry, Retry and Populate and Ignore act on every key of the group.');
    item.tooltip = tip;
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
      item.description = `${node.slurm ? `SLURM ${node.slurm.id} · ` : ''}${where} ${when(job.reservedTime)}`.trim();
      item.iconPath = new vscode.ThemeIcon('sync~spin');
      item.contextValue = `job ${job.status} clearable${node.slurm ? ' slurm' : ''}`;
    }
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`**${table.className}** ${job.status}\n\n`);
    tip.appendCodeblock(JSON.stringify(node.key), 'json');
    if (job.errorMessage) tip.appendMarkdown(`${markdownText(job.errorMessage)}\n\n`);
    const who = [where, job.user].filter(Boolean).join(' · ');
    if (who) tip.appendMarkdown(`${markdownText(who)}\n\n`);
    // Our own text, no markup in it: as markdown, so that its spaces stay spaces.
    if (job.holder) tip.appendMarkdown(`${HOLDER_TEXT[job.holder]}\n\n`);
    if (node.slurm) tip.appendText(`SLURM job ${node.slurm.job}${node.slurm.task !== undefined ? `, array task ${node.slurm.task}` : ''}\n`);
    if (job.reservedTime) tip.appendText(`reserved ${when(job.reservedTime)}\n`);
    if (job.completedTime) tip.appendText(`ended ${when(job.completedTime)}`);
    item.tooltip = tip;
    return item;
  }

  getParent(node: JobsNode): JobsNode | undefined {
    switch (node.kind) {
      case 'table':
        return undefined;
      // The node whose children they were: the object the view knows when it asked.
      case 'errors':
      case 'ignored':
      case 'durations':
        return node.parent ?? this.shownTable(node.table);
      case 'fact':
        return node.parent;
      case 'group':
        return node.parent ?? { kind: 'errors', table: node.table, count: node.of.total };
      case 'job':
        if (node.group) return node.group;
        if (node.job.status === 'ignore') return this.ignoredNodes.get(tableId(node.table)) ?? { kind: 'ignored', table: node.table, count: 0 };
        return this.shownTable(node.table);
      case 'message':
        return node.parent;
    }
  }

  /** The table's node as last shown (the object the view knows), else a new one. */
  private shownTable(table: AutoTable): JobsNode {
    return this.lastTables.find((n) => n.kind === 'table' && tableId(n.table) === tableId(table)) ?? { kind: 'table', table };
  }

  /** The Ignored node last shown under each table, for getParent of an ignored job. */
  private readonly ignoredNodes = new Map<string, JobsNode>();

  /**
   * Every job node under a table, through its Errors groups and its Ignored node (the
   * first LISTED of each): what the flat list of a table's jobs used to be.
   */
  async jobNodes(table: Extract<JobsNode, { kind: 'table' }>): Promise<Array<Extract<JobsNode, { kind: 'job' }>>> {
    const out: Array<Extract<JobsNode, { kind: 'job' }>> = [];
    const walk = async (n: JobsNode): Promise<void> => {
      for (const c of await this.getChildren(n)) {
        if (c.kind === 'job') out.push(c);
        else if (c.kind === 'errors' || c.kind === 'group' || c.kind === 'ignored') await walk(c);
      }
    };
    await walk(table);
    return out;
  }

  /** The error groups of a table, as its Errors node shows them. */
  async errorGroups(table: Extract<JobsNode, { kind: 'table' }>): Promise<Array<Extract<JobsNode, { kind: 'group' }>>> {
    const errors = (await this.getChildren(table)).find((n) => n.kind === 'errors');
    return errors ? (await this.getChildren(errors)).filter((n): n is Extract<JobsNode, { kind: 'group' }> => n.kind === 'group') : [];
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
      switch (node.kind) {
        case 'table':
          return await this.jobsOf(node);
        case 'errors':
          return await this.groupsOf(node);
        case 'group':
          return this.keysOf(node);
        case 'ignored':
          return await this.ignoredOf(node);
        case 'durations':
          return await this.durationFacts(node);
        default:
          return [];
      }
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      const where = node && 'table' in node ? `${node.kind}:${tableId(node.table)}` : 'root';
      return [{ kind: 'message', id: `jobs-error:${where}`, text, error: true, parent: node }];
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

  /** Errors (grouped), the reserved jobs, Ignored. */
  private async jobsOf(node: Extract<JobsNode, { kind: 'table' }>): Promise<JobsNode[]> {
    const { table } = node;
    const counts = node.progress?.jobs ?? (await this.db.withJobs(table.schema, table.name, (jobs) => jobs.progress())).jobs;
    const reserved = counts.reserved ? await this.db.withJobs(table.schema, table.name, (jobs) => jobs.reserved(LISTED)) : [];
    // The SLURM task a reservation's session is named after (runtime/connection/session-name.ts).
    const names = reserved.length ? await this.db.sessionNames(table, reserved.map((j) => j.connectionId)) : new Map<number, string>();
    const out: JobsNode[] = [];
    if (counts.error) {
      out.push({ kind: 'errors', table, count: counts.error, parent: node });
    }
    out.push(
      ...reserved.map((job): JobsNode => {
        const slurm = slurmTaskOf(names.get(job.connectionId));
        return { kind: 'job', table, job, key: jsonKey(job.key), ...(slurm ? { slurm } : {}) };
      }),
    );
    if (counts.ignore) {
      const ignored: JobsNode = { kind: 'ignored', table, count: counts.ignore, parent: node };
      this.ignoredNodes.set(tableId(table), ignored);
      out.push(ignored);
    }
    const made = node.progress ? node.progress.total - node.progress.remaining : 1;
    if (made > 0) {
      const kept = this.durations.get(tableId(table));
      out.push({ kind: 'durations', table, made, ...(kept && kept.made === made ? { stats: kept.stats } : {}), parent: node });
    }
    return out;
  }

  /** Durations read, by table, with the number of made keys they were read at. */
  private readonly durations = new Map<string, { made: number; stats: DurationStats | null }>();

  /** The slowest keys, then the code versions that made the rows (read now if not yet). */
  private async durationFacts(node: Extract<JobsNode, { kind: 'durations' }>): Promise<JobsNode[]> {
    const id = tableId(node.table);
    if (node.stats === undefined) {
      node.stats = (await this.db.withJobs(node.table.schema, node.table.name, (jobs) => jobs.durations())) ?? null;
      this.durations.set(id, { made: node.made, stats: node.stats });
      // The node's own line shows the figures now.
      this.emitter.fire(node);
    }
    if (!node.stats) {
      return [{ kind: 'message', id: `jobs-durations-none:${id}`, text: 'No durations recorded: turn on jobs.add_job_metadata (new tables) or jobs.keep_completed', error: false, parent: node }];
    }
    const stats = node.stats;
    const versionText = (v: string) => (v === '' ? 'no version recorded' : v);
    const slow = stats.slowest.map((s): JobsNode => {
      const key = formatKey(jsonKey(s.key));
      return { kind: 'fact', id: `jobs-slow:${id}:${key}`, label: key, description: `${formatSeconds(s.seconds)} · ${versionText(s.version)}`, tooltip: `one of the slowest keys: make took ${formatSeconds(s.seconds)}`, icon: 'clock', parent: node };
    });
    const versions = stats.versions.map((v): JobsNode => ({
      kind: 'fact',
      id: `jobs-version:${id}:${v.version}`,
      label: `version ${versionText(v.version)}`,
      description: plural(v.count, 'key'),
      tooltip: 'the code version (jobs.version_method) that made these rows',
      icon: 'git-commit',
      parent: node,
    }));
    return [...slow, ...versions];
  }

  private async groupsOf(node: Extract<JobsNode, { kind: 'errors' }>): Promise<JobsNode[]> {
    const { table } = node;
    const { groups, grouped, total } = await this.db.withJobs(table.schema, table.name, (jobs) => jobs.errorGroups(GROUPED));
    const out: JobsNode[] = groups.map((group) => ({ kind: 'group', table, group, of: { grouped, total }, parent: node }));
    if (grouped < total) {
      out.push({ kind: 'message', id: `jobs-grouped:${tableId(table)}`, text: `the ${grouped} most recent of ${total} errors are grouped`, error: false, parent: node });
    }
    return out;
  }

  private keysOf(node: Extract<JobsNode, { kind: 'group' }>): JobsNode[] {
    const { table, group } = node;
    const out: JobsNode[] = group.rows.slice(0, LISTED).map((e) => ({ kind: 'job', table, job: entryJob(e), key: jsonKey(e.key), group: node }));
    if (group.count > LISTED) {
      out.push({
        kind: 'message',
        id: `jobs-group-more:${tableId(table)}:${group.id}`,
        text: `${group.count - LISTED} more keys (the group's actions take all ${group.count})`,
        error: false,
        parent: node,
      });
    }
    return out;
  }

  private async ignoredOf(node: Extract<JobsNode, { kind: 'ignored' }>): Promise<JobsNode[]> {
    const { table } = node;
    const rows = await this.db.withJobs(table.schema, table.name, (jobs) => jobs.ignored(LISTED));
    const out: JobsNode[] = rows.map((job) => ({ kind: 'job', table, job, key: jsonKey(job.key) }));
    if (node.count > rows.length) {
      out.push({ kind: 'message', id: `jobs-ignored-more:${tableId(table)}`, text: `${node.count - rows.length} more ignored keys (Un-ignore here takes all ${node.count})`, error: false, parent: node });
    }
    return out;
  }

}
