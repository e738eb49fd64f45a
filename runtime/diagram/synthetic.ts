// A generated pipeline of many tables, for the layout's benchmark and tests: several
// schemas, each a chain of Manual and Lookup roots feeding Imported and Computed tables
// with parts, foreign keys within a schema and across to earlier schemas, primary and
// secondary, some renamed. Deterministic (a fixed pseudo-random sequence).
import type { DiagramEdge, DiagramGraph, DiagramNode, DiagramTier } from './model';

export function syntheticPipeline(tables: number, schemas = 6): DiagramGraph {
  let seed = 20261124;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const nodes: DiagramNode[] = [];
  const edges: DiagramEdge[] = [];
  const perSchema = Math.ceil(tables / schemas);
  const names = Array.from({ length: schemas }, (_, i) => `lab_${String.fromCharCode(97 + i)}`);
  for (let i = 0; i < tables; i++) {
    const s = Math.min(schemas - 1, Math.floor(i / perSchema));
    const schema = names[s]!;
    const k = i - s * perSchema;
    const previous = nodes.filter((n) => n.schema === schema && n.tier !== 'Part');
    const master = k > 3 && rnd() < 0.2 ? previous.filter((n) => n.tier === 'Computed' || n.tier === 'Imported').pop() : undefined;
    const tier: DiagramTier = master ? 'Part' : k < 2 ? 'Manual' : k < 3 ? 'Lookup' : rnd() < 0.3 ? 'Imported' : 'Computed';
    const className = `${tier}${i}`;
    const id = `${schema}.t${i}`;
    const node: DiagramNode = { id, schema, table: `t${i}`, className, name: master ? `${master.name}.${className}` : className, tier, inWorkspace: true, introducesDimension: rnd() < 0.5 };
    if (master) node.master = master.id;
    nodes.push(node);
    const parents: DiagramNode[] = [];
    if (master) parents.push(master);
    else if (k > 0) {
      const local = previous.slice(Math.max(0, previous.length - 8));
      parents.push(local[Math.floor(rnd() * local.length)]!);
      if (rnd() < 0.4) parents.push(local[Math.floor(rnd() * local.length)]!);
    }
    if (s > 0 && k < 3) {
      const earlier = nodes.filter((n) => n.schema === names[s - 1] && n.tier !== 'Part');
      parents.push(earlier[Math.floor(rnd() * earlier.length)]!);
    }
    for (const [j, p] of [...new Set(parents)].entries()) {
      const aliased = rnd() < 0.08;
      const primary = j === 0 || rnd() < 0.5;
      edges.push({ id: `${p.id}->${id}:${j}`, from: p.id, to: id, primary, multi: rnd() < 0.7, aliased, attrMap: aliased ? { [`other_${j}`]: 'key' } : { key: 'key' } });
    }
  }
  return { nodes, edges, schemas: names.map((name) => ({ name, label: name })), connected: false };
}
