// `djx lint [--format text|json] [--max-warnings N] <files or folders>...`: checks every
// definition in the given Python/TypeScript/JavaScript files, references resolved across
// all of them, with the same engine and messages as the editor.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { lint, type LintFormat } from '../lint/lint';

export function register(program: Command): void {
  program
    .command('lint')
    .description('check the DataJoint table definitions in .py/.ts/.js files and folders')
    .argument('[paths...]', 'files or folders (folders are searched, skipping node_modules, virtual environments and git-ignored files)', ['.'])
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--max-warnings <n>', 'also fail when there are more than n warnings', parseCount)
    .option('-q, --quiet', 'report errors only')
    .option('--hints', 'also report hints: legacy and native types with their core replacement')
    .action(async (paths: string[], opts: { format: LintFormat; maxWarnings?: number; quiet?: boolean; hints?: boolean }) => {
      const result = await lint(paths, { cwd: process.cwd(), format: opts.format, quiet: opts.quiet ?? false, hints: opts.hints ?? false });
      process.stdout.write(result.output);
      process.stderr.write(result.summary + '\n');
      const tooMany = opts.maxWarnings !== undefined && result.warnings > opts.maxWarnings;
      process.exitCode = result.errors > 0 || tooMany ? 1 : 0;
    });
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number.');
  return n;
}
