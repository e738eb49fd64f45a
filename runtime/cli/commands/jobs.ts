// `djx jobs [list|retry|ignore|clear|recover] <module or schema> [--table T] [--status S] [--json]`
//   list    the jobs (default: all statuses; --status error for the failures)
//   retry   delete error jobs (all, or --key) so the next refresh or populate retries them
//   ignore  mark keys (--key, JSON object, repeatable) as ignore
//   clear   delete jobs (all, or of --status, or --key)
//   recover re-pend reservations whose holder is known to be dead (and with --older-than
//           those reserved longer than that whose holder is not known to be alive)
// Exit 0 on success; 1 when a table's jobs could not be handled (the others still are);
// 2 on usage or connection errors.
import { Option, type Command } from 'commander';
import { JOB_STATUSES, type JobStatus } from '../../jobs/definition';
import type { JobRow } from '../../jobs/queue';
import { errorStackText, unpackBlob } from '../../blob/index';
import { jsonKey } from '../../populate/events';
import { TableJobs } from '../../populate/table-jobs';
import type { PopulateTarget } from '../../populate/target';
import { collect, tolerateClosedStdout, EXIT_DONE, EXIT_KEY_FAILED, EXIT_USAGE, failWith, parseCount } from '../exit';
import { parseJsonObject, refuseUnknownAttributes } from '../populate/option-values';
import { resolveTargets } from '../populate/targets';
import { ERROR_PREFIX } from '../name';

const ACTIONS = ['list', 'retry', 'ignore', 'clear', 'recover'] as const;
type Action = (typeof ACTIONS)[number];

interface JobsCliOptions {
  table?: string;
  status?: JobStatus;
  key?: string[];
  limit?: number;
  stack?: boolean;
  olderThan?: number;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('jobs')
    .description('list and manage the jobs tables (~~name) of Computed and Imported tables')
    .argument('<action-or-target>', `${ACTIONS.join(' | ')} (default list), or directly the module or schema`)
    .argument('[target]', 'pipeline module (.ts/.js) or schema name')
    .option('-t, --table <name>', 'only this table (class name)')
    .addOption(new Option('-s, --status <status>', 'only jobs of this status').choices([...JOB_STATUSES]))
    .option('-k, --key <json>', 'a job key as a JSON object (repeatable)', collect)
    .option('-n, --limit <n>', 'list at most n jobs per table', parseCount('--limit'))
    .option('--stack', 'list: include the stored error stacks')
    .option('--older-than <seconds>', 'recover: also reservations older than this whose holder may be dead (e.g. on another host)', parseCount('--older-than', 1))
    .option('--json', 'JSON output')
    .action(async (first: string, second: string | undefined, opts: JobsCliOptions) => {
      let action: Action = 'list';
      let target = first;
      if ((ACTIONS as readonly string[]).includes(first)) {
        action = first as Action;
        if (!second) {
          process.stderr.write(`${ERROR_PREFIX}jobs ${first} needs a pipeline module or schema\n`);
          process.exitCode = EXIT_USAGE;
          return;
        }
        target = second;
      } else if (second) {
        process.stderr.write(`${ERROR_PREFIX}unknown jobs action ${first}; use ${ACTIONS.join(', ')}\n`);
        process.exitCode = EXIT_USAGE;
        return;
      }
      process.exitCode = await runJobs(action, target, opts);
    });
}

/** The stored stack as text (Python's and ours are blob strings); undefined when absent or unreadable. */
function stackText(data: Uint8Array | null): string | undefined {
  if (!data) return undefined;
  try {
    return errorStackText(unpackBlob(Buffer.from(data.buffer, data.byteOffset, data.byteLength)));
  } catch {
    return undefined;
  }
}

function keysOf(opts: JobsCliOptions): Array<Record<string, unknown>> | undefined {
  return opts.key?.map((k) => parseJsonObject('--key', k));
}

function jobJson(j: JobRow, stack?: string) {
  return {
    key: jsonKey(j.key),
    status: j.status,
    priority: j.priority,
    createdTime: j.createdTime,
    scheduledTime: j.scheduledTime,
    reservedTime: j.reservedTime,
    completedTime: j.completedTime,
    duration: j.duration,
    errorMessage: j.errorMessage,
    user: j.user,
    host: j.host,
    pid: j.pid,
    connectionId: j.connectionId,
    version: j.version,
    holder: j.holder,
    ...(stack !== undefined ? { errorStack: stack } : {}),
  };
}

