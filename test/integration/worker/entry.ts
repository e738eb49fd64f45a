// `djx` from sources with the commands a worker needs (worker; populate, whose hidden
// populate-worker command the --processes workers re-enter), for the worker tests.
import { Command, CommanderError } from 'commander';
import * as populate from '../../../runtime/cli/commands/populate';
import * as worker from '../../../runtime/cli/commands/worker';
import { EXIT_USAGE } from '../../../runtime/cli/exit';
import { CLI_NAME, ERROR_PREFIX } from '../../../runtime/cli/name';

const program = new Command(CLI_NAME).exitOverride();
for (const c of [populate, worker]) c.register(program);
program.parseAsync(process.argv.slice(2), { from: 'user' }).then(
  () => {
    process.exitCode ??= 0;
  },
  (e: unknown) => {
    if (!(e instanceof CommanderError)) process.stderr.write(`${ERROR_PREFIX}${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = e instanceof CommanderError && e.exitCode === 0 ? 0 : EXIT_USAGE;
  },
);
