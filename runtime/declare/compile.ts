// Definition syntax tree -> table layout, exactly as the reference lays it out
// (declare.py: prepare_declare, compile_attribute, compile_foreign_key, compile_index,
// declare; notes §4). The tree must already have passed validation: this module trusts
// it and only refuses what it cannot lay out.
import type { AttributeLine, Definition, ForeignKeyLine, IndexLine } from '../definition/ast';
import type { ColumnSpec, Dialect, EnumTypeSpec, ForeignKeySpec, IndexSpec, TableSpec } from '../dialect/index';
import { DeclarationError } from '../errors/index';

/** What declaration needs to know of a referenced table (read from the server, as the reference does). */
export interface ParentTable {
  schema: string;
  table: string;
  primaryKey: string[];
  attributes: Array<{ name: string; sqlType: string; type: string; comment: string }>;
}

export interface CompileInput {
  ast: Definition;
  schema: string;
  table: string;
  dialect: Dialect;
  /** Resolves the dotted path of a `->` line (`['Subject']`, `['master']`, `['other', 'Table']`). */
  resolve(path: string[]): ParentTable | undefined;
  /** jobs.add_job_metadata at declaration time. */
  addJobMetadata: boolean;
}

/** child attribute -> origin in the parent, for `~lineage` (table.py: _populate_lineage). */
export interface ForeignKeyOrigin {
  attribute: string;
  parentSchema: string;
  parentTable: string;
  parentAttribute: string;
}

export interface CompiledTable {
  spec: TableSpec;
  primaryKey: string[];
  origins: ForeignKeyOrigin[];
}

/** SQL type of a codec type (notes §2.4): in-table codecs hold bytes, in-store codecs JSON metadata. */
function codecSqlType(text: string, dialect: Dialect): string {
  const inner = text.replace(/^<|>$/g, '');
  const at = inner.indexOf('@');
  const name = (at < 0 ? inner : inner.slice(0, at)).trim();
  if (at >= 0) return dialect.coreTypeToSql('json')!;
  if (name === 'blob' || name === 'attach') return dialect.coreTypeToSql('bytes')!;
  throw new Error(`codec <${name}> needs a store`);
}

export function defaultClause(line: AttributeLine): string {
  // declare.py: compile_attribute — the default text becomes the SQL column suffix.
  const d = line.default;
  if (!d) return 'NOT NULL';
  switch (d.kind) {
    case 'null':
      return 'DEFAULT NULL';
    case 'currentTimestamp':
      return `NOT NULL DEFAULT ${d.text}`;
    case 'string':
      if (d.text.startsWith('"')) return `NOT NULL DEFAULT '${(d.value ?? d.text.slice(1, -1)).replace(/'/g, "''")}'`;
      return `NOT NULL DEFAULT ${d.text}`;
    default:
      return `NOT NULL DEFAULT '${d.text}'`;
  }
}

/** The SQL type of a declared type; `schema` is the table's (PostgreSQL enums are types in it). */
export function sqlTypeOf(typeText: string, dialect: Dialect, schema?: string): { sqlType: string; marked: boolean } {
  const t = typeText.trim();
  if (t.startsWith('<')) return { sqlType: codecSqlType(t, dialect), marked: true };
  const core = dialect.coreTypeToSql(t, schema);
  if (core !== undefined) return { sqlType: core, marked: true };
  return { sqlType: t, marked: false };
}

