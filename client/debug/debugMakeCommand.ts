// "Debug make() for this key": from an error job or a table in the Jobs view, or from the
// CodeLens of a Computed/Imported class. Which key (a job's own, else picked among the
// table's error jobs and keys still to compute), how the run ends (rolled back, up to
// make_compute for a three-part make, or kept: an ordinary populate of that key, a failed
// job retried first), then a debug session of the table's language (debugLaunch.ts) and,
// once it ends, a notification of what make did, read from the run's result file.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import * as vscode from 'vscode';
import { jsonKey, type JsonKey } from '../../runtime/populate/events';
import type { JobRow } from '../../runtime/jobs/queue';
import type { ComputationsDatabase } from '../jobs/computationsDatabase';
import { DEBUG_MAKE_COMMAND } from '../commandNames';
import { formatKey } from '../jobs/jobsTree';
import type { Notices, NoticeAction } from '../notices';
import { chooseModule, isPythonModule, pickTable, rememberedOptions } from '../populate/populateCommand';
import { readFromDisk } from '../populate/moduleBindings';
import type { PythonLaunch } from '../python/pythonLaunch';
import { passwordFor } from '../populate/launchArgs';
import { pythonDebugType, type PythonDebugAdapters } from './pythonDebugAdapter';
import { parseMakeResult, type MakeResultFile } from '../../runtime/populate/make-protocol';
import type { Key } from '../../runtime/populate/target';
import { isThreePartMake, nodeConfiguration, pythonConfiguration, RUN_ID_FIELD, type DebugMode, type DebugRequest, type LaunchConfiguration, type NodeRuntime } from './debugLaunch';

/** What the command accepts: a Jobs view node, a CodeLens argument, or a test's request. */
export interface DebugMakeArgument {
  className?: string;
  schema?: string;
  module?: string;
  /** The key; asked when absent. */
  key?: JsonKey;
  /** Given: not asked. */
  mode?: DebugMode;
  /** A Jobs view node. */
  kind?: string;
  table?: { className: string; schema: string; name: string };
  job?: JobRow;
}

export interface DebugMakeContext {
  db: ComputationsDatabase;
  memory: vscode.Memento;
  notices: Notices;
  output: vscode.LogOutputChannel;
  extensionPath: string;
  /** The bundled CLI (dist/cli.js). */
  cli: string;
  preparePython(module: string, className: string): Promise<PythonLaunch | undefined>;
  pythonAdapters: PythonDebugAdapters;
  /** After a run that may have changed rows or jobs. */
  refreshAll(): void;
}

/** How a debug run ended: its result file, or undefined when it stopped before writing one. */
export interface DebugMakeOutcome {
  request: DebugRequest;
  result: MakeResultFile | undefined;
}

const TITLE = 'Debug make()';
const LISTED_KEYS = 200;

/** The oldest Node the CLI runs on (package.json: engines). */
const MIN_NODE_MAJOR = 20;

/**
 * `node` on PATH when it is recent enough (a debugger attaches to it as to any Node), else
 * the editor's own executable run as Node.
 */
export function nodeRuntime(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): NodeRuntime {
  const name = platform === 'win32' ? 'node.exe' : 'node';
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const node = join(dir, name);
    if (!existsSync(node)) continue;
    const version = spawnSync(node, ['--version'], { encoding: 'utf8', timeout: 10_000 }).stdout ?? '';
    if (Number(/^v(\d+)/.exec(version.trim())?.[1]) >= MIN_NODE_MAJOR) return { executable: node, electronAsNode: false };
    break;
  }
  return { executable: process.execPath, electronAsNode: true };
}

interface KeyChoice {
  /** For `--key`. */
  key: JsonKey;
  /** As the database holds it, for the jobs table (a uuid as its bytes). */
  raw: Key;
  job: JobRow | undefined;
}

