// The status line of an auto-populated node: the counts the CodeLens and the Jobs view
// read (TableJobs.progress: keys done of the key source, remaining, error and reserved
// jobs), short enough for a node. No vscode import: unit-tested.
import type { NodeStatus } from '../../runtime/diagram/svg';

export interface NodeCounts {
  remaining: number;
  total: number;
  error: number;
  reserved: number;
}

export function statusOf(c: NodeCounts, running = false): NodeStatus {
  const done = Math.max(0, c.total - c.remaining);
  const parts = [`${done}/${c.total} done`];
  if (c.remaining) parts.push(`${c.remaining} left`);
  if (c.error) parts.push(`${c.error} ${c.error === 1 ? 'error' : 'errors'}`);
  if (c.reserved) parts.push(`${c.reserved} reserved`);
  return { text: parts.join(' · '), running, error: c.error > 0 };
}
