// Which files count: the one rule for the language server's index, `djx lint` and the
// editor's documents. Host files by extension (TypeScript declaration files excluded);
// folders that never hold a user's pipeline (dependencies, virtual environments — any
// folder with a pyvenv.cfg —, caches, VCS and other dot-folders) are skipped, and so is
// whatever the .gitignore files exclude: those of the walked folders and those above the
// root up to the repository's top (the folder with .git).
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { HostLanguage } from './types';

const BY_EXTENSION: Record<string, HostLanguage> = {
  '.py': 'python',
  '.pyi': 'python',
  '.ts': 'typescript',
  '.tsx': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.js': 'javascript',
  '.jsx': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
};

/** The extensions of host files, for file watchers. */
export const SOURCE_EXTENSIONS = Object.keys(BY_EXTENSION);

/** Folders skipped by name (every folder whose name starts with `.` is skipped too). */
export const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['node_modules', '__pycache__', 'venv', 'site-packages']);

/** The host language of a file by its extension, or undefined for other files. */
export function languageOfPath(path: string): HostLanguage | undefined {
  if (/\.d\.[cm]?ts$/i.test(path)) return undefined;
  const dot = path.lastIndexOf('.');
  if (dot < 0 || dot < Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'))) return undefined;
  return BY_EXTENSION[path.slice(dot).toLowerCase()];
}

export function isSkippedFolder(name: string): boolean {
  return name.startsWith('.') || SKIPPED_FOLDERS.has(name);
}

interface Rules {
  base: string;
  ig: Ignore;
}

function readRules(dir: string): Rules | undefined {
  try {
    return { base: dir, ig: ignore().add(readFileSync(join(dir, '.gitignore'), 'utf8')) };
  } catch {
    return undefined;
  }
}

/** The .gitignore files above `root`, up to the repository's top (none when root is the top). */
function ancestorRules(root: string): Rules[] {
  const out: Rules[] = [];
  if (existsSync(join(root, '.git'))) return out;
  for (let d = dirname(root); ; d = dirname(d)) {
    if (existsSync(join(d, '.gitignore'))) {
      const r = readRules(d);
      if (r) out.push(r);
    }
    if (existsSync(join(d, '.git')) || dirname(d) === d) break;
  }
  return out;
}

function ignored(rules: readonly Rules[], path: string, isDir: boolean): boolean {
  for (const r of rules) {
    const rel = relative(r.base, path).split(sep).join('/');
    if (rel && !rel.startsWith('..') && r.ig.ignores(isDir ? `${rel}/` : rel)) return true;
  }
  return false;
}

/** Absolute paths of the host files under `root`, in directory order, as they are found. */
export async function* sourceFiles(root: string): AsyncGenerator<string> {
  const stack: Array<{ dir: string; rules: Rules[] }> = [{ dir: root, rules: ancestorRules(root) }];
  while (stack.length) {
    const { dir, rules: inherited } = stack.pop()!;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable folder: skip it, the rest still counts
    }
    if (entries.some((e) => e.name === 'pyvenv.cfg')) continue; // a virtual environment
    const own = entries.some((e) => e.name === '.gitignore') ? readRules(dir) : undefined;
    const rules = own ? [...inherited, own] : inherited;
    const subdirs: string[] = [];
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        if (isSkippedFolder(e.name) || ignored(rules, path, true)) continue;
        subdirs.push(path);
      } else if (e.isFile() && languageOfPath(e.name) && !ignored(rules, path, false)) {
        yield path;
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push({ dir: subdirs[i]!, rules });
  }
}
