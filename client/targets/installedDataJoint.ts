// The `datajoint` version installed in an interpreter, read from the package's metadata
// (importlib.metadata): nothing is imported, so a slow or broken `import datajoint`
// (a 0.14 that reads its config, a missing driver) does not matter. No vscode import:
// unit-tested with a real interpreter (test/unit/client/installed-datajoint.test.ts).
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { interpreterProcessEnv, type PythonInterpreter } from '../python/interpreter';

// First: the working directory leaves sys.path (`-c` puts it there), so that no module of
// the workspace (a json.py) runs; the interpreter also starts in the temporary folder.
const SCRIPT = [
  'import sys',
  'sys.path[:] = [p for p in sys.path if p not in ("", ".")]',
  'import json',
  'try:',
  '    from importlib.metadata import version, PackageNotFoundError',
  '    try:',
  '        v = version("datajoint")',
  '    except PackageNotFoundError:',
  '        v = None',
  'except Exception:',
  '    v = None',
  'print("datajoint-version:" + json.dumps(v))',
].join('\n');

/** How long the interpreter may take to start and answer before it counts as having none. */
export const INSTALLED_TIMEOUT_MS = 30_000;

/** The version string, or null when the interpreter has no DataJoint or does not answer. */
export function installedDataJoint(interpreter: PythonInterpreter, cwd: string = tmpdir(), baseEnv: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(interpreter.executable, [...interpreter.args, '-c', SCRIPT], {
      cwd, env: interpreterProcessEnv(interpreter, baseEnv), stdio: ['ignore', 'pipe', 'ignore'], timeout: INSTALLED_TIMEOUT_MS, killSignal: 'SIGKILL',
    });
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.on('error', () => resolve(null));
    child.on('close', () => resolve(parseInstalled(out)));
  });
}

/** The answer among the interpreter's output (a sitecustomize may print before it). */
export function parseInstalled(stdout: string): string | null {
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('datajoint-version:'));
  if (!line) return null;
  try {
    const v: unknown = JSON.parse(line.slice('datajoint-version:'.length));
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}
