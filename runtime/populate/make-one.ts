// One key's make, run to be watched rather than kept ("Debug make() for this key"): the
// key's transaction as populate runs it (runner.ts; autopopulate.py: _populate1), rolled
// back at its end after counting what make wrote; or, for a three-part make, only
// makeFetch and makeCompute, with no transaction at all. The jobs table is never touched:
// a run that keeps its result is an ordinary populate of that one key (the CLI's
// `make --keep`). The reference has no such mode; DataJoint for Python's side is the
// runner's `make` subcommand (python/datajoint_vscode_runner.py).
import type { SqlSession } from '../jobs/session';
import { canonicalHash } from './hash';
import { keyInTarget } from './keysource';
import { ChangedInputsError, errorMessage } from './runner';
import type { Key, MakeKwargs, PopulateTarget } from './target';

export type MakeOneMode = 'rollback' | 'compute';

export type MakeOneResult =
  | { status: 'already-done'; key: Key }
  | { status: 'rolled-back'; key: Key; rows: Record<string, number> }
  | { status: 'computed'; key: Key; computed: unknown }
  | { status: 'failed'; key: Key; message: string; error: unknown };

/** A key that does not name exactly one key of the key source. */
export class KeyChoiceError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'KeyChoiceError';
  }
}

/** Ends the key's transaction with a ROLLBACK once make's rows are counted. */
class RollBack extends Error {
  constructor(readonly rows: Record<string, number>) {
    super('rolled back');
  }
}

export function isThreePart(target: PopulateTarget): boolean {
  const h = target.hooks;
  return Boolean(h.makeFetch && h.makeCompute && h.makeInsert && !h.make);
}

/** The one key of the key source that `key` names, as the database returns it. */
export async function keyOfSource(target: PopulateTarget, key: Key): Promise<Key> {
  const known = await target.keySourceAttributes();
  const unknown = Object.keys(key).filter((k) => !known.includes(k));
  if (unknown.length) throw new KeyChoiceError(`names ${unknown.join(', ')}, not in the key source of ${target.name} (${known.join(', ')})`);
  if (Object.keys(key).length === 0) throw new KeyChoiceError(`names no attribute of the key source of ${target.name} (${known.join(', ')})`);
  let ks: Awaited<ReturnType<PopulateTarget['keySource']>>;
  try {
    ks = await target.keySource([key]);
  } catch (e) {
    // A value the attribute's type refuses (a text for an integer): the key names nothing.
    // By its code: a custom key source may come from the pipeline's own copy of the runtime.
    if ((e as { code?: unknown })?.code === 'value') throw new KeyChoiceError(`cannot name a key of ${target.name}: ${(e as Error).message}`);
    throw e;
  }
  const q = target.session.sql;
  const cols = ks.primaryKey.map((c) => q.quote(c)).join(', ');
  const rows = await target.session.query(`SELECT DISTINCT ${cols} FROM (${ks.sql.sql}) AS ${q.quote('$ks')} ORDER BY ${cols} LIMIT 2`, ks.sql.params);
  if (rows.length !== 1) {
    throw new KeyChoiceError(rows.length === 0 ? `matches no key of the key source of ${target.name}` : `matches more than one key of the key source of ${target.name} (name every one of ${ks.primaryKey.join(', ')})`);
  }
  return rows[0]!;
}

/** The Part tables of the target, by the reference's naming (`<master>__<part>`). */
async function partTables(session: SqlSession, database: string, master: string): Promise<string[]> {
  const pattern = `${master.replace(/[\\_%]/g, (c) => `\\${c}`)}\\_\\_%`;
  const rows = await session.query<{ name: string }>(
    'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE ? ORDER BY TABLE_NAME',
    [database, pattern],
  );
  return rows.map((r) => String(r.name));
}

/** Rows for `raw` in the target and its parts, seen from inside make's transaction. */
async function rowsWritten(target: PopulateTarget, raw: Key): Promise<Record<string, number>> {
  const q = target.session.sql;
  const where = Object.keys(raw).map((k) => `${q.quote(k)} = ?`).join(' AND ');
  const params = Object.values(raw);
  const counts: Record<string, number> = {};
  const count = async (table: string, label: string) => {
    const [row] = await target.session.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${q.qualified(target.database, table)} WHERE ${where}`, params);
    counts[label] = Number(row?.n ?? 0);
  };
  await count(target.tableName, target.name);
  for (const part of await partTables(target.session, target.database, target.tableName)) {
    await count(part, `${target.name}.${partClassName(part.slice(target.tableName.length + 2))}`);
  }
  return counts;
}

/** `detail_row` → `DetailRow`: the reference's class name of a table name. */
function partClassName(table: string): string {
  return table.replace(/(?:^|_)([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * Runs make for the key of the key source that `key` names. Refuses (KeyChoiceError) a
 * key that names none or several; reports a key already in the target without running.
 */
export async function makeOneKey(target: PopulateTarget, key: Key, mode: MakeOneMode, kwargs: MakeKwargs = {}): Promise<MakeOneResult> {
  if (mode === 'compute' && !isThreePart(target)) {
    throw new KeyChoiceError(`cannot stop after makeCompute: ${target.name} defines make(), not makeFetch, makeCompute and makeInsert`);
  }
  const raw = await keyOfSource(target, key);
  const decoded = target.decodeKey(raw);
  if (await keyInTarget(target.session, target, raw)) return { status: 'already-done', key: decoded };
  const hooks = target.hooks;
  try {
    if (mode === 'compute') {
      const fetched = await hooks.makeFetch!({ ...decoded }, kwargs);
      return { status: 'computed', key: decoded, computed: await hooks.makeCompute!({ ...decoded }, fetched) };
    }
    // As populate: the three-part make fetches and computes before the transaction.
    let insert: () => Promise<void>;
    if (isThreePart(target)) {
      const fetched = await hooks.makeFetch!({ ...decoded }, kwargs);
      const before = canonicalHash(fetched);
      const computed = await hooks.makeCompute!({ ...decoded }, fetched);
      insert = async () => {
        const again = await hooks.makeFetch!({ ...decoded }, kwargs);
        if (canonicalHash(again) !== before) throw new ChangedInputsError(target.name);
        await hooks.makeInsert!({ ...decoded }, computed);
      };
    } else if (hooks.make) {
      insert = async () => void (await hooks.make!({ ...decoded }, kwargs));
    } else {
      throw new TypeError(`${target.name} defines neither make(key) nor makeFetch, makeCompute and makeInsert.`);
    }
    const ended = await target.session
      .transaction(async () => {
        await target.allowInserts(insert);
        throw new RollBack(await rowsWritten(target, raw));
      })
      .catch((e: unknown) => {
        if (e instanceof RollBack) return e;
        throw e;
      });
    return { status: 'rolled-back', key: decoded, rows: ended.rows };
  } catch (e) {
    return { status: 'failed', key: decoded, message: errorMessage(e), error: e };
  }
}
