// Collapsed schemas (diagram.py _apply_collapse): each collapsed schema becomes one node
// standing for its tables, and the foreign keys that cross into it one edge per pair of
// drawn nodes; between two collapsed schemas that edge is a bundle, with no single
// foreign key's properties.
import type { DiagramEdge, DiagramGraph, DiagramNode } from './model';

export const collapsedNodeId = (schema: string): string => `collapsed:${schema}`;

/** The graph as drawn with these schemas collapsed. */
export function collapseSchemas(graph: DiagramGraph, collapsed: ReadonlySet<string>): DiagramGraph {
  if (collapsed.size === 0) return graph;
  const mapped = new Map<string, string>();
  const nodes: DiagramNode[] = [];
  const groups = new Map<string, DiagramNode>();
  for (const n of graph.nodes) {
    if (n.schema === undefined || !collapsed.has(n.schema)) {
      mapped.set(n.id, n.id);
      nodes.push(n);
      continue;
    }
    let g = groups.get(n.schema);
    if (!g) {
      const label = graph.schemas.find((s) => s.name === n.schema)?.label ?? n.schema;
      g = { id: collapsedNodeId(n.schema), schema: n.schema, className: label, name: label, inWorkspace: false, introducesDimension: false, tableCount: 0 };
      groups.set(n.schema, g);
      nodes.push(g);
    }
    g.tableCount = (g.tableCount ?? 0) + 1;
    g.inWorkspace ||= n.inWorkspace;
    mapped.set(n.id, g.id);
  }
  const edges: DiagramEdge[] = [];
  const pairs = new Set<string>();
  for (const e of graph.edges) {
    const from = mapped.get(e.from) ?? e.from;
    const to = mapped.get(e.to) ?? e.to;
    if (from === to) continue;
    const fromGroup = from !== e.from;
    const toGroup = to !== e.to;
    if (!fromGroup && !toGroup) {
      edges.push(e);
      continue;
    }
    const pair = `${from}\u0000${to}`;
    if (pairs.has(pair)) continue;
    pairs.add(pair);
    const edge: DiagramEdge = { ...e, id: `${from}->${to}`, from, to };
    if (fromGroup && toGroup) {
      edge.bundle = true;
      edge.primary = true;
      edge.multi = false;
      edge.aliased = false;
    }
    edges.push(edge);
  }
  return { ...graph, nodes, edges };
}
