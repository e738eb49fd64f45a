// "View Rows": one webview panel per table (revealed when already open) showing a page of
// its rows at a time. The panel keeps the grid's state (page, sort, restriction), asks the
// runtime for pages and counts (runtime/rows through loadRuntime: the client writes no
// SQL), checks the restriction box as populate's box does (restrictionInput.ts
// restrictionProblem) before anything runs, and opens a value whole in a read-only
// document. It records what the webview reports drawing, for the tests (RowsApi).
import * as vscode from 'vscode';
import type { CatalogTable } from '../../runtime/catalog/index';
import { DEFAULT_PAGE_SIZE, type RowsPage, type RowsSort } from '../../runtime/rows/types';
import { VIEW_ROWS_COMMAND } from '../commandNames';
import type { ConnectionManager } from '../connection/connectionManager';
import { loadRuntime } from '../connection/loadRuntime';
import { restrictionProblem } from '../populate/restrictionInput';
import { FROM_WEBVIEW, TO_WEBVIEW, problemOffset, type FromWebview, type PageView, type RowsRendered, type RowsTestAction, type ToWebview } from './rowsProtocol';
import { rowsHtml } from './rowsHtml';
import { fullName, rowsTarget, type RowsTarget } from './rowsTarget';
import { RowValueDocuments } from './rowValueDocuments';


/** One open grid, as the tests see it. */
export interface RowsPanelHandle {
  readonly target: RowsTarget;
  readonly panel: vscode.WebviewPanel;
  /** What the webview last reported drawing. */
  readonly rendered: RowsRendered | undefined;
  /** Performs `action` on the webview's own controls; resolves with the drawing it leads to (for `open`, once the value's document is shown). */
  act(action: RowsTestAction): Promise<RowsRendered | vscode.TextDocument>;
}

/** The rows grids of the window (DataJointApi.rows). */
export interface RowsApi {
  /** Opens (or reveals) the grid of a table; see rowsTarget for the arguments taken. */
  open(arg: unknown): Promise<RowsPanelHandle | undefined>;
  /** The open grid of a table. */
  panel(schema: string, table: string): RowsPanelHandle | undefined;
  /** Fires whenever a webview reports a drawing. */
  readonly onDidRender: vscode.Event<{ target: RowsTarget; rendered: RowsRendered }>;
}

/** Opens the grid of a table given by its full name "`schema`.`table`" (the diagram, CodeLens). */
export function viewRows(name: string): Thenable<unknown> {
  return vscode.commands.executeCommand(VIEW_ROWS_COMMAND, name);
}

