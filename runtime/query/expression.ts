// Query expressions: restriction, join, projection, antijoin, built lazily as a tree and
// compiled to SQL only when run, because headings come from the server (async). All SQL
// goes through the connection's dialect; values are always bound parameters and
// identifiers always quoted — a string restriction is the only user SQL, as in the
// reference (expression.py, condition.py).
//
// Namesake attributes are matched only when their lineage agrees (semantic matching,
// as in the reference); without `~lineage` information it is a natural join.
import type { CatalogAttribute, CatalogTable } from '../catalog/index';
import type { Connection } from '../connection/index';
import { READS } from '../connection/step-undo';
import type { Sql } from '../dialect/index';
import { DataJointError, UsageError, UnknownAttributeError } from '../errors/index';
import type { Attr, Compiled } from './compiled';
import { checkCondition, conditionMessage, type ConditionLexer } from './condition';
import { deleteRows, type DeleteOptions, type DeleteResult } from './delete';
import { decodeValue, encodeValue, USE_DEFAULT } from './values';

export type Row = Record<string, unknown>;

const QUERY_BRAND = Symbol.for('datajoint.query');
const SOURCE_BRAND = Symbol.for('datajoint.querySource');

/** Anything that can act as a query operand: an expression or a table class. */
export interface QuerySource {
  /** Returns the expression for the whole table (or the expression itself). */
  toQuery(): QueryExpression;
}

/** `not(cond)`: the negation of a restriction (Python: dj.Not). */
export class Not {
  readonly [SOURCE_BRAND] = 'not';
  constructor(readonly restriction: Restriction) {}
}
export function not(restriction: Restriction): Not {
  return new Not(restriction);
}

/**
 * An object (attribute equality, keys not in the heading ignored), an array (OR of its
 * members; empty = nothing), a SQL condition string, another query (semijoin on common
 * attributes), a negation, or a boolean.
 */
export type Restriction = Row | readonly Restriction[] | string | QuerySource | QueryExpression | Not | boolean;

/** What a table leaf needs at compile time. */
export interface TableLeaf {
  connection: Connection;
  schema: string;
  table: string;
  heading: CatalogTable;
}

type Node =
  | { kind: 'table'; resolve: () => Promise<TableLeaf>; label: string }
  | { kind: 'restrict'; child: Node; cond: Restriction; negate: boolean }
  | { kind: 'join'; left: Node; right: Node }
  | { kind: 'proj'; child: Node; keep: string[]; renames: Record<string, string>; all: boolean }
  | { kind: 'aggr'; child: Node; other: Node; computed: Record<string, string>; keepAll: boolean };

export interface FetchOptions {
  /** Attribute names to return (default: all); `'KEY'` stands for the primary key. */
  attributes?: string[];
  /** `['session_date DESC', 'KEY']`; names are checked against the heading. */
  orderBy?: string | string[];
  limit?: number;
  offset?: number;
}

let aliasCounter = 0;

function isQueryExpression(v: unknown): v is QueryExpression {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[QUERY_BRAND] === true;
}
export function isQuerySource(v: unknown): v is QuerySource {
  return (typeof v === 'function' || typeof v === 'object') && v !== null && typeof (v as { toQuery?: unknown }).toQuery === 'function';
}

export class QueryExpression<R extends Row = Row> implements QuerySource {
  readonly [QUERY_BRAND] = true;
  /** @internal */
  readonly node: Node;

  constructor(node: Node) {
    this.node = node;
  }

  /** A whole table, resolved (declared if needed, heading read) when the query runs. */
  static table(label: string, resolve: () => Promise<TableLeaf>): QueryExpression {
    return new QueryExpression({ kind: 'table', resolve, label });
  }

  toQuery(): QueryExpression<R> {
    return this;
  }

  /** Rows matching the condition (Python `&`). */
  restrict(cond: Restriction): QueryExpression<R> {
    assertConditions(cond);
    return new QueryExpression<R>({ kind: 'restrict', child: this.node, cond, negate: false });
  }

  /** Rows NOT matching the condition; with a query, the antijoin (Python `-`). */
  minus(cond: Restriction): QueryExpression<R> {
    assertConditions(cond);
    return new QueryExpression<R>({ kind: 'restrict', child: this.node, cond, negate: true });
  }

  /** Natural join on the common attribute names (Python `*`). */
  join<S extends Row = Row>(other: QuerySource): QueryExpression<R & S> {
    return new QueryExpression<R & S>({ kind: 'join', left: this.node, right: other.toQuery().node });
  }

