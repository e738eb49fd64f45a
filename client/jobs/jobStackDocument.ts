// Read-only documents `datajoint-job:/<schema>/<Class> <key>.txt?…` showing an errored
// job's full stack, decoded from the jobs table's `error_stack` blob (written by our
// runtime or by DataJoint for Python: jobs.py stores the traceback as a blob string).
// They are read again whenever the Jobs view refreshes (a retried job's document then
// says so); the files its frames name are links (stackFrames.ts), and the frames of the
// extension's own minified bundle are left out.
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { loadRuntime } from '../connection/loadRuntime';
import type { ComputationsDatabase } from './computationsDatabase';
import { dropBundleFrames, frameLocations } from './stackFrames';

export const JOB_SCHEME = 'datajoint-job';

export class JobStackDocuments implements vscode.TextDocumentContentProvider, vscode.DocumentLinkProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;

  /** `bundleDir`: the extension's dist/ folder, whose frames are left out. */
  constructor(
    private readonly db: ComputationsDatabase,
    private readonly bundleDir: string,
  ) {}

  /** Reads every open job document again. */
  refreshOpen(): void {
    for (const doc of vscode.workspace.textDocuments) if (doc.uri.scheme === JOB_SCHEME && !doc.isClosed) this.emitter.fire(doc.uri);
  }

  provideDocumentLinks(doc: vscode.TextDocument): vscode.DocumentLink[] {
    return frameLocations(doc.getText())
      .filter((f) => existsSync(f.path))
      .map((f) => {
        const link = new vscode.DocumentLink(
          new vscode.Range(doc.positionAt(f.start), doc.positionAt(f.end)),
          vscode.Uri.file(f.path).with({ fragment: f.line ? `L${f.line}${f.column ? `,${f.column}` : ''}` : '' }),
        );
        link.tooltip = 'Open the source';
        return link;
      });
  }

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
      const raw = readErrorStack(found.stack);
      const stack = raw === undefined ? raw : dropBundleFrames(raw, this.bundleDir);
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
