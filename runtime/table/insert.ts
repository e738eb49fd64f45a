// insert / insert1 (reference: table.py insert, __make_placeholder): values bound as
// parameters, `null`/`undefined` sent as DEFAULT so the column default applies, unknown
// fields refused unless ignoreExtraFields, duplicates skipped or replaced on request.
import type { CatalogAttribute, CatalogTable } from '../catalog/index';
import { READS, STATEMENT_EFFECT } from '../connection/step-undo';
import type { Dialect } from '../dialect/index';
import { DataJointError, UnknownAttributeError, UsageError } from '../errors/index';
import { isQuerySource, type QueryExpression, type Row } from '../query/expression';
import { encodeValue, USE_DEFAULT } from '../query/values';
import { directInsertScope } from './shared';
import { bindingOf, tierOf, type BindableClass } from './binding';

export interface InsertOptions {
  /** Keep existing rows with the same primary key instead of failing. */
  skipDuplicates?: boolean;
  /** Ignore fields that are not attributes of the table instead of failing. */
  ignoreExtraFields?: boolean;
  /** Overwrite existing rows with the same primary key (REPLACE). */
  replace?: boolean;
  /** Allow inserting into Computed/Imported tables outside populate(). */
  allowDirectInsert?: boolean;
}

const BATCH = 500;

function isAutoPopulated(cls: BindableClass): boolean {
  const tier = tierOf(cls);
  if (tier === 'Computed' || tier === 'Imported') return true;
  if (tier === 'Part') {
    const master = bindingOf(cls).master;
    return master !== undefined && isAutoPopulated(master);
  }
  return false;
}

export async function insertRows(cls: BindableClass, rows: Iterable<Row | unknown[]> | QueryExpression, options: InsertOptions): Promise<number> {
  const b = bindingOf(cls);
  if (options.skipDuplicates && options.replace) throw new UsageError('usage', 'insert: skipDuplicates and replace cannot be combined');
  // table.py: insert — auto-populated tables are filled by make() during populate.
  if (isAutoPopulated(cls) && !options.allowDirectInsert && !directInsertScope.getStore()) {
    throw new DataJointError(
      'usage',
      `Inserts into ${cls.name} (an auto-populated table) can only be done inside its make() during populate; pass allowDirectInsert: true to override`,
    );
  }
  const list: Array<Row | unknown[]> = isQuerySource(rows) ? await (rows as QueryExpression).fetch() : [...(rows as Iterable<Row | unknown[]>)];
  if (list.length === 0) return 0;
  const heading = await b.heading();
  const conn = await b.connection();
  const d = conn.dialect;
  const shape = shapeOf(heading);
  const { visible, byName } = shape;

  // Normalize to objects restricted to known attributes.
  const objects: Row[] = list.map((row, i) => {
    if (Array.isArray(row)) {
      if (row.length !== visible.length) {
        throw new UsageError('usage', `insert: row ${i} has ${row.length} values but ${cls.name} has ${visible.length} attributes (${visible.map((a) => a.name).join(', ')})`);
      }
      return Object.fromEntries(visible.map((a, j) => [a.name, row[j]]));
    }
    if (typeof row !== 'object' || row === null) throw new UsageError('usage', `insert: row ${i} must be an object or an array`);
    const out: Row = {};
    for (const [k, v] of Object.entries(row)) {
      if (byName.has(k)) out[k] = v;
      else if (!options.ignoreExtraFields) {
        throw new UnknownAttributeError('unknownAttribute', `insert: \`${k}\` is not an attribute of ${cls.name} (attributes: ${visible.map((a) => a.name).join(', ')}); pass ignoreExtraFields: true to skip it`);
      }
    }
    return out;
  });

  const columns = visible.filter((a) => objects.some((o) => o[a.name] !== undefined)).map((a) => a.name);
  if (columns.length === 0) throw new UsageError('usage', `insert: no attributes of ${cls.name} given`);
  const mode = options.replace ? 'replace' : options.skipDuplicates ? 'skip' : 'insert';
  // A plain insert of whole primary keys can be taken back by deleting its rows, which
  // spares a key of populate's commit window its savepoint on MySQL (connection/step-undo.ts).
  const keyChecks = mode === 'insert' && !d.failedStatementAbortsTransaction ? shape.keyChecks(columns) : undefined;
  let affected = 0;
  for (let start = 0; start < objects.length; start += BATCH) {
    let batch = objects.slice(start, start + BATCH);
    // MySQL's REPLACE lets a later row of one statement replace an earlier one with the same
    // key; PostgreSQL's ON CONFLICT DO UPDATE refuses to touch a row twice (21000), so the
    // last row of each key is the one sent, as REPLACE would leave it.
    if (mode === 'replace' && d.name === 'postgresql') batch = lastOfEachKey(batch, heading.primaryKey, byName);
    const params: unknown[] = [];
    /** The rows' primary key values as sent, while every one compares exactly. */
    let keys: unknown[] | undefined = keyChecks ? [] : undefined;
    const tuples = batch.map((o) => {
      const cells = columns.map((c, j) => {
        // table.py: __make_placeholder — None becomes DEFAULT (NULL for nullable columns).
        const v = encodeValue(byName.get(c)!, o[c]);
        const check = keyChecks?.[j];
        if (keys && check !== undefined) {
          if (check(v)) keys.push(v);
          else keys = undefined;
        }
        if (v === USE_DEFAULT) return d.defaultKeyword;
        params.push(v);
        return '?';
      });
      return `(${cells.join(', ')})`;
    });
    const sql = d.insert(b.schemaName, b.tableName, columns, tuples.join(', '), mode, heading.primaryKey);
    const rowKeys = keys;
    const keyColumns = keyChecks && columns.filter((_, j) => keyChecks[j] !== undefined);
    const undo = rowKeys && keyColumns ? () => deleteOf(d, b.schemaName, b.tableName, keyColumns, rowKeys) : undefined;
    affected += await conn.execute(sql, params, { schema: b.schemaName, table: b.tableName, ...(undo ? { [STATEMENT_EFFECT]: { undo } } : {}) });
  }
  return affected;
}