  /**
   * Projection: the primary key is always kept; name other attributes to keep them
   * (`'*'` for all), and rename with an object `{newName: 'oldName'}` (Python
   * `proj(new='old')`).
   */
  proj(...args: Array<string | Record<string, string>>): QueryExpression {
    const keep: string[] = [];
    const renames: Record<string, string> = {};
    let all = false;
    for (const a of args) {
      if (typeof a === 'string') {
        if (a === '*') all = true;
        else keep.push(a);
      } else {
        for (const [k, v] of Object.entries(a)) renames[k] = v;
      }
    }
    return new QueryExpression({ kind: 'proj', child: this.node, keep, renames, all });
  }

  /**
   * Aggregation (Python `aggr`): for each row of this expression, SQL aggregates over its
   * matching rows in `other`, e.g. `Subject.aggr(Session, { n: 'count(*)', last: 'max(session_date)' })`.
   * The result has this expression's primary key and the computed attributes; rows without
   * matches are kept when `keepAllRows` is set. The expressions are SQL, like string
   * restrictions.
   */
  aggr(other: QuerySource, computed: Record<string, string>, options: { keepAllRows?: boolean } = {}): QueryExpression {
    return new QueryExpression({ kind: 'aggr', child: this.node, other: other.toQuery().node, computed, keepAll: options.keepAllRows ?? false });
  }

  /** The primary-key values of the matching rows (Python `keys()` / `fetch('KEY')`). */
  async keys(options: Omit<FetchOptions, 'attributes'> = {}): Promise<Row[]> {
    return this.fetch({ ...options, attributes: ['KEY'] });
  }

  /** The rows as objects. */
  async fetch<T extends Row = R>(options: FetchOptions = {}): Promise<T[]> {
    const c = await compile(this.node);
    const selected = selectAttributes(c, options.attributes);
    const sql = buildSelect(c, selected, options);
    const rows = await c.connection.query(sql.sql, sql.params, READS);
    return rows.map((row) => {
      const out: Row = {};
      for (const a of selected) out[a.name] = a.computed ? decodeComputed(row[a.name]) : decodeValue(a.attr, row[a.name]);
      return out as T;
    });
  }

  /** Exactly one row; throws when there are none or several (Python fetch1). */
  async fetch1<T extends Row = R>(options: Omit<FetchOptions, 'limit' | 'offset'> = {}): Promise<T> {
    const rows = await this.fetch<T>({ ...options, limit: 2 });
    if (rows.length !== 1) {
      throw new DataJointError('fetch1', rows.length === 0 ? 'fetch1 requires exactly one row, but the query returned none' : 'fetch1 requires exactly one row, but the query returned several');
    }
    return rows[0];
  }

  /** The number of rows (Python len()). */
  async count(): Promise<number> {
    const c = await compile(this.node);
    const key = c.attrs.filter((a) => c.primaryKey.includes(a.name));
    const inner = buildSelect(c, key.length ? key : c.attrs, {});
    const rows = await c.connection.query(`SELECT COUNT(*) AS n FROM (${inner.sql}) AS ${c.connection.dialect.quote(`_count${++aliasCounter}`)}`, inner.params, READS);
    return Number(rows[0]?.n ?? 0);
  }

  /** True when at least one row matches. */
  async exists(): Promise<boolean> {
    const c = await compile(this.node);
    const inner = buildSelect(c, c.attrs, { limit: 1 });
    return (await c.connection.query(inner.sql, inner.params, READS)).length > 0;
  }

  /**
   * Deletes the matching rows of a (restricted) table and, first, the rows that depend
   * on them in other tables, in one transaction.
   */
  async delete(options: DeleteOptions = {}): Promise<DeleteResult> {
    return deleteRows(await compile(this.node), options);
  }

  /** The public heading: attribute descriptions in order. */
  async heading(): Promise<CatalogAttribute[]> {
    return (await compile(this.node)).attrs.map((a) => ({ ...a.attr, name: a.name }));
  }

  async primaryKey(): Promise<string[]> {
    return (await compile(this.node)).primaryKey;
  }

  /** The SELECT this expression runs, with its parameters (for debugging and tests). */
  async toSql(options: FetchOptions = {}): Promise<Sql> {
    const c = await compile(this.node);
    return buildSelect(c, selectAttributes(c, options.attributes), options);
  }

  /** @internal compiled form, used by delete. */
  async compile(): Promise<Compiled> {
    return compile(this.node);
  }
}

/** Aggregates arrive as exact text (COUNT, SUM, AVG of decimals) or numbers. */
function decodeComputed(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  if (/^-?\d+$/.test(raw)) {
    const n = Number(raw);
    return Number.isSafeInteger(n) ? n : BigInt(raw);
  }
  if (/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw)) return Number(raw);
  return raw;
}

