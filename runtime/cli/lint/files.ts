// Which files `djx lint` reads: the files named, and the host files below the folders
// named -- skipping node_modules, .git, Python virtual environments (any folder with a
// pyvenv.cfg, and venv/.venv/site-packages by name), __pycache__, and what .gitignore
// files (in the folder, below it, and above it up to the repository root) exclude.
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { languageOfPath } from '../../hosts';
import { UsageError } from '../program';

// Loaded through require so that the CJS bundle takes tinyglobby's (and fdir's) CommonJS
// builds: their ESM builds read import.meta.url, which a CJS bundle does not have.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { glob } = require('tinyglobby') as typeof import('tinyglobby');

const EXTENSIONS = '{py,ts,mts,cts,js,mjs,cjs}';
const SKIP = ['**/node_modules/**', '**/.git/**', '**/venv/**', '**/.venv/**', '**/site-packages/**', '**/__pycache__/**', '**/*.d.ts'];

export async function collectFiles(args: readonly string[], cwd: string): Promise<string[]> {
  const found = new Set<string>();
  for (const arg of args) {
    const abs = path.resolve(cwd, arg);
    let stat;
    try {
      stat = statSync(abs);
    } catch {
      throw new UsageError(`no such file or folder: ${arg}`);
    }
    if (stat.isDirectory()) {
      for (const f of await walk(abs)) found.add(f);
    } else if (languageOfPath(abs)) {
      found.add(abs);
    } else {
      throw new UsageError(`not a Python, TypeScript or JavaScript file: ${arg}`);
    }
  }
  return [...found].sort();
}

async function walk(dir: string): Promise<string[]> {
  const [files, venvs, gitignores] = await Promise.all([
    glob(`**/*.${EXTENSIONS}`, { cwd: dir, absolute: true, ignore: SKIP, dot: false, followSymbolicLinks: false }),
    glob('**/pyvenv.cfg', { cwd: dir, absolute: true, ignore: SKIP, dot: true }),
    glob('**/.gitignore', { cwd: dir, absolute: true, ignore: SKIP, dot: true }),
  ]);
  const venvDirs = venvs.map((v) => path.dirname(v) + path.sep);
  const rules = [...ancestorGitignores(dir), ...gitignores.map(load)].filter((r): r is Rules => r !== undefined);
  return files
    .map((f) => path.normalize(f))
    .filter((f) => !venvDirs.some((v) => f.startsWith(v)))
    .filter((f) => !rules.some((r) => isIgnored(r, f)));
}

interface Rules {
  dir: string;
  ig: Ignore;
}

function load(file: string): Rules | undefined {
  try {
    return { dir: path.dirname(path.normalize(file)), ig: ignore().add(readFileSync(file, 'utf8')) };
  } catch {
    return undefined;
  }
}

/** .gitignore files above the folder, up to the repository root (the folder with .git). */
function ancestorGitignores(dir: string): Array<Rules | undefined> {
  const out: Array<Rules | undefined> = [];
  let d = path.dirname(dir);
  if (existsSync(path.join(dir, '.git'))) return out;
  for (;;) {
    const gi = path.join(d, '.gitignore');
    if (existsSync(gi)) out.push(load(gi));
    if (existsSync(path.join(d, '.git'))) break;
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  return out;
}

function isIgnored(r: Rules, file: string): boolean {
  const rel = path.relative(r.dir, file);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return false;
  return r.ig.ignores(rel.split(path.sep).join('/'));
}
