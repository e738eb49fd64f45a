// The real DataJoint for Python, for the tests that claim compatibility with it: a virtual
// environment in .venv-test/ (git-ignored) with the newest datajoint 2.x from PyPI, made
// once and reused while its stamp names the same requirements and interpreter.
//   node scripts/python-env.mjs     prints the environment's interpreter path
// Fails loudly (never skips) when the environment cannot be made; scripts/system-deps.sh
// installs what a fresh Debian machine lacks for it (python3-venv).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** What the tests need: DataJoint 2.x, the PostgreSQL driver for the PostgreSQL work, and debugpy for Debug make() (whose adapter runs from the interpreter when the Python Debugger extension is absent, as in the offline VS Code). */
export const PYTHON_REQUIREMENTS = ['datajoint>=2,<3', 'psycopg2-binary', 'debugpy'];
const DIR = join(ROOT, '.venv-test');
const STAMP = join(DIR, 'dj-test-stamp.json');

function run(cmd, args, what) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error || r.status !== 0) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`python-env: ${what} failed (${r.error?.message ?? `exit ${r.status}`}):\n${out}\n` + 'On Debian run scripts/system-deps.sh (python3 and python3-venv).');
  }
  return r.stdout;
}

function basePython() {
  return process.env.DJ_TEST_BASE_PYTHON || 'python3';
}

function interpreter(dir) {
  return process.platform === 'win32' ? join(dir, 'Scripts', 'python.exe') : join(dir, 'bin', 'python');
}

/** The stamp this machine's environment must carry: requirements and base interpreter. */
function wantedStamp() {
  const base = run(basePython(), ['-c', 'import sys; print(sys.version.split()[0], sys.base_prefix)'], `${basePython()} --version`).trim();
  return { requirements: PYTHON_REQUIREMENTS, base };
}

function ready(want) {
  if (!existsSync(STAMP) || !existsSync(interpreter(DIR))) return false;
  try {
    return JSON.stringify(JSON.parse(readFileSync(STAMP, 'utf8'))) === JSON.stringify(want);
  } catch {
    return false;
  }
}

/**
 * The interpreter of the test environment, made first when missing or out of date.
 * Building goes to a fresh directory renamed into place, so a run that is cut off never
 * leaves a half-made environment that a later run would take as ready, and two runs
 * building at once do not write into one directory.
 */
export function pythonEnv() {
  const want = wantedStamp();
  if (ready(want)) return interpreter(DIR);
  const tmp = `${DIR}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(dirname(tmp), { recursive: true });
  try {
    run(basePython(), ['-m', 'venv', tmp], `${basePython()} -m venv`);
    const py = interpreter(tmp);
    run(py, ['-m', 'pip', 'install', '--quiet', '--upgrade', ...PYTHON_REQUIREMENTS], `pip install ${PYTHON_REQUIREMENTS.join(' ')}`);
    const version = run(py, ['-c', 'import datajoint; print(datajoint.__version__)'], 'import datajoint').trim();
    if (!version.startsWith('2.')) throw new Error(`python-env: datajoint ${version} installed, 2.x needed`);
    writeFileSync(join(tmp, 'dj-test-stamp.json'), JSON.stringify(want));
    rmSync(DIR, { recursive: true, force: true });
    try {
      renameSync(tmp, DIR);
    } catch (e) {
      // Another run made it meanwhile: take theirs when it is the one wanted.
      if (!ready(want)) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  // The interpreter finds its environment from its own path (pyvenv.cfg beside it), so
  // the rename is safe for `python -m pip` and imports; only console-script shebangs keep
  // the old path, and nothing here runs those.
  return interpreter(DIR);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(pythonEnv());
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
}