async function pickKey(ctx: DebugMakeContext, schema: string, tableName: string, className: string): Promise<KeyChoice | undefined> {
  const { errors, remaining } = await ctx.db.withJobs(schema, tableName, async (jobs) => ({ errors: await jobs.errors(LISTED_KEYS), remaining: await jobs.remaining(LISTED_KEYS) }));
  type Item = vscode.QuickPickItem & { choice?: KeyChoice };
  const items: Item[] = [];
  if (errors.length) items.push({ label: 'Failed jobs', kind: vscode.QuickPickItemKind.Separator });
  for (const job of errors) {
    const key = jsonKey(job.key);
    items.push({ label: formatKey(key), description: 'error', detail: job.errorMessage, choice: { key, raw: job.key, job } });
  }
  const failed = new Set(errors.map((j) => JSON.stringify(jsonKey(j.key))));
  const todo = remaining.filter((raw) => !failed.has(JSON.stringify(jsonKey(raw))));
  if (todo.length) items.push({ label: 'Keys to compute', kind: vscode.QuickPickItemKind.Separator });
  for (const raw of todo) items.push({ label: formatKey(jsonKey(raw)), description: 'to compute', choice: { key: jsonKey(raw), raw, job: undefined } });
  if (!items.length) {
    void vscode.window.showInformationMessage(`${className} has no key to compute and no failed job: every key of its key source is in the table.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: `${TITLE} ${className}: key`,
    placeHolder: `The key whose make runs under the debugger${remaining.length >= LISTED_KEYS ? ` (the first ${LISTED_KEYS} keys to compute are listed)` : ''}`,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked?.choice;
}

async function pickMode(className: string, threePart: boolean, python: boolean): Promise<DebugMode | undefined> {
  const items: Array<vscode.QuickPickItem & { mode: DebugMode }> = [
    { label: '$(debug-alt) Run make() and roll back', detail: 'Breakpoints in make hit; its transaction is rolled back at the end, so nothing is kept', mode: 'rollback' },
  ];
  if (threePart) {
    const [fetch, compute] = python ? ['make_fetch', 'make_compute'] : ['makeFetch', 'makeCompute'];
    items.push({ label: `$(debug-step-over) Run up to ${compute}`, detail: `${fetch} and ${compute} only: no transaction, nothing inserted`, mode: 'compute' });
  }
  items.push({ label: '$(save) Run make() and keep the result', detail: 'Committed as Populate of this key commits it; its job is completed (a failed job is retried)', mode: 'keep' });
  const picked = await vscode.window.showQuickPick(items, { title: `${TITLE} ${className}: when it ends`, placeHolder: 'What happens to what make writes' });
  return picked?.mode;
}

function resultLevel(r: MakeResultFile): 'info' | 'warning' | 'error' {
  if (r.status === 'failed') return 'error';
  if (r.status === 'not-made' || r.status === 'refused' || r.status === 'already-done') return 'warning';
  return 'info';
}

/** The command's handler; resolves once the debug session has ended (undefined when none started). */
export async function debugMakeCommand(ctx: DebugMakeContext, arg: DebugMakeArgument | undefined): Promise<DebugMakeOutcome | undefined> {
  if (!vscode.workspace.isTrusted) {
    ctx.notices.show('error', `${TITLE} did not start: it runs the pipeline's code, which needs a trusted workspace.`, [
      { title: 'Manage Workspace Trust', run: () => vscode.commands.executeCommand('workbench.trust.manage') },
    ]);
    return undefined;
  }
  let className = arg?.className ?? arg?.table?.className;
  let schema = arg?.schema ?? arg?.table?.schema;
  if (!className) {
    const picked = await pickTable(ctx.db, false, `${TITLE}: table`);
    if (!picked) return undefined;
    className = picked.className;
    schema = picked.table?.schema;
  }
  if (!ctx.db.connected && !(await vscode.commands.executeCommand<boolean>('datajoint.connect'))) {
    ctx.notices.show('error', `${TITLE} ${className} did not start: not connected to a database.`, [{ title: 'Connect', run: () => vscode.commands.executeCommand('datajoint.connect') }]);
    return undefined;
  }
  const chosen = await chooseModule(ctx, className, schema, arg?.module, false, TITLE);
  if (!chosen) return undefined;
  const { module } = chosen;
  schema = chosen.schema;
  const table = (await ctx.db.autoTables()).find((t) => t.schema === schema && t.className === className);
  if (!table) {
    ctx.notices.show('warning', `${TITLE} ${className} did not start: ${className} is not in schema ${schema} yet. Populate declares it; then its keys can be debugged.`);
    return undefined;
  }
  const python = isPythonModule(module);
  // A job's own key (a Jobs view node), a key given as JSON (the tests, Debug Again), or picked.
  let choice: KeyChoice | undefined = arg?.job ? { key: jsonKey(arg.job.key), raw: arg.job.key, job: arg.job } : arg?.key ? { key: arg.key, raw: arg.key, job: undefined } : undefined;
  choice ??= await pickKey(ctx, schema, table.name, className);
  if (!choice) return undefined;
  // What runs is the module on disk: its editor's changes are saved first, as a launch would.
  await vscode.workspace.textDocuments.find((d) => d.uri.fsPath === module && d.isDirty)?.save();
  const threePart = isThreePartMake(readFromDisk(module) ?? '', className, python);
  const mode = arg?.mode ?? (await pickMode(className, threePart, python));
  if (!mode) return undefined;
  const creds = await ctx.db.credentials();
  if (!creds) {
    ctx.notices.show('error', `${TITLE} ${className} did not start: the connection's password is not available.`);
    return undefined;
  }
  const raw = choice.raw;
  const job = choice.job ?? (await ctx.db.withJobs(schema, table.name, (jobs) => jobs.jobOf(raw)));
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(module)) ?? vscode.workspace.workspaceFolders?.[0];
  const cwd = folder?.uri.fsPath ?? process.cwd();
  // The folder (0700) holds the password (0600) and the result; removed when the session ends.
  const dir = mkdtempSync(join(tmpdir(), 'datajoint-make-'));
  const passwordFile = join(dir, 'password');
  writeFileSync(passwordFile, passwordFor(creds), { mode: 0o600 });
  const makeKwargs = rememberedOptions(ctx.memory, schema, className).makeKwargs;
  const request: DebugRequest = {
    className,
    module,
    key: choice.key,
    mode,
    reserveJobs: mode === 'keep' && job !== undefined,
    // Populate's make arguments for this table, as its last run with options took them.
    ...(makeKwargs ? { makeKwargs } : {}),
    resultFile: join(dir, 'result.json'),
    passwordFile,
    runId: randomUUID(),
    cwd,
  };
  let config: LaunchConfiguration;
  if (python) {
    const launch = await ctx.preparePython(module, className);
    if (!launch) return cleanup(dir);
    const type = await pythonDebugType(launch.interpreter);
    if (!type) {
      ctx.notices.show(
        'error',
        `${TITLE} ${className} did not start: it needs the Python Debugger extension (ms-python.debugpy), or debugpy in ${launch.interpreter.executable} (pip install debugpy).`,
        [{ title: 'Install Python Debugger', run: () => vscode.commands.executeCommand('workbench.extensions.installExtension', 'ms-python.debugpy') }],
      );
      return cleanup(dir);
    }
    config = pythonConfiguration(request, type, launch.runner, launch.interpreter, cwd, creds);
    ctx.pythonAdapters.remember(request.runId, launch.interpreter);
  } else {
    config = nodeConfiguration(request, ctx.cli, nodeRuntime(), creds, [join(ctx.extensionPath, 'dist', '**')]);
  }
  ctx.output.info(`${TITLE}: ${config.name} (${config.type}) in ${vscode.workspace.asRelativePath(module)}`);
  let retried = false;
  try {
    if (mode === 'keep' && job?.status === 'error') {
      // Kept: a failed key is retried as Retry does (its error row deleted), only now that
      // the session is about to start; the run makes its job pending again (refresh).
      await ctx.db.withJobs(schema, table.name, (jobs) => jobs.retry([raw]));
      retried = true;
    }
    const result = await runSession(folder, config, request);
    notify(ctx, request, result, arg);
    return { request, result };
  } catch (e) {
    ctx.notices.show('error', `${TITLE} ${className} did not start: ${e instanceof Error ? e.message : String(e)}${retried ? '. Its failed job was retried: the next populate takes the key.' : ''}`);
    return undefined;
  } finally {
    if (mode === 'keep' || retried) ctx.refreshAll();
    ctx.pythonAdapters.forget(request.runId);
    cleanup(dir);
  }
}

