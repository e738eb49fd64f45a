// "DataJoint: Populate Table…": which table (the language server's index of the workspace
// merged with the database's Computed/Imported tables), then the options in a multi-step
// quick input, then the run (populateRun.ts). Also reached from the Tables view, the Jobs
// view and the CodeLens, which name the table so the first step is skipped.
import * as vscode from 'vscode';
import type { TableSummary } from '../../runtime/catalog/index';
import type { ComputationsDatabase } from '../jobs/computationsDatabase';
import { PopulateAlreadyRunningError, type PopulateOptions, type PopulateOutcome, type PopulateRunner } from './populateRun';

/** A table the user can populate: where it is defined, and where it lives in the database. */
export interface PopulateCandidate {
  className: string;
  tier: string;
  /** Definitions in the workspace's source files (from the language server). */
  locations: vscode.Location[];
  /** The table in the database, when connected and declared. */
  table?: TableSummary;
}

/** What the command accepts: a candidate-like object from a view, a CodeLens or a test. */
export interface PopulateArgument {
  className?: string;
  /** Pipeline module to load; default: the table's TypeScript/JavaScript source file. */
  module?: string;
  /** Given: no option prompts. */
  options?: PopulateOptions;
  /** A Tables or Jobs view node. */
  table?: TableSummary;
  kind?: string;
}

const MODULE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/i;

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

export async function populateCandidates(db: ComputationsDatabase): Promise<PopulateCandidate[]> {
  const byName = new Map<string, PopulateCandidate>();
  const symbols = await workspaceAutoTables().catch(() => new Map<string, vscode.Location[]>());
  // Deduplicate locations per class (several providers may answer).
  for (const [className, locations] of symbols) byName.set(className, { className, tier: '', locations });
  if (db.connected) {
    for (const table of await db.autoTables().catch(() => [])) {
      const c = byName.get(table.className);
      if (c) c.table ??= table;
      else byName.set(table.className, { className: table.className, tier: table.tier, locations: [], table });
    }
  }
  for (const c of byName.values()) c.tier ||= c.table?.tier ?? '';
  return [...byName.values()].sort((a, b) => a.className.localeCompare(b.className));
}

export function moduleOf(c: Pick<PopulateCandidate, 'locations'>): string | undefined {
  return c.locations.map((l) => l.uri).find((u) => u.scheme === 'file' && MODULE_FILE.test(u.fsPath))?.fsPath;
}