function selectAttributes(c: Compiled, names: string[] | undefined): Attr[] {
  if (!names) return c.attrs;
  const out: Attr[] = [];
  for (const n of names) {
    const list = n === 'KEY' ? c.primaryKey : [n];
    for (const k of list) {
      const a = c.attrs.find((x) => x.name === k);
      if (!a) throw new UnknownAttributeError('unknownAttribute', `Attribute \`${k}\` is not in the query's heading (${c.attrs.map((x) => x.name).join(', ')})`);
      if (!out.includes(a)) out.push(a);
    }
  }
  return out;
}

function orderClause(c: Compiled, orderBy: string | string[] | undefined): string {
  if (orderBy === undefined) return '';
  const items = Array.isArray(orderBy) ? orderBy : [orderBy];
  const d = c.connection.dialect;
  const parts: string[] = [];
  for (const item of items) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s+(ASC|DESC))?\s*$/i.exec(item);
    if (!m) throw new UsageError('usage', `orderBy item "${item}" must be an attribute name, optionally followed by ASC or DESC`);
    const dir = m[2] ? ` ${m[2].toUpperCase()}` : '';
    const names = m[1] === 'KEY' ? c.primaryKey : [m[1]];
    for (const n of names) {
      if (!c.attrs.some((a) => a.name === n)) throw new UnknownAttributeError('unknownAttribute', `Cannot order by \`${n}\`: not in the query's heading`);
      parts.push(`${d.quote(n)}${dir}`);
    }
  }
  return parts.length ? ` ORDER BY ${parts.join(', ')}` : '';
}

function whereClause(c: Compiled): Sql {
  if (!c.where.length) return { sql: '', params: [] };
  return { sql: ` WHERE ${c.where.map((w) => `(${w.sql})`).join(' AND ')}`, params: c.where.flatMap((w) => w.params) };
}

function buildSelect(c: Compiled, attrs: Attr[], options: FetchOptions): Sql {
  const d = c.connection.dialect;
  const list = attrs.length ? attrs.map((a) => (a.expr === d.quote(a.name) ? a.expr : `${a.expr} AS ${d.quote(a.name)}`)).join(', ') : '1';
  const w = whereClause(c);
  if (c.groupBy) {
    const sql = `SELECT ${list} FROM ${c.from}${w.sql} GROUP BY ${c.groupBy}${orderClause(c, options.orderBy)}${d.limitOffset(options.limit, options.offset)}`;
    return { sql, params: [...c.fromParams, ...w.params] };
  }
  // Every expression keeps its primary key, so rows are distinct without DISTINCT (which
  // would make the server sort blobs).
  const sql = `SELECT ${list} FROM ${c.from}${w.sql}${orderClause(c, options.orderBy)}${d.limitOffset(options.limit, options.offset)}`;
  return { sql, params: [...c.fromParams, ...w.params] };
}

/** Wraps a compiled expression as a derived table with plain attribute names. */
function subquery(c: Compiled): Compiled {
  const d = c.connection.dialect;
  const inner = buildSelect(c, c.attrs, {});
  return {
    connection: c.connection,
    from: `(${inner.sql}) AS ${d.quote(`_s${++aliasCounter}`)}`,
    fromParams: inner.params,
    attrs: c.attrs.map((a) => ({ ...a, expr: d.quote(a.name) })),
    primaryKey: c.primaryKey,
    where: [],
    renamed: false,
    narrowed: false,
  };
}

