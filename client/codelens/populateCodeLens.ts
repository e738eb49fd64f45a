// A CodeLens above every Computed/Imported class in Python, TypeScript and JavaScript
// files, as the language server's index finds them (server/features/autoPopulated.ts: tiers
// inherited through the project's base classes, never a class written inside a string):
// "Populate", "Populate with Options…", "Debug make()" and, when connected, the table's remaining
// keys and failed jobs. The counts are those of the table in the schema the file binds
// the class to (moduleBindings.ts; Python: the `@schema` decorator), never of a class of
// the same name in another schema: a class whose schema the file does not say (defined
// inside a factory) shows none. They are cached for all tables at once and reloaded after
// a run, on connection changes, or when older than a minute; the lenses never wait for
// the database. While connected, every table class of any tier the server knows
// (server/features/tableClasses.ts) gets "View Rows" too, for the table in that schema.
import * as vscode from 'vscode';
import type { ComputationsDatabase } from '../jobs/computationsDatabase';
import { DEBUG_MAKE_COMMAND, JOBS_VIEW_FOCUS_COMMAND, POPULATE_COMMAND, POPULATE_WITH_OPTIONS_COMMAND, VIEW_ROWS_COMMAND } from '../commandNames';
import { moduleBinding, pythonSchemaOf, readFromDisk } from '../populate/moduleBindings';
import { plural } from '../populate/runSummary';
import type { AutoPopulatedClass, TableClass } from '../../server/protocol';
import { tableNameFor } from '../../runtime/catalog/names';

const MAX_AGE_MS = 60_000;
export const DEBUG_LENS_TITLE = '$(debug-alt) Debug make()';
export const VIEW_ROWS_LENS_TITLE = '$(table) View Rows';

export interface TableCounts {
  remaining: number;
  error: number;
  reserved: number;
}

/** Where the lenses' classes come from: the language server's index (AUTO_POPULATED_REQUEST). */
export interface AutoClassSource {
  /** Undefined while the server is not running. */
  autoPopulated(uri: vscode.Uri): Promise<AutoPopulatedClass[] | undefined>;
  /** Every table class of a document, all tiers (TABLE_CLASSES_REQUEST); undefined while the server is not running. */
  tableClasses(uri: vscode.Uri): Promise<TableClass[] | undefined>;
  readonly onDidChangeState: vscode.Event<unknown>;
  /** The workspace was indexed: tiers inherited from other files may have changed. */
  readonly onDidIndex: vscode.Event<void>;
}

