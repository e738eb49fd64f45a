// The `djx` command line: one commander program, subcommands registered by the modules
// in ./commands. Exit statuses: ./exit.ts.
import { Command, CommanderError } from 'commander';
import { version } from '../../package.json';
import { commands } from './commands';
import { CLI_NAME, ERROR_PREFIX } from './name';
import { EXIT_DONE, EXIT_FINDINGS, EXIT_USAGE, UsageError } from './exit';

export function createProgram(): Command {
  const program = new Command(CLI_NAME)
    .description('DataJoint for TypeScript and JavaScript: check definitions, populate tables, watch jobs.')
    .version(version, '-V, --version', 'print the version')
    .showHelpAfterError('(run `djx --help` for usage)')
    .exitOverride();
  for (const c of commands) c.register(program);
  return program;
}

/** Runs the CLI and returns the exit code (commander's own errors become usage errors). */
export async function run(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_DONE;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_DONE;
      return EXIT_USAGE;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`${ERROR_PREFIX}${err.message}\n`);
      return EXIT_USAGE;
    }
    const e = err as { toOneLine?: () => string; message?: string };
    process.stderr.write(`${ERROR_PREFIX}${typeof e.toOneLine === 'function' ? e.toOneLine() : (e.message ?? String(err))}\n`);
    return EXIT_FINDINGS;
  }
}
