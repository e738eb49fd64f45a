// An existing table is never altered: declaring it again must match what is there
// (then it is a no-op), otherwise each difference is reported in words.
import type { CatalogAttribute, CatalogTable } from '../catalog/types';
import type { ColumnSpec, Dialect, TableSpec } from '../dialect/index';

interface Expected {
  nullable: boolean;
  default: string | null;
}

function expectedDefault(c: ColumnSpec): Expected {
  const clause = c.defaultClause.trim();
  if (clause === '') return { nullable: true, default: null };
  if (/^DEFAULT NULL$/i.test(clause)) return { nullable: true, default: null };
  // Hidden job columns: nullable with a non-null default (`DEFAULT ''`).
  const nullableWithDefault = /^DEFAULT (.*)$/is.exec(clause);
  if (nullableWithDefault) return { nullable: true, default: unquoteSql(nullableWithDefault[1].trim()) };
  const m = /^NOT NULL(?: DEFAULT (.*))?$/is.exec(clause);
  if (!m) return { nullable: false, default: null };
  if (m[1] === undefined) return { nullable: false, default: null };
  return { nullable: false, default: unquoteSql(m[1].trim()) };
}

/** A '…' SQL string literal's text; anything else as it is. */
export function unquoteSql(v: string): string {
  return /^'.*'$/s.test(v) ? v.slice(1, -1).replace(/''/g, "'") : v;
}

/** A default as the server reports it (or a declaration writes it), normalised for comparison. */
export function normDefault(v: string | null): string | null {
  if (v === null) return null;
  let s = v.trim();
  // MariaDB reports string defaults quoted in some versions.
  if (/^'.*'$/s.test(s)) s = s.slice(1, -1).replace(/''/g, "'");
  if (/^current_timestamp/i.test(s)) return s.toLowerCase().replace(/\(\)$/, '');
  if (/^true$/i.test(s)) return '1';
  if (/^false$/i.test(s)) return '0';
  if (s !== '' && Number.isFinite(Number(s))) return String(Number(s));
  return s;
}

function normType(t: string, dialect: Dialect): string {
  let s = dialect.normalizeSqlType(t).toLowerCase().replace(/\s+/g, '');
  // MariaDB stores `json` as longtext with a json_valid check.
  if (s === 'longtext') s = 'json';
  return s;
}

/** The comment as the dialect would store it for `a` (the catalog reads back the user comment unescaped). */
function storedComment(a: CatalogAttribute, dialect: Dialect): string {
  return dialect.attributeComment(a.typeSource === 'marker' ? a.type : undefined, a.comment);
}

/**
 * The platform's columns, whose layout DataJoint for Python changed in 2.3.5 (`_singleton`
 * moved after the declared columns, the job columns got comments and `_job_version` NOT
 * NULL; job columns no longer on Imported parts): a table declared by either release is
 * the same table, so these are compared by type only where both have them, and left out
 * of the order of columns. (Job columns a table lacks or has beyond its definition change
 * nothing: populate writes them only where they exist.)
 */
const PLATFORM = new Set(['_singleton', '_job_start_time', '_job_duration', '_job_version']);

export function compareWithExisting(spec: TableSpec, existing: CatalogTable, dialect: Dialect): string[] {
  const out: string[] = [];
  const actual = new Map(existing.attributes.map((a) => [a.name, a]));
  const wanted = new Set(spec.columns.map((c) => c.name));
  for (const c of spec.columns) {
    const a = actual.get(c.name);
    if (!a) {
      if (PLATFORM.has(c.name) && c.name !== '_singleton') continue;
      out.push(`column \`${c.name}\` is declared but missing in the database`);
      continue;
    }
    if (normType(c.sqlType, dialect) !== normType(a.sqlType, dialect)) out.push(`column \`${c.name}\`: type ${c.sqlType} declared, ${a.sqlType} in the database`);
    if (PLATFORM.has(c.name)) continue;
    const e = expectedDefault(c);
    if (e.nullable !== a.nullable) out.push(`column \`${c.name}\`: ${e.nullable ? 'nullable' : 'not nullable'} declared, ${a.nullable ? 'nullable' : 'not nullable'} in the database`);
    else if (normDefault(e.default) !== normDefault(a.default)) {
      out.push(`column \`${c.name}\`: default ${e.default ?? 'none'} declared, ${a.default ?? 'none'} in the database`);
    }
    const stored = storedComment(a, dialect);
    if (c.comment !== stored) out.push(`column \`${c.name}\`: comment "${c.comment}" declared, "${stored}" in the database`);
  }
  for (const a of existing.attributes) if (!wanted.has(a.name) && !(PLATFORM.has(a.name) && a.name !== '_singleton')) out.push(`column \`${a.name}\` exists in the database but is not declared`);
  const order = (names: string[]) => names.filter((n) => wanted.has(n) && actual.has(n) && !PLATFORM.has(n)).join(',');
  if (!out.length && order(spec.columns.map((c) => c.name)) !== order(existing.attributes.map((a) => a.name))) out.push('the columns are in a different order');

  if (spec.primaryKey.join(',') !== existing.primaryKey.join(',')) out.push(`primary key (${spec.primaryKey.join(', ')}) declared, (${existing.primaryKey.join(', ')}) in the database`);

  const fkKey = (cols: string[], schema: string, table: string, ref: string[]) => `(${cols.join(', ')}) -> \`${schema}\`.\`${table}\` (${ref.join(', ')})`;
  const wantFk = spec.foreignKeys.map((f) => fkKey(f.columns, f.refSchema, f.refTable, f.refColumns)).sort();
  const haveFk = existing.foreignKeys.map((f) => fkKey(f.columns, f.parentSchema, f.parentTable, f.columns.map((c) => f.attrMap[c]))).sort();
  for (const f of wantFk) if (!haveFk.includes(f)) out.push(`foreign key ${f} is declared but missing in the database`);
  for (const f of haveFk) if (!wantFk.includes(f)) out.push(`foreign key ${f} exists in the database but is not declared`);

  // Plain-column indexes only; the server adds non-unique indexes for foreign keys.
  const wantIx = spec.indexes.flatMap((ix) => (ix.columns ? [{ unique: ix.unique, cols: ix.columns }] : []));
  const ixKey = (unique: boolean, cols: string[]) => `${unique ? 'unique ' : ''}index (${cols.join(', ')})`;
  const have = existing.indexes.map((ix) => ixKey(ix.unique, ix.columns));
  for (const ix of wantIx) if (!have.includes(ixKey(ix.unique, ix.cols))) out.push(`${ixKey(ix.unique, ix.cols)} is declared but missing in the database`);
  const fkCols = new Set(spec.foreignKeys.map((f) => f.columns.join(',')));
  for (const ix of existing.indexes) {
    const declared = wantIx.some((w) => w.unique === ix.unique && w.cols.join(',') === ix.columns.join(','));
    const implicit = !ix.unique && [...fkCols].some((f) => f.split(',').slice(0, ix.columns.length).join(',') === ix.columns.join(',') || f === ix.columns.join(','));
    if (!declared && !implicit && spec.indexes.length === wantIx.length) out.push(`${ixKey(ix.unique, ix.columns)} exists in the database but is not declared`);
  }
  if (spec.comment !== existing.comment) out.push(`table comment "${spec.comment}" declared, "${existing.comment}" in the database`);
  return out;
}