class RowsPanel implements RowsPanelHandle {
  rendered: RowsRendered | undefined;
  private page = 0;
  private sort: RowsSort | undefined;
  private restriction = '';
  private heading: CatalogTable | undefined;
  private last: RowsPage | undefined;
  private lastView: PageView | undefined;
  private readonly exactCounts = new Map<string, number>();
  private sequence = 0;
  private readonly waiters: Array<(r: RowsRendered) => void> = [];
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly target: RowsTarget,
    readonly panel: vscode.WebviewPanel,
    private readonly connection: ConnectionManager,
    private readonly values: RowValueDocuments,
    private readonly renders: vscode.EventEmitter<{ target: RowsTarget; rendered: RowsRendered }>,
    private readonly title: string,
    scriptUri: vscode.Uri,
  ) {
    panel.webview.html = rowsHtml({ cspSource: panel.webview.cspSource, title, scriptUri: panel.webview.asWebviewUri(scriptUri).toString() });
    this.disposables.push(panel.webview.onDidReceiveMessage((m: FromWebview) => void this.onMessage(m)));
  }

  private post(message: ToWebview): void {
    void this.panel.webview.postMessage(message);
  }

  private async onMessage(m: FromWebview): Promise<void> {
    switch (m.type) {
      case FROM_WEBVIEW.ready:
        // A webview made again (the panel was hidden) draws the page it had.
        if (this.lastView) this.post({ type: TO_WEBVIEW.page, view: this.lastView });
        else await this.load();
        return;
      case FROM_WEBVIEW.go:
        this.page = m.to === 'first' ? 0 : m.to === 'previous' ? Math.max(0, this.page - 1) : this.last?.hasMore === false ? this.page : this.page + 1;
        return this.load();
      case FROM_WEBVIEW.sort: {
        const s = this.sort;
        this.sort = s?.attribute === m.attribute ? { attribute: m.attribute, descending: !s.descending } : { attribute: m.attribute, descending: false };
        this.page = 0;
        return this.load();
      }
      case FROM_WEBVIEW.check: {
        const problem = this.problemOf(m.text);
        this.post({ type: TO_WEBVIEW.problem, text: problem ?? '', at: problem ? problemOffset(problem) : undefined, restriction: m.text, check: true });
        return;
      }
      case FROM_WEBVIEW.restrict: {
        const problem = this.problemOf(m.text);
        if (problem) {
          // Never run: the text stays in the box with its problem shown under it.
          this.post({ type: TO_WEBVIEW.problem, text: problem, at: problemOffset(problem), restriction: m.text, check: false });
          return;
        }
        this.restriction = m.text.trim();
        this.page = 0;
        return this.load();
      }
      case FROM_WEBVIEW.refresh:
        this.heading = undefined;
        this.exactCounts.clear();
        return this.load();
      case FROM_WEBVIEW.open:
        await this.openValue(m.row, m.column);
        return;
      case FROM_WEBVIEW.rendered: {
        const { type: _type, ...rendered } = m;
        this.rendered = rendered;
        this.renders.fire({ target: this.target, rendered });
        if (rendered.reason !== 'count') this.waiters.splice(0).forEach((w) => w(rendered));
        return;
      }
    }
  }

  /** The restriction box's problem, by populate's rules over the table's attributes. */
  private problemOf(text: string): string | undefined {
    const known = this.heading?.attributes.filter((a) => !a.hidden).map((a) => a.name);
    return restrictionProblem(text, known);
  }

  async load(): Promise<void> {
    const seq = ++this.sequence;
    this.post({ type: TO_WEBVIEW.loading });
    const restriction = this.restriction;
    try {
      const rt = await loadRuntime();
      const page = await this.connection.withConnection(async (conn, catalog) => {
        this.heading ??= await catalog.describeTable(this.target.schema, this.target.table);
        return rt.readRowsPage(conn, catalog, { schema: this.target.schema, table: this.target.table, page: this.page, pageSize: DEFAULT_PAGE_SIZE, sort: this.sort, restriction }, this.heading);
      });
      if (seq !== this.sequence) return;
      // Paged past the end (rows deleted meanwhile): show the last page that has rows.
      if (page.rows.length === 0 && this.page > 0) {
        this.page = Math.max(0, Math.ceil((this.exactCounts.get(restriction) ?? page.offset) / DEFAULT_PAGE_SIZE) - 1);
        return this.load();
      }
      this.last = page;
      this.lastView = {
        title: this.title,
        columns: page.columns,
        rows: page.rows,
        page: page.page,
        pageSize: page.pageSize,
        offset: page.offset,
        hasMore: page.hasMore,
        estimatedRows: page.estimatedRows,
        exactRows: this.exactCounts.get(restriction),
        sort: page.sort,
        restriction,
      };
      this.post({ type: TO_WEBVIEW.page, view: this.lastView });
      if (!this.exactCounts.has(restriction)) void this.count(restriction);
    } catch (e) {
      if (seq !== this.sequence) return;
      const text = e instanceof Error ? e.message : String(e);
      // A restriction the server or the backend's own rules refused: shown at the box, the page as it was.
      this.post({ type: TO_WEBVIEW.problem, text: restriction ? `${text}` : `Cannot read the rows: ${text}`, at: problemOffset(text), restriction, check: false });
      if (restriction) this.restriction = this.last?.restriction ?? '';
      // The grid still shows the last page: the next paging goes on from it, not from the
      // first page the refused restriction (or a sort) would have started at.
      this.page = this.last?.page ?? 0;
    }
  }

  /** The exact count, after the page is shown (COUNT(*) may take a while on big tables). */
  private async count(restriction: string): Promise<void> {
    try {
      const rt = await loadRuntime();
      const heading = this.heading;
      if (!heading) return;
      const n = await this.connection.withConnection((conn) => rt.countRows(conn, heading, restriction || undefined));
      this.exactCounts.set(restriction, n);
      if (this.lastView && this.lastView.restriction === restriction) this.lastView.exactRows = n;
      this.post({ type: TO_WEBVIEW.count, exactRows: n, restriction });
    } catch {
      // The estimate stays; the next page asks again.
    }
  }

  private async openValue(row: number, column: string): Promise<vscode.TextDocument | undefined> {
    const key = this.last?.keys[row];
    const heading = this.heading;
    if (!key || !heading) return undefined;
    try {
      const rt = await loadRuntime();
      const value = await this.connection.withConnection((conn) => rt.readRowValue(conn, heading, key, column));
      const keyText = Object.entries(key)
        .map(([k, v]) => `${k}=${typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString().slice(0, 10) : String(v)}`)
        .join(', ');
      return await this.values.show(this.target, column, keyText, value.text, value.language);
    } catch (e) {
      void vscode.window.showErrorMessage(`Open value of ${column}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  act(action: RowsTestAction): Promise<RowsRendered | vscode.TextDocument> {
    if (action.kind === 'open') {
      return new Promise((resolve, reject) => {
        const sub = this.values.onDidShow((doc) => {
          sub.dispose();
          resolve(doc);
        });
        void this.panel.webview.postMessage({ type: TO_WEBVIEW.test, action } satisfies ToWebview).then((ok) => {
          if (!ok) {
            sub.dispose();
            reject(new Error('the rows webview is not there to act on'));
          }
        });
      });
    }
    return new Promise((resolve, reject) => {
      this.waiters.push(resolve);
      void this.panel.webview.postMessage({ type: TO_WEBVIEW.test, action } satisfies ToWebview).then((ok) => {
        if (!ok) reject(new Error('the rows webview is not there to act on'));
      });
    });
  }

  dispose(): void {
    this.sequence++;
    for (const d of this.disposables) d.dispose();
  }
}

/** A part's master's class name, from the schema's tables. */
function masterClassName(tables: ReadonlyArray<{ name: string; className: string }>, master: string): string {
  return tables.find((t) => t.name === master)?.className ?? master;
}

export class RowsPanels implements RowsApi, vscode.Disposable {
  private readonly panels = new Map<string, RowsPanel>();
  private readonly renders = new vscode.EventEmitter<{ target: RowsTarget; rendered: RowsRendered }>();
  readonly onDidRender = this.renders.event;

  constructor(
    private readonly connection: ConnectionManager,
    private readonly values: RowValueDocuments,
    /** The extension's dist/ folder, where rows-webview.js is. */
    private readonly dist: vscode.Uri,
  ) {}

  panel(schema: string, table: string): RowsPanelHandle | undefined {
    return this.panels.get(fullName({ schema, table }));
  }

  async open(arg: unknown): Promise<RowsPanelHandle | undefined> {
    // From the command palette: no argument, so the table is picked.
    const picked = arg === undefined ? await this.pickTable() : arg;
    if (picked === undefined) return undefined;
    const target = rowsTarget(picked);
    if (typeof target === 'string') {
      void vscode.window.showErrorMessage(target);
      return undefined;
    }
    const id = fullName(target);
    const existing = this.panels.get(id);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    if (!this.connection.connected) {
      void vscode.window.showErrorMessage('View Rows needs a database connection: run "DataJoint: Connect" first.');
      return undefined;
    }
    const { parseTableName } = await loadRuntime();
    const className = parseTableName(target.table)?.className ?? target.table;
    const title = `${className} · ${target.schema}`;
    const panel = vscode.window.createWebviewPanel('datajoint.rows', `Rows: ${className}`, vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [this.dist] });
    const rows = new RowsPanel(target, panel, this.connection, this.values, this.renders, title, vscode.Uri.joinPath(this.dist, 'rows-webview.js'));
    this.panels.set(id, rows);
    panel.onDidDispose(() => {
      rows.dispose();
      this.panels.delete(id);
    });
    return rows;
  }

  /** A table of the schemas the Tables view shows (the `datajoint.schemas` setting, else all), picked by the user. */
  private async pickTable(): Promise<RowsTarget | undefined> {
    if (!this.connection.connected) {
      void vscode.window.showErrorMessage('View Rows needs a database connection: run "DataJoint: Connect" first.');
      return undefined;
    }
    const items = this.connection.withCatalog(async (catalog) => {
      const wanted = vscode.workspace.getConfiguration('datajoint').get<string[]>('schemas', []);
      const schemas = wanted.length ? wanted : await catalog.listSchemas();
      const out: Array<vscode.QuickPickItem & { target: RowsTarget }> = [];
      for (const schema of schemas) {
        const tables = await catalog.listTables(schema).catch(() => []);
        for (const t of tables) {
          out.push({ label: t.master ? `${masterClassName(tables, t.master)}.${t.className}` : t.className, description: `${schema} · ${t.tier}`, detail: t.comment || undefined, target: { schema, table: t.name } });
        }
      }
      return out;
    });
    const choice = await vscode.window.showQuickPick(items, { title: 'View Rows', placeHolder: 'The table whose rows to show', matchOnDescription: true });
    return choice?.target;
  }

  dispose(): void {
    for (const p of this.panels.values()) p.panel.dispose();
    this.renders.dispose();
  }
}

/** Registers View Rows and the value documents; the API member the extension returns. */
export function registerRows(context: vscode.ExtensionContext, connection: ConnectionManager): RowsApi {
  const values = new RowValueDocuments();
  const panels = new RowsPanels(connection, values, vscode.Uri.joinPath(context.extensionUri, 'dist'));
  context.subscriptions.push(
    values,
    panels,
    vscode.workspace.registerTextDocumentContentProvider(RowValueDocuments.scheme, values),
    vscode.commands.registerCommand(VIEW_ROWS_COMMAND, (arg: unknown) => panels.open(arg)),
  );
  return panels;
}