export function compileTable(input: CompileInput): CompiledTable {
  const { ast, dialect } = input;
  const columns: ColumnSpec[] = [];
  const names = new Set<string>();
  const primaryKey: string[] = [];
  const foreignKeys: ForeignKeySpec[] = [];
  const indexes: IndexSpec[] = [];
  const origins: ForeignKeyOrigin[] = [];
  const enumTypes: EnumTypeSpec[] = [];
  /** Non-unique foreign keys' columns, for the supporting indexes of backends that need them. */
  const fkIndexCandidates: string[][] = [];
  const label = `\`${input.schema}\`.\`${input.table}\``;
  // declare.py: declare — checked before anything else.
  if (input.table.length > dialect.maxTableNameLength) {
    throw new DeclarationError(input.table, `Table name \`${input.table}\` exceeds the max length of ${dialect.maxTableNameLength}`);
  }

  for (const line of ast.lines) {
    switch (line.kind) {
      case 'attribute':
        attribute(line);
        break;
      case 'foreignKey':
        foreignKey(line);
        break;
      case 'index':
        index(line);
        break;
      case 'error':
        throw new DeclarationError(input.table, `Cannot declare ${label}: cannot read line "${line.text}"`);
      default:
        break;
    }
  }

  function attribute(line: AttributeLine): void {
    const name = line.name.text;
    if (names.has(name) || !line.type) return;
    names.add(name);
    if (line.inKey) primaryKey.push(name);
    const typeText = line.type.text.trim();
    const { sqlType, marked } = sqlTypeOf(typeText, dialect, input.schema);
    if (marked) addEnumType(enumTypes, dialect.enumType(typeText));
    const comment = dialect.attributeComment(marked ? typeText : undefined, line.comment?.text ?? '');
    columns.push({ name, sqlType, defaultClause: defaultClause(line), comment });
  }

  function foreignKey(line: ForeignKeyLine): void {
    const ref = line.reference;
    if (!ref) throw new DeclarationError(input.table, `Cannot declare ${label}: incomplete foreign key`);
    const path = ref.path.map((p) => p.text);
    const parent = input.resolve(path);
    if (!parent) throw new DeclarationError(input.table, `Foreign key reference ${path.join('.')} could not be resolved`);
    const nullable = line.options.some((o) => o.text.toLowerCase() === 'nullable');
    const unique = line.options.some((o) => o.text.toLowerCase() === 'unique');
    // `.proj(new='old')`: renames of parent key attributes; others are ignored (notes §1.6).
    const renameOf = new Map<string, string>();
    for (const item of ref.projection?.items ?? []) {
      if (item.target && item.source) renameOf.set(item.source.text, item.target.text);
    }
    const childCols: string[] = [];
    for (const pk of parent.primaryKey) {
      const child = renameOf.get(pk) ?? pk;
      childCols.push(child);
      const pa = parent.attributes.find((a) => a.name === pk);
      if (!pa) throw new DeclarationError(input.table, `Cannot declare ${label}: parent ${parent.table} has no attribute ${pk}`);
      if (!names.has(child)) {
        names.add(child);
        if (line.inKey) primaryKey.push(child);
        const { sqlType, comment } = dialect.copiedColumn(pa, parent.schema);
        columns.push({ name: child, sqlType, defaultClause: nullable ? '' : 'NOT NULL', comment });
      }
      origins.push({ attribute: child, parentSchema: parent.schema, parentTable: parent.table, parentAttribute: pk });
    }
    foreignKeys.push({ columns: childCols, refSchema: parent.schema, refTable: parent.table, refColumns: [...parent.primaryKey] });
    if (unique) indexes.push({ unique: true, fromForeignKey: true, members: childCols.map((c) => dialect.quote(c)), columns: childCols });
    else if (!dialect.indexesForeignKeys) fkIndexCandidates.push(childCols);
  }

  function index(line: IndexLine): void {
    const columnNames: string[] = [];
    const members = line.args.map((arg) => {
      if (arg.kind === 'attribute') {
        const name = arg.name?.text ?? arg.text;
        columnNames.push(name);
        return dialect.quote(name);
      }
      // declare.py: declare turns index clauses into CREATE INDEX on PostgreSQL by splitting
      // them at commas and quoting each piece, so an expression comes out as invalid SQL:
      // the reference cannot declare such an index there, and neither do we.
      if (!dialect.expressionIndexes) {
        throw new DeclarationError(input.table, `Cannot declare ${label}: index member \`${arg.text}\` is not an attribute; only attributes can be indexed on ${dialect.name}`);
      }
      if (arg.kind === 'jsonPath') return `(${jsonPathExpression(arg.text, dialect)})`;
      return arg.text;
    });
    const ix: IndexSpec = { unique: line.unique, members };
    if (columnNames.length === members.length) ix.columns = columnNames;
    indexes.push(ix);
  }

  // declare.py: prepare_declare — an empty primary key becomes the hidden `_singleton`;
  // Computed and Imported masters may get job metadata, after the declared columns.
  const platform = dialect.platformColumns(input.table, primaryKey.length === 0, input.addJobMetadata);
  if (platform.some((c) => c.name === '_singleton')) primaryKey.push('_singleton');
  columns.push(...platform);
  indexes.push(...foreignKeySupportIndexes(fkIndexCandidates, primaryKey, indexes, dialect));

  const spec: TableSpec = { schema: input.schema, table: input.table, columns, primaryKey, foreignKeys, indexes, comment: ast.tableComment?.text ?? '' };
  if (enumTypes.length) spec.enumTypes = enumTypes;
  return { spec, primaryKey, origins };
}

/**
 * Records an enum type a column uses (adapters/postgres.py: core_type_to_sql keeps them by
 * name): the first use fixes its place, the last its values (`enum('b','a')` and
 * `enum('a','b')` share one type, created with the values written last).
 */
export function addEnumType(types: EnumTypeSpec[], type: EnumTypeSpec | undefined): void {
  if (!type) return;
  const existing = types.find((e) => e.name === type.name);
  if (existing) existing.values = type.values;
  else types.push(type);
}

/**
 * declare.py: prepare_declare (#1512) — on a backend that does not index foreign keys, an
 * index on each non-unique foreign key's columns, unless they are a left prefix of the
 * primary key, of an index declared so far, or of a longer foreign-key index already
 * added (candidates longest first, ties in line order).
 */
function foreignKeySupportIndexes(candidates: string[][], primaryKey: string[], declared: IndexSpec[], dialect: Dialect): IndexSpec[] {
  if (!candidates.length) return [];
  // The reference reads the columns of a declared index back from its clause; an
  // expression member reads back as text no column list can start with.
  const prefixes: string[][] = [[...primaryKey], ...declared.map((ix) => ix.columns ?? ix.members)];
  const covered = (c: string[]) => prefixes.some((p) => c.every((name, i) => p[i] === name));
  const out: IndexSpec[] = [];
  for (const c of [...candidates].sort((a, b) => b.length - a.length)) {
    if (covered(c)) continue;
    out.push({ unique: false, supportsForeignKey: true, members: c.map((name) => dialect.quote(name)), columns: c });
    prefixes.push(c);
  }
  return out;
}

/** `attr.path:type` -> `json_value(`attr`, _utf8mb4'$.path' returning type)` (declare.py: translate_attribute). */
function jsonPathExpression(text: string, dialect: Dialect): string {
  const m = /^(\w+)(?:\.([\w.*[\]]+))?(?::([\w(,\s)]+))?$/.exec(text.trim());
  if (!m) return text;
  const [, attr, path, type] = m;
  const returning = type ? ` returning ${type.trim()}` : '';
  return `json_value(${dialect.quote(attr)}, _utf8mb4'$.${path ?? ''}'${returning})`;
}