type KeyChecks = Array<((v: unknown) => boolean) | undefined>;

/** What inserts need of a heading, made once for it: a make inserts into its tables key after key. */
interface InsertShape {
  visible: CatalogAttribute[];
  byName: ReadonlyMap<string, CatalogAttribute>;
  keyChecks(columns: readonly string[]): KeyChecks | undefined;
}
const shapes = new WeakMap<CatalogTable, InsertShape>();

function shapeOf(heading: CatalogTable): InsertShape {
  let shape = shapes.get(heading);
  if (!shape) {
    const visible = heading.attributes.filter((a) => !a.hidden);
    const byName = new Map<string, CatalogAttribute>(visible.map((a) => [a.name, a]));
    const checks = new Map<string, KeyChecks | undefined>();
    const keyChecks = (columns: readonly string[]): KeyChecks | undefined => {
      const id = columns.join('\u0000');
      if (!checks.has(id)) checks.set(id, exactKeyChecks(heading.primaryKey, byName, columns));
      return checks.get(id);
    };
    shapes.set(heading, (shape = { visible, byName, keyChecks }));
  }
  return shape;
}

/**
 * For each of `columns`, the check of a primary key value under which a DELETE by it removes
 * exactly the row inserted with it (undefined for other columns), or undefined when some
 * key attribute is not given or is of a type the server converts or rounds (a float, a
 * datetime): such an insert is taken back by its key's savepoint instead. Integers (as sent:
 * no fraction to round), strings (strict sql_mode refuses what does not fit; a key unique
 * under its collation matches only its own row; CHAR without trailing spaces, which it drops)
 * and binary of its full length (uuid).
 */
function exactKeyChecks(primaryKey: readonly string[], byName: ReadonlyMap<string, CatalogAttribute>, columns: readonly string[]): KeyChecks | undefined {
  if (primaryKey.length === 0 || !primaryKey.every((k) => columns.includes(k))) return undefined;
  const checks = columns.map((c) => (primaryKey.includes(c) ? exactCheck(byName.get(c)!) : undefined));
  return checks.filter((c) => c !== undefined).length === primaryKey.length ? checks : undefined;
}

