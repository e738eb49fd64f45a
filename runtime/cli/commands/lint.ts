// `djx lint [--format text|json] [--max-warnings N] [--target auto|0.13|0.14|2] [--fix] <files or folders>...`: checks every
// definition in the given Python/TypeScript/JavaScript files, references resolved across
// all of them, with the same engine and messages as the editor.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { lint, type LintFormat } from '../lint/lint';
import { EXIT_DONE, EXIT_FINDINGS } from '../exit';
import { parseTargetSetting, type TargetSetting } from '../../project/datajoint-target';

export function register(program: Command): void {
  program
    .command('lint')
    .description('check the DataJoint table definitions in .py/.ts/.js files and folders')
    .argument('[paths...]', 'files or folders (folders are searched, skipping node_modules, virtual environments and git-ignored files)', ['.'])
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--max-warnings <n>', 'also fail when there are more than n warnings', parseCount)
    .option('-q, --quiet', 'report errors only')
    .option('--hints', 'also report hints: legacy and native types with their core replacement')
    .addOption(new Option('--target <version>', 'the DataJoint the Python definitions are written for (0.13: 0.12 and 0.13): auto detects it per file (installed version aside: the pin in pyproject.toml, requirements*.txt, setup.cfg, setup.py or environment.yml, else the types the definitions use)').choices(['auto', '0.13', '0.14', '2']).default('auto'))
    .option('--fix', 'apply every machine-applicable fix to the files (with --target 2: migrate the definitions to DataJoint 2), then report what is left')
    .action(async (paths: string[], opts: { format: LintFormat; maxWarnings?: number; quiet?: boolean; hints?: boolean; target: string; fix?: boolean }) => {
      const target: TargetSetting = parseTargetSetting(opts.target) ?? 'auto';
      const result = await lint(paths, { cwd: process.cwd(), format: opts.format, quiet: opts.quiet ?? false, hints: opts.hints ?? false, target, fix: opts.fix ?? false });
      process.stdout.write(result.output);
      process.stderr.write(result.summary + '\n');
      const tooMany = opts.maxWarnings !== undefined && result.warnings > opts.maxWarnings;
      process.exitCode = result.errors > 0 || tooMany ? EXIT_FINDINGS : EXIT_DONE;
    });
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number.');
  return n;
}
