// The Tables view: schemas -> tables (tier icon, estimated row count `~n`) -> part
// tables and attributes (type, primary-key marker, foreign-key target). Children load
// lazily from the runtime's catalog; ids are stable so expansion survives refreshes.
import * as vscode from 'vscode';
import type { CatalogTable, TableSummary } from '../../runtime/catalog/index';
import type { ConnectionManager } from '../connection/connectionManager';
import { loadRuntime } from '../connection/loadRuntime';
import { inAutoRefresh } from './autoRefresh';
import type { TablesReloadReason } from '../language/catalogSyncPolicy';

export type { TablesReloadReason };


export type TablesNode =
  | { kind: 'schema'; schema: string }
  | { kind: 'table'; table: TableSummary; parts: TableSummary[]; master?: TablesNode }
  | { kind: 'attribute'; table: TableSummary; name: string; type: string; inKey: boolean; foreignKey?: string; comment: string; nullable: boolean }
  | { kind: 'message'; id: string; text: string; error: boolean };

// Tier icons (codicons). Colours follow DataJoint's diagram conventions loosely:
// Manual green, Lookup grey, Imported blue, Computed red.
const TIER_ICON: Record<string, [string, string | undefined]> = {
  Manual: ['edit', 'charts.green'],
  Lookup: ['list-flat', undefined],
  Imported: ['cloud-download', 'charts.blue'],
  Computed: ['gear', 'charts.red'],
  Part: ['symbol-field', undefined],
};

function formatCount(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 10_000 ? `${Math.round(n / 1000)}k` : String(n);
}

