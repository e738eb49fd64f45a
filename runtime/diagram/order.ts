// Dependency order over a diagram: what "Populate this and everything downstream" runs.
// A part is filled by its master's make, so a table that references a part depends on
// the master's populate (dependencies.py adds the same master edges for topo_sort).
import { isAutoPopulated, type DiagramGraph, type DiagramNode } from './model';

/** Parent ids of each node, a part's foreign keys counting as its master's. */
function populateParents(graph: DiagramGraph): Map<string, Set<string>> {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const unit = (id: string): string => byId.get(id)?.master ?? id;
  const parents = new Map<string, Set<string>>(graph.nodes.map((n) => [unit(n.id), new Set()]));
  for (const e of graph.edges) {
    const from = unit(e.from);
    const to = unit(e.to);
    if (from === to) continue;
    parents.get(to)?.add(from) ?? parents.set(to, new Set([from]));
  }
  return parents;
}

/**
 * Every node id in an order where each comes after its parents (ties by name, so the
 * order is the same every time); nodes on a cycle, which DataJoint never declares, last.
 */
export function topologicalOrder(graph: DiagramGraph): string[] {
  const parents = new Map<string, Set<string>>(graph.nodes.map((n) => [n.id, new Set()]));
  for (const e of graph.edges) if (e.from !== e.to && parents.has(e.to) && parents.has(e.from)) parents.get(e.to)!.add(e.from);
  // A part after its master.
  for (const n of graph.nodes) if (n.master && parents.has(n.master)) parents.get(n.id)!.add(n.master);
  return kahn(graph.nodes, parents);
}

function kahn(nodes: readonly DiagramNode[], parents: Map<string, Set<string>>): string[] {
  const name = new Map(nodes.map((n) => [n.id, `${n.schema ?? ''}\u0000${n.name}`]));
  const waiting = new Map([...parents].map(([id, ps]) => [id, ps.size]));
  const children = new Map<string, string[]>();
  for (const [id, ps] of parents) for (const p of ps) children.get(p)?.push(id) ?? children.set(p, [id]);
  const byName = (a: string, b: string) => ((name.get(a) ?? a) < (name.get(b) ?? b) ? -1 : 1);
  const ready = [...waiting].filter(([, n]) => n === 0).map(([id]) => id).sort(byName);
  const out: string[] = [];
  while (ready.length) {
    const id = ready.shift()!;
    out.push(id);
    const freed: string[] = [];
    for (const c of children.get(id) ?? []) {
      const left = waiting.get(c)! - 1;
      waiting.set(c, left);
      if (left === 0) freed.push(c);
    }
    if (freed.length) {
      ready.push(...freed);
      ready.sort(byName);
    }
  }
  if (out.length < waiting.size) out.push(...[...waiting.keys()].filter((id) => !out.includes(id)).sort(byName));
  return out;
}

/** Node ids downstream of a node (its descendants through foreign keys, its parts' too), without it. */
export function descendants(graph: DiagramGraph, id: string): Set<string> {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const children = new Map<string, string[]>();
  for (const e of graph.edges) children.get(e.from)?.push(e.to) ?? children.set(e.from, [e.to]);
  // A master's parts are downstream of it.
  for (const n of graph.nodes) if (n.master) children.get(n.master)?.push(n.id) ?? children.set(n.master, [n.id]);
  const seen = new Set<string>();
  const queue = [id];
  while (queue.length) {
    const at = queue.pop()!;
    for (const c of children.get(at) ?? []) {
      if (c === id || seen.has(c) || !byId.has(c)) continue;
      seen.add(c);
      queue.push(c);
    }
  }
  return seen;
}

/**
 * What "Populate this and everything downstream" runs, in order: the node itself when it
 * is auto-populated, then its auto-populated descendants (parts excluded: their master's
 * populate fills them), each after every one of them it depends on.
 */
export function populateChain(graph: DiagramGraph, id: string): DiagramNode[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const start = byId.get(id);
  if (!start) throw new Error(`No table ${id} in the diagram`);
  const root = start.master ?? id;
  const wanted = new Set([...descendants(graph, root)].filter((d) => {
    const n = byId.get(d)!;
    return isAutoPopulated(n) && !n.master;
  }));
  const rootNode = byId.get(root);
  if (rootNode && isAutoPopulated(rootNode) && !rootNode.master) wanted.add(root);
  const order = kahn(
    graph.nodes.filter((n) => !n.master),
    populateParents(graph),
  );
  return order.filter((d) => wanted.has(d)).map((d) => byId.get(d)!);
}
