// Which files `djx lint` reads: the files named, and the host files below the folders
// named, chosen by runtime/hosts/files.ts as the language server chooses them (the same
// extensions, skipped folders and .gitignore rules).
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { languageOfPath, sourceFiles } from '../../hosts';
import { UsageError } from '../exit';

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
  const out: string[] = [];
  for await (const f of sourceFiles(dir)) out.push(path.normalize(f));
  return out;
}
