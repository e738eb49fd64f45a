// A definition against the table declared from it, in DataJoint's vocabulary: the heading
// the definition makes (runtime/definition: analyzeTable, foreign keys resolved) and the
// heading read back from the server (Catalog.describeTable), normalised on both sides so
// that an unchanged definition compares equal on MySQL/MariaDB and on PostgreSQL. Types
// compare as DataJoint types where the column carries its type marker (`int32`,
// `<blob>`, `enum('a', 'b')` as written), else as the SQL the definition declares on that
// backend (runtime/declare: sqlTypeOf, the one mapping declaration uses); defaults as the
// server stores them; comments as declared. Attributes that foreign keys bring are
// compared by name, key membership and nullability only: their types are their parent's.
// The language server reports the differences (DJ601) as a small diff.
import type { ModelAttribute, TableModel } from '../definition/model';
import { defaultClause, sqlTypeOf } from '../declare/compile';
import { normDefault, unquoteSql } from '../declare/compare';
import { dialectFor } from '../dialect/index';
import type { Dialect } from '../dialect/index';
import type { CatalogAttribute, CatalogTable } from './types';

export interface HeadingDifference {
  kind: 'comment' | 'primaryKey' | 'added' | 'removed' | 'changed';
  /** The attribute, for added, removed and changed. */
  attribute?: string;
  /** The database's side, as a definition line (`attr = 0 : int32  # comment`); absent for added. */
  database?: string;
  /** The definition's side; absent for removed. */
  definition?: string;
}

export interface DeclaredComparison {
  differences: HeadingDifference[];
  /** The differences as diff lines: `- ` the database's, `+ ` the definition's. */
  diff: string[];
}

/** Outside quotes: lowercase, no whitespace, no integer display widths. */
function normType(t: string): string {
  let out = '';
  let quote: string | undefined;
  for (const c of t.trim()) {
    if (quote) {
      out += c;
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
      out += "'";
    } else if (!/\s/.test(c)) out += c.toLowerCase();
  }
  return out.replace(/^((?:tiny|small|medium|big)?int)\(\d+\)/, '$1').replace(/"/g, "'");
}

function normSql(t: string, dialect: Dialect): string {
  const s = normType(dialect.normalizeSqlType(t));
  // MariaDB stores `json` as longtext with a json_valid check (runtime/declare/compare.ts).
  return s === 'longtext' ? 'json' : s;
}

/** The default a declared attribute's column gets (declare.py: compile_attribute), normalised. */
function declaredDefault(a: ModelAttribute): string | null {
  if (a.line.kind !== 'attribute') return null;
  const clause = defaultClause(a.line);
  const m = /^NOT NULL DEFAULT (.*)$/is.exec(clause);
  return m ? normDefault(unquoteSql(m[1]!.trim())) : null;
}

function sameType(def: ModelAttribute, db: CatalogAttribute, dialect: Dialect): boolean {
  if (normType(def.type) === normType(db.type)) return true;
  // A marked column says its DataJoint type; an unmarked one (a native type, or a table
  // declared by DataJoint 0.x) is what the definition's type becomes in SQL.
  if (db.typeSource === 'marker') return false;
  try {
    return normSql(sqlTypeOf(def.type, dialect).sqlType, dialect) === normSql(db.sqlType, dialect);
  } catch {
    return false;
  }
}

// describe.ts: string-like attributes show their defaults in double quotes.
const STRING_TYPE = /^(enum|(var)?char|character|date|datetime|time|timestamp|year|(tiny|medium|long)?text|uuid)\b/i;

function databaseLine(a: CatalogAttribute): string {
  let d = '';
  if (a.nullable) d = ' = null';
  else if (/^current_timestamp/i.test(a.default ?? '')) d = ` = ${a.default!.replace(/^current_timestamp(\(\))?/i, 'CURRENT_TIMESTAMP')}`;
  else if (a.default !== null) d = ` = ${STRING_TYPE.test(a.type) || STRING_TYPE.test(a.sqlType) ? `"${a.default}"` : a.default}`;
  return `${a.name}${d} : ${a.type}${a.comment ? `  # ${a.comment}` : ''}`;
}

function definitionLine(a: ModelAttribute): string {
  if (a.origin === 'foreignKey') return `${a.name}${a.nullable ? ' = null' : ''} : ${a.type}`;
  const d = a.default ? ` = ${a.default.text}` : '';
  return `${a.name}${d} : ${a.type}${a.comment ? `  # ${a.comment}` : ''}`;
}

/**
 * The differences between a definition's heading (`model`, analysed with its references
 * resolved) and the table declared in the database. An incomplete model (a reference that
 * did not resolve) is compared on what it knows: the attributes a missing parent would
 * bring are not reported as removed, and the primary key is compared on the attributes
 * both sides have.
 */
export function compareWithDeclared(model: TableModel, declared: CatalogTable, backend: 'mysql' | 'postgresql'): DeclaredComparison {
  const dialect = dialectFor(backend);
  const differences: HeadingDifference[] = [];
  const dbAttrs = declared.attributes.filter((a) => !a.hidden);
  const byName = new Map(dbAttrs.map((a) => [a.name, a]));
  const defNames = new Set(model.attributes.map((a) => a.name));
  const fkColumns = new Set(declared.foreignKeys.flatMap((f) => f.columns));

  const defComment = model.tableComment ?? '';
  if (defComment !== declared.comment) differences.push({ kind: 'comment', database: `# ${declared.comment}`, definition: `# ${defComment}` });

  const both = (n: string) => defNames.has(n) && byName.has(n);
  const defKey = model.complete ? model.primaryKey : model.primaryKey.filter(both);
  const dbKey = declared.primaryKey.filter((n) => byName.has(n) && (model.complete || both(n)));
  const sortedKey = (k: string[]) => [...k].sort().join(',');
  if (sortedKey(defKey) !== sortedKey(dbKey)) differences.push({ kind: 'primaryKey', database: `primary key (${dbKey.join(', ')})`, definition: `primary key (${defKey.join(', ')})` });

  for (const a of model.attributes) {
    const db = byName.get(a.name);
    if (!db) {
      differences.push({ kind: 'added', attribute: a.name, definition: definitionLine(a) });
      continue;
    }
    let same = a.nullable === db.nullable;
    if (same && a.origin === 'declared' && db.typeSource !== 'foreignKey') {
      same = sameType(a, db, dialect) && (a.comment ?? '') === db.comment && (a.nullable || declaredDefault(a) === normDefault(db.default));
    }
    if (!same) differences.push({ kind: 'changed', attribute: a.name, database: databaseLine(db), definition: definitionLine(a) });
  }
  for (const db of dbAttrs) {
    if (defNames.has(db.name)) continue;
    if (!model.complete && fkColumns.has(db.name)) continue; // what an unresolved parent would bring
    differences.push({ kind: 'removed', attribute: db.name, database: databaseLine(db) });
  }
  const diff: string[] = [];
  for (const d of differences) {
    if (d.database !== undefined) diff.push(`- ${d.database}`);
    if (d.definition !== undefined) diff.push(`+ ${d.definition}`);
  }
  return { differences, diff };
}