async function pickTable(db: ComputationsDatabase): Promise<PopulateCandidate | undefined> {
  const candidates = await populateCandidates(db);
  if (!candidates.length) {
    void vscode.window.showInformationMessage('No Computed or Imported tables were found in the workspace or the database.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((c) => {
      const module = moduleOf(c);
      return {
        label: c.className,
        description: [c.tier, c.table ? c.table.schema : 'not in the database yet'].filter(Boolean).join(' · '),
        detail: module ? vscode.workspace.asRelativePath(module) : c.locations.length ? `${vscode.workspace.asRelativePath(c.locations[0]!.uri)} (Python: populate from Python)` : 'no TypeScript/JavaScript module in this workspace',
        candidate: c,
      };
    }),
    { title: 'Populate Table (1/5): table', placeHolder: 'Computed or Imported table', matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.candidate;
}

const LAST_OPTIONS = 'datajoint.populate.lastOptions';

function wholeNumber(min: number) {
  return (v: string) => (v.trim() === '' || (/^\d+$/.test(v.trim()) && Number(v) >= min) ? undefined : `A whole number ≥ ${min}, or empty.`);
}

/** Steps 2-5: reserve jobs and suppress errors, processes, limit, restriction. */
async function askOptions(className: string, memory: vscode.Memento): Promise<PopulateOptions | undefined> {
  const last = memory.get<PopulateOptions>(LAST_OPTIONS, { reserveJobs: true, suppressErrors: true, processes: 1 });
  const flags = [
    { label: 'Reserve jobs', detail: 'Work through the jobs table, sharing keys with other workers (--reserve-jobs)', key: 'reserveJobs' as const, picked: !!last.reserveJobs },
    { label: 'Suppress errors', detail: 'Record failed keys and go on (--suppress-errors)', key: 'suppressErrors' as const, picked: !!last.suppressErrors },
  ];
  const chosen = await vscode.window.showQuickPick(flags, { title: `Populate ${className} (2/5): options`, canPickMany: true, ignoreFocusOut: true });
  if (!chosen) return undefined;
  const processes = await vscode.window.showInputBox({
    title: `Populate ${className} (3/5): worker processes`,
    value: String(last.processes ?? 1),
    validateInput: wholeNumber(1),
    ignoreFocusOut: true,
  });
  if (processes === undefined) return undefined;
  const limit = await vscode.window.showInputBox({
    title: `Populate ${className} (4/5): limit`,
    prompt: 'Attempt at most this many keys; empty for all.',
    value: last.limit !== undefined ? String(last.limit) : '',
    validateInput: wholeNumber(1),
    ignoreFocusOut: true,
  });
  if (limit === undefined) return undefined;
  const restriction = await vscode.window.showInputBox({
    title: `Populate ${className} (5/5): restriction`,
    prompt: 'A SQL condition (subject_id < 10) or JSON ({"subject_id": 3}, or an array of such for OR); empty for none.',
    value: last.restrictions?.[0] ?? '',
    validateInput: (v) => {
      const t = v.trim();
      if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
      try {
        JSON.parse(t);
        return undefined;
      } catch (e) {
        return `Invalid JSON: ${(e as Error).message}`;
      }
    },
    ignoreFocusOut: true,
  });
  if (restriction === undefined) return undefined;
  const options: PopulateOptions = {
    reserveJobs: chosen.some((c) => c.key === 'reserveJobs'),
    suppressErrors: chosen.some((c) => c.key === 'suppressErrors'),
    processes: processes.trim() ? Number(processes) : 1,
    limit: limit.trim() ? Number(limit) : undefined,
    restrictions: restriction.trim() ? [restriction.trim()] : undefined,
  };
  await memory.update(LAST_OPTIONS, options);
  return options;
}

/** The command's handler; resolves to the run's outcome, or undefined when cancelled. */
export async function populateTableCommand(
  db: ComputationsDatabase,
  runner: PopulateRunner,
  memory: vscode.Memento,
  arg?: PopulateArgument,
): Promise<PopulateOutcome | undefined> {
  let className = arg?.className ?? arg?.table?.className;
  let module = arg?.module;
  if (!className) {
    const picked = await pickTable(db);
    if (!picked) return undefined;
    className = picked.className;
    module = moduleOf(picked);
    if (!module) return void vscode.window.showWarningMessage(noModule(picked));
  }
  if (!module) {
    const locations = (await workspaceAutoTables().catch(() => new Map<string, vscode.Location[]>())).get(className) ?? [];
    module = moduleOf({ locations });
    if (!module) return void vscode.window.showWarningMessage(noModule({ className, locations }));
  }
  if (runner.isRunning({ className, module })) return alreadyRunning(runner, className, module);
  if (!db.connected && !(await vscode.commands.executeCommand<boolean>('datajoint.connect'))) return undefined;
  const options = arg?.options ?? (await askOptions(className, memory));
  if (!options) return undefined;
  try {
    return await runner.run({ className, module, options });
  } catch (e) {
    // Started meanwhile (while the options were asked).
    if (e instanceof PopulateAlreadyRunningError) return alreadyRunning(runner, className, module);
    void vscode.window.showErrorMessage(`Populate ${className}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

/** A second run of a table already populating: said, with its terminal one click away. */
function alreadyRunning(runner: PopulateRunner, className: string, module: string): undefined {
  void vscode.window.showWarningMessage(new PopulateAlreadyRunningError(className).message, 'Show Terminal').then((choice) => {
    if (choice === 'Show Terminal') runner.showTerminal({ className, module });
  });
  return undefined;
}

function noModule(c: Pick<PopulateCandidate, 'className' | 'locations'>): string {
  return c.locations.length
    ? `${c.className} is defined in ${vscode.workspace.asRelativePath(c.locations[0]!.uri)}; the bundled runtime populates TypeScript/JavaScript pipelines only. Populate it from Python (${c.className}.populate()).`
    : `No TypeScript/JavaScript module in this workspace defines ${c.className}.`;
}
