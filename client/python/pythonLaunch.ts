// What a Python table's run needs before it starts: the interpreter for its file
// (interpreter.ts, from the optional Python extensions or the setting), checked with the
// runner's probe (probe.ts). An interpreter that cannot run it is said once, with an action
// to pick another: the Python extension's "Select Interpreter" when it is installed, else
// the `datajoint.python.interpreter` setting.
import * as vscode from 'vscode';
import { pickInterpreterCommand, resolveInterpreter, type InterpreterSources, type PythonInterpreter } from './interpreter';
import { probeInterpreter, type ProbeResult } from './probe';
import { PYTHON_ENVS_EXTENSION_ID, PYTHON_EXTENSION_ID, type PythonEnvironmentsApi, type PythonExtensionApi } from './pythonApis';
import type { NoticeAction, Notices } from '../notices';

/** The runner inside the extension (the .vsix ships python/: scripts/vscode/package-vsix.mjs). */
export const RUNNER_PATH = 'python/datajoint_vscode_runner.py';

/** How to spawn the runner for one run. */
export interface PythonLaunch {
  interpreter: PythonInterpreter;
  /** Absolute path of datajoint_vscode_runner.py. */
  runner: string;
  probe: ProbeResult;
}

/** An extension's exports once it is active; undefined when it is not installed. */
async function exportsOf<T>(id: string): Promise<T | undefined> {
  const ext = vscode.extensions.getExtension<T>(id);
  if (!ext) return undefined;
  return ext.isActive ? ext.exports : await ext.activate();
}

export function interpreterSources(file: vscode.Uri): InterpreterSources {
  const folder = vscode.workspace.getWorkspaceFolder(file);
  return {
    pythonEnvs: () => exportsOf<PythonEnvironmentsApi>(PYTHON_ENVS_EXTENSION_ID),
    pythonExtension: () => exportsOf<PythonExtensionApi>(PYTHON_EXTENSION_ID),
    setting: () => vscode.workspace.getConfiguration('datajoint', file).get<string>('python.interpreter', ''),
    workspaceFolder: folder?.uri.fsPath,
  };
}

/** The action offered when the interpreter cannot run: pick another one. */
export async function pickInterpreterAction(): Promise<NoticeAction> {
  const { title, command, args } = pickInterpreterCommand(await vscode.commands.getCommands(true));
  return { title, run: () => vscode.commands.executeCommand(command, ...args) };
}

/**
 * The interpreter and runner for a Python module, probed; undefined (after one
 * notification saying why, with the action to pick another interpreter) when it cannot run.
 */
export async function preparePython(
  extensionPath: string,
  module: string,
  className: string,
  notices: Notices,
  output: vscode.LogOutputChannel,
  what = 'Populate',
): Promise<PythonLaunch | undefined> {
  const uri = vscode.Uri.file(module);
  const interpreter = await resolveInterpreter(uri, interpreterSources(uri));
  for (const s of interpreter.skipped) output.debug(`Python interpreter: ${s}`);
  output.info(`Python interpreter for ${vscode.workspace.asRelativePath(module)}: ${interpreter.executable} (${interpreter.description})`);
  const runner = vscode.Uri.joinPath(vscode.Uri.file(extensionPath), RUNNER_PATH).fsPath;
  const cwd = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
  const probe = await probeInterpreter(interpreter, runner, cwd);
  if (!probe.ok) {
    output.warn(`${what} ${className}: ${probe.problem}`);
    notices.show('error', `${what} ${className} did not start: ${probe.problem}. The interpreter comes from ${interpreter.description}; pick one with DataJoint for Python 2.x.`, [await pickInterpreterAction()]);
    return undefined;
  }
  return { interpreter, runner, probe: probe.result };
}
