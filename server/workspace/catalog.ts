// The database catalog as the language server knows it: the snapshot the client sends
// when its connection opens (server/protocol.ts: CATALOG_NOTIFICATION), null when
// disconnected. A reference the workspace cannot resolve is looked up here by class name
// (as DataJoint maps class names to table names: runtime/catalog/names.ts) in the schema
// its qualifier or import points to; a workspace definition whose table is declared in
// the database is compared with it (DJ601). No SQL here: the client reads the catalog.
import type { ResolvedTable } from '../../runtime/definition/index';
import type { CatalogSnapshot, CatalogTable } from '../../runtime/catalog/index';
import { parseTableName, tableNameFor } from '../../runtime/catalog/names';
import { resolvedFromCatalog } from '../../runtime/declare/check';
import type { IndexedTable, TableIndex } from '../../runtime/project/index';
import type { ModuleBindings } from '../../runtime/project/module-bindings';

/** How a path was written, for choosing among tables of the same class in several schemas. */
export interface LookupHints {
  /** The database schema of the referencing table, when its source says it. */
  ownSchema?: string;
  /** Schemas a qualifier (`acq.Session`) or an import names for certain (a virtual module). */
  strong: string[];
  /** Module names (last segments) the path's first name comes from: `acquisition` matches `lab_acquisition`. */
  weak: string[];
}

export class DatabaseCatalog {
  private current: CatalogSnapshot | null = null;
  private byClass = new Map<string, CatalogTable[]>();
  private byName = new Map<string, CatalogTable>();
  private headings = new Map<string, ResolvedTable>();

  get snapshot(): CatalogSnapshot | null {
    return this.current;
  }

  get label(): string {
    return this.current?.label ?? '';
  }

  set(snapshot: CatalogSnapshot | null): void {
    this.current = snapshot;
    this.byClass = new Map();
    this.byName = new Map();
    this.headings = new Map();
    for (const t of snapshot?.tables ?? []) {
      this.byName.set(`${t.schema}\u0000${t.name}`, t);
      const path = classPath(t);
      if (path === undefined) continue;
      const list = this.byClass.get(path);
      if (list) list.push(t);
      else this.byClass.set(path, [t]);
    }
  }

  table(schema: string, name: string): CatalogTable | undefined {
    return this.byName.get(`${schema}\u0000${name}`);
  }

  tables(): readonly CatalogTable[] {
    return this.current?.tables ?? [];
  }

  hasSchema(schema: string): boolean {
    return this.current?.schemas.includes(schema) ?? false;
  }

  /** The heading as validation sees it; the same object for the same table while this snapshot holds. */
  heading(t: CatalogTable, name: string): ResolvedTable {
    const key = `${t.schema}\u0000${t.name}\u0000${name}`;
    let h = this.headings.get(key);
    if (!h) {
      h = resolvedFromCatalog(t, name);
      // Not a workspace id (`<path>#<name>`): related information never points into it.
      h.id = `database:${t.schema}.${t.name}`;
      this.headings.set(key, h);
    }
    return h;
  }

  /** Tables a class path (`Session`, `Session.Trial`) names, one per schema that declares it. */
  candidates(path: string): readonly CatalogTable[] {
    return this.byClass.get(path) ?? [];
  }

  /**
   * The table a reference path names: `Table`, `Master.Part`, `module.Table`,
   * `module.Master.Part`; undefined when none or several tables fit and the hints do
   * not single one out.
   */
  lookup(path: readonly string[], hints: (qualifier: string | undefined) => LookupHints): CatalogTable | undefined {
    if (!this.current || path.length === 0 || path.length > 3) return undefined;
    const options: Array<{ tables: readonly CatalogTable[]; qualifier: string | undefined }> = [];
    if (path.length === 1) options.push({ tables: this.candidates(path[0]!), qualifier: undefined });
    if (path.length === 2) {
      options.push({ tables: this.candidates(`${path[0]}.${path[1]}`), qualifier: undefined });
      options.push({ tables: this.candidates(path[1]!), qualifier: path[0] });
    }
    if (path.length === 3) options.push({ tables: this.candidates(`${path[1]}.${path[2]}`), qualifier: path[0] });
    for (const { tables, qualifier } of options) {
      if (tables.length === 0) continue;
      const found = choose(tables, hints(qualifier), qualifier !== undefined);
      if (found) return found;
    }
    return undefined;
  }
}

/** `Session`, or `Session.Trial` for a part; undefined for tables with no class. */
export function classPath(t: CatalogTable): string | undefined {
  if (t.tier !== 'Part') return t.className;
  const master = t.master !== undefined ? parseTableName(t.master) : undefined;
  return master ? `${master.className}.${t.className}` : undefined;
}

