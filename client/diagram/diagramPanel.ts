// "DataJoint: Show Pipeline Diagram": one webview panel drawing the pipeline of the
// workspace's definitions (merged with the database's catalog while connected), with the
// live status of each auto-populated node (the counts the CodeLens reads), refreshed
// while the panel is visible: when a populate run starts and ends, after Jobs-view
// actions (the view reloads), and when the connection changes; nodes a run touches are
// animated meanwhile. Layout, Mermaid and SVG come from the lazily loaded diagram bundle
// (loadDiagramRuntime.ts). What the webview last drew is kept for the tests (`rendered`).
import * as vscode from 'vscode';
import type { ConnectionManager } from '../connection/connectionManager';
import type { ComputationsApi } from '../populate/computationsApi';
import { loadRuntime } from '../connection/loadRuntime';
// Types and the tier test only: the layout library stays in the lazily loaded bundle.
import { isAutoPopulated, type DiagramGraph, type DiagramNode } from '../../runtime/diagram/model';
import type { NodeStatus } from '../../runtime/diagram/svg';
import { loadDiagramRuntime } from './loadDiagramRuntime';
import { diagramHtml } from './diagramHtml';
import { statusOf } from './statusText';
import { POPULATE_COMMAND, VIEW_ROWS_COMMAND } from '../commandNames';
import { revealJobsTable } from '../jobs/revealJobsTable';
import type { PopulateOutcome } from '../populate/populateRun';

/** What the webview drew last: posted by it after every drawing and status change. */
export interface RenderedDiagram {
  nodes: Array<{ id: string; label: string; status: string; running: boolean }>;
  /** How long the layout took in the extension host. */
  layoutMs: number;
}

/** One table's run within "Populate this and everything downstream". */
export interface ChainStep {
  id: string;
  className: string;
  outcome: 'done' | 'failed' | 'cancelled' | 'not started';
  detail: string;
}

export interface ChainResult {
  /** The tables to run, in order. */
  planned: string[];
  steps: ChainStep[];
  /** Every planned table ran and succeeded. */
  completed: boolean;
  message: string;
}

type FromWebview =
  | { type: 'ready' }
  | { type: 'refresh' }
  | { type: 'toggle'; schema: string }
  | { type: 'action'; action: 'open' | 'populate' | 'downstream' | 'viewRows' | 'showErrors'; id: string }
  | ({ type: 'rendered' } & RenderedDiagram);

export interface DiagramDeps {
  connection: ConnectionManager;
  computations: ComputationsApi;
  output: vscode.LogOutputChannel;
  extensionUri: vscode.Uri;
}

/** Coalesces status reloads asked for while one runs. */
const STATUS_SETTLE_MS = 250;

