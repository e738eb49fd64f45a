// Read-only documents `datajoint-job:/<schema>/<Class> <key>.txt?…` showing an errored
// job's full stack, decoded from the jobs table's `error_stack` blob (written by our
// runtime or by DataJoint for Python: jobs.py stores the traceback as a blob string).
import * as vscode from 'vscode';
import { loadRuntime } from '../connection/loadRuntime';
import type { ComputationsDatabase } from './computationsDatabase';

export const JOB_SCHEME = 'datajoint-job';

export class JobStackDocuments implements vscode.TextDocumentContentProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly db: ComputationsDatabase) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const q = new URLSearchParams(uri.query);
    const schema = q.get('schema');
    const table = q.get('table');
    const keyText = q.get('key');
    if (!schema || !table || !keyText) return `Not a DataJoint job address: ${uri.toString()}`;
    let key: Record<string, unknown>;
    try {
      key = JSON.parse(keyText) as Record<string, unknown>;
    } catch {
      return `Not a DataJoint job key: ${keyText}`;
    }
    try {
      const found = await this.db.withJobs(schema, table, async (jobs) => {
        const queue = await jobs.queue();
        const [row] = await queue.list({ keys: [key], limit: 1 });
        return row && { row, jobsTable: await jobs.tableName(), stack: await queue.errorStack(key) };
      });
      if (!found) return `${schema}.${table} ${keyText}: no such job any more (retried or cleared).`;
      const { row, jobsTable } = found;
      const { readErrorStack } = await loadRuntime();
      const stack = readErrorStack(found.stack);
      const head = [
        `${schema}.${jobsTable}  ${keyText}`,
        `status: ${row.status}    host: ${row.host}:${row.pid}    user: ${row.user}`,
        // mysql2 may hand DATETIME(3) back as text, depending on the pool's dateStrings.
        row.completedTime ? `at: ${row.completedTime instanceof Date ? row.completedTime.toISOString() : String(row.completedTime)}` : '',
        `error: ${row.errorMessage}`,
        '',
      ].filter((l, i) => l !== '' || i === 4);
      return `${head.join('\n')}\n${stack ?? '(no stack stored)'}\n`;
    } catch (e) {
      return `Cannot read the job: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
