// The `djx` launcher that an sbatch script written by the extension falls back on when no
// `djx` is on the task's PATH. The extension's bundled CLI (…/extensions/<id>-<version>/dist/
// cli.js) and VS Code's Node (…/.vscode-server/bin/<commit>/node, or the desktop's Electron)
// both move whenever VS Code or the extension updates, so a committed script that named them
// would break at the next update. The script names this launcher instead: a file in a folder
// that outlives versions (the extension's global storage), rewritten by the extension on
// activation and before each script it writes, which execs whatever Node and CLI are current.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { shellQuote } from './sbatch-script';

/** The launcher's file name in its folder. */
export const LAUNCHER_NAME = 'djx';

export interface LauncherTarget {
  /** The Node to run the CLI with (VS Code's own: `process.execPath` of the extension host). */
  node: string;
  /** The bundled CLI (dist/cli.js). */
  cli: string;
  /** Who wrote it, for the reader (e.g. `datajoint-vscode 0.1.0`). */
  writtenBy: string;
}

function absoluteLine(what: string, path: string): void {
  if (!path.startsWith('/') || /[\0\n\r]/.test(path)) throw new Error(`the launcher's ${what} must be an absolute path on one line, got ${JSON.stringify(path)}`);
}

/** The launcher's text: a POSIX sh script (compute nodes may lack bash's extras). */
export function launcherScript(t: LauncherTarget): string {
  absoluteLine('node', t.node);
  absoluteLine('cli', t.cli);
  return [
    '#!/bin/sh',
    `# djx as ${t.writtenBy.replace(/[\0\n\r]/g, ' ')} runs it now: VS Code's own Node and the extension's bundled CLI.`,
    '# Both paths change when VS Code or the extension updates: the extension rewrites this file on',
    '# activation and before each sbatch script it writes, so the scripts that name it keep working.',
    '# Do not edit (it is overwritten); a `djx` on PATH is preferred by those scripts anyway.',
    `node=${shellQuote(t.node)}`,
    `cli=${shellQuote(t.cli)}`,
    'if [ ! -x "$node" ] || [ ! -f "$cli" ]; then',
    `  echo "djx launcher $0: $node or $cli is gone (VS Code or DataJoint for VS Code was updated or removed since this launcher was written). Open the workspace once in VS Code with DataJoint for VS Code (it rewrites this launcher), or install djx on PATH." >&2`,
    '  exit 127',
    'fi',
    '# Electron (a desktop VS Code) runs as Node only with this; a plain Node ignores it.',
    'ELECTRON_RUN_AS_NODE=1',
    'export ELECTRON_RUN_AS_NODE',
    'exec "$node" "$cli" "$@"',
    '',
  ].join('\n');
}

/**
 * Writes the launcher into `dir` (made when missing) and returns its path. The new text goes
 * to a temporary file first and is renamed over the old one, so a task starting meanwhile
 * reads either launcher whole, never half of one.
 */
export function writeLauncher(dir: string, t: LauncherTarget): string {
  const text = launcherScript(t);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, LAUNCHER_NAME);
  const temp = join(dir, `.${LAUNCHER_NAME}.${process.pid}.${randomBytes(4).toString('hex')}`);
  writeFileSync(temp, text, { mode: 0o755 });
  chmodSync(temp, 0o755);
  renameSync(temp, file);
  return file;
}

/**
 * Rewrites the launcher in `dir` only where it exists and names another Node or CLI (an
 * update since it was written): a machine that never wrote an sbatch script gets none,
 * and an unchanged one is left alone. True when it was rewritten.
 */
export function refreshLauncher(dir: string, t: LauncherTarget): boolean {
  const file = join(dir, LAUNCHER_NAME);
  let current: string;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  if (current === launcherScript(t)) return false;
  writeLauncher(dir, t);
  return true;
}