export class DiagramController implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private graph: DiagramGraph | undefined;
  private readonly collapsed = new Set<string>();
  private status = new Map<string, NodeStatus>();
  /** Class names (and schemas when known) of the runs under way. */
  private readonly running = new Map<string, string | undefined>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly renderedEmitter = new vscode.EventEmitter<RenderedDiagram>();
  /** Fires each time the webview reports what it drew. */
  readonly onDidRender = this.renderedEmitter.event;
  /** What the webview drew last (undefined before its first drawing). */
  rendered: RenderedDiagram | undefined;
  /** The last "populate downstream" chain, for the tests. */
  lastChain: ChainResult | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private drawing: Promise<void> | undefined;
  /** A schema to show alone on the next drawing (the others collapsed). */
  private only: string | undefined;

  constructor(private readonly deps: DiagramDeps) {
    const runner = deps.computations.runner;
    this.subscriptions.push(
      runner.onDidStart((r) => {
        this.running.set(r.className, undefined);
        this.scheduleStatus();
      }),
      runner.onDidReceiveEvent((e) => {
        if (e.event === 'start') this.running.set(e.table, e.schema);
        if (e.event === 'start' || e.event === 'end') this.scheduleStatus();
      }),
      runner.onDidEnd((o) => {
        this.running.delete(o.request.className);
        // A run may declare tables: the graph's declared marks are read again.
        void this.redraw();
      }),
      deps.computations.jobs.onDidChangeTreeData(() => this.scheduleStatus()),
      deps.connection.onDidChangeConnection(() => void this.redraw()),
      this.renderedEmitter,
    );
  }

  get visible(): boolean {
    return this.panel?.visible ?? false;
  }

  /** The graph drawn (after the last refresh). */
  get currentGraph(): DiagramGraph | undefined {
    return this.graph;
  }

  /** Opens the panel (or brings it to the front) and draws the pipeline; resolves once it was sent. */
  async show(): Promise<void> {
    if (this.panel) {
      this.panel.reveal();
      await this.redraw();
      return;
    }
    const dist = vscode.Uri.joinPath(this.deps.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel('datajoint.diagram', 'Pipeline Diagram', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [dist],
      retainContextWhenHidden: true,
    });
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.deps.extensionUri, 'client', 'media', 'datajoint.svg');
    const ready = new Promise<void>((resolve) => {
      const sub = panel.webview.onDidReceiveMessage((m: FromWebview) => {
        if (m.type === 'ready') {
          sub.dispose();
          resolve();
        }
      });
    });
    panel.webview.onDidReceiveMessage((m: FromWebview) => void this.receive(m));
    panel.onDidChangeViewState(() => panel.visible && this.scheduleStatus());
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.rendered = undefined;
    });
    panel.webview.html = diagramHtml({ cspSource: panel.webview.cspSource, scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'diagram-webview.js')).toString() });
    await ready;
    await this.redraw();
  }

  /** Shows one schema's tables with every other schema collapsed. */
  async showSchema(schema: string): Promise<void> {
    this.only = schema;
    await this.show();
  }

  /** Reads the definitions (and the catalog) again, lays the graph out and sends it. */
  redraw(): Promise<void> {
    if (!this.panel) return Promise.resolve();
    const run = (this.drawing ?? Promise.resolve()).then(() => this.draw()).catch((e: unknown) => {
      const text = `The diagram could not be drawn: ${e instanceof Error ? e.message : String(e)}`;
      this.deps.output.error(text);
      void this.panel?.webview.postMessage({ type: 'error', text });
    });
    this.drawing = run;
    return run;
  }

  /** The graph of the workspace, merged with the catalog while connected. */
  async buildGraph(): Promise<DiagramGraph> {
    const rt = await loadDiagramRuntime();
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    const open = new Map<string, string>();
    for (const d of vscode.workspace.textDocuments) if (d.uri.scheme === 'file') open.set(d.uri.fsPath, d.getText());
    let graph = await rt.workspaceGraph(folders, open);
    if (this.deps.connection.connected) {
      try {
        const schemas = new Set<string>(vscode.workspace.getConfiguration('datajoint').get<string[]>('schemas', []));
        for (const n of graph.nodes) if (n.schema !== undefined) schemas.add(n.schema);
        const snapshot = await this.deps.connection.withConnection(async (conn) => {
          const { Catalog } = await loadRuntime();
          return rt.catalogSnapshot(new Catalog(conn), { label: this.deps.connection.label ?? 'database', backend: conn.backend, schemas: [...schemas] });
        });
        graph = rt.mergeCatalog(graph, snapshot.tables);
      } catch (e) {
        this.deps.output.warn(`Diagram: the database's tables could not be read: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return graph;
  }

  private async draw(): Promise<void> {
    const panel = this.panel;
    if (!panel) return;
    const rt = await loadDiagramRuntime();
    const graph = await this.buildGraph();
    this.graph = graph;
    if (this.only !== undefined) {
      this.collapsed.clear();
      for (const s of graph.schemas) if (s.name !== this.only) this.collapsed.add(s.name);
      this.only = undefined;
    }
    if (graph.connected) await this.readStatus();
    else this.status = new Map();
    const started = performance.now();
    const layout = await rt.layoutDiagram(graph, { collapsed: this.collapsed, statusLines: graph.connected });
    const layoutMs = performance.now() - started;
    const svg = rt.renderSvg(layout, { status: this.status });
    const nodes = layout.nodes.map(({ node }) => ({
      id: node.id,
      auto: isAutoPopulated(node) && !node.master,
      declared: node.declared === true,
      location: node.location !== undefined,
    }));
    const tables = graph.nodes.length;
    const summary = `${tables} table${tables === 1 ? '' : 's'}${graph.connected ? '' : ' · definitions only (not connected)'}`;
    const note = tables ? undefined : 'No table definitions were found in this workspace.';
    await panel.webview.postMessage({ type: 'diagram', svg, nodes, layoutMs, summary, note });
  }

  /** Collapses or expands a schema's group. */
  async toggle(schema: string): Promise<void> {
    if (this.collapsed.has(schema)) this.collapsed.delete(schema);
    else this.collapsed.add(schema);
    await this.redraw();
  }

  private scheduleStatus(): void {
    if (!this.panel?.visible || !this.graph?.connected) return;
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.statusTimer = setTimeout(() => {
      this.statusTimer = undefined;
      void this.sendStatus();
    }, STATUS_SETTLE_MS);
  }

  /** Reads the counts again and sends them; resolves when the webview has them. */
  async sendStatus(): Promise<void> {
    if (!this.panel || !this.graph?.connected) return;
    await this.readStatus();
    await this.panel?.webview.postMessage({ type: 'status', status: Object.fromEntries(this.status) });
  }

  private isRunning(n: DiagramNode): boolean {
    if (!this.running.has(n.className)) return false;
    const schema = this.running.get(n.className);
    return schema === undefined || schema === n.schema;
  }

  private async readStatus(): Promise<void> {
    const graph = this.graph;
    if (!graph) return;
    const next = new Map<string, NodeStatus>();
    const db = this.deps.computations.db;
    for (const n of graph.nodes) {
      if (!isAutoPopulated(n) || n.master || n.schema === undefined || n.table === undefined) continue;
      if (!n.declared) {
        next.set(n.id, { text: 'not declared', running: this.isRunning(n) });
        continue;
      }
      try {
        const p = await db.withJobs(n.schema, n.table, (jobs) => jobs.progress());
        next.set(n.id, statusOf({ remaining: p.remaining, total: p.total, error: p.jobs.error, reserved: p.jobs.reserved }, this.isRunning(n)));
      } catch (e) {
        next.set(n.id, { text: 'counts unavailable', running: this.isRunning(n) });
        this.deps.output.warn(`Diagram: counts of ${n.id}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.status = next;
  }

  private node(id: string): DiagramNode | undefined {
    return this.graph?.nodes.find((n) => n.id === id);
  }

  private async receive(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'rendered':
        this.rendered = { nodes: m.nodes, layoutMs: m.layoutMs };
        this.renderedEmitter.fire(this.rendered);
        return;
      case 'refresh':
        await this.redraw();
        return;
      case 'toggle':
        await this.toggle(m.schema);
        return;
      case 'action': {
        const n = this.node(m.id);
        if (!n) return;
        if (m.action === 'open') await this.openDefinition(n);
        else if (m.action === 'populate') await this.populate(n);
        else if (m.action === 'downstream') await this.populateDownstream(n.id);
        else if (m.action === 'viewRows') await this.viewRows(n);
        else if (m.action === 'showErrors') await this.showErrors(n);
        return;
      }
    }
  }

  /** Opens the class's definition in the editor; false when the workspace does not define it. */
  async openDefinition(n: DiagramNode): Promise<boolean> {
    if (!n.location) {
      void vscode.window.showInformationMessage(`${n.name} is declared in the database (${n.schema}.${n.table}) but not defined in this workspace's source files.`);
      return false;
    }
    const at = new vscode.Position(n.location.line, n.location.character);
    await vscode.window.showTextDocument(vscode.Uri.file(n.location.path), { selection: new vscode.Range(at, at), preview: true, viewColumn: vscode.ViewColumn.One });
    return true;
  }

  private populateArgument(n: DiagramNode) {
    return { className: n.className, schema: n.schema, module: n.location?.path };
  }

  /** The Populate command on a node's table; resolves to the run's outcome (undefined: it did not run). */
  populate(n: DiagramNode): Thenable<PopulateOutcome | undefined> {
    return vscode.commands.executeCommand<PopulateOutcome | undefined>(POPULATE_COMMAND, this.populateArgument(n));
  }

  /**
   * Populates the node's table (when auto-populated) and every auto-populated table
   * downstream, in dependency order: each run starts once the one before it has ended
   * with every key done, so no table starts before its parents' keys are; a failed,
   * cancelled or refused run stops the chain, and the message says where and why.
   */
  async populateDownstream(id: string): Promise<ChainResult> {
    if (!this.graph) this.graph = await this.buildGraph();
    const rt = await loadDiagramRuntime();
    const chain = rt.populateChain(this.graph, id);
    const start = this.node(id);
    const result: ChainResult = { planned: chain.map((n) => n.id), steps: [], completed: false, message: '' };
    if (!chain.length) {
      result.message = `Nothing to populate downstream of ${start?.name ?? id}: no Computed or Imported table depends on it.`;
      result.completed = true;
      this.lastChain = result;
      void vscode.window.showInformationMessage(result.message);
      return result;
    }
    this.deps.output.info(`Populate downstream of ${start?.name ?? id}: ${chain.map((n) => n.name).join(' → ')}`);
    for (const n of chain) {
      const outcome = await this.populate(n);
      const step: ChainStep = { id: n.id, className: n.className, outcome: 'done', detail: '' };
      if (!outcome) {
        step.outcome = 'not started';
        step.detail = 'the run did not start';
      } else if (outcome.interrupted) {
        step.outcome = 'cancelled';
        step.detail = `stopped (${outcome.interrupted})`;
      } else if (outcome.exitCode !== 0 || outcome.errorCount > 0) {
        step.outcome = 'failed';
        step.detail = outcome.errorCount > 0 ? `${outcome.errorCount} key${outcome.errorCount === 1 ? '' : 's'} failed` : `exit ${outcome.exitCode}`;
      } else {
        step.detail = `${outcome.successCount} done`;
      }
      result.steps.push(step);
      if (step.outcome !== 'done') break;
    }
    const last = result.steps[result.steps.length - 1]!;
    const left = chain.slice(result.steps.length).map((n) => n.name);
    if (last.outcome === 'done') {
      result.completed = true;
      result.message = `Populated downstream of ${start?.name ?? id} in order: ${chain.map((n) => n.name).join(', ')}.`;
      void vscode.window.showInformationMessage(result.message);
    } else {
      const name = chain[result.steps.length - 1]!.name;
      result.message = `Populate downstream stopped at ${name}: ${last.detail}.${left.length ? ` Not started: ${left.join(', ')}.` : ''}`;
      void vscode.window.showWarningMessage(result.message);
    }
    this.lastChain = result;
    return result;
  }

  /** View Rows of the rows grid (command datajoint.viewRows), when the extension has it. */
  async viewRows(n: DiagramNode): Promise<boolean> {
    if (n.schema === undefined || n.table === undefined || !n.declared) {
      void vscode.window.showInformationMessage(`${n.name} is not declared in the database: it has no rows yet.`);
      return false;
    }
    const commands = await vscode.commands.getCommands(true);
    if (!commands.includes(VIEW_ROWS_COMMAND)) {
      void vscode.window.showInformationMessage('View Rows is not available in this version of the extension.');
      return false;
    }
    await vscode.commands.executeCommand(VIEW_ROWS_COMMAND, { schema: n.schema, table: n.table });
    return true;
  }

  /** Reveals the table's errors in the Jobs view (its node expanded and selected). */
  async showErrors(n: DiagramNode): Promise<boolean> {
    const { jobs, jobsView } = this.deps.computations;
    if (n.schema !== undefined && n.table !== undefined && (await revealJobsTable(jobs, jobsView, { schema: n.schema, table: n.table }))) return true;
    void vscode.window.showInformationMessage(`${n.name} has no jobs in the Jobs view.`);
    return false;
  }

  /** The Mermaid text of the diagram as drawn (collapsed schemas included). */
  async mermaid(): Promise<string> {
    const rt = await loadDiagramRuntime();
    const graph = this.graph ?? (await this.buildGraph());
    return rt.toMermaid(rt.collapseSchemas(graph, this.collapsed));
  }

  /** A standalone SVG file of the diagram as drawn (DataJoint's light palette, dark under prefers-color-scheme). */
  async svg(): Promise<string> {
    const rt = await loadDiagramRuntime();
    const graph = this.graph ?? (await this.buildGraph());
    const layout = await rt.layoutDiagram(graph, { collapsed: this.collapsed, statusLines: graph.connected });
    return rt.renderSvg(layout, { standalone: true, status: this.status });
  }

  dispose(): void {
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.panel?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
