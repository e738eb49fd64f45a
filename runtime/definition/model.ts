// The resolved heading of a definition: what declaration turns into columns and what hover
// shows. It follows declare.py: prepare_declare line by line — foreign keys bring the
// parent's primary key (renamed by `.proj(new='old')`, in the parent's key order), the
// first attribute of a name wins, `[nullable]` foreign keys bring nullable attributes.
import type { AttributeLine, DefaultValue, Definition, ForeignKeyLine, IndexLine, Span } from './ast';
import type { ResolvedAttribute, ResolvedTable, ValidationContext } from './context';
import { classifyType, type TypeInfo } from './types';

export interface ModelAttribute {
  name: string;
  /** The declared type text; for a foreign-key attribute, the parent's declared type. */
  type: string;
  typeInfo: TypeInfo;
  inKey: boolean;
  nullable: boolean;
  default?: DefaultValue;
  comment?: string;
  /** Name span for declared attributes; the reference span of the foreign-key line otherwise. */
  span: Span;
  origin: 'declared' | 'foreignKey';
  /** The line the attribute came from. */
  line: AttributeLine | ForeignKeyLine;
  /** For foreign-key attributes: where it came from. */
  foreignKey?: { line: ForeignKeyLine; parent: ResolvedTable; parentAttribute: ResolvedAttribute };
}

export interface ModelForeignKey {
  line: ForeignKeyLine;
  /** The reference path as written. */
  path: string[];
  /** Undefined when there is no resolver or the reference cannot be resolved. */
  parent?: ResolvedTable;
  nullable: boolean;
  unique: boolean;
  inKey: boolean;
  /** Child attribute -> parent attribute, in the parent's key order (empty when unresolved). */
  attributes: Array<{ name: string; parentName: string }>;
  /** An old-style foreign key's renames, parent attribute -> new name, or why they cannot be made. */
  legacy?: { renames: Map<string, string>; problem?: string };
}

export interface ModelIndex {
  line: IndexLine;
  unique: boolean;
  /** Attribute names of `attribute` and `jsonPath` arguments. */
  columns: string[];
}

export interface DuplicateAttribute {
  /** The later line, which declare.py silently drops. */
  line: AttributeLine | ForeignKeyLine;
  name: string;
  /** Where the name is written on the later line. */
  span: Span;
  first: ModelAttribute;
}

/** A foreign key that brings an attribute already declared by an attribute line (declare.py reuses the column). */
export interface ReusedAttribute {
  foreignKey: ModelForeignKey;
  attribute: ModelAttribute;
  parentAttribute: ResolvedAttribute;
}

export interface TableModel {
  tableComment?: string;
  /** In declaration order, the primary key first where it was declared first. */
  attributes: ModelAttribute[];
  primaryKey: string[];
  foreignKeys: ModelForeignKey[];
  indexes: ModelIndex[];
  /** Empty primary key: a singleton table (hidden `_singleton` key column). */
  singleton: boolean;
  /** False when some foreign key could not be resolved: the heading is incomplete. */
  complete: boolean;
  duplicates: DuplicateAttribute[];
  /** Declared attributes that a later foreign key reuses instead of bringing its own. */
  reused: ReusedAttribute[];
}

function isOption(line: ForeignKeyLine, option: string): boolean {
  for (const o of line.options) if (o.text.toLowerCase() === option) return true;
  return false;
}

/** Resolves a reference, with `master` meaning the master table in a part. */
export function resolveReference(path: string[], ctx: ValidationContext): ResolvedTable | undefined {
  if (!ctx.resolve || path.length === 0 || path.some((p) => p === '')) return undefined;
  const found = ctx.resolve(path);
  // schemas.py: _decorate_master puts `master` in a part's namespace; a resolver that
  // does not know the word gets the master's class name instead.
  if (!found && path.length === 1 && path[0] === 'master' && ctx.masterName) return ctx.resolve([ctx.masterName]);
  return found;
}

/**
 * The renames of an old-style foreign key, as declare.py 0.13 maps them: attribute i of the
 * parent's key list to new attribute i; one new attribute without a list takes the parent's
 * only key attribute, or the only one not already in the table.
 */
export function legacyRenames(
  legacy: NonNullable<ForeignKeyLine['legacyRename']>,
  parent: ResolvedTable | undefined,
  present: ReadonlyMap<string, unknown>,
): { renames: Map<string, string>; problem?: string } {
  const renames = new Map<string, string>();
  const key = parent?.primaryKey.map((a) => a.name);
  const taken = legacy.attributes.find((a) => present.has(a.text));
  if (taken) return { renames, problem: `\`${taken.text}\` is already an attribute of this table` };
  let from = legacy.parentAttributes.map((a) => a.text);
  if (from.length === 0 && legacy.attributes.length === 1) {
    if (!key) return { renames };
    from = key.length === 1 ? key : key.filter((n) => !present.has(n));
    if (from.length !== 1) return { renames, problem: `cannot tell which key attribute of \`${parent!.name}\` \`${legacy.attributes[0]!.text}\` renames: name it, e.g. \`(${legacy.attributes[0]!.text}) -> ${parent!.name}(${key[0] ?? 'attr'})\`` };
  }
  if (from.length !== legacy.attributes.length) return { renames, problem: `${legacy.attributes.length} new attribute${legacy.attributes.length === 1 ? '' : 's'} for ${from.length} of the parent` };
  const outside = key ? from.find((f) => !key.includes(f)) : undefined;
  if (outside) return { renames, problem: `\`${outside}\` is not in the primary key of \`${parent!.name}\`` };
  from.forEach((f, i) => renames.set(f, legacy.attributes[i]!.text));
  return { renames };
}