async function compile(node: Node): Promise<Compiled> {
  switch (node.kind) {
    case 'table': {
      const leaf = await node.resolve();
      const d = leaf.connection.dialect;
      const visible = leaf.heading.attributes.filter((a) => !a.hidden);
      return {
        connection: leaf.connection,
        from: d.qualified(leaf.schema, leaf.table),
        fromParams: [],
        attrs: visible.map((a) => ({ name: a.name, expr: d.quote(a.name), attr: a })),
        primaryKey: leaf.heading.primaryKey.filter((k) => visible.some((a) => a.name === k)),
        where: [],
        renamed: false,
        narrowed: false,
        base: { schema: leaf.schema, table: leaf.table },
      };
    }
    case 'restrict': {
      let c = await compile(node.child);
      if (c.renamed || c.groupBy) c = subquery(c);
      const cond = await condition(c, node.cond);
      const sql = node.negate ? { sql: `NOT (${cond.sql})`, params: cond.params } : cond;
      return { ...c, where: [...c.where, sql] };
    }
    case 'join': {
      let a = await compile(node.left);
      let b = await compile(node.right);
      if (a.connection !== b.connection) throw new UsageError('usage', 'Cannot join queries on different connections');
      if (a.renamed || a.narrowed || a.groupBy) a = subquery(a);
      if (b.renamed || b.narrowed || b.groupBy) b = subquery(b);
      const d = a.connection.dialect;
      const names = new Set(a.attrs.map((x) => x.name));
      const common = b.attrs.filter((x) => names.has(x.name)).map((x) => x.name);
      assertHomologous(a, b);
      const from = common.length
        ? `${a.from} JOIN ${b.from} USING (${common.map((n) => d.quote(n)).join(', ')})`
        : `${a.from} CROSS JOIN ${b.from}`;
      return {
        connection: a.connection,
        from,
        fromParams: [...a.fromParams, ...b.fromParams],
        attrs: [...a.attrs, ...b.attrs.filter((x) => !names.has(x.name))],
        primaryKey: [...a.primaryKey, ...b.primaryKey.filter((k) => !a.primaryKey.includes(k))],
        where: [...a.where, ...b.where],
        renamed: false,
        narrowed: false,
      };
    }
    case 'aggr': {
      let a = await compile(node.child);
      let b = await compile(node.other);
      if (a.connection !== b.connection) throw new UsageError('usage', 'Cannot aggregate queries on different connections');
      if (a.renamed || a.narrowed || a.groupBy) a = subquery(a);
      // b's restrictions must apply before the (left) join, not to its result.
      if (b.renamed || b.narrowed || b.groupBy || b.where.length) b = subquery(b);
      assertHomologous(a, b);
      const d = a.connection.dialect;
      const names = new Set(a.attrs.map((x) => x.name));
      const common = b.attrs.filter((x) => names.has(x.name)).map((x) => x.name);
      const using = common.length ? ` USING (${common.map((n) => d.quote(n)).join(', ')})` : ' ON TRUE';
      const key = a.attrs.filter((x) => a.primaryKey.includes(x.name));
      const computed: Attr[] = Object.entries(node.computed).map(([name, expr]) => {
        if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new UsageError('usage', `aggr: \`${name}\` is not a valid attribute name`);
        if (names.has(name)) throw new UsageError('usage', `aggr: \`${name}\` is already an attribute`);
        const attr: CatalogAttribute = { name, sqlType: '', type: 'computed', category: 'native', typeSource: 'sql', nullable: true, default: null, inKey: false, comment: '', autoIncrement: false, hidden: false };
        return { name, expr: `(${expr})`, attr, computed: true };
      });
      return {
        connection: a.connection,
        from: `${a.from} ${node.keepAll ? 'LEFT JOIN' : 'JOIN'} ${b.from}${using}`,
        fromParams: [...a.fromParams, ...b.fromParams],
        attrs: [...key, ...computed],
        primaryKey: a.primaryKey,
        where: [...a.where, ...b.where],
        renamed: true,
        narrowed: true,
        groupBy: key.map((x) => x.expr).join(', '),
      };
    }
    case 'proj': {
      const c = await compile(node.child);
      const byName = new Map(c.attrs.map((a) => [a.name, a]));
      const renamedFrom = new Set(Object.values(node.renames));
      for (const n of [...node.keep, ...renamedFrom]) {
        if (!byName.has(n)) throw new UnknownAttributeError('unknownAttribute', `proj: attribute \`${n}\` is not in the heading (${c.attrs.map((a) => a.name).join(', ')})`);
      }
      const attrs: Attr[] = [];
      const pk: string[] = [];
      const renameOf = new Map<string, string>();
      for (const [to, from] of Object.entries(node.renames)) renameOf.set(from, to);
      for (const a of c.attrs) {
        const target = renameOf.get(a.name);
        const isKey = c.primaryKey.includes(a.name);
        if (target !== undefined) {
          attrs.push({ name: target, expr: a.expr, attr: a.attr });
          if (isKey) pk.push(target);
        } else if (isKey || node.all || node.keep.includes(a.name)) {
          attrs.push(a);
          if (isKey) pk.push(a.name);
        }
      }
      const seen = new Set<string>();
      for (const a of attrs) {
        if (seen.has(a.name)) throw new UsageError('usage', `proj: attribute \`${a.name}\` would appear twice`);
        seen.add(a.name);
      }
      const d = c.connection.dialect;
      return {
        ...c,
        attrs,
        primaryKey: pk,
        renamed: c.renamed || attrs.some((a) => a.expr !== d.quote(a.name)),
        narrowed: c.narrowed || attrs.length < c.attrs.length,
        base: undefined,
      };
    }
  }
}

