// "DataJoint: Run Workers on SLURM…": which pipeline module (the workspace's files that
// define Computed/Imported classes), then the number of workers, partition (from `sinfo`),
// time limit, CPUs and memory per worker — remembered per workspace (slurmAnswers.ts) —;
// writes the sbatch script into the workspace (slurm/<module>-workers.sbatch, opened so it
// can be read and committed) and submits it with the cluster's own sbatch, then shows the
// job id with an action to open the log folder. Under Remote-SSH the extension runs on the
// login node, where sbatch is; elsewhere it says so and still writes the script.
// No password is ever written or passed: the tasks read it from .secrets/ or DJ_PASS.
// The script runs a `djx` on PATH, else the launcher in the extension's global storage
// (launcherFile.ts), never this version's Node and CLI by path: it outlives updates.
import * as vscode from 'vscode';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sbatchScript } from '../../runtime/slurm/sbatch-script';
import { findOnPath, NO_SBATCH, partitions, submitScript } from '../../runtime/slurm/cluster';
import { workspaceAutoTables } from '../populate/populateCommand';
import { resolveConnectionTarget } from '../connection/connectionSettings';
import type { Notices } from '../notices';
import { updateLauncher, type LauncherPlace } from './launcherFile';
import {
  ANSWERS_KEY, cpusProblem, LOG_DIR, memoryProblem, partitionProblem, rememberedAnswers, scriptOptions, scriptPathFor, timeProblem, withAnswers, workersProblem,
  type SlurmAnswers,
} from './slurmAnswers';

const STEPS = 6;

export interface SlurmCommandContext {
  memory: vscode.Memento;
  notices: Notices;
  /** Where the script's fallback `djx` launcher is kept; rewritten before each script. */
  launcher: LauncherPlace;
}

/** What the command accepts: a module (a test, the diagram), or a Tables view node. */
export interface SlurmArgument {
  module?: string;
  /** Given: not asked (a test, an API caller). */
  answers?: SlurmAnswers;
}

export interface SlurmOutcome {
  script: string;
  /** Undefined when sbatch is not here or failed. */
  jobId?: string;
}

/** The workspace's pipeline modules: files that define Computed or Imported classes. */
async function pickModule(): Promise<string | undefined> {
  const byFile = new Map<string, string[]>();
  for (const [className, locations] of await workspaceAutoTables().catch(() => new Map<string, vscode.Location[]>())) {
    for (const l of locations) byFile.set(l.uri.fsPath, [...(byFile.get(l.uri.fsPath) ?? []), className]);
  }
  if (!byFile.size) {
    void vscode.window.showInformationMessage('Run Workers on SLURM: no module of this workspace defines a Computed or Imported table.');
    return undefined;
  }
  const items = [...byFile].sort(([a], [b]) => a.localeCompare(b)).map(([file, classes]) => ({
    label: vscode.workspace.asRelativePath(file),
    description: classes.sort().join(', '),
    detail: file.endsWith('.py') ? 'Python: DataJoint for Python populates it' : undefined,
    file,
  }));
  const picked = await vscode.window.showQuickPick(items, { title: `Run Workers on SLURM (1/${STEPS}): pipeline module`, placeHolder: 'The workers populate every Computed and Imported table of this module', matchOnDescription: true, ignoreFocusOut: true });
  return picked?.file;
}

async function ask(title: string, value: string, validateInput: (v: string) => string | undefined, prompt: string): Promise<string | undefined> {
  return vscode.window.showInputBox({ title, value, prompt, validateInput, ignoreFocusOut: true });
}

async function askPartition(last: string, haveSinfo: boolean): Promise<string | undefined> {
  const title = `Run Workers on SLURM (3/${STEPS}): partition`;
  const list = haveSinfo ? await partitions().catch(() => []) : [];
  if (!list.length) return ask(title, last, partitionProblem, 'Empty for the cluster\'s default partition.');
  const items = [
    ...list.map((p) => ({ label: p.name, description: [p.isDefault ? 'default' : '', p.name === last ? 'chosen before' : ''].filter(Boolean).join(' · '), value: p.name })),
  ];
  const ordered = [...items.filter((i) => i.value === last), ...items.filter((i) => i.value !== last)];
  const picked = await vscode.window.showQuickPick(ordered, { title, placeHolder: 'From sinfo', ignoreFocusOut: true });
  return picked?.value;
}

async function askAnswers(last: SlurmAnswers, haveSinfo: boolean): Promise<SlurmAnswers | undefined> {
  const workers = await ask(`Run Workers on SLURM (2/${STEPS}): number of workers`, String(last.workers), workersProblem, 'Tasks of the array job; they share the jobs queue, each reserving its own keys.');
  if (workers === undefined) return undefined;
  const partition = await askPartition(last.partition, haveSinfo);
  if (partition === undefined) return undefined;
  const time = await ask(`Run Workers on SLURM (4/${STEPS}): time limit per worker`, last.time, (v) => timeProblem(v), 'minutes, h:mm:ss or d-hh:mm; the worker gets SIGTERM before the limit and stops after its key.');
  if (time === undefined) return undefined;
  const cpus = await ask(`Run Workers on SLURM (5/${STEPS}): CPUs per worker`, String(last.cpusPerTask), cpusProblem, '--cpus-per-task');
  if (cpus === undefined) return undefined;
  const memory = await ask(`Run Workers on SLURM (6/${STEPS}): memory per worker`, last.memory, memoryProblem, 'e.g. 4G or 500M; empty for the cluster\'s default.');
  if (memory === undefined) return undefined;
  return { workers: Number(workers), partition: partition.trim(), time: time.trim(), cpusPerTask: Number(cpus), memory: memory.trim() };
}

