// test/fixtures/python/interop_lab.py run from the tests, and the shape of what its
// `describe` prints (DataJoint for Python's own view of a schema).
import assert from 'node:assert/strict';
import { jsonLines, runPython } from './helpers';

/** A command of interop_lab.py on a schema (DJ_PIPELINE_SCHEMA); its last JSON line. */
export async function labPython<T>(schema: string, ...args: string[]): Promise<T> {
  const run = await runPython('interop_lab.py', args, { env: { DJ_PIPELINE_SCHEMA: schema } });
  const code = await run.done;
  assert.equal(code, 0, `interop_lab.py ${args.join(' ')} exited ${code}\n${run.stderr()}`);
  const out = jsonLines<T>(run).pop();
  assert.ok(out !== undefined, `interop_lab.py ${args.join(' ')} printed no JSON\n${run.stdout()}`);
  return out;
}

export interface PyAttribute {
  name: string;
  type: string;
  /** The type from the column's marker; null for an FK-copied column (notes §5.7). */
  original_type: string | null;
  sql_type: string;
  codec: string | null;
  in_key: boolean;
  nullable: boolean;
  default: string | null;
  /** null: no comment on PostgreSQL (Python reads col_description's NULL). */
  comment: string | null;
  /** `{db}.table.attribute`: the schema's own name written {db}. */
  lineage: string | null;
}

export interface PyTable {
  class: string;
  tier: string;
  master: string | null;
  heading: PyAttribute[];
  primary_key: string[];
  /** `` `{db}`.`table` `` */
  parents: string[];
  parts: string[];
}

/** SQL table name -> what Python's classes for it say. */
export type PyDescription = Record<string, PyTable>;

/** The classes of dj.VirtualModule and of Schema.make_classes (2.x's spawn_missing_classes). */
export interface PyViews {
  virtual_module: PyDescription;
  make_classes: PyDescription;
}
