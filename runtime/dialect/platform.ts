// The platform-managed columns a table gets, as declare.py: prepare_declare adds them
// (2.3.5) on both backends: after the declared lines, `_singleton` for a table with no
// primary key of its own, then the job metadata on Computed and Imported masters when
// jobs.add_job_metadata is on. Only the columns' SQL differs between the dialects.
import type { ColumnSpec } from './types';

// user_tables.py: tier_regexp of Computed and Imported masters, matched in full (is_tier).
const BASE = '[a-z][a-z0-9]*(?:_[a-z][a-z0-9]*)*';
const AUTO_POPULATED = new RegExp(`^(?:__${BASE}|_${BASE})$`);

export function platformColumnsFor(
  table: string,
  needsSingleton: boolean,
  addJobMetadata: boolean,
  columns: { singleton: ColumnSpec; jobMetadata: readonly ColumnSpec[] },
): ColumnSpec[] {
  const out = needsSingleton ? [{ ...columns.singleton }] : [];
  if (addJobMetadata && AUTO_POPULATED.test(table)) out.push(...columns.jobMetadata.map((c) => ({ ...c })));
  return out;
}