export class TablesTreeProvider implements vscode.TreeDataProvider<TablesNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TablesNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly reloads = new vscode.EventEmitter<TablesReloadReason>();
  /**
   * Fires after the whole tree was told to reload, with why: 'requested' (refresh(): the
   * user's Refresh or Retry, a run's end, a settings change), 'automatic' (refresh() from
   * an auto-refresh tick, views/autoRefresh.ts), 'state' (the connection's state changed).
   */
  readonly onDidReload = this.reloads.event;
  /** Exact counts the user asked for, by `schema.table`. */
  private readonly exactCounts = new Map<string, number>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly connection: ConnectionManager) {
    this.subscription = connection.onDidChangeState((s) => {
      if (s !== 'connecting') this.reload('state');
    });
  }

  /** Reloads the whole tree; `rows`: only rows or jobs changed (no table was declared or dropped). */
  refresh(what: 'tables' | 'rows' = 'tables'): void {
    this.reload(inAutoRefresh() ? 'automatic' : what === 'rows' ? 'rows' : 'requested');
  }

  private reload(reason: TablesReloadReason): void {
    this.emitter.fire(undefined);
    this.reloads.fire(reason);
  }

  /** Counts a table's rows exactly (on demand: COUNT(*) can be slow on big tables). */
  async countExactly(node: TablesNode): Promise<number | undefined> {
    if (node.kind !== 'table') return undefined;
    const { schema, name } = node.table;
    const n = await this.connection.withCatalog((c) => c.countRows(schema, name));
    this.exactCounts.set(`${schema}.${name}`, n);
    this.emitter.fire(node);
    return n;
  }

  getTreeItem(node: TablesNode): vscode.TreeItem {
    switch (node.kind) {
      case 'schema': {
        const item = new vscode.TreeItem(node.schema, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `schema:${node.schema}`;
        item.iconPath = new vscode.ThemeIcon('database');
        item.contextValue = 'schema';
        return item;
      }
      case 'table': {
        const t = node.table;
        const item = new vscode.TreeItem(t.master ? t.className.split('.').pop()! : t.className, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `table:${t.schema}.${t.name}`;
        const exact = this.exactCounts.get(`${t.schema}.${t.name}`);
        item.description = exact !== undefined ? `${formatCount(exact)} rows` : `~${formatCount(t.estimatedRows)}`;
        const [icon, color] = TIER_ICON[t.tier] ?? ['table', undefined];
        item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
        const tooltip = new vscode.MarkdownString();
        tooltip.appendMarkdown(`**${t.className}** (${t.tier})\n\n`);
        tooltip.appendText(`${t.schema}.${t.name}\n`);
        if (t.comment) tooltip.appendText(`${t.comment}\n`);
        tooltip.appendText(exact !== undefined ? `${exact} rows` : `about ${t.estimatedRows} rows (estimate; "Count Rows" for the exact number)`);
        item.tooltip = tooltip;
        // Flags matched by regex in menus (`table auto` gets populate later).
        item.contextValue = ['table', t.tier === 'Computed' || t.tier === 'Imported' ? 'auto' : '', t.jobsTable ? 'jobs' : ''].filter(Boolean).join(' ');
        return item;
      }
      case 'attribute': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
        item.id = `attr:${node.table.schema}.${node.table.name}.${node.name}`;
        item.description = `${node.type}${node.nullable ? ' (nullable)' : ''}${node.foreignKey ? ` → ${node.foreignKey}` : ''}`;
        item.iconPath = new vscode.ThemeIcon(node.inKey ? 'key' : node.foreignKey ? 'references' : 'symbol-field');
        item.tooltip = `${node.inKey ? 'primary key · ' : ''}${node.type}${node.foreignKey ? ` · from ${node.foreignKey}` : ''}${node.comment ? `\n${node.comment}` : ''}`;
        item.contextValue = node.inKey ? 'attribute key' : 'attribute';
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon(node.error ? 'error' : 'info');
        if (node.error) item.command = { command: 'datajoint.refreshTables', title: 'Retry' };
        item.tooltip = node.error ? `${node.text}\nClick to retry.` : node.text;
        return item;
      }
    }
  }

  // For TreeView.reveal: parents rebuilt from the node itself (ids are stable).
  getParent(node: TablesNode): TablesNode | undefined {
    if (node.kind === 'table') return node.master ?? { kind: 'schema', schema: node.table.schema };
    if (node.kind === 'attribute') {
      const t = node.table;
      return { kind: 'table', table: t, parts: [] };
    }
    return undefined;
  }

  async getChildren(node?: TablesNode): Promise<TablesNode[]> {
    if (!this.connection.connected) return []; // the welcome view takes over
    try {
      if (!node) return await this.schemas();
      if (node.kind === 'schema') return await this.tablesOf(node.schema);
      if (node.kind === 'table') return await this.insideTable(node);
      return [];
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      const where = node?.kind === 'schema' ? node.schema : node?.kind === 'table' ? node.table.name : 'root';
      return [{ kind: 'message', id: `error:${where}`, text, error: true }];
    }
  }

  private async schemas(): Promise<TablesNode[]> {
    const wanted = vscode.workspace.getConfiguration('datajoint').get<string[]>('schemas', []);
    const listed = wanted.length ? wanted : await this.connection.withCatalog((c) => c.listSchemas());
    // The local database's `public` is PostgreSQL's own, empty unless someone wrote there by hand.
    const names = this.connection.local && !wanted.length ? listed.filter((s) => s !== 'public') : listed;
    if (!names.length) {
      const text = this.connection.local ? 'No schemas in the local database yet: declare a pipeline (a populate of its module does) to see it here.' : 'No schemas on this server.';
      return [{ kind: 'message', id: 'message:no-schemas', text, error: false }];
    }
    return names.map((schema) => ({ kind: 'schema', schema }));
  }

  private async tablesOf(schema: string): Promise<TablesNode[]> {
    const tables = await this.connection.withCatalog((c) => c.listTables(schema));
    const partsOf = new Map<string, TableSummary[]>();
    for (const t of tables) if (t.master) partsOf.set(t.master, [...(partsOf.get(t.master) ?? []), t]);
    const masters = tables.filter((t) => !t.master);
    if (!masters.length) return [{ kind: 'message', id: `message:empty:${schema}`, text: 'No DataJoint tables in this schema.', error: false }];
    return masters.map((table) => ({ kind: 'table', table, parts: partsOf.get(table.name) ?? [] }));
  }

  private async insideTable(node: Extract<TablesNode, { kind: 'table' }>): Promise<TablesNode[]> {
    const t: CatalogTable = await this.connection.withCatalog((c) => c.describeTable(node.table.schema, node.table.name));
    const { parseTableName } = await loadRuntime();
    const fkOf = new Map<string, string>();
    for (const fk of t.foreignKeys) {
      const cls = parseTableName(fk.parentTable)?.className ?? fk.parentTable;
      const parent = fk.parentSchema === t.schema ? cls : `${fk.parentSchema}.${cls}`;
      for (const [child, parentCol] of Object.entries(fk.attrMap)) fkOf.set(child, parentCol === child ? parent : `${parent}.${parentCol}`);
    }
    const parts: TablesNode[] = node.parts.map((p) => ({ kind: 'table', table: p, parts: [], master: node }));
    const attributes: TablesNode[] = t.attributes
      .filter((a) => !a.hidden)
      .map((a) => ({ kind: 'attribute', table: node.table, name: a.name, type: a.type, inKey: a.inKey, foreignKey: fkOf.get(a.name), comment: a.comment, nullable: a.nullable }));
    return [...parts, ...attributes];
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
    this.reloads.dispose();
  }
}
