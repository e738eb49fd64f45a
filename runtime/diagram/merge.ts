// The workspace's diagram merged with what a connection's catalog declares: a table both
// define is one node (declared), a definition the database lacks is marked not declared,
// and a declared table no workspace file defines joins the diagram (not in the
// workspace), with its foreign keys as the catalog reads them (runtime/catalog, whose
// `primary` and `aliased` are dependencies.py's).
import type { CatalogTable } from '../catalog/types';
import { parseTableName } from '../catalog/names';
import { tableNodeId, type DiagramEdge, type DiagramGraph, type DiagramNode } from './model';

/** The graph with every node's `declared` set and the catalog's other tables and foreign keys added. */
export function mergeCatalog(graph: DiagramGraph, tables: readonly CatalogTable[]): DiagramGraph {
  const nodes = new Map(graph.nodes.map((n) => [n.id, { ...n, declared: false }]));
  const edges = new Map(graph.edges.map((e) => [e.id, e]));
  const declared = new Map(tables.map((t) => [tableNodeId(t.schema, t.name), t]));
  const schemas = new Map(graph.schemas.map((s) => [s.name, s]));

  const stub = (schema: string, table: string): DiagramNode => {
    const id = tableNodeId(schema, table);
    let n = nodes.get(id);
    if (n) return n;
    const parsed = parseTableName(table);
    n = { id, schema, table, className: parsed?.className ?? table, name: parsed?.className ?? table, inWorkspace: false, declared: true, introducesDimension: false };
    if (parsed) n.tier = parsed.tier;
    nodes.set(id, n);
    if (!schemas.has(schema)) schemas.set(schema, { name: schema, label: schema });
    return n;
  };

  for (const t of tables) {
    const node = stub(t.schema, t.name);
    node.declared = true;
    if (!node.comment && t.comment) node.comment = t.comment;
    if (t.master !== undefined) {
      const master = stub(t.schema, t.master);
      node.master = master.id;
      if (!node.inWorkspace) node.name = `${master.name}.${node.className}`;
    }
  }
  for (const t of tables) {
    const child = nodes.get(tableNodeId(t.schema, t.name))!;
    const pk = new Set(t.primaryKey);
    const inherited = new Set<string>();
    for (const fk of t.foreignKeys) {
      const parent = stub(fk.parentSchema, fk.parentTable);
      const names = Object.keys(fk.attrMap);
      if (fk.primary) for (const n of names) inherited.add(n);
      const id = `${parent.id}->${child.id}:${names.join(',')}`;
      // The workspace's edge of the same foreign key stays (same id); the database adds its own.
      if (edges.has(id)) continue;
      const edge: DiagramEdge = {
        id,
        from: parent.id,
        to: child.id,
        primary: fk.primary,
        multi: !(names.length === pk.size && names.every((n) => pk.has(n))),
        aliased: fk.aliased,
        attrMap: { ...fk.attrMap },
      };
      // A definition edited since it was declared: its foreign keys are the workspace's.
      if (child.inWorkspace && graph.edges.some((e) => e.to === child.id)) continue;
      edges.set(id, edge);
    }
    if (!child.inWorkspace) child.introducesDimension = pk.size > 0 && [...pk].some((n) => !inherited.has(n));
  }
  // A node only the catalog brought (a table or a parent it references) is declared.
  for (const n of nodes.values()) n.declared = !n.inWorkspace || declared.has(n.id);
  return { nodes: [...nodes.values()], edges: [...edges.values()], schemas: [...schemas.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)), connected: true };
}
