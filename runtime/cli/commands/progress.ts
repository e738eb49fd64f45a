// `djx progress <module or schema> [--table T] [--restriction R]... [--json]`: for each
// Computed/Imported table, the keys still to compute against all keys of its key source
// (autopopulate.py: progress) and its jobs by status. Exit 0; 1 when a table could not be
// measured (the others are still shown); 2 on usage/connection errors.
import type { Command } from 'commander';
import { TableJobs } from '../../populate/table-jobs';
import { collect, tolerateClosedStdout, EXIT_DONE, EXIT_KEY_FAILED, failWith } from '../exit';
import { parseRestriction, refuseUnknownAttributes } from '../populate/option-values';
import { resolveTargets } from '../populate/targets';

interface ProgressCliOptions {
  table?: string;
  restriction?: string[];
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('progress')
    .description('remaining/total keys and jobs by status of Computed and Imported tables')
    .argument('<target>', 'pipeline module (.ts/.js) or schema name')
    .option('-t, --table <name>', 'only this table (class name)')
    .option('-r, --restriction <condition>', 'SQL condition or JSON object restricting the key source (repeatable)', collect)
    .option('--json', 'JSON output')
    .action(async (arg: string, opts: ProgressCliOptions) => {
      process.exitCode = await runProgress(arg, opts);
    });
}

async function runProgress(arg: string, opts: ProgressCliOptions): Promise<number> {
  tolerateClosedStdout();
  let close: (() => Promise<void>) | undefined;
  try {
    const texts = opts.restriction ?? [];
    const restrictions = texts.map((t) => parseRestriction(t));
    const resolved = await resolveTargets(arg, opts.table);
    close = resolved.close;
    if (restrictions.some((r) => typeof r === 'object')) {
      // Over several tables, an attribute that one key source lacks is ignored there (as
      // in the reference); one that none has is a typo.
      const known = new Set<string>();
      for (const t of resolved.targets) for (const a of await t.keySourceAttributes()) known.add(a);
      const names = resolved.targets.map((t) => t.name).join(', ');
      refuseUnknownAttributes('--restriction', texts, restrictions, [...known], `the key source of ${names}`);
    }
    const out: Array<Record<string, unknown>> = [];
    let failed = 0;
    for (const target of resolved.targets) {
      let p: Awaited<ReturnType<TableJobs['progress']>>;
      try {
        p = await new TableJobs(target).progress(...(restrictions as never[]));
      } catch (e) {
        // One table whose key source cannot be built does not hide the others.
        failed++;
        const error = e instanceof Error ? e.message : String(e);
        out.push({ table: target.name, schema: target.database, error });
        if (!opts.json) process.stderr.write(`${target.name}: ${error}\n`);
        continue;
      }
      out.push({ table: target.name, schema: target.database, remaining: p.remaining, total: p.total, jobs: p.jobs });
      if (!opts.json) {
        const done = p.total - p.remaining;
        const pct = p.total ? ((100 * done) / p.total).toFixed(1) : '100.0';
        const jobs = Object.entries(p.jobs)
          .filter(([k, v]) => k !== 'total' && v > 0)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ');
        process.stdout.write(`${target.name.padEnd(20)} Completed ${done} of ${p.total} (${pct}%), ${p.remaining} remaining${jobs ? `; jobs: ${jobs}` : ''}\n`);
      }
    }
    if (opts.json) process.stdout.write(JSON.stringify(out) + '\n');
    return failed ? EXIT_KEY_FAILED : EXIT_DONE;
  } catch (e) {
    return failWith(e);
  } finally {
    await close?.().catch(() => undefined);
  }
}