export class PopulateCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  /** By `schema.ClassName`. */
  private counts = new Map<string, TableCounts>();
  private loadedAt = 0;
  private loading: Promise<void> | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly db: ComputationsDatabase,
    private readonly classes: AutoClassSource,
  ) {
    this.subscription = vscode.Disposable.from(
      db.connection.onDidChangeState((s) => {
        if (s !== 'connecting') this.refresh();
      }),
      // Lenses asked for before the server ran (none) or before it indexed the files a
      // class inherits its tier from are asked for again.
      classes.onDidChangeState(() => this.emitter.fire()),
      classes.onDidIndex(() => this.emitter.fire()),
    );
  }

  /** Drops the cached counts and reloads them. */
  refresh(): void {
    this.loadedAt = 0;
    if (!this.db.connected) this.counts = new Map();
    this.emitter.fire();
  }

  /** Loads the counts of all auto-populated tables (one pass, shared by every editor). */
  load(): Promise<void> {
    this.loading ??= (async () => {
      const next = new Map<string, TableCounts>();
      try {
        for (const t of await this.db.autoTables()) {
          try {
            const p = await this.db.withJobs(t.schema, t.name, (jobs) => jobs.progress());
            next.set(`${t.schema}.${t.className}`, { remaining: p.remaining, error: p.jobs.error, reserved: p.jobs.reserved });
          } catch {
            // One table that cannot be read loses its lens counts only.
          }
        }
      } catch {
        return;
      }
      this.counts = next;
      this.loadedAt = Date.now();
      this.emitter.fire();
    })().finally(() => (this.loading = undefined));
    return this.loading;
  }

  /** The counts shown for a table, once loaded. */
  countsOf(schema: string, className: string): TableCounts | undefined {
    return this.counts.get(`${schema}.${className}`);
  }

  /** The schema a file binds a class to (the editor's text for the file itself, the disk's for its imports). */
  private schemaIn(doc: vscode.TextDocument, c: Pick<AutoPopulatedClass, 'className' | 'line'>, python: boolean, text: string): string | undefined {
    if (python) return pythonSchemaOf(text, c.line);
    if (doc.uri.scheme !== 'file') return undefined;
    const read = (path: string) => (path === doc.uri.fsPath ? text : readFromDisk(path));
    return moduleBinding(doc.uri.fsPath, c.className, process.env, read).schema;
  }

  /**
   * The grid's table of a class, in the schema the file binds it to (a part through its
   * master's binding); undefined when the file does not say the schema.
   */
  private rowsTableOf(doc: vscode.TextDocument, c: TableClass, all: readonly TableClass[], python: boolean, text: string): { schema: string; table: string } | undefined {
    const master = c.master ? all.find((m) => m.className === c.master!.className && !m.master) : undefined;
    const bound = c.master ? master : c;
    if (!bound) return undefined;
    const schema = this.schemaIn(doc, bound, python, text);
    if (schema === undefined) return undefined;
    const table = c.master ? tableNameFor('Part', c.className, tableNameFor(c.master.tier, c.master.className)) : tableNameFor(c.tier, c.className);
    return table === undefined ? undefined : { schema, table };
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const python = doc.languageId === 'python';
    const connected = this.db.connected;
    const [classes, tables] = await Promise.all([
      this.classes.autoPopulated(doc.uri).catch(() => undefined),
      connected ? this.classes.tableClasses(doc.uri).catch(() => undefined) : Promise.resolve(undefined),
    ]);
    const auto = classes ?? [];
    const all = tables ?? [];
    if (!auto.length && !all.length) return [];
    const text = doc.getText();
    const lenses = this.populateLenses(doc, auto, python, text);
    // View Rows beside Populate (after the class's other lenses), for every tier.
    for (const c of all) {
      const target = this.rowsTableOf(doc, c, all, python, text);
      if (!target) continue;
      const range = new vscode.Range(c.line, 0, c.line, 0);
      const at = lenses.findIndex((l) => l.range.start.line > c.line);
      const lens = new vscode.CodeLens(range, { title: VIEW_ROWS_LENS_TITLE, tooltip: `Show the rows of ${target.schema}.${c.className} in a grid`, command: VIEW_ROWS_COMMAND, arguments: [target] });
      const countsAt = lenses.findIndex((l) => l.range.start.line === c.line && l.command?.command === JOBS_VIEW_FOCUS_COMMAND);
      lenses.splice(countsAt >= 0 ? countsAt : at >= 0 ? at : lenses.length, 0, lens);
    }
    return lenses;
  }

  private populateLenses(doc: vscode.TextDocument, classes: AutoPopulatedClass[], python: boolean, text: string): vscode.CodeLens[] {
    if (this.db.connected && Date.now() - this.loadedAt > MAX_AGE_MS) void this.load();
    const lenses: vscode.CodeLens[] = [];
    for (const c of classes) {
      const range = new vscode.Range(c.line, 0, c.line, 0);
      const schema = this.schemaIn(doc, c, python, text);
      // The file itself runs the table: a TypeScript module that exports the class, or the
      // Python module that defines it (the runner imports it as Python would).
      const arg = { className: c.className, schema, module: doc.uri.scheme !== 'file' ? undefined : doc.uri.fsPath };
      lenses.push(
        new vscode.CodeLens(range, { title: '$(play) Populate', tooltip: `Populate ${c.className} in a terminal (${python ? 'DataJoint for Python' : 'djx populate'}), with its last options`, command: POPULATE_COMMAND, arguments: [arg] }),
        new vscode.CodeLens(range, { title: 'Populate with Options…', tooltip: `Choose the options of populate for ${c.className}`, command: POPULATE_WITH_OPTIONS_COMMAND, arguments: [arg] }),
        new vscode.CodeLens(range, {
          title: DEBUG_LENS_TITLE,
          tooltip: `Run the make of one key of ${c.className} under the ${python ? 'Python' : 'JavaScript'} debugger; rolled back at the end unless you keep it`,
          command: DEBUG_MAKE_COMMAND,
          arguments: [arg],
        }),
      );
      const n = this.db.connected && schema !== undefined ? this.countsOf(schema, c.className) : undefined;
      if (n) {
        const parts = [n.remaining === 0 ? 'up to date' : `${n.remaining} remaining`];
        if (n.error) parts.push(plural(n.error, 'error'));
        if (n.reserved) parts.push(`${n.reserved} running`);
        lenses.push(new vscode.CodeLens(range, { title: parts.join(' · '), tooltip: `${schema}.${c.className}: show its jobs`, command: JOBS_VIEW_FOCUS_COMMAND }));
      }
    }
    return lenses;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