async function runJobs(action: Action, arg: string, opts: JobsCliOptions): Promise<number> {
  if (opts.olderThan !== undefined && action !== 'recover') {
    process.stderr.write(`${ERROR_PREFIX}--older-than applies to jobs recover only, not jobs ${action}\n`);
    return EXIT_USAGE;
  }
  tolerateClosedStdout();
  let close: (() => Promise<void>) | undefined;
  try {
    const keys = keysOf(opts);
    if (action === 'ignore' && !keys) throw new SyntaxError('jobs ignore needs --key <json> (repeatable)');
    const resolved = await resolveTargets(arg, opts.table);
    close = resolved.close;
    if (keys) {
      // A job is named by its jobs table's key; over several tables, by any of theirs.
      const known = new Set<string>();
      for (const t of resolved.targets) for (const c of await t.jobKeyColumns()) known.add(c.name);
      const names = resolved.targets.map((t) => t.name).join(', ');
      refuseUnknownAttributes('--key', opts.key!, keys, [...known], `the job key of ${names}`);
    }
    const out: Array<Record<string, unknown>> = [];
    let failed = 0;
    for (const target of resolved.targets) {
      try {
        await handleTable(target, action, opts, keys, out);
      } catch (e) {
        // One table whose jobs cannot be read does not hide the others.
        failed++;
        const error = e instanceof Error ? e.message : String(e);
        out.push({ table: target.name, schema: target.database, error });
        if (!opts.json) process.stderr.write(`${target.name}: ${error}\n`);
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

/** One table's part of `djx jobs`: appends its JSON entry to `out` and prints text. */
async function handleTable(
  target: PopulateTarget,
  action: Action,
  opts: JobsCliOptions,
  keys: Array<Record<string, unknown>> | undefined,
  out: Array<Record<string, unknown>>,
): Promise<void> {
  const jobs = new TableJobs(target);
  const tableName = await jobs.tableName();
  if (action === 'list') {
    const list = (await (await jobs.queue()).list({ status: opts.status, keys, limit: opts.limit })) as JobRow[];
    const queue = await jobs.queue();
    const rows = [];
    for (const j of list) {
      const stack = opts.stack && j.status === 'error' ? stackText(await queue.errorStack(j.key)) : undefined;
      rows.push(jobJson(j, stack));
    }
    out.push({ table: target.name, jobsTable: tableName, schema: target.database, jobs: rows });
    if (!opts.json) {
      process.stdout.write(`${target.name} (${target.database}.${tableName}): ${list.length} job(s)\n`);
      for (const r of rows) {
        const holder = r.holder && r.holder !== 'alive' ? ` holder ${r.holder}` : '';
        process.stdout.write(`  ${r.status.padEnd(8)} p${String(r.priority).padEnd(3)} ${JSON.stringify(r.key)}${r.errorMessage ? `  ${r.errorMessage}` : ''}${r.host ? `  [${r.host}:${r.pid}${holder}]` : ''}\n`);
        if (r.errorStack) process.stdout.write(r.errorStack.replace(/^/gm, '      ') + '\n');
      }
    }
  } else if (action === 'recover') {
    const r = await jobs.recover({ olderThan: opts.olderThan });
    const rePended = r.rePended.map(jsonKey);
    const completed = r.completed.map(jsonKey);
    out.push({ table: target.name, jobsTable: tableName, schema: target.database, action, rePended, completed });
    if (!opts.json) {
      process.stdout.write(`${target.name}: ${rePended.length} reservation(s) re-pended${completed.length ? `, ${completed.length} already computed (job completed)` : ''}\n`);
      for (const k of rePended) process.stdout.write(`  pending   ${JSON.stringify(k)}\n`);
      for (const k of completed) process.stdout.write(`  completed ${JSON.stringify(k)}\n`);
    }
  } else {
    let n: number;
    if (action === 'retry') n = await jobs.retry(keys);
    else if (action === 'ignore') n = await jobs.ignore(keys!);
    else n = await jobs.clear({ status: opts.status, keys });
    out.push({ table: target.name, jobsTable: tableName, schema: target.database, action, count: n });
    if (!opts.json) {
      const verb = action === 'retry' ? 'error jobs deleted for retry' : action === 'ignore' ? 'keys marked ignore' : 'jobs deleted';
      process.stdout.write(`${target.name}: ${n} ${verb}\n`);
    }
  }
}
