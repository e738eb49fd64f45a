// Where the extension keeps the `djx` launcher that its sbatch scripts fall back on
// (runtime/slurm/launcher.ts): the extension's global storage, which is per extension and
// not per version (under Remote-SSH on the remote machine, where the jobs are submitted),
// so the path written into a committed script stays valid across updates while the file
// itself is rewritten to name the current Node and CLI. No vscode import: the paths are
// given (registerSlurm.ts), so a unit test can write and run the launcher.
import { join } from 'node:path';
import { refreshLauncher, writeLauncher, type LauncherTarget } from '../../runtime/slurm/launcher';

export interface LauncherPlace {
  /** The extension's global storage folder (context.globalStorageUri.fsPath). */
  globalStorage: string;
  /** The bundled CLI (dist/cli.js of the installed version). */
  cliPath: string;
  /** `datajoint-vscode <version>`. */
  writtenBy: string;
  /** VS Code's Node; default: this extension host's. */
  node?: string;
}

/** The launcher's folder: `bin/` of the global storage. */
export function launcherDir(globalStorage: string): string {
  return join(globalStorage, 'bin');
}

const targetOf = (p: LauncherPlace): LauncherTarget => ({ node: p.node ?? process.execPath, cli: p.cliPath, writtenBy: p.writtenBy });

/** (Re)writes the launcher for the running VS Code and extension (before a script names it); its path. */
export function updateLauncher(p: LauncherPlace): string {
  return writeLauncher(launcherDir(p.globalStorage), targetOf(p));
}

/** At activation: brings an existing launcher up to date after an update; writes none where there is none. */
export function refreshExistingLauncher(p: LauncherPlace): boolean {
  return refreshLauncher(launcherDir(p.globalStorage), targetOf(p));
}
