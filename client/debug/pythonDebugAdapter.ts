// The Python side of "Debug make()": the Python Debugger extension's `debugpy` launch type
// when it is installed; else our own type (package.json: contributes.debuggers), whose
// adapter is debugpy's own (`python -m debugpy.adapter`) from the table's interpreter, so
// that a debugpy installed in that environment (pip install debugpy) is enough.
import { spawn } from 'node:child_process';
import * as vscode from 'vscode';
import { interpreterProcessEnv, type PythonInterpreter } from '../python/interpreter';
import { DEBUGPY_EXTENSION_ID, DEBUGPY_TYPE, FALLBACK_PYTHON_TYPE } from './debugLaunch';

/** How long `import debugpy` may take before the interpreter is taken to lack it. */
const IMPORT_TIMEOUT_MS = 60_000;

/** Whether the interpreter imports debugpy. */
export function hasDebugpy(interpreter: PythonInterpreter): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(interpreter.executable, [...interpreter.args, '-c', 'import debugpy'], {
      env: interpreterProcessEnv(interpreter),
      stdio: 'ignore',
      timeout: IMPORT_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}

/** Interpreters found to import debugpy (a missing one is asked again: it may be installed meanwhile). */
const withDebugpy = new Set<string>();

/** The launch type to use for the interpreter; undefined when neither debugger is there. */
export async function pythonDebugType(interpreter: PythonInterpreter): Promise<string | undefined> {
  if (vscode.extensions.getExtension(DEBUGPY_EXTENSION_ID)) return DEBUGPY_TYPE;
  const id = [interpreter.executable, ...interpreter.args].join('\0');
  if (!withDebugpy.has(id)) {
    if (!(await hasDebugpy(interpreter))) return undefined;
    withDebugpy.add(id);
  }
  return FALLBACK_PYTHON_TYPE;
}

/** Our type's adapters: debugpy's adapter run by the interpreter of the session's table. */
export class PythonDebugAdapters implements vscode.DebugAdapterDescriptorFactory, vscode.Disposable {
  private readonly interpreters = new Map<string, PythonInterpreter>();
  private readonly registration: vscode.Disposable;

  constructor() {
    this.registration = vscode.debug.registerDebugAdapterDescriptorFactory(FALLBACK_PYTHON_TYPE, this);
  }

  remember(runId: string, interpreter: PythonInterpreter): void {
    this.interpreters.set(runId, interpreter);
  }

  forget(runId: string): void {
    this.interpreters.delete(runId);
  }

  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    const known = this.interpreters.get(String(session.configuration.datajointRunId));
    const { python, pythonArgs } = session.configuration as { python?: string; pythonArgs?: string[] };
    const command = known ? [known.executable, ...known.args] : python ? [python, ...(pythonArgs ?? [])] : undefined;
    if (!command?.length) throw new Error(`A ${FALLBACK_PYTHON_TYPE} session needs the interpreter in its "python" field.`);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(known ? interpreterProcessEnv(known) : {})) if (v !== undefined) env[k] = v;
    return new vscode.DebugAdapterExecutable(command[0]!, [...command.slice(1), '-m', 'debugpy.adapter'], known ? { env } : undefined);
  }

  dispose(): void {
    this.registration.dispose();
    this.interpreters.clear();
  }
}
