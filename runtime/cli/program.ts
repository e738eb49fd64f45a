// The `djx` command line: one commander program, subcommands registered by the modules
// in ./commands. Exit codes: 0 ok, 1 findings or failures, 2 usage errors.
import { Command, CommanderError } from 'commander';
import { version } from '../../package.json';
import { commands } from './commands';
import { CLI_NAME, ERROR_PREFIX } from './name';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

/** A usage error raised by a command (bad path, bad option value): exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

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
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK;
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
