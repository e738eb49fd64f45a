// "DataJoint: Populate Table…" and "Populate Table with Options…": which table (the
// database's Computed/Imported tables, per schema, merged with the language server's index
// of the workspace), which module runs it (moduleBindings.ts: one that exports the class
// bound to that schema; asked when several do, remembered per workspace), the options
// (one click: the table's last options; with options: the multi-step quick input, whose
// answers are remembered), then the run (populateRun.ts) and a notification of how it
// went. Also reached from the Tables view, the Jobs view and the CodeLens, which name the
// table so the first step is skipped. A Python module (one that defines the class under a
// schema's decorator) runs in the interpreter chosen for it (client/python/), after its
// probe says it has DataJoint for Python 2.x.
import * as vscode from 'vscode';
import { restrictionProblem } from './restrictionInput';
import type { TableSummary } from '../../runtime/catalog/index';
import type { ComputationsDatabase } from '../jobs/computationsDatabase';
import { moduleBinding, pythonSchemaOf, readFromDisk, type ReadFile } from './moduleBindings';
import type { PythonLaunch } from '../python/pythonLaunch';
import type { Notices, NoticeAction } from '../notices';
import type { PopulateOptions } from './populateRequest';
import { PopulateAlreadyRunningError, type PopulateOutcome, type PopulateRunner } from './populateRun';
import { summarizeRun } from './runSummary';
import { execFile } from 'node:child_process';
import { DESKTOP_NOTICE_DEFAULT_SECONDS, DESKTOP_NOTICE_SETTING, desktopNoticeCommand, wantsDesktopNotice } from './desktopNotice';

/** A table the user can populate: where it is defined, and where it lives in the database. */
export interface PopulateCandidate {
  className: string;
  tier: string;
  /** Definitions in the workspace's source files (from the language server). */
  locations: vscode.Location[];
  /** The table in the database, when connected and declared. */
  table?: TableSummary;
}

/** What the commands accept: a candidate-like object from a view, a CodeLens or a test. */
export interface PopulateArgument {
  className?: string;
  /** Pipeline module to load; it must export the class bound to the schema (else one that does is chosen). */
  module?: string;
  /** The table's database schema; default: the module's binding, or the schemas that have the table. */
  schema?: string;
  /** Given: these options, neither asked nor remembered. */
  options?: PopulateOptions;
  /** A Tables or Jobs view node. */
  table?: TableSummary;
  kind?: string;
}

export interface PopulateContext {
  db: ComputationsDatabase;
  runner: PopulateRunner;
  /** The workspace's memory: options per table, module per table. */
  memory: vscode.Memento;
  notices: Notices;
  /** Brings a table's jobs (its errors) into view in the Jobs view. */
  revealJobs(schema: string, className: string): Promise<unknown>;
  /** A Python module's interpreter, probed; undefined (after a notification) when it cannot run. */
  preparePython(module: string, className: string): Promise<PythonLaunch | undefined>;
}

/** A module that exports the class bound to a schema. */
export interface ModuleChoice {
  module: string;
  schema: string;
}

/** Options of a table never populated from this workspace: today's defaults. */
export const DEFAULT_OPTIONS: PopulateOptions = { reserveJobs: true, suppressErrors: true, processes: 1 };
const OPTIONS_KEY = 'datajoint.populate.options';
const MODULES_KEY = 'datajoint.populate.modules';
const SOURCE_FILES = '**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,py}';
const NOT_SOURCE = '{**/node_modules/**,**/dist/**,**/out/**,**/.vscode-test/**,**/*.d.ts,**/site-packages/**,**/__pycache__/**,**/.venv*/**,**/venv/**}';

export const isPythonModule = (file: string): boolean => /\.py$/i.test(file);

/** The schema a Python file binds its class to (its `@schema` decorator); undefined when it does not define it. */
function pythonBinding(text: string, className: string): { defined: boolean; schema: string | undefined } {
  // The line of its `class` statement; which classes are tables the language
  // server decides (its index, not this scan: the host parser stays out of activation).
  const at = new RegExp(`^[ \\t]*class[ \\t]+${className.replace(/[^\w$]/g, '')}\\b`, 'm').exec(text);
  if (!at) return { defined: false, schema: undefined };
  let line = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < at.index; i = text.indexOf('\n', i + 1)) line++;
  return { defined: true, schema: pythonSchemaOf(text, line) };
}
const MAX_SOURCE_FILES = 5000;
/** The steps of Populate with Options: table, flags, processes, limit, restriction, priority, make's arguments. */
const STEPS = 7;