/**
 * Semantic matching (condition.py: assert_join_compatibility): attributes with the same
 * name must come from the same origin, as recorded in `~lineage`; skipped where a side
 * has no lineage information (no `~lineage` table), as the reference does.
 */
function assertHomologous(a: Compiled, b: Compiled): void {
  const other = new Map(b.attrs.map((x) => [x.name, x]));
  for (const x of a.attrs) {
    const y = other.get(x.name);
    if (!y) continue;
    const la = x.attr.lineage;
    const lb = y.attr.lineage;
    if (la === undefined || lb === undefined) continue;
    if (la === null || lb === null) {
      throw new DataJointError(
        'usage',
        `Cannot join on attribute \`${x.name}\`: lineage missing on one side (${la} vs ${lb}); use .proj() to rename one of the attributes`,
      );
    }
    if (la !== lb) throw new DataJointError('usage', `Cannot join on attribute \`${x.name}\`: different lineages (${la} vs ${lb}); use .proj() to rename one of the attributes`);
  }
}

/**
 * A string that is not one SQL condition is refused (condition.ts): when given, by MySQL's
 * rules, and again by the rules of the backend it is sent to when the query is built.
 */
function assertCondition(text: string, lexer: ConditionLexer = 'mysql'): string {
  const problem = checkCondition(text, lexer);
  if (problem !== undefined) throw new UsageError('usage', conditionMessage(text, problem));
  return text;
}

/** The strings of a restriction (also inside arrays and negations), checked when the query is built. */
function assertConditions(cond: Restriction): void {
  if (typeof cond === 'string') assertCondition(cond);
  else if (Array.isArray(cond)) for (const x of cond) assertConditions(x as Restriction);
  else if (cond instanceof Not || (typeof cond === 'object' && cond !== null && (cond as unknown as Not)[SOURCE_BRAND] === 'not')) assertConditions((cond as Not).restriction);
}

/** A restriction as SQL over the compiled expression's attribute names. */
async function condition(c: Compiled, cond: Restriction): Promise<Sql> {
  const d = c.connection.dialect;
  if (cond === true) return { sql: 'TRUE', params: [] };
  if (cond === false) return { sql: 'FALSE', params: [] };
  // Checked again here: an array given to restrict() may have been changed since.
  if (typeof cond === 'string') return { sql: assertCondition(cond, d.name), params: [] };
  if (cond instanceof Not || (typeof cond === 'object' && cond !== null && (cond as unknown as Not)[SOURCE_BRAND] === 'not')) {
    const inner = await condition(c, (cond as Not).restriction);
    return { sql: `NOT (${inner.sql})`, params: inner.params };
  }
  if (Array.isArray(cond)) {
    if (cond.length === 0) return { sql: 'FALSE', params: [] };
    const parts = await Promise.all(cond.map((x) => condition(c, x as Restriction)));
    return { sql: parts.map((p) => `(${p.sql})`).join(' OR '), params: parts.flatMap((p) => p.params) };
  }
  if (isQueryExpression(cond) || isQuerySource(cond)) {
    const other = await compile((isQueryExpression(cond) ? cond : (cond as QuerySource).toQuery()).node);
    if (other.connection !== c.connection) throw new UsageError('usage', 'Cannot restrict by a query on a different connection');
    const names = new Set(c.attrs.map((a) => a.name));
    const common = other.attrs.filter((a) => names.has(a.name));
    assertHomologous(c, other);
    const inner = buildSelect(other, common, {});
    if (!common.length) return { sql: `EXISTS (${inner.sql})`, params: inner.params };
    const cols = common.map((a) => d.quote(a.name)).join(', ');
    return { sql: `(${cols}) IN (${inner.sql})`, params: inner.params };
  }
  if (typeof cond === 'object' && cond !== null) {
    // condition.py: attributes of the object that are not in the heading are ignored.
    const parts: string[] = [];
    const params: unknown[] = [];
    for (const [k, v] of Object.entries(cond as Row)) {
      const a = c.attrs.find((x) => x.name === k);
      if (!a || v === undefined) continue;
      // Aggregates have no DataJoint type: their values are bound as given.
      const encoded = v === null ? USE_DEFAULT : a.computed ? (typeof v === 'bigint' ? v.toString() : v) : encodeValue(a.attr, v);
      if (encoded === USE_DEFAULT) {
        parts.push(`${a.expr} IS NULL`);
      } else {
        parts.push(`${a.expr} = ?`);
        params.push(encoded);
      }
    }
    return { sql: parts.length ? parts.join(' AND ') : 'TRUE', params };
  }
  throw new UsageError('usage', `Unsupported restriction: ${String(cond)}`);
}
