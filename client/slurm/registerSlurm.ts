// Registers "DataJoint: Run Workers on SLURM…" (slurmCommand.ts).
import * as vscode from 'vscode';
import { RUN_WORKERS_ON_SLURM_COMMAND } from '../commandNames';
import type { Notices } from '../notices';
import { runWorkersOnSlurm, type SlurmArgument } from './slurmCommand';

export function registerSlurmCommand(context: vscode.ExtensionContext, notices: Notices): void {
  const ctx = { memory: context.workspaceState, notices, cliPath: context.asAbsolutePath('dist/cli.js') };
  context.subscriptions.push(
    vscode.commands.registerCommand(RUN_WORKERS_ON_SLURM_COMMAND, (arg?: SlurmArgument) =>
      // A Tables view node is not a module: ask for one then.
      runWorkersOnSlurm(ctx, arg && typeof arg.module === 'string' ? arg : undefined),
    ),
  );
}
