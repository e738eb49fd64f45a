// The project's reference graph: which table's definition names which table (`->`), with
// where it is written, the reverse edges (for re-checks and find-references), references
// that resolve to nothing (by their last name), and the reference cycles.
import { extractReferences, type ReferenceText } from '../references';
import type { FileEntry, IndexedTable } from './files';

export interface Edge {
  /** The referenced table's id. */
  parent: string;
  reference: ReferenceText;
}

export interface Graph {
  /** Table id -> ids of the tables that reference it. */
  children: Map<string, Set<string>>;
  /** Table id -> the references of its definition that resolve to a table. */
  parents: Map<string, Edge[]>;
  /** Last name of an unresolved reference -> files holding one. */
  unresolved: Map<string, Set<string>>;
  /** Table id -> cycle number, for tables on a reference cycle. */
  cycle: Map<string, number>;
}

export type ResolveFrom = (from: IndexedTable, path: readonly string[]) => IndexedTable | undefined;

export function buildGraph(files: Iterable<FileEntry>, resolve: ResolveFrom): Graph {
  const graph: Graph = { children: new Map(), parents: new Map(), unresolved: new Map(), cycle: new Map() };
  for (const f of files) addEdges(graph, f, f.tables, resolve);
  graph.cycle = cycles(graph.parents);
  return graph;
}

/**
 * Only some definitions of a file changed (same names, same order): their edges are
 * replaced. A reference that no longer fails stays listed under its name in `unresolved`,
 * which only ever adds a file to re-check.
 */
export function replaceEdges(graph: Graph, file: FileEntry, tables: readonly IndexedTable[], resolve: ResolveFrom): void {
  for (const t of tables) {
    for (const e of graph.parents.get(t.id) ?? []) graph.children.get(e.parent)?.delete(t.id);
    graph.parents.delete(t.id);
  }
  addEdges(graph, file, tables, resolve);
  graph.cycle = cycles(graph.parents);
}

function addEdges(graph: Graph, f: FileEntry, tables: readonly IndexedTable[], resolve: ResolveFrom): void {
  for (const t of tables) {
    if (!t.definition) continue;
    for (const r of extractReferences(t.definition.text)) {
      const parent = resolve(t, r.path);
      if (parent) {
        let set = graph.children.get(parent.id);
        if (!set) graph.children.set(parent.id, (set = new Set()));
        set.add(t.id);
        const edge: Edge = { parent: parent.id, reference: r };
        const ps = graph.parents.get(t.id);
        if (ps) ps.push(edge);
        else graph.parents.set(t.id, [edge]);
      } else {
        const last = r.path[r.path.length - 1]!;
        let set = graph.unresolved.get(last);
        if (!set) graph.unresolved.set(last, (set = new Set()));
        set.add(f.key);
      }
    }
  }
}

/** Ids of the tables that reach one of `ids` through references, transitively (keys are inherited down the chain). */
export function descendants(graph: Graph, ids: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...ids];
  while (queue.length) {
    const id = queue.pop()!;
    for (const c of graph.children.get(id) ?? []) {
      if (seen.has(c)) continue;
      seen.add(c);
      queue.push(c);
    }
  }
  return seen;
}

/** Strongly connected components with a cycle (Tarjan, iterative: chains may be long). */
function cycles(edges: Map<string, Edge[]>): Map<string, number> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out = new Map<string, number>();
  let counter = 0;
  let component = 0;
  for (const root of edges.keys()) {
    if (index.has(root)) continue;
    const work: Array<{ v: string; i: number }> = [{ v: root, i: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      const next = edges.get(top.v) ?? [];
      if (top.i < next.length) {
        const w = next[top.i++]!.parent;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]!.v;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.v)!));
      }
      if (low.get(top.v) === index.get(top.v)) {
        const members: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          members.push(w);
        } while (w !== top.v);
        const selfLoop = (edges.get(top.v) ?? []).some((e) => e.parent === top.v);
        if (members.length > 1 || selfLoop) {
          for (const m of members) out.set(m, component);
          component++;
        }
      }
    }
  }
  return out;
}
