// One page of a table's rows for the rows grid, and its counts. A page is one SELECT of
// pageSize + 1 rows (the extra one says whether another page follows) ordered by the
// chosen attribute and then the primary key (so equal values keep one order and paging
// is stable), with LIMIT/OFFSET; blobs, attachments and bytes are read as their first
// PREFIX_BYTES and their length, long text and JSON as their first PREFIX_CHARS characters
// and their length (the dialect's prefixOf), never whole. Nothing here counts the table: the
// estimate is the server's (information_schema TABLE_ROWS, pg_class.reltuples: the
// dialect's tableInfo), and countRows is the exact COUNT(*) a caller asks for after the
// page is shown. The restriction goes through the query layer (query/expression.ts), so
// it is checked and bound exactly as every other restriction is.
import type { CatalogAttribute, CatalogTable, Queryable } from '../catalog/index';
import type { Connection } from '../connection/index';
import { UnknownAttributeError, UsageError } from '../errors/index';
import { QueryExpression, type Restriction } from '../query/expression';
import { decodeValue } from '../values/decode';
import { PREFIX_BYTES } from './blob-summary';
import { cellOf, PREFIX_CHARS, readsPrefix, sortable, type Prefixed, type PrefixedText } from './cells';
import { parseRowsRestriction } from './restriction';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type RowsColumn, type RowsPage, type RowsPageRequest, type RowsSort } from './types';
import { valueText } from './value-text';


/** What the catalog offers that a page needs: the heading (cached by the caller's Catalog). */
export interface HeadingSource {
  describeTable(schema: string, table: string): Promise<CatalogTable>;
}

function visible(heading: CatalogTable): CatalogAttribute[] {
  return heading.attributes.filter((a) => !a.hidden);
}

/** The grid's columns: the public heading with DataJoint types, the primary key marked. */
export function rowsColumns(heading: CatalogTable): RowsColumn[] {
  return visible(heading).map((a) => ({
    name: a.name,
    type: a.type,
    sqlType: a.sqlType,
    inKey: a.inKey,
    nullable: a.nullable,
    comment: a.comment,
    sortable: sortable(a),
  }));
}

function baseQuery(conn: Connection, heading: CatalogTable): QueryExpression {
  return QueryExpression.table(`${heading.schema}.${heading.name}`, async () => ({ connection: conn, schema: heading.schema, table: heading.name, heading }));
}

function restricted(conn: Connection, heading: CatalogTable, restriction: string | undefined): QueryExpression {
  const parsed: Restriction | undefined = parseRowsRestriction(restriction, visible(heading).map((a) => a.name), `\`${heading.schema}\`.\`${heading.name}\``);
  const q = baseQuery(conn, heading);
  return parsed === undefined ? q : q.restrict(parsed);
}

function checkSort(heading: CatalogTable, sort: RowsSort | undefined): void {
  if (!sort) return;
  const a = visible(heading).find((x) => x.name === sort.attribute);
  if (!a) throw new UnknownAttributeError('unknownAttribute', `Cannot sort by \`${sort.attribute}\`: not an attribute of \`${heading.schema}\`.\`${heading.name}\``);
  if (!sortable(a)) throw new UsageError('usage', `Cannot sort by \`${sort.attribute}\`: its values (${a.type}) have no useful order`);
}