function tableId(schema: string | undefined, className: string): string {
  return `${schema ?? '*'}.${className}`;
}

/** The Computed/Imported classes the language server indexed, by class name. */
export async function workspaceAutoTables(): Promise<Map<string, vscode.Location[]>> {
  const symbols = (await vscode.commands.executeCommand<vscode.SymbolInformation[]>('vscode.executeWorkspaceSymbolProvider', '')) ?? [];
  const out = new Map<string, vscode.Location[]>();
  for (const s of symbols) {
    if (s.kind !== vscode.SymbolKind.Class || (s.containerName !== 'Computed' && s.containerName !== 'Imported')) continue;
    out.set(s.name, [...(out.get(s.name) ?? []), s.location]);
  }
  return out;
}

/** One entry per table of the database (a class in two schemas is two), then the workspace's other classes. */
export async function populateCandidates(db: ComputationsDatabase): Promise<PopulateCandidate[]> {
  const symbols = await workspaceAutoTables().catch(() => new Map<string, vscode.Location[]>());
  const out: PopulateCandidate[] = [];
  const inDatabase = new Set<string>();
  if (db.connected) {
    for (const table of await db.autoTables().catch(() => [])) {
      inDatabase.add(table.className);
      out.push({ className: table.className, tier: table.tier, locations: symbols.get(table.className) ?? [], table });
    }
  }
  for (const [className, locations] of symbols) if (!inDatabase.has(className)) out.push({ className, tier: '', locations });
  return out.sort((a, b) => a.className.localeCompare(b.className) || (a.table?.schema ?? '').localeCompare(b.table?.schema ?? ''));
}

/**
 * The workspace's modules that export `className` bound to a known schema (read from
 * disk, as the CLI loads them; in the environment the CLI inherits).
 */
export async function modulesExporting(className: string, read: ReadFile = readFromDisk): Promise<ModuleChoice[]> {
  const files = await vscode.workspace.findFiles(SOURCE_FILES, NOT_SOURCE, MAX_SOURCE_FILES);
  const mention = new RegExp(`(?<![\\w$])${className.replace(/\$/g, '\\$')}(?![\\w$])`);
  const out: ModuleChoice[] = [];
  for (const uri of files) {
    const text = read(uri.fsPath);
    if (text === undefined || !mention.test(text)) continue;
    if (isPythonModule(uri.fsPath)) {
      // DataJoint for Python runs the module that defines the class (imported as Python would).
      const p = pythonBinding(text, className);
      if (p.defined && p.schema !== undefined) out.push({ module: uri.fsPath, schema: p.schema });
      continue;
    }
    const b = moduleBinding(uri.fsPath, className, process.env, read);
    if (b.exported && b.schema !== undefined) out.push({ module: uri.fsPath, schema: b.schema });
  }
  return out.sort((a, b) => a.module.localeCompare(b.module));
}

