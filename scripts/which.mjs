// Where a command is on PATH, for the scripts that start throwaway servers (mariadb.mjs,
// slurm.mjs): one lookup instead of a copy in each. It reads the PATH folders itself rather
// than asking a shell (`command -v`), so a name is never interpreted by one.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The absolute path of the executable `cmd` in PATH's folders, then in `also` (daemons in
 * /usr/sbin, which a non-login PATH may lack), or undefined when none has it.
 * `env` is the environment whose PATH is searched (the process's by default).
 */
export function which(cmd, { also = [], env = process.env } = {}) {
  if (!cmd || cmd.includes('/')) return undefined;
  const dirs = [...(env.PATH ?? '').split(delimiter), ...also].filter(Boolean);
  for (const dir of dirs) {
    const path = join(dir, cmd);
    try {
      if (!statSync(path).isFile()) continue;
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not here, or not executable: the next folder.
    }
  }
  return undefined;
}
