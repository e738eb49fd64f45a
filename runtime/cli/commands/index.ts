// Every `djx` subcommand. A command lives in its own module exporting `register(program)`;
// add one line here to make it part of the CLI.
import type { Command } from 'commander';
import * as db from './db';
import * as jobs from './jobs';
import * as lint from './lint';
import * as make from './make';
import * as populate from './populate';
import * as progress from './progress';
import * as worker from './worker';
import * as slurm from './slurm';
import * as k8s from './k8s';

export interface CommandModule {
  register(program: Command): void;
}

export const commands: readonly CommandModule[] = [lint, populate, make, worker, jobs, progress, db, slurm, k8s];
