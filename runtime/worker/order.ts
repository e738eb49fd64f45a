// The order a worker populates a pipeline's tables in: parents before children, from the
// foreign keys the database holds (as DataJoint for Python orders tables by its dependency
// graph, datajoint/dependencies.py: topo_sort). A table counts as a parent of another when
// it is an ancestor through any chain of foreign keys, also through tables the worker does
// not run (a Manual table between two Computed ones, a Part of another table), across
// schemas.
import { Catalog } from '../catalog/index';
import type { Connection } from '../connection/index';
import { BINDING, type TableBinding } from '../table/binding';
import type { AutoPopulatedClass } from '../populate/adapter';

export function bindingOf(cls: AutoPopulatedClass): TableBinding {
  const b = Object.prototype.hasOwnProperty.call(cls, BINDING) ? (cls as unknown as Record<symbol, TableBinding>)[BINDING] : undefined;
  if (!b) throw new Error(`Table class ${cls.name} is not registered with a schema: call schema.register(${cls.name}).`);
  return b;
}

const fullName = (schema: string, table: string) => `${schema}.${table}`;

/**
 * The classes in dependency order: each after every one of its ancestors; otherwise in the
 * order given (the module's export order). Declares tables not declared yet, as populate
 * would.
 */
export async function dependencyOrder<T extends AutoPopulatedClass>(classes: readonly T[]): Promise<T[]> {
  const catalogs = new Map<Connection, Catalog>();
  const names = new Map<T, string>();
  const parentsOf = new Map<string, Promise<string[]>>();
  const parents = (catalog: Catalog, name: string, schema: string, table: string): Promise<string[]> => {
    let p = parentsOf.get(name);
    if (!p) {
      p = catalog.describeTable(schema, table).then((h) => [...new Set(h.foreignKeys.map((fk) => fullName(fk.parentSchema, fk.parentTable)))]);
      parentsOf.set(name, p);
    }
    return p;
  };
  const ancestors = new Map<T, Set<string>>();
  for (const cls of classes) {
    const b = bindingOf(cls);
    const conn = await b.connection();
    let catalog = catalogs.get(conn);
    if (!catalog) catalogs.set(conn, (catalog = new Catalog(conn)));
    const heading = await b.heading();
    const own = fullName(b.schemaName, b.tableName);
    names.set(cls, own);
    // Walk up the foreign keys; `seen` also guards against a cycle no DataJoint makes.
    const seen = new Set<string>();
    const todo = [...new Set(heading.foreignKeys.map((fk) => fullName(fk.parentSchema, fk.parentTable)))];
    while (todo.length) {
      const n = todo.pop()!;
      if (seen.has(n) || n === own) continue;
      seen.add(n);
      const dot = n.indexOf('.');
      for (const p of await parents(catalog, n, n.slice(0, dot), n.slice(dot + 1))) if (!seen.has(p)) todo.push(p);
    }
    ancestors.set(cls, seen);
  }
  const out: T[] = [];
  const pending = [...classes];
  while (pending.length) {
    let i = pending.findIndex((c) => pending.every((o) => o === c || !ancestors.get(c)!.has(names.get(o)!)));
    if (i < 0) i = 0;
    const [next] = pending.splice(i, 1);
    out.push(next!);
  }
  return out;
}