/**
 * A declared attribute's model, its optional properties in the literal (in the order they
 * were always added) so that no object needs a property array of its own.
 */
function declaredAttribute(line: AttributeLine, ctx: ValidationContext): ModelAttribute {
  const name = line.name.text;
  const type = line.type?.text ?? '';
  const typeInfo = classifyType(type, ctx.target);
  const nullable = line.default?.kind === 'null';
  const span = line.name.span;
  const d = line.default;
  const c = line.comment?.text;
  if (d && line.comment) return { name, type, typeInfo, inKey: line.inKey, nullable, span, origin: 'declared', line, default: d, comment: c };
  if (d) return { name, type, typeInfo, inKey: line.inKey, nullable, span, origin: 'declared', line, default: d };
  if (line.comment) return { name, type, typeInfo, inKey: line.inKey, nullable, span, origin: 'declared', line, comment: c };
  return { name, type, typeInfo, inKey: line.inKey, nullable, span, origin: 'declared', line };
}

export function analyzeTable(ast: Definition, ctx: ValidationContext = {}): TableModel {
  const model: TableModel = {
    attributes: [], primaryKey: [], foreignKeys: [], indexes: [], singleton: false, complete: true, duplicates: [], reused: [],
  };
  if (ast.tableComment) model.tableComment = ast.tableComment.text;
  const byName = new Map<string, ModelAttribute>();
  const inKey = new Set<string>();
  function addToKey(name: string): void {
    if (inKey.has(name)) return;
    inKey.add(name);
    model.primaryKey.push(name);
  }
  let keyWritten = false;

  for (const line of ast.lines) {
    if (line.kind === 'attribute') {
      if (line.inKey) keyWritten = true;
      const name = line.name.text;
      const existing = byName.get(name);
      if (existing) {
        model.duplicates.push({ line, name, span: line.name.span, first: existing });
        if (line.inKey) addToKey(name); // declare.py keeps the key membership of a dropped duplicate
        continue;
      }
      const attr = declaredAttribute(line, ctx);
      model.attributes.push(attr);
      byName.set(name, attr);
      if (line.inKey) addToKey(name);
    } else if (line.kind === 'foreignKey') {
      if (line.inKey) keyWritten = true;
      const path = line.reference?.path.map((p) => p.text) ?? [];
      const fk: ModelForeignKey = {
        line, path, nullable: isOption(line, 'nullable'), unique: isOption(line, 'unique'), inKey: line.inKey, attributes: [],
      };
      model.foreignKeys.push(fk);
      const parent = line.reference ? resolveReference(path, ctx) : undefined;
      if (!parent) {
        if (line.legacyRename) fk.legacy = legacyRenames(line.legacyRename, undefined, byName);
        model.complete = false;
        continue;
      }
      fk.parent = parent;
      // Only a projection or an old-style rename renames anything.
      const renames = line.reference!.projection || line.legacyRename ? new Map<string, string>() : undefined;
      for (const item of line.reference!.projection?.items ?? []) {
        if (item.form === 'rename' && item.target && item.source) renames!.set(item.source.text, item.target.text);
      }
      if (line.legacyRename) {
        fk.legacy = legacyRenames(line.legacyRename, parent, byName);
        for (const [from, to] of fk.legacy.renames) renames!.set(from, to);
      }
      const span = line.reference!.span;
      for (const pa of parent.primaryKey) {
        const name = renames?.get(pa.name) ?? pa.name;
        fk.attributes.push({ name, parentName: pa.name });
        const existing = byName.get(name);
        if (existing) {
          // Diamonds share the attribute (reference §1.6 step 6): not a duplicate.
          if (line.inKey) addToKey(name);
          if (existing.origin === 'declared') model.reused.push({ foreignKey: fk, attribute: existing, parentAttribute: pa });
          continue;
        }
        const typeInfo = classifyType(pa.type, ctx.target);
        const foreignKey = { line, parent, parentAttribute: pa };
        // One literal per shape: a property added afterwards costs each object a property array.
        const attr: ModelAttribute = pa.comment
          ? { name, type: pa.type, typeInfo, inKey: line.inKey, nullable: fk.nullable, span, origin: 'foreignKey', line, foreignKey, comment: pa.comment }
          : { name, type: pa.type, typeInfo, inKey: line.inKey, nullable: fk.nullable, span, origin: 'foreignKey', line, foreignKey };
        model.attributes.push(attr);
        byName.set(name, attr);
        if (line.inKey) addToKey(name);
      }
    } else if (line.kind === 'error') {
      // An unreadable line above the divider may be a key attribute: not a singleton.
      if (line.inKey) keyWritten = true;
    } else if (line.kind === 'index') {
      model.indexes.push({
        line,
        unique: line.unique,
        columns: line.args.filter((a) => a.name).map((a) => a.name!.text),
      });
    }
  }
  model.singleton = !keyWritten && model.primaryKey.length === 0;
  return model;
}
