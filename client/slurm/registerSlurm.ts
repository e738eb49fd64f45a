// Registers "DataJoint: Run Workers on SLURM…" (slurmCommand.ts), and rewrites the `djx`
// launcher its scripts fall back on (launcherFile.ts) after each activation, where one exists: an update of
// VS Code or of the extension moved the Node and CLI it names, and scripts written before
// (committed, resubmitted with sbatch) must reach the new ones.
import * as vscode from 'vscode';
import { RUN_WORKERS_ON_SLURM_COMMAND } from '../commandNames';
import type { Notices } from '../notices';
import { refreshExistingLauncher, type LauncherPlace } from './launcherFile';
import { runWorkersOnSlurm, type SlurmArgument } from './slurmCommand';

export function registerSlurmCommand(context: vscode.ExtensionContext, notices: Notices): void {
  const version = String((context.extension.packageJSON as { version?: unknown }).version ?? '');
  const place: LauncherPlace = {
    globalStorage: context.globalStorageUri.fsPath,
    cliPath: context.asAbsolutePath('dist/cli.js'),
    writtenBy: `${context.extension.id} ${version}`.trim(),
  };
  // After activation, and only where a script once made a launcher: the scripts committed
  // since then find the current Node and CLI through it.
  setImmediate(() => {
    try {
      refreshExistingLauncher(place);
    } catch (e) {
      // Not fatal here: the command writes it again before a script and reports a failure then.
      console.warn(`DataJoint: could not update the djx launcher: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  const ctx = { memory: context.workspaceState, notices, launcher: place };
  context.subscriptions.push(
    vscode.commands.registerCommand(RUN_WORKERS_ON_SLURM_COMMAND, (arg?: SlurmArgument) =>
      // A Tables view node is not a module: ask for one then.
      runWorkersOnSlurm(ctx, arg && typeof arg.module === 'string' ? arg : undefined),
    ),
  );
}
