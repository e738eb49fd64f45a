// Definition syntax tree -> table layout, exactly as the reference lays it out
// (declare.py: prepare_declare, compile_attribute, compile_foreign_key, compile_index,
// declare; notes §4). The tree must already have passed validation: this module trusts
// it and only refuses what it cannot lay out.
import type { AttributeLine, Definition, ForeignKeyLine, IndexLine } from '../definition/ast';
import type { ColumnSpec, Dialect, ForeignKeySpec, IndexSpec, TableSpec } from '../dialect/index';
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

export function sqlTypeOf(typeText: string, dialect: Dialect): { sqlType: string; marked: boolean } {
  const t = typeText.trim();
  if (t.startsWith('<')) return { sqlType: codecSqlType(t, dialect), marked: true };
  const core = dialect.coreTypeToSql(t);
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
  const label = `\`${input.schema}\`.\`${input.table}\``;

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
    const { sqlType, marked } = sqlTypeOf(line.type.text, dialect);
    const user = line.comment?.text ?? '';
    columns.push({ name, sqlType, defaultClause: defaultClause(line), comment: marked ? `:${line.type.text.trim()}:${user}` : user });
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
        // heading.py: sql_comment — the parent's user comment, re-marked only for uuid.
        const comment = pa.type === 'uuid' ? `:uuid:${pa.comment}` : pa.comment;
        columns.push({ name: child, sqlType: pa.sqlType, defaultClause: nullable ? '' : 'NOT NULL', comment });
      }
      origins.push({ attribute: child, parentSchema: parent.schema, parentTable: parent.table, parentAttribute: pk });
    }
    foreignKeys.push({ columns: childCols, refSchema: parent.schema, refTable: parent.table, refColumns: [...parent.primaryKey] });
    if (unique) indexes.push({ unique: true, fromForeignKey: true, members: childCols.map((c) => dialect.quote(c)) });
  }

  function index(line: IndexLine): void {
    const members = line.args.map((arg) => {
      if (arg.kind === 'attribute') return dialect.quote(arg.name?.text ?? arg.text);
      if (arg.kind === 'jsonPath') return `(${jsonPathExpression(arg.text, dialect)})`;
      return arg.text;
    });
    indexes.push({ unique: line.unique, members });
  }

  // declare.py: declare — hidden job metadata on Computed (`__x`) and Imported (`_x`, parts too) tables.
  if (input.addJobMetadata) {
    const t = input.table;
    const computed = t.startsWith('__') && !t.slice(2).includes('__');
    const imported = t.startsWith('_') && !t.startsWith('__');
    if (computed || imported) {
      columns.push(
        { name: '_job_start_time', sqlType: 'datetime(3)', defaultClause: 'DEFAULT NULL', comment: '' },
        { name: '_job_duration', sqlType: 'float', defaultClause: 'DEFAULT NULL', comment: '' },
        { name: '_job_version', sqlType: 'varchar(64)', defaultClause: "DEFAULT ''", comment: '' },
      );
    }
  }
  // declare.py: declare — an empty primary key becomes the hidden `_singleton`.
  if (primaryKey.length === 0) {
    primaryKey.push('_singleton');
    columns.unshift({ name: '_singleton', sqlType: dialect.coreTypeToSql('bool')!, defaultClause: 'NOT NULL DEFAULT TRUE', comment: ':bool:singleton primary key' });
  }

  return {
    spec: { schema: input.schema, table: input.table, columns, primaryKey, foreignKeys, indexes, comment: ast.tableComment?.text ?? '' },
    primaryKey,
    origins,
  };
}

/** `attr.path:type` -> `json_value(`attr`, _utf8mb4'$.path' returning type)` (declare.py: translate_attribute). */
function jsonPathExpression(text: string, dialect: Dialect): string {
  const m = /^(\w+)(?:\.([\w.*[\]]+))?(?::([\w(,\s)]+))?$/.exec(text.trim());
  if (!m) return text;
  const [, attr, path, type] = m;
  const returning = type ? ` returning ${type.trim()}` : '';
  return `json_value(${dialect.quote(attr)}, _utf8mb4'$.${path ?? ''}'${returning})`;
}
