// Recover in the Workers view: the reservations of one gone holder given back to the queue
// (a key already in its table is completed instead), table by table through the runtime's
// recover restricted to that host and pid; the holder rule is applied again there, so a
// holder that came back to life meanwhile keeps its keys.
import * as vscode from 'vscode';
import type { ComputationsDatabase } from '../jobs/computationsDatabase';
import { plural } from '../populate/runSummary';
import type { JobsNode } from '../jobs/jobsTree';
import { cancel } from '../../runtime/slurm/cluster';
import type { WorkersNode } from './workersTree';

/**
 * Cancel SLURM Job: `scancel` of the task a holder's sessions are named after (asked first;
 * `confirmed` skips the question for API callers). SLURM sends SIGTERM, our worker stops
 * after its key in progress and gives nothing half-made; resolves to whether it was sent.
 */
export async function cancelSlurmHolder(node: WorkersNode | JobsNode | undefined, options?: { confirmed?: boolean }): Promise<boolean> {
  // A Workers view holder, or a Jobs view reservation whose session names its task.
  const slurm = node?.kind === 'holder' ? node.holder.slurm : node?.kind === 'job' ? node.slurm : undefined;
  if (!slurm) return false;
  if (!options?.confirmed) {
    const button = 'Cancel SLURM Job';
    const answer = await Promise.resolve(
      vscode.window.showWarningMessage(`Cancel SLURM job ${slurm.id}? Its worker stops after the key in progress; its other reservations go back to the queue when it ends.`, { modal: true }, button),
    ).catch(() => undefined);
    if (answer !== button) return false;
  }
  try {
    await cancel(slurm.id);
    void vscode.window.showInformationMessage(`scancel ${slurm.id} sent.`);
    return true;
  } catch (e) {
    void vscode.window.showErrorMessage(`Cancel SLURM job ${slurm.id}: ${e instanceof Error ? e.message : String(e)}`);
    return false;
  }
}

/** Resolves to how many reservations were taken back. */
export async function recoverHolder(db: ComputationsDatabase, node: WorkersNode | undefined): Promise<number> {
  if (node?.kind !== 'holder') return 0;
  const { holder } = node;
  const tables = new Map(holder.keys.map((k) => [`${k.table.schema}.${k.table.name}`, k.table]));
  let rePended = 0;
  let completed = 0;
  try {
    for (const table of tables.values()) {
      const r = await db.withJobs(table.schema, table.name, (jobs) => jobs.recover({ holder: { host: holder.host, pid: holder.pid } }));
      rePended += r.rePended.length;
      completed += r.completed.length;
    }
  } catch (e) {
    void vscode.window.showErrorMessage(`Recover: ${e instanceof Error ? e.message : String(e)}`);
  }
  const n = rePended + completed;
  const done = completed ? ` (${completed} already computed: completed)` : '';
  void vscode.window.showInformationMessage(
    n ? `${holder.host} pid ${holder.pid}: ${plural(n, 'reservation')} given back to the queue${done}.` : `${holder.host} pid ${holder.pid}: no reservation to recover (its holder is not known to be gone).`,
  );
  return n;
}