function choose(tables: readonly CatalogTable[], hints: LookupHints, qualified: boolean): CatalogTable | undefined {
  const pick = (ok: (schema: string) => boolean): CatalogTable | undefined => {
    const hit = tables.filter((t) => ok(t.schema));
    return hit.length === 1 ? hit[0] : undefined;
  };
  if (hints.strong.length) return pick((s) => hints.strong.includes(s));
  if (!qualified && hints.ownSchema !== undefined) {
    const own = pick((s) => s === hints.ownSchema);
    if (own) return own;
  }
  const weak = hints.weak.length ? pick((s) => hints.weak.some((m) => s === m || s.endsWith(`_${m}`))) : undefined;
  if (weak) return weak;
  // A qualifier that says nothing the catalog knows still names one table when only one fits.
  return tables.length === 1 ? tables[0] : undefined;
}

// ---- what the source says ---------------------------------------------------------

const PY_SCHEMA = (variable: string) => new RegExp(`^${variable}\\s*=\\s*(?:[\\w.]+\\.)?[Ss]chema\\(\\s*(?:schema_name\\s*=\\s*)?(['"])([^'"]+)\\1`, 'm');
const PY_VIRTUAL = (variable: string) =>
  new RegExp(`^${variable}\\s*=\\s*(?:[\\w.]+\\.)?(?:VirtualModule|create_virtual_module)\\(\\s*(['"])[^'"]*\\1\\s*,\\s*(?:schema_name\\s*=\\s*)?(['"])([^'"]+)\\2`, 'm');

/**
 * The database schema a table class is declared in, when its source says it (`@schema`
 * with `schema = dj.Schema("lab")`; TS `new dj.Schema('lab')`, through the module-binding
 * analysis of runtime/project/module-bindings.ts, which remembers files by their versions).
 */
export function schemaOfTable(index: TableIndex, t: IndexedTable, textOf: (path: string) => string | undefined, bindings: ModuleBindings): string | undefined {
  if (t.language === 'python') {
    // A nested part is declared with its master, whose decorator names the schema.
    const owner = t.master !== undefined && !t.host.decorators.length ? index.masterOf(t) ?? t : t;
    const variable = owner.host.schema;
    const text = textOf(t.path);
    if (!variable || text === undefined || !/^[A-Za-z_]\w*$/.test(variable)) return undefined;
    return PY_SCHEMA(variable).exec(text)?.[2];
  }
  try {
    const owner = t.master !== undefined ? index.masterOf(t) ?? t : t;
    return bindings.binding(t.path, owner.className).schema;
  } catch {
    return undefined;
  }
}

/** The hints of a path's qualifier (or, without one, of the imported name) in a file. */
export function hintsFor(index: TableIndex, from: IndexedTable, path: readonly string[], qualifier: string | undefined, text: string | undefined, ownSchema: string | undefined): LookupHints {
  const hints: LookupHints = { strong: [], weak: [] };
  if (ownSchema !== undefined) hints.ownSchema = ownSchema;
  const first = qualifier ?? path[0]!;
  if (qualifier !== undefined && from.language === 'python' && text !== undefined && /^[A-Za-z_]\w*$/.test(qualifier)) {
    const virtual = PY_VIRTUAL(qualifier).exec(text)?.[3];
    if (virtual) hints.strong.push(virtual);
  }
  for (const imp of index.scan(from.path)?.imports ?? []) {
    if (imp.local !== first) continue;
    const segments = [...imp.module.replace(/^\.+/, '').split(/[./\\]/).filter((s) => s && s !== '..'), ...(imp.name && imp.name !== 'default' && qualifier !== undefined ? [imp.name] : [])];
    const last = segments.at(-1);
    if (last) hints.weak.push(last.replace(/\.[cm]?[jt]sx?$/, ''));
  }
  if (qualifier !== undefined) hints.weak.push(qualifier);
  return hints;
}

/** The SQL name of a workspace table class (parts through their master), as DataJoint names it. */
export function tableNameOf(index: TableIndex, t: IndexedTable): string | undefined {
  if (!t.tier) return undefined;
  if (t.tier !== 'Part') return tableNameFor(t.tier, t.className);
  const master = index.masterOf(t);
  if (!master?.tier || master.tier === 'Part') return undefined;
  const masterTable = tableNameFor(master.tier, master.className);
  return masterTable === undefined ? undefined : tableNameFor('Part', t.className, masterTable);
}
