// What remains to compute is `keySource - target`, always in SQL (autopopulate.py:
// _jobs_to_do, progress; reference notes §6.3, §6.9, §6.10): keys are never loaded into
// memory to compute it.
import type { SqlFragments } from '../dialect/fragments';
import type { Sql, SqlSession } from '../jobs/session';

export interface KeySource {
  /** A SELECT whose columns include every attribute in `primaryKey`. */
  sql: Sql;
  /** Only the primary key of the key source identifies a job (autopopulate.py: key_source.proj()). */
  primaryKey: readonly string[];
  /** Every column the SELECT yields, for attribute-object restrictions. */
  attributes: readonly string[];
  /** True when no two rows share a primary key (the default key source: a join of parents' keys). */
  unique: boolean;
}

export interface TargetTable {
  database: string;
  tableName: string;
  /** The target's primary key, when known: enables the faster count in progressSql. */
  primaryKey?: readonly string[];
}

/** `SELECT * FROM (key source) WHERE condition` as a derived table named `alias`. */
export function restrictedSource(q: SqlFragments, ks: KeySource, condition: Sql, alias = '$ks'): Sql {
  return {
    sql: `(SELECT * FROM (${ks.sql.sql}) AS ${q.quote('$src')} WHERE ${condition.sql}) AS ${q.quote(alias)}`,
    params: [...ks.sql.params, ...condition.params],
  };
}

/** `NOT EXISTS (row of target with the same key as alias)` */
export function notInTarget(q: SqlFragments, ks: KeySource, target: TargetTable, alias = '$ks'): string {
  const on = ks.primaryKey.map((a) => `${q.quote('$t')}.${q.quote(a)} = ${q.quote(alias)}.${q.quote(a)}`).join(' AND ');
  return `NOT EXISTS (SELECT 1 FROM ${q.qualified(target.database, target.tableName)} AS ${q.quote('$t')} WHERE ${on})`;
}

/** Keys to compute, ordered by key so that batches can continue after the last key seen. */
export function remainingKeysSql(q: SqlFragments, ks: KeySource, target: TargetTable, condition: Sql, after?: readonly unknown[], limit?: number): Sql {
  const src = restrictedSource(q, ks, condition);
  const cols = ks.primaryKey.map((a) => `${q.quote('$ks')}.${q.quote(a)}`);
  const params = [...src.params];
  let where = notInTarget(q, ks, target);
  if (after) {
    where += ` AND (${cols.join(', ')}) > (${cols.map(() => '?').join(', ')})`;
    params.push(...after);
  }
  let sql = `SELECT ${ks.unique ? '' : 'DISTINCT '}${cols.join(', ')} FROM ${src.sql} WHERE ${where} ORDER BY ${cols.join(', ')}`;
  if (limit !== undefined) sql += ` LIMIT ${Math.max(0, Math.floor(limit))}`;
  return { sql, params };
}

/**
 * One query: total keys and how many of them the target lacks (autopopulate.py:
 * progress). DISTINCT only when the key source may repeat keys, since counting distinct
 * tuples of a million keys costs a sort.
 */
export function progressSql(q: SqlFragments, ks: KeySource, target: TargetTable, condition: Sql): Sql {
  const src = restrictedSource(q, ks, condition);
  const cols = ks.primaryKey.map((a) => `${q.quote('$ks')}.${q.quote(a)}`);
  const full = q.qualified(target.database, target.tableName);
  const sameKey =
    target.primaryKey !== undefined &&
    target.primaryKey.length === ks.primaryKey.length &&
    ks.primaryKey.every((k) => target.primaryKey!.includes(k));
  if (ks.unique && sameKey) {
    // One target row per key: remaining = total - (target rows whose key is in the key
    // source). Counting from the smaller side halves the index lookups of a LEFT JOIN.
    const inner = restrictedSource(q, ks, condition, '$in');
    const on = ks.primaryKey.map((a) => `${q.quote('$in')}.${q.quote(a)} = ${q.quote('$t')}.${q.quote(a)}`).join(' AND ');
    return {
      sql:
        `SELECT total, total - done AS remaining FROM (SELECT (SELECT COUNT(*) FROM ${src.sql}) AS total, ` +
        `(SELECT COUNT(*) FROM ${full} AS ${q.quote('$t')} WHERE EXISTS (SELECT 1 FROM ${inner.sql} WHERE ${on})) AS done) AS ${q.quote('$c')}`,
      params: [...src.params, ...inner.params],
    };
  }
  const on = ks.primaryKey.map((a) => `${q.quote('$t')}.${q.quote(a)} = ${q.quote('$ks')}.${q.quote(a)}`).join(' AND ');
  const missing = `${q.quote('$t')}.${q.quote(ks.primaryKey[0]!)} IS NULL`;
  const join = `FROM ${src.sql} LEFT JOIN ${full} AS ${q.quote('$t')} ON ${on}`;
  if (ks.unique) {
    return { sql: `SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN ${missing} THEN 1 ELSE 0 END), 0) AS remaining ${join}`, params: src.params };
  }
  const tuple = q.tuple(cols);
  return {
    sql: `SELECT COUNT(DISTINCT ${tuple}) AS total, COUNT(DISTINCT CASE WHEN ${missing} THEN ${tuple} END) AS remaining ${join}`,
    params: src.params,
  };
}