export async function pickTable(db: ComputationsDatabase, withOptions: boolean, title?: string): Promise<PopulateCandidate | undefined> {
  const candidates = await populateCandidates(db);
  if (!candidates.length) {
    void vscode.window.showInformationMessage('No Computed or Imported tables were found in the workspace or the database.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((c) => {
      const where = c.locations[0] && vscode.workspace.asRelativePath(c.locations[0].uri);
      const python = c.locations.length > 0 && c.locations.every((l) => l.uri.fsPath.endsWith('.py'));
      return {
        label: c.className,
        description: [c.tier, c.table ? c.table.schema : 'not in the database yet'].filter(Boolean).join(' · '),
        detail: where ? `${where}${python ? ' (Python)' : ''}` : 'not defined in this workspace',
        candidate: c,
      };
    }),
    { title: title ?? (withOptions ? `Populate Table with Options (1/${STEPS}): table` : 'Populate Table: table'), placeHolder: 'Computed or Imported table', matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.candidate;
}

function wholeNumber(min: number) {
  return (v: string) => (v.trim() === '' || (/^\d+$/.test(v.trim()) && Number(v) >= min) ? undefined : `A whole number ≥ ${min}, or empty.`);
}

function priorityInput(v: string): string | undefined {
  return v.trim() === '' || (/^\d+$/.test(v.trim()) && Number(v) <= 127) ? undefined : 'A whole number from 0 to 127, or empty.';
}

/** make()'s keyword arguments: a JSON object, or empty. */
export function makeKwargsProblem(v: string): string | undefined {
  if (v.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(v);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? undefined : 'A JSON object ({"name": value, …}), or empty.';
  } catch (e) {
    return `Not JSON: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** Steps 2-7: reserve jobs and suppress errors, processes, limit, restriction, priority, make's arguments; `last` filled in. */
async function askOptions(className: string, last: PopulateOptions, known: readonly string[] | undefined): Promise<PopulateOptions | undefined> {
  const flags = [
    { label: 'Reserve jobs', detail: 'Work through the jobs table, sharing keys with other workers (--reserve-jobs)', key: 'reserveJobs' as const, picked: !!last.reserveJobs },
    { label: 'Suppress errors', detail: 'Record failed keys and go on (--suppress-errors)', key: 'suppressErrors' as const, picked: !!last.suppressErrors },
  ];
  const chosen = await vscode.window.showQuickPick(flags, { title: `Populate ${className} (2/${STEPS}): options`, canPickMany: true, ignoreFocusOut: true });
  if (!chosen) return undefined;
  const processes = await vscode.window.showInputBox({
    title: `Populate ${className} (3/${STEPS}): worker processes`,
    value: String(last.processes ?? 1),
    validateInput: wholeNumber(1),
    ignoreFocusOut: true,
  });
  if (processes === undefined) return undefined;
  const limit = await vscode.window.showInputBox({
    title: `Populate ${className} (4/${STEPS}): limit`,
    prompt: 'Attempt at most this many keys; empty for all.',
    value: last.limit !== undefined ? String(last.limit) : '',
    validateInput: wholeNumber(1),
    ignoreFocusOut: true,
  });
  if (limit === undefined) return undefined;
  const restriction = await vscode.window.showInputBox({
    title: `Populate ${className} (5/${STEPS}): restriction`,
    prompt: 'A SQL condition (subject_id < 10) or JSON ({"subject_id": 3}, or an array of such for OR); empty for none.',
    value: last.restrictions?.[0] ?? '',
    validateInput: (v) => restrictionProblem(v, known),
    ignoreFocusOut: true,
  });
  if (restriction === undefined) return undefined;
  const priority = await vscode.window.showInputBox({
    title: `Populate ${className} (6/${STEPS}): priority`,
    prompt: 'With reserved jobs: only jobs of at most this priority (0-127, lower runs first), and the priority of the jobs this run adds; empty for the default.',
    value: last.priority !== undefined ? String(last.priority) : '',
    validateInput: priorityInput,
    ignoreFocusOut: true,
  });
  if (priority === undefined) return undefined;
  const makeKwargs = await vscode.window.showInputBox({
    title: `Populate ${className} (7/${STEPS}): make() keyword arguments`,
    prompt: 'A JSON object passed to make (make_kwargs); empty for none.',
    value: last.makeKwargs !== undefined ? JSON.stringify(last.makeKwargs) : '',
    validateInput: makeKwargsProblem,
    ignoreFocusOut: true,
  });
  if (makeKwargs === undefined) return undefined;
  return {
    reserveJobs: chosen.some((c) => c.key === 'reserveJobs'),
    suppressErrors: chosen.some((c) => c.key === 'suppressErrors'),
    processes: processes.trim() ? Number(processes) : 1,
    limit: limit.trim() ? Number(limit) : undefined,
    restrictions: restriction.trim() ? [restriction.trim()] : undefined,
    // Only when given: the options are remembered as JSON, which drops undefined fields.
    ...(priority.trim() ? { priority: Number(priority) } : {}),
    ...(makeKwargs.trim() ? { makeKwargs: JSON.parse(makeKwargs) as Record<string, unknown> } : {}),
  };
}

/** The options last used for a table from this workspace (one click runs with them). */
export function rememberedOptions(memory: vscode.Memento, schema: string | undefined, className: string): PopulateOptions {
  return memory.get<Record<string, PopulateOptions>>(OPTIONS_KEY, {})[tableId(schema, className)] ?? DEFAULT_OPTIONS;
}

async function rememberOptions(memory: vscode.Memento, schema: string | undefined, className: string, options: PopulateOptions): Promise<void> {
  await memory.update(OPTIONS_KEY, { ...memory.get<Record<string, PopulateOptions>>(OPTIONS_KEY, {}), [tableId(schema, className)]: options });
}

/**
 * The module to run: the given one when it exports the class bound to the schema wanted,
 * else one of the workspace's modules that do (for the schema wanted, or when none is,
 * for the schemas of the database that have the table). Several: the one chosen before in
 * this workspace, else (or when asked for options) a quick pick, whose answer is kept.
 */
export async function chooseModule(
  ctx: Pick<PopulateContext, 'db' | 'memory' | 'notices'>,
  className: string,
  schema: string | undefined,
  given: string | undefined,
  ask: boolean,
  what = 'Populate',
): Promise<ModuleChoice | undefined> {
  if (given && isPythonModule(given)) {
    const text = readFromDisk(given);
    const p = text === undefined ? undefined : pythonBinding(text, className);
    if (p?.defined && p.schema !== undefined && (schema === undefined || p.schema === schema)) return { module: given, schema: p.schema };
    // A schema whose name the source does not spell out (dj.Schema(os.environ[…])): the
    // schema asked for, else the one schema of the database that has the table.
    if (p?.defined && p.schema === undefined) {
      const known = schema !== undefined ? [schema] : ctx.db.connected ? (await ctx.db.autoTables().catch(() => [])).filter((t) => t.className === className).map((t) => t.schema) : [];
      if (known.length === 1) return { module: given, schema: known[0]! };
    }
  } else if (given) {
    const b = moduleBinding(given, className);
    if (b.exported && b.schema !== undefined && (schema === undefined || b.schema === schema)) return { module: given, schema: b.schema };
  }
  let schemas = schema !== undefined ? [schema] : undefined;
  if (!schemas && ctx.db.connected) {
    const inDatabase = (await ctx.db.autoTables().catch(() => [])).filter((t) => t.className === className).map((t) => t.schema);
    if (inDatabase.length) schemas = inDatabase;
  }
  const fits = (await modulesExporting(className)).filter((m) => !schemas || schemas.includes(m.schema));
  if (!fits.length) {
    await noModule(ctx, className, schemas, given, what);
    return undefined;
  }
  if (fits.length === 1) return fits[0];
  const id = tableId(schema, className);
  const chosen = ctx.memory.get<Record<string, string>>(MODULES_KEY, {});
  const before = fits.find((m) => m.module === chosen[id]);
  if (before && !ask) return before;
  const ordered = before ? [before, ...fits.filter((m) => m !== before)] : fits;
  const picked = await vscode.window.showQuickPick(
    ordered.map((m) => ({ label: vscode.workspace.asRelativePath(m.module), description: `schema ${m.schema}${m === before ? ' · chosen before' : ''}`, choice: m })),
    { title: `${what} ${className}: module`, placeHolder: `Modules that export ${className} bound to a schema; the choice is kept for this workspace`, matchOnDescription: true },
  );
  if (!picked) return undefined;
  await ctx.memory.update(MODULES_KEY, { ...chosen, [id]: picked.choice.module });
  return picked.choice;
}

async function noModule(ctx: Pick<PopulateContext, 'notices'>, className: string, schemas: string[] | undefined, given: string | undefined, what: string): Promise<void> {
  const locations = (await workspaceAutoTables().catch(() => new Map<string, vscode.Location[]>())).get(className) ?? [];
  const open = given ? vscode.Uri.file(given) : locations[0]?.uri;
  const actions: NoticeAction[] = open ? [{ title: 'Open Definition', run: () => vscode.window.showTextDocument(open) }] : [];
  const bound = schemas?.length ? ` bound to schema ${schemas.join(' or ')}` : ' bound to a schema';
  const python = locations.length > 0 && locations.every((l) => l.uri.fsPath.endsWith('.py'));
  const message = python
    ? `${what} ${className} did not start: no Python module in this workspace defines ${className}${bound}; ${vscode.workspace.asRelativePath(locations[0]!.uri)} defines it under a decorator whose dj.Schema("name") is not that schema.`
    : `${what} ${className} did not start: no TypeScript/JavaScript module in this workspace exports ${className}${bound}. djx populate loads a module and takes its export ${className}; a class defined inside a function is not exported.`;
  ctx.notices.show('error', message, actions);
}

/** The commands' handler; resolves to the run's outcome, or undefined when it did not run. */
export async function populateTableCommand(ctx: PopulateContext, arg: PopulateArgument | undefined, withOptions: boolean): Promise<PopulateOutcome | undefined> {
  if (!vscode.workspace.isTrusted) {
    ctx.notices.show('error', 'Populate did not start: it runs the pipeline\'s code, which needs a trusted workspace.', [
      { title: 'Manage Workspace Trust', run: () => vscode.commands.executeCommand('workbench.trust.manage') },
    ]);
    return undefined;
  }
  let className = arg?.className ?? arg?.table?.className;
  let schema = arg?.schema ?? arg?.table?.schema;
  if (!className) {
    const picked = await pickTable(ctx.db, withOptions);
    if (!picked) return undefined;
    className = picked.className;
    schema = picked.table?.schema;
  }
  if (!ctx.db.connected && !(await vscode.commands.executeCommand<boolean>('datajoint.connect'))) {
    const why = ctx.db.connection.lastError;
    ctx.notices.show('error', `Populate ${className} did not start: not connected to a database${why ? ` (${why})` : ''}.`, [
      { title: 'Connect', run: () => vscode.commands.executeCommand('datajoint.connect') },
      { title: 'Open Settings', run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'datajoint.') },
    ]);
    return undefined;
  }
  const chosen = await chooseModule(ctx, className, schema, arg?.module, withOptions);
  if (!chosen) return undefined;
  const { module } = chosen;
  schema = chosen.schema;
  if (ctx.runner.isRunning({ className, module })) return alreadyRunning(ctx.runner, className, module);
  let python: PythonLaunch | undefined;
  if (isPythonModule(module)) {
    python = await ctx.preparePython(module, className);
    if (!python) return undefined;
  }
  let options = arg?.options;
  if (!options) {
    const last = rememberedOptions(ctx.memory, schema, className);
    // The key source's attributes, for the restriction box (as the CLI checks them).
    const known = withOptions ? await ctx.db.keySourceAttributes(schema, className).catch(() => undefined) : undefined;
    options = withOptions ? await askOptions(className, last, known) : last;
    if (!options) return undefined;
    if (withOptions) await rememberOptions(ctx.memory, schema, className, options);
  }
  let outcome: PopulateOutcome;
  const started = Date.now();
  try {
    outcome = await ctx.runner.run({ className, module, options, python });
  } catch (e) {
    // Started meanwhile (while the options were asked).
    if (e instanceof PopulateAlreadyRunningError) return alreadyRunning(ctx.runner, className, module);
    ctx.notices.show('error', `Populate ${className} did not start: ${e instanceof Error ? e.message : String(e)}`, [
      { title: 'Connect', run: () => vscode.commands.executeCommand('datajoint.connect') },
    ]);
    return undefined;
  }
  notifyOutcome(ctx, outcome, schema, Date.now() - started);
  return outcome;
}

/** Every run ends with a notification: its counts, what is left, and where to look. */
function notifyOutcome(ctx: PopulateContext, outcome: PopulateOutcome, schema: string, runMs: number): void {
  const { className, module } = outcome.request;
  const summary = summarizeRun(className, outcome.exitCode, outcome.events, outcome.transcript);
  const start = outcome.events.find((e) => e.event === 'start');
  const actions: NoticeAction[] = [];
  if (summary.hasErrors) actions.push({ title: 'Show Errors', run: () => ctx.revealJobs(start?.event === 'start' ? start.schema : schema, className) });
  actions.push({ title: 'Show Terminal', run: () => ctx.runner.showTerminal({ className, module }) });
  ctx.notices.show(summary.level, summary.message, actions);
  const afterSeconds = vscode.workspace.getConfiguration('datajoint').get<number>(DESKTOP_NOTICE_SETTING, DESKTOP_NOTICE_DEFAULT_SECONDS);
  if (wantsDesktopNotice({ runMs, windowFocused: vscode.window.state.focused, afterSeconds })) {
    const command = desktopNoticeCommand(process.platform, `DataJoint: Populate ${className}`, summary.message, summary.level);
    // A desktop without a notification service only loses this copy: the window's own stays.
    if (command) execFile(command.file, command.args, { timeout: 15_000, windowsHide: true, env: { ...process.env, ...command.env } }, () => undefined);
  }
}

/** A second run of a table already populating: said, with its terminal one click away. */
function alreadyRunning(runner: PopulateRunner, className: string, module: string): undefined {
  void vscode.window.showWarningMessage(new PopulateAlreadyRunningError(className).message, 'Show Terminal').then((choice) => {
    if (choice === 'Show Terminal') runner.showTerminal({ className, module });
  });
  return undefined;
}