/** Host, port, user, backend of the window's target as plain settings (never the password). */
async function connectionEnvironment(folder: vscode.Uri): Promise<{ env: Record<string, string>; hasPassword: boolean; local: boolean }> {
  const t = await resolveConnectionTarget(folder).catch(() => undefined);
  if (!t) return { env: {}, hasPassword: false, local: false };
  const env: Record<string, string> = { DJ_BACKEND: t.backend, DJ_HOST: t.host, DJ_PORT: String(t.port) };
  if (t.user) env.DJ_USER = t.user;
  if (t.databaseName) env.DJ_DATABASE_NAME = t.databaseName;
  return { env, hasPassword: t.passwordFromEnvironment !== undefined, local: Boolean(t.local) };
}

export async function runWorkersOnSlurm(ctx: SlurmCommandContext, arg?: SlurmArgument): Promise<SlurmOutcome | undefined> {
  if (!vscode.workspace.isTrusted) {
    ctx.notices.show('error', 'Run Workers on SLURM did not start: the workers run the pipeline\'s code, which needs a trusted workspace.');
    return undefined;
  }
  const module = arg?.module ?? (await pickModule());
  if (!module) return undefined;
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(module)) ?? vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    ctx.notices.show('error', 'Run Workers on SLURM needs a workspace folder: the script is written into it.');
    return undefined;
  }
  const key = vscode.workspace.asRelativePath(module);
  const haveSbatch = findOnPath('sbatch') !== undefined;
  const answers = arg?.answers ?? (await askAnswers(rememberedAnswers(ctx.memory.get(ANSWERS_KEY), key), findOnPath('sinfo') !== undefined));
  if (!answers) return undefined;
  if (!arg?.answers) await ctx.memory.update(ANSWERS_KEY, withAnswers(ctx.memory.get(ANSWERS_KEY), key, answers));

  const conn = await connectionEnvironment(folder.uri);
  if (conn.local) {
    ctx.notices.show('error', 'Run Workers on SLURM: the workspace uses its local database, which is reachable from this machine only. Workers on a cluster need a MySQL or PostgreSQL server (set datajoint.host, or database.host in datajoint.json).');
    return undefined;
  }
  const python = module.endsWith('.py') ? vscode.workspace.getConfiguration('datajoint', folder.uri).get<string>('python.interpreter') || undefined : undefined;
  let text: string;
  try {
    // The script names the launcher, not this VS Code's Node and CLI, which the next update
    // moves; the launcher is rewritten now so that it names the current ones.
    const launcher = updateLauncher(ctx.launcher);
    text = sbatchScript(scriptOptions(answers, { folder: folder.uri.fsPath, module, launcher, environment: conn.env, python }));
  } catch (e) {
    ctx.notices.show('error', `Run Workers on SLURM: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
  const script = join(folder.uri.fsPath, scriptPathFor(module));
  const logs = join(folder.uri.fsPath, LOG_DIR);
  mkdirSync(dirname(script), { recursive: true });
  writeFileSync(script, text, { mode: 0o755 });
  // sbatch does not make the --output folder; a task writing into a missing one fails unseen.
  mkdirSync(logs, { recursive: true });
  await vscode.window.showTextDocument(vscode.Uri.file(script), { preview: false, preserveFocus: true });

  // In the Explorer: under Remote-SSH the folder is on the login node, where the OS's file manager is not.
  const openLogs = { title: 'Open Log Folder', run: () => vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(logs)) };
  if (!haveSbatch) {
    ctx.notices.show('warning', `Wrote ${vscode.workspace.asRelativePath(script)}. ${NO_SBATCH}`);
    return { script };
  }
  const passwordNote = conn.hasPassword || existsSync(join(folder.uri.fsPath, '.secrets', 'database.password'))
    ? ''
    : ' The workers find no password yet: put it in .secrets/database.password (readable by you only) or export DJ_PASS in the shell that runs sbatch; it is never written into the script.';
  try {
    const jobId = await submitScript(script, { cwd: folder.uri.fsPath });
    ctx.notices.show('info', `Submitted ${answers.workers} worker${answers.workers === 1 ? '' : 's'} for ${key} as SLURM job ${jobId} (logs in ${LOG_DIR}).${passwordNote}`, [openLogs]);
    return { script, jobId };
  } catch (e) {
    ctx.notices.show('error', `Run Workers on SLURM: ${e instanceof Error ? e.message : String(e)}`, [openLogs]);
    return { script };
  }
}
