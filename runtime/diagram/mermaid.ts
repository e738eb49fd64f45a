// The diagram as Mermaid flowchart text, in the form of DataJoint's
// `Diagram.make_mermaid()` (datajoint/diagram.py): the tier classDefs of the light theme,
// one subgraph per schema labelled with its module, a master and its parts nested in an
// `entity_` subgraph, box / stadium / circle shapes by tier, arrows parent --> child, and
// a linkStyle per edge by its position: amber for a renamed foreign key, 2px for a 1:1
// dependency and 1px for one-to-many (bundles between collapsed schemas 2px navy).
import type { DiagramEdge, DiagramGraph, DiagramNode } from './model';
import { LIGHT } from './theme';

export interface MermaidOptions {
  /** dj.config.display.diagram_direction: TB (DataJoint's default) or LR. */
  direction?: 'TB' | 'LR';
}

const TIER_CLASSES = [
  ['Manual', 'manual'],
  ['Lookup', 'lookup'],
  ['Computed', 'computed'],
  ['Imported', 'imported'],
  ['Part', 'part'],
  ['other', 'other'],
] as const;

const SHAPES: Record<string, [string, string]> = {
  Manual: ['[', ']'],
  Lookup: ['[', ']'],
  Part: ['[', ']'],
  Computed: ['([', '])'],
  Imported: ['([', '])'],
  other: ['((', '))'],
};

const safe = (n: string): string => n.replace(/\./g, '_').replace(/ /g, '_');

/**
 * The graph's node names as diagram.py names them (class names; `Master.Part` for parts),
 * made unique with the schema where two schemas have a class of the same name (where
 * DataJoint for Python gives up: "Some classes have identical names").
 */
function nodeNames(graph: DiagramGraph): Map<string, string> {
  const count = new Map<string, number>();
  for (const n of graph.nodes) count.set(n.name, (count.get(n.name) ?? 0) + 1);
  return new Map(graph.nodes.map((n) => [n.id, (count.get(n.name) ?? 0) > 1 && n.schema !== undefined ? `${n.schema}.${n.name}` : n.name]));
}

export function toMermaid(graph: DiagramGraph, options: MermaidOptions = {}): string {
  const names = nodeNames(graph);
  const lines = [`flowchart ${options.direction ?? 'TB'}`, ''];
  for (const [tier, cls] of TIER_CLASSES) {
    const c = LIGHT.tiers[tier];
    lines.push(`    classDef ${cls} fill:${c.fill},stroke:${c.stroke},color:${c.text}`);
  }
  const c = LIGHT.tiers.collapsed;
  lines.push(`    classDef collapsed fill:${c.fill},stroke:${c.stroke},color:${c.text}`, '');

  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const partsOf = new Map<string, DiagramNode[]>();
  for (const n of graph.nodes) if (n.tier === 'Part' && n.master && byId.has(n.master)) partsOf.get(n.master)?.push(n) ?? partsOf.set(n.master, [n]);
  const isGroupedPart = (n: DiagramNode) => n.tier === 'Part' && n.master !== undefined && byId.has(n.master);

  const nodeLine = (n: DiagramNode, indent: string, label: string): string => {
    const name = names.get(n.id)!;
    if (n.tableCount !== undefined) {
      const txt = n.tableCount !== 1 ? `${n.tableCount} tables` : '1 table';
      return `${indent}${safe(name)}[["(${txt})"]]:::collapsed`;
    }
    const tier = n.tier ?? 'other';
    const [left, right] = SHAPES[tier]!;
    const cls = TIER_CLASSES.find(([t]) => t === tier)![1];
    // A part shows its own name (the entity subgraph carries the master); a name made
    // unique with its schema shows the class path only.
    const display = isGroupedPart(n) ? n.className : n.name.startsWith(`${label}.`) ? n.name.slice(label.length + 1) : n.name;
    return `${indent}${safe(name)}${left}${display}${right}:::${cls}`;
  };

  // Schemas in the order their first node comes (diagram.py: insertion order of the nodes).
  const bySchema = new Map<string, DiagramNode[]>();
  for (const n of graph.nodes) if (n.schema !== undefined) bySchema.get(n.schema)?.push(n) ?? bySchema.set(n.schema, [n]);
  for (const [schema, nodes] of bySchema) {
    const label = graph.schemas.find((s) => s.name === schema)?.label ?? schema;
    lines.push(`    subgraph ${safe(schema)}["${label}"]`);
    const rendered = new Set<string>();
    for (const n of nodes) {
      const parts = partsOf.get(n.id);
      if (!parts || rendered.has(n.id)) continue;
      lines.push(`        subgraph entity_${safe(names.get(n.id)!)}[" "]`);
      lines.push(nodeLine(n, '            ', label));
      rendered.add(n.id);
      for (const p of parts) {
        lines.push(nodeLine(p, '            ', label));
        rendered.add(p.id);
      }
      lines.push('        end');
    }
    for (const n of nodes) {
      if (rendered.has(n.id)) continue;
      lines.push(nodeLine(n, '        ', label));
      rendered.add(n.id);
    }
    lines.push('    end');
  }
  // Nodes of no known schema stand outside every subgraph (diagram.py leaves them out of the clusters too).
  for (const n of graph.nodes) if (n.schema === undefined) lines.push(nodeLine(n, '    ', ''));
  lines.push('');

  const styles: string[] = [];
  edgesInOrder(graph).forEach((e, i) => {
    lines.push(`    ${safe(names.get(e.from)!)} --> ${safe(names.get(e.to)!)}`);
    const color = e.bundle ? LIGHT.edge : e.aliased ? LIGHT.edgeRenamed : LIGHT.edge;
    const width = e.bundle ? '2px' : e.multi ? '1px' : '2px';
    styles.push(`    linkStyle ${i} stroke:${color},stroke-width:${width}`);
  });
  lines.push(...styles);
  return lines.join('\n');
}

/** networkx's edge order: by source node in node order, then by the order edges were added. */
function edgesInOrder(graph: DiagramGraph): DiagramEdge[] {
  const known = new Set(graph.nodes.map((n) => n.id));
  const bySource = new Map<string, DiagramEdge[]>();
  for (const e of graph.edges) if (known.has(e.from) && known.has(e.to)) bySource.get(e.from)?.push(e) ?? bySource.set(e.from, [e]);
  return graph.nodes.flatMap((n) => bySource.get(n.id) ?? []);
}