/** Reads one page; `heading` saves the catalog read when the caller has it already. */
export async function readRowsPage(conn: Connection, catalog: HeadingSource, request: RowsPageRequest, heading?: CatalogTable): Promise<RowsPage> {
  const h = heading ?? (await catalog.describeTable(request.schema, request.table));
  const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(request.pageSize ?? DEFAULT_PAGE_SIZE)));
  const page = Math.max(0, Math.floor(request.page));
  const offset = page * pageSize;
  checkSort(h, request.sort);
  const query = restricted(conn, h, request.restriction);
  const c = await query.compile();
  const d = conn.dialect;
  const attrs = visible(h);
  // Key attributes are read whole: they name the row for Open value.
  const prefixUnit = attrs.map((a) => (a.inKey ? undefined : readsPrefix(a)));
  const list = attrs.map((a, i) => {
    const q = d.quote(a.name);
    const unit = prefixUnit[i];
    if (unit) {
      const p = d.prefixOf(q, unit === 'bytes' ? PREFIX_BYTES : PREFIX_CHARS, unit);
      return `${p.prefix} AS ${d.quote(`v${i}`)}, ${p.length} AS ${d.quote(`n${i}`)}`;
    }
    return `${q} AS ${d.quote(`v${i}`)}`;
  });
  const where = c.where.length ? ` WHERE ${c.where.map((w) => `(${w.sql})`).join(' AND ')}` : '';
  const key = c.primaryKey;
  const order: string[] = [];
  if (request.sort) order.push(`${d.quote(request.sort.attribute)}${request.sort.descending ? ' DESC' : ' ASC'}`);
  for (const k of key) if (k !== request.sort?.attribute) order.push(`${d.quote(k)} ASC`);
  const sql = `SELECT ${list.join(', ')} FROM ${c.from}${where}${order.length ? ` ORDER BY ${order.join(', ')}` : ''}${d.limitOffset(pageSize + 1, offset)}`;
  const params = [...c.fromParams, ...c.where.flatMap((w) => w.params)];
  const [raw, estimate] = await Promise.all([
    conn.query(sql, params, { schema: h.schema, table: h.name }),
    request.restriction?.trim() ? Promise.resolve(undefined) : estimateRows(conn, h.schema, h.name),
  ]);
  const hasMore = raw.length > pageSize;
  const shown = raw.slice(0, pageSize);
  const rows = shown.map((r) =>
    attrs.map((a, i) => {
      const v = r[`v${i}`];
      const unit = prefixUnit[i];
      if (v === null || v === undefined || !unit) return cellOf(a, v);
      const length = Number(r[`n${i}`]);
      if (unit === 'chars') {
        const text: PrefixedText = { text: typeof v === 'string' ? v : Buffer.from(v as Uint8Array).toString('utf8'), length };
        return cellOf(a, text);
      }
      const value: Prefixed = { prefix: v as Uint8Array, length };
      return cellOf(a, value);
    }),
  );
  const keys = shown.map((r) => {
    const k: Record<string, unknown> = {};
    attrs.forEach((a, i) => {
      if (key.includes(a.name)) k[a.name] = decodeValue(a, r[`v${i}`]);
    });
    return k;
  });
  // The estimate cannot be below what this page shows exists (pg_class says 0 before ANALYZE).
  const seen = offset + shown.length + (hasMore ? 1 : 0);
  return {
    schema: h.schema,
    table: h.name,
    columns: rowsColumns(h),
    primaryKey: key,
    rows,
    keys,
    page,
    pageSize,
    offset,
    hasMore,
    estimatedRows: estimate === undefined ? undefined : Math.max(estimate, seen),
    restriction: request.restriction?.trim() || undefined,
    sort: request.sort,
  };
}

/** The server's estimate of a table's rows (no scan), or 0 when it has none. */
export async function estimateRows(db: Queryable, schema: string, table: string): Promise<number> {
  const q = db.dialect.tableInfo(schema, table);
  const [row] = await db.query(q.sql, q.params);
  const n = Number(row?.estimated_rows ?? 0);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** The exact number of rows matching `restriction` (a COUNT(*): slow on big tables, so asked for after a page). */
export async function countRows(conn: Connection, heading: CatalogTable, restriction?: string): Promise<number> {
  return restricted(conn, heading, restriction).count();
}

export interface RowValue {
  /** "Open value"'s text: valueText of the decoded value. */
  text: string;
  /** The editor language for it. */
  language: 'json' | 'plaintext';
}

/** The whole decoded value of one attribute of the row with primary key `key`. */
export async function readRowValue(conn: Connection, heading: CatalogTable, key: Record<string, unknown>, attribute: string): Promise<RowValue> {
  const a = visible(heading).find((x) => x.name === attribute);
  if (!a) throw new UnknownAttributeError('unknownAttribute', `\`${attribute}\` is not an attribute of \`${heading.schema}\`.\`${heading.name}\``);
  const missing = heading.primaryKey.filter((k) => !(k in key));
  if (missing.length) throw new UsageError('usage', `The key lacks ${missing.map((k) => `\`${k}\``).join(', ')}`);
  const rows = await baseQuery(conn, heading).restrict(key).fetch({ attributes: [attribute], limit: 2 });
  if (rows.length !== 1) throw new UsageError('usage', rows.length ? 'The key matches several rows' : 'The row is gone (deleted since the page was read)');
  const value = rows[0]![attribute];
  if (typeof value === 'string') return { text: value, language: /^json/i.test(a.type) ? 'json' : 'plaintext' };
  return { text: valueText(value), language: 'json' };
}
