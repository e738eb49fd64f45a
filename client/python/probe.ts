// Before a Python table's run: `<python> datajoint_vscode_runner.py probe` (one JSON line,
// no database: python/datajoint_vscode_runner.py, its `probe` command) says which Python and which
// DataJoint the interpreter has. DataJoint for Python below 2.0 has another jobs table
// layout and no `~lineage` (docs/shared reference: DataJoint 2.x only), so it is refused
// with one clear message. No vscode import: unit-tested (test/unit/client/python-probe.test.ts).
import { spawn } from 'node:child_process';
import { interpreterProcessEnv, type PythonInterpreter } from './interpreter';

export interface ProbeResult {
  python: string;
  pythonVersion: string;
  /** Null when `import datajoint` failed (then `error` says why). */
  datajoint: string | null;
  error?: string;
}

/** DataJoint for Python's first version with the 2.x layout this extension shares. */
export const MIN_DATAJOINT_MAJOR = 2;

/** The probe's line among the interpreter's output (a sitecustomize may print before it). */
export function parseProbe(stdout: string): ProbeResult | undefined {
  for (const line of stdout.split('\n').reverse()) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      const v = JSON.parse(t) as Partial<ProbeResult>;
      if (typeof v.python === 'string' && typeof v.pythonVersion === 'string' && (typeof v.datajoint === 'string' || v.datajoint === null)) {
        return { python: v.python, pythonVersion: v.pythonVersion, datajoint: v.datajoint, ...(typeof v.error === 'string' ? { error: v.error } : {}) };
      }
    } catch {
      // not the probe's line
    }
  }
  return undefined;
}

/** Why this interpreter cannot populate, or undefined when its DataJoint will do. */
export function datajointProblem(p: ProbeResult): string | undefined {
  if (p.datajoint === null) return `DataJoint for Python is not installed in ${p.python} (Python ${p.pythonVersion}${p.error ? `: ${p.error}` : ''})`;
  const major = Number(/^(\d+)/.exec(p.datajoint)?.[1]);
  if (!Number.isFinite(major) || major < MIN_DATAJOINT_MAJOR) return `${p.python} has DataJoint ${p.datajoint}; Populate needs DataJoint for Python ${MIN_DATAJOINT_MAJOR}.0 or newer`;
  return undefined;
}

/** How long the probe (an `import datajoint`) may take before it is given up. */
export const PROBE_TIMEOUT_MS = 60_000;

export type ProbeOutcome = { ok: true; result: ProbeResult } | { ok: false; problem: string; result?: ProbeResult };

/** Runs the probe with the interpreter (its activation variables over `baseEnv`, cwd the workspace). */
export function probeInterpreter(interpreter: PythonInterpreter, runner: string, cwd: string, baseEnv: NodeJS.ProcessEnv = process.env): Promise<ProbeOutcome> {
  const env = interpreterProcessEnv(interpreter, baseEnv);
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    // An interpreter that hangs (a broken sitecustomize, a network home) must not leave
    // Populate silent: the probe gets a generous time, then is ended and said.
    const child = spawn(interpreter.executable, [...interpreter.args, runner, 'probe'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: PROBE_TIMEOUT_MS, killSignal: 'SIGKILL' });
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', (e: NodeJS.ErrnoException) => {
      resolve({ ok: false, problem: e.code === 'ENOENT' ? `the Python interpreter ${interpreter.executable} was not found` : `${interpreter.executable} could not be started: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      const result = parseProbe(stdout);
      if (!result && signal === 'SIGKILL') {
        resolve({ ok: false, problem: `${interpreter.executable} did not answer the probe within ${PROBE_TIMEOUT_MS / 1000} s` });
        return;
      }
      if (!result) {
        const last = stderr.trim().split('\n').at(-1);
        resolve({ ok: false, problem: `${interpreter.executable} did not answer the probe (exit ${code}${last ? `: ${last}` : ''})` });
        return;
      }
      const problem = datajointProblem(result);
      resolve(problem ? { ok: false, problem, result } : { ok: true, result });
    });
  });
}