function exactCheck(attr: CatalogAttribute): ((v: unknown) => boolean) | undefined {
  if (attr.autoIncrement) return undefined;
  const t = attr.sqlType.toLowerCase();
  if (/^(tinyint|smallint|mediumint|int|integer|bigint)( unsigned)?$/.test(t)) {
    // As encodeValue sends them: numbers, and 64-bit integers as digit strings.
    return (v) => (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v));
  }
  if (/^varchar\(\d+\)$/.test(t)) return (v) => typeof v === 'string';
  // CHAR drops trailing spaces, which a NO PAD collation (MySQL 8's default) then compares.
  if (/^char\(\d+\)$/.test(t)) return (v) => typeof v === 'string' && !v.endsWith(' ');
  const binary = /^binary\((\d+)\)$/.exec(t);
  if (binary) {
    const length = Number(binary[1]);
    return (v) => Buffer.isBuffer(v) && v.length === length;
  }
  return undefined;
}

/** DELETE of the rows with these keys (`keys`: each row's values of `columns`, in order). */
function deleteOf(d: Dialect, schema: string, table: string, columns: readonly string[], keys: readonly unknown[]): { sql: string; params: unknown[] } {
  const one = `(${columns.map((c) => `${d.quote(c)} = ?`).join(' AND ')})`;
  const rows = keys.length / columns.length;
  return { sql: `DELETE FROM ${d.qualified(schema, table)} WHERE ${Array.from({ length: rows }, () => one).join(' OR ')}`, params: [...keys] };
}

/**
 * The rows in order, each key kept only at its last occurrence; keys compared as encoded for
 * the server (so `1` and `'1'`, or a uuid's spellings, are one key as they are there).
 */
function lastOfEachKey(rows: Row[], primaryKey: readonly string[], byName: ReadonlyMap<string, CatalogAttribute>): Row[] {
  const keyOf = (r: Row) =>
    JSON.stringify(
      primaryKey.map((k) => {
        const attr = byName.get(k);
        const v = attr ? encodeValue(attr, r[k]) : r[k];
        return Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString() : typeof v === 'symbol' ? null : v;
      }),
    );
  const last = new Map<string, number>();
  rows.forEach((r, i) => last.set(keyOf(r), i));
  return last.size === rows.length ? rows : rows.filter((r, i) => last.get(keyOf(r)) === i);
}

/**
 * Updates secondary attributes of one existing row (table.py: update1): the primary key
 * must be complete; `null` resets an attribute to its default.
 */
export async function updateRow(cls: BindableClass, row: Row): Promise<void> {
  const b = bindingOf(cls);
  if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new UsageError('usage', 'update1 takes one object');
  const heading = await b.heading();
  const conn = await b.connection();
  const d = conn.dialect;
  const { byName } = shapeOf(heading);
  const pk = heading.primaryKey.filter((k) => byName.has(k));
  const missing = pk.filter((k) => row[k] === undefined || row[k] === null);
  if (missing.length) throw new UsageError('usage', `update1 must supply all primary key values (missing ${missing.join(', ')})`);
  const unknown = Object.keys(row).find((k) => !byName.has(k));
  if (unknown !== undefined) throw new UnknownAttributeError('unknownAttribute', `Attribute \`${unknown}\` not found in ${cls.name}`);
  const sets = Object.keys(row).filter((k) => !pk.includes(k));
  if (!sets.length) throw new UsageError('usage', 'update1: give at least one attribute outside the primary key');
  const key = Object.fromEntries(pk.map((k) => [k, row[k]]));
  const where = pk.map((k) => `${d.quote(k)} = ?`).join(' AND ');
  const whereParams = pk.map((k) => encodeValue(byName.get(k)!, key[k]));
  const found = await conn.query(`SELECT COUNT(*) AS n FROM ${d.qualified(b.schemaName, b.tableName)} WHERE ${where}`, whereParams, READS);
  if (Number(found[0]?.n ?? 0) !== 1) throw new DataJointError('usage', 'Update can only be applied to one existing entry.');
  const params: unknown[] = [];
  const assignments = sets.map((k) => {
    const v = encodeValue(byName.get(k)!, row[k]);
    if (v === USE_DEFAULT) return `${d.quote(k)}=${d.defaultKeyword}`;
    params.push(v);
    return `${d.quote(k)}=?`;
  });
  await conn.execute(`UPDATE ${d.qualified(b.schemaName, b.tableName)} SET ${assignments.join(',')} WHERE ${where}`, [...params, ...whereParams], {
    schema: b.schemaName,
    table: b.tableName,
  });
}