/**
 * autopopulate.py: `key in self.target` — `e` is 1 when the target holds rows of `key`
 * (its attributes may be a prefix of the target's key); `columns` adds select-list items.
 */
export function keyInTargetSql(q: SqlFragments, target: TargetTable, key: Record<string, unknown>, columns = ''): Sql {
  const names = Object.keys(key);
  return {
    sql: `SELECT EXISTS(SELECT 1 FROM ${q.qualified(target.database, target.tableName)} WHERE ${names.map((k) => `${q.quote(k)} = ?`).join(' AND ')}) AS e${columns}`,
    params: names.map((k) => key[k]),
  };
}

export async function keyInTarget(session: SqlSession, target: TargetTable, key: Record<string, unknown>): Promise<boolean> {
  const k = keyInTargetSql(session.sql, target, key);
  const [row] = await session.query<{ e: unknown }>(k.sql, k.params);
  return Number(row?.e) === 1;
}

/**
 * keyInTargetSql for several keys in one statement: one row whose column `e<i>` answers
 * for `keys[i]`. Each is the same EXISTS as for one key, so that the server compares
 * the values (its collation, its types), never this process.
 */
export function keysInTargetSql(q: SqlFragments, target: TargetTable, keys: readonly Record<string, unknown>[]): Sql {
  const full = q.qualified(target.database, target.tableName);
  const params: unknown[] = [];
  const items = keys.map((key, i) => {
    const names = Object.keys(key);
    for (const k of names) params.push(key[k]);
    return `EXISTS(SELECT 1 FROM ${full} WHERE ${names.map((k) => `${q.quote(k)} = ?`).join(' AND ')}) AS ${q.quote(`e${i}`)}`;
  });
  return { sql: `SELECT ${items.join(', ')}`, params };
}

/**
 * Whether the target holds a row of any of `keys` (all with the same attributes): one
 * lookup of them all, cheaper for the server to plan and answer than an EXISTS per key.
 */
export function anyKeyInTargetSql(q: SqlFragments, target: TargetTable, keys: readonly Record<string, unknown>[]): Sql {
  const inList = keyListSql(q, Object.keys(keys[0]!), keys);
  return { sql: `SELECT EXISTS(SELECT 1 FROM ${q.qualified(target.database, target.tableName)} WHERE ${inList.sql}) AS e`, params: inList.params };
}

/**
 * `names IN (keys)`: `a IN (?, …)` for one attribute, `(a, b) IN ((?, ?), …)` for several;
 * each key's values bound in the order of `names`.
 */
export function keyListSql(q: SqlFragments, names: readonly string[], keys: readonly Record<string, unknown>[]): Sql {
  const one = names.length === 1;
  const cols = one ? q.quote(names[0]!) : `(${names.map((k) => q.quote(k)).join(', ')})`;
  const item = one ? '?' : `(${names.map(() => '?').join(', ')})`;
  const params: unknown[] = [];
  for (const key of keys) for (const k of names) params.push(key[k]);
  return { sql: `${cols} IN (${keys.map(() => item).join(', ')})`, params };
}

/**
 * Whether the target holds rows of each key, in one query (populate's loop checks a window
 * of keys at once); a second only when some key is there (rare: made by another worker
 * since it was read), to tell which, again by the server's comparison.
 */
export async function keysInTarget(session: SqlSession, target: TargetTable, keys: readonly Record<string, unknown>[]): Promise<boolean[]> {
  if (keys.length === 0) return [];
  if (keys.length === 1) return [await keyInTarget(session, target, keys[0]!)];
  const any = anyKeyInTargetSql(session.sql, target, keys);
  const [some] = await session.query<{ e: unknown }>(any.sql, any.params);
  if (Number(some?.e) !== 1) return keys.map(() => false);
  const k = keysInTargetSql(session.sql, target, keys);
  const [row] = await session.query(k.sql, k.params);
  return keys.map((_, i) => Number(row?.[`e${i}`]) === 1);
}

const ALL_ROWS = { sql: 'TRUE', params: [] as unknown[] };
const KEY_BATCH = 1000;

/** Keys of `source - target` in key order, read a batch at a time. */
export async function* remainingKeys(session: SqlSession, source: KeySource, target: TargetTable, batch = KEY_BATCH): AsyncGenerator<Record<string, unknown>> {
  let after: unknown[] | undefined;
  for (;;) {
    const r = remainingKeysSql(session.sql, source, target, ALL_ROWS, after, batch);
    const rows = await session.query(r.sql, r.params);
    for (const r of rows) {
      const key: Record<string, unknown> = {};
      for (const k of source.primaryKey) key[k] = r[k];
      yield key;
    }
    if (rows.length < batch) return;
    const last = rows[rows.length - 1]!;
    after = source.primaryKey.map((k) => last[k]);
  }
}

/** (remaining, total) over the restricted key source (autopopulate.py: progress). */
export async function progressOf(session: SqlSession, source: KeySource, target: TargetTable): Promise<{ remaining: number; total: number }> {
  const p = progressSql(session.sql, source, target, ALL_ROWS);
  const [row] = await session.query<{ total: unknown; remaining: unknown }>(p.sql, p.params);
  return { remaining: Number(row?.remaining ?? 0), total: Number(row?.total ?? 0) };
}