function cleanup(dir: string): undefined {
  rmSync(dir, { recursive: true, force: true });
  return undefined;
}

/** Starts the session and waits for it (and its child sessions) to end; reads the result. */
/**
 * Starts the session and waits until every session carrying the run's id has ended (one
 * for debugpy, plus one per subprocess it follows; js-debug's child sessions do not carry
 * it, and its parent session ends last); reads the result.
 */
async function runSession(folder: vscode.WorkspaceFolder | undefined, config: LaunchConfiguration, request: DebugRequest): Promise<MakeResultFile | undefined> {
  const ours = (s: vscode.DebugSession) => s.configuration[RUN_ID_FIELD] === request.runId;
  let open = 0;
  let sawOne = false;
  let resolveEnded!: () => void;
  const ended = new Promise<void>((r) => (resolveEnded = r));
  const subs = [
    vscode.debug.onDidStartDebugSession((s) => {
      if (!ours(s)) return;
      open++;
      sawOne = true;
    }),
    vscode.debug.onDidTerminateDebugSession((s) => {
      if (!ours(s)) return;
      open--;
      if (open <= 0) resolveEnded();
    }),
  ];
  try {
    const started = await vscode.debug.startDebugging(folder, config as vscode.DebugConfiguration);
    if (!started) throw new Error(`the debugger (${config.type}) did not start the session`);
    // VS Code announces a session before startDebugging resolves; none announced: none to wait for.
    if (!sawOne) resolveEnded();
    await ended;
  } finally {
    subs.forEach((s) => s.dispose());
  }
  return existsSync(request.resultFile) ? parseMakeResult(readFileSync(request.resultFile, 'utf8')) : undefined;
}

function notify(ctx: DebugMakeContext, request: DebugRequest, result: MakeResultFile | undefined, arg: DebugMakeArgument | undefined): void {
  const again: NoticeAction = { title: 'Debug Again', run: () => vscode.commands.executeCommand(DEBUG_MAKE_COMMAND, { ...arg, className: request.className, module: request.module, key: request.key, mode: request.mode }) };
  if (!result) {
    ctx.notices.show('warning', `${TITLE} ${request.className} ${formatKey(request.key)} ended before make finished (stopped in the debugger, or it could not start: see its terminal). What make wrote was not committed.`, [again]);
    return;
  }
  ctx.notices.show(resultLevel(result), result.message, result.status === 'committed' || result.status === 'already-done' ? [] : [again]);
}
