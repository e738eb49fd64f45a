// A `djx` with only the populate, make, jobs and progress commands, for tests and for running
// from sources before they are listed in commands/index.ts:
//   node --import tsx runtime/cli/populate/standalone.ts populate pipeline.ts Analysis
import { Command, CommanderError } from 'commander';
import * as populate from '../commands/populate';
import * as jobs from '../commands/jobs';
import * as make from '../commands/make';
import * as progress from '../commands/progress';
import { EXIT_USAGE } from '../exit';
import { CLI_NAME, ERROR_PREFIX } from '../name';

const program = new Command(CLI_NAME).exitOverride();
for (const c of [populate, make, jobs, progress]) c.register(program);
program.parseAsync(process.argv.slice(2), { from: 'user' }).then(
  () => {
    process.exitCode ??= 0;
  },
  (e: unknown) => {
    if (!(e instanceof CommanderError)) process.stderr.write(`${ERROR_PREFIX}${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = e instanceof CommanderError && e.exitCode === 0 ? 0 : EXIT_USAGE;
  },
);
