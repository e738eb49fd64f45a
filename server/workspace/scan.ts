// Walks workspace folders for host source files. Skips what never holds a user's
// pipeline (dependencies, virtual environments, VCS and cache folders) and whatever the
// repository's .gitignore files exclude, reading nested .gitignore files as it descends.
import { promises as fs } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { hostLanguageOfPath } from '../documents/languages';

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', 'site-packages', '.tox', '.nox', '.mypy_cache', '.pytest_cache', '.ipynb_checkpoints', '.vscode-test']);

interface Rules {
  base: string;
  ig: Ignore;
}

async function readGitignore(dir: string): Promise<Ignore | undefined> {
  try {
    const text = await fs.readFile(join(dir, '.gitignore'), 'utf8');
    return ignore().add(text);
  } catch {
    return undefined;
  }
}

function ignored(rules: Rules[], path: string, isDir: boolean): boolean {
  for (const r of rules) {
    const rel = relative(r.base, path).split(sep).join('/');
    if (rel && !rel.startsWith('..') && r.ig.ignores(isDir ? `${rel}/` : rel)) return true;
  }
  return false;
}

/** Yields absolute paths of source files under `root`, in directory order. */
export async function* sourceFiles(root: string): AsyncGenerator<string> {
  const stack: Array<{ dir: string; rules: Rules[] }> = [{ dir: root, rules: [] }];
  while (stack.length) {
    const { dir, rules: inherited } = stack.pop()!;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable folder: skip it, the rest of the workspace still counts
    }
    if (entries.some((e) => e.name === 'pyvenv.cfg')) continue; // a virtual environment
    const own = entries.some((e) => e.name === '.gitignore') ? await readGitignore(dir) : undefined;
    const rules = own ? [...inherited, { base: dir, ig: own }] : inherited;
    const subdirs: string[] = [];
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        if (SKIP_DIRS.has(e.name) || ignored(rules, path, true)) continue;
        subdirs.push(path);
      } else if (e.isFile() && hostLanguageOfPath(e.name) && !ignored(rules, path, false)) {
        yield path;
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push({ dir: subdirs[i], rules });
  }
}
