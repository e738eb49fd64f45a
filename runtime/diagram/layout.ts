// Places the diagram with ELK's layered algorithm (elkjs: a Sugiyama layout, the family
// Graphviz's `dot` that DataJoint for Python uses belongs to): schemas as compound nodes,
// a master and its parts in a nested compound (diagram.py's entity cluster), edges routed
// across the hierarchy (`hierarchyHandling: INCLUDE_CHILDREN`). Node sizes come from their
// labels (an estimate of the text's width: the layout runs where no font can be measured).
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import { collapseSchemas } from './collapse';
import { isAutoPopulated, type DiagramEdge, type DiagramGraph, type DiagramNode } from './model';
import { TIER_SHAPE, tierKey } from './theme';

export interface LayoutOptions {
  /** dj.config.display.diagram_direction. */
  direction?: 'TB' | 'LR';
  /** Schemas drawn as one node each. */
  collapsed?: ReadonlySet<string>;
  /** Leave room for a status line under the name of auto-populated nodes (a connected diagram). */
  statusLines?: boolean;
}

export interface Point {
  x: number;
  y: number;
}

export interface LaidNode {
  node: DiagramNode;
  /** Absolute, top-left. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** The text drawn in it. */
  label: string;
  /** Has a status line. */
  status: boolean;
}

export interface LaidGroup {
  /** `schema:<name>` or `entity:<master id>`. */
  id: string;
  kind: 'schema' | 'entity';
  schema: string;
  label: string;
  /** The tooltip and the second line of a schema's group (model.ts DiagramSchema). */
  title?: string;
  detail?: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidEdge {
  edge: DiagramEdge;
  points: Point[];
}

export interface DiagramLayout {
  /** The graph as drawn (collapsed schemas applied). */
  graph: DiagramGraph;
  width: number;
  height: number;
  groups: LaidGroup[];
  nodes: LaidNode[];
  edges: LaidEdge[];
}

const FONT_WIDTH = 0.6; // of the font size, for a sans-serif label (an estimate)
const PAD_X = 14;
const LINE = 16;
const GROUP_TOP = 26;
/** Room for a group's second line (its detail). */
const DETAIL_LINE = 14;

/** What a node shows as its name: a grouped part its own name only, as diagram.py labels it. */
export function nodeLabel(n: DiagramNode, grouped: boolean): string {
  if (n.tableCount !== undefined) return `${n.name} (${n.tableCount === 1 ? '1 table' : `${n.tableCount} tables`})`;
  return grouped ? n.className : n.name;
}

function size(label: string, n: DiagramNode, status: boolean): { width: number; height: number } {
  const key = tierKey(n);
  const font = TIER_SHAPE[key].fontSize;
  const text = Math.max(label.length, status ? 18 : 0) * font * FONT_WIDTH;
  const ellipse = TIER_SHAPE[key].shape === 'ellipse';
  const width = Math.ceil(text * (ellipse ? 1.2 : 1) + PAD_X * 2);
  const height = (status ? LINE * 2 : LINE) + (ellipse ? 16 : 12);
  return { width: Math.max(width, 48), height };
}

let elk: InstanceType<typeof ELK> | undefined;

export async function layoutDiagram(source: DiagramGraph, options: LayoutOptions = {}): Promise<DiagramLayout> {
  const graph = collapseSchemas(source, options.collapsed ?? new Set());
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const grouped = (n: DiagramNode) => n.tier === 'Part' && n.master !== undefined && byId.has(n.master) && byId.get(n.master)!.schema === n.schema;
  const masters = new Set(graph.nodes.filter(grouped).map((n) => n.master!));

  const info = new Map<string, { label: string; status: boolean }>();
  const elkNode = (n: DiagramNode): ElkNode => {
    const label = nodeLabel(n, grouped(n));
    const status = !!options.statusLines && isAutoPopulated(n) && !n.master && n.tableCount === undefined;
    info.set(n.id, { label, status });
    return { id: n.id, ...size(label, n, status) };
  };
  const groupOptions = (detail: boolean) => ({ 'elk.padding': `[top=${GROUP_TOP + (detail ? DETAIL_LINE : 0)},left=10,bottom=10,right=10]` });
  const schemaOf = new Map(graph.schemas.map((s) => [s.name, s]));
  const entityOptions = { 'elk.padding': '[top=6,left=6,bottom=6,right=6]' };
  const schemaGroups = new Map<string, ElkNode>();
  const entityGroups = new Map<string, ElkNode>();
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': options.direction === 'LR' ? 'RIGHT' : 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'POLYLINE',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.spacing.nodeNode': '18',
      // Fewer crossing-minimisation rounds than the default 7: a 300-table pipeline stays under a second.
      'elk.layered.thoroughness': '3',
    },
    children: [],
    edges: [],
  };
  const schemaGroup = (schema: string): ElkNode => {
    let g = schemaGroups.get(schema);
    if (!g) {
      g = { id: `schema:${schema}`, layoutOptions: groupOptions(!!schemaOf.get(schema)?.detail), children: [] };
      schemaGroups.set(schema, g);
      root.children!.push(g);
    }
    return g;
  };
  for (const n of graph.nodes) {
    const container = n.schema !== undefined ? schemaGroup(n.schema) : root;
    if (masters.has(n.id) || grouped(n)) {
      const masterId = grouped(n) ? n.master! : n.id;
      let e = entityGroups.get(masterId);
      if (!e) {
        e = { id: `entity:${masterId}`, layoutOptions: entityOptions, children: [] };
        entityGroups.set(masterId, e);
        container.children!.push(e);
      }
      e.children!.push(elkNode(n));
    } else {
      container.children!.push(elkNode(n));
    }
  }
  const drawnEdges = graph.edges.filter((e) => byId.has(e.from) && byId.has(e.to) && e.from !== e.to);
  root.edges = drawnEdges.map((e, i): ElkExtendedEdge => ({ id: `e${i}`, sources: [e.from], targets: [e.to] }));

  elk ??= new ELK();
  const laid = await elk.layout(root);

  const nodes: LaidNode[] = [];
  const groups: LaidGroup[] = [];
  const offsets = new Map<string, Point>([['root', { x: 0, y: 0 }]]);
  const walk = (n: ElkNode, ox: number, oy: number) => {
    for (const c of n.children ?? []) {
      const x = ox + (c.x ?? 0);
      const y = oy + (c.y ?? 0);
      offsets.set(c.id, { x, y });
      if (c.id.startsWith('schema:') || c.id.startsWith('entity:')) {
        const kind = c.id.startsWith('schema:') ? 'schema' : 'entity';
        const rest = c.id.slice(kind.length + 1);
        const schema = kind === 'schema' ? rest : byId.get(rest)?.schema ?? '';
        const about = kind === 'schema' ? schemaOf.get(rest) : undefined;
        const label = kind === 'schema' ? about?.label ?? rest : '';
        const group: LaidGroup = { id: c.id, kind, schema, label, x, y, width: c.width ?? 0, height: c.height ?? 0 };
        if (kind === 'schema') group.title = about?.title ?? `schema ${rest}`;
        if (about?.detail) group.detail = about.detail;
        groups.push(group);
        walk(c, x, y);
      } else {
        const node = byId.get(c.id)!;
        const { label, status } = info.get(c.id)!;
        nodes.push({ node, x, y, width: c.width ?? 0, height: c.height ?? 0, label, status });
      }
    }
  };
  walk(laid, 0, 0);
  const edges: LaidEdge[] = [];
  const laidEdges = (laid.edges ?? []) as Array<ElkExtendedEdge & { container?: string }>;
  laidEdges.forEach((le) => {
    const edge = drawnEdges[Number(le.id.slice(1))]!;
    // Sections are relative to the edge's container (the nodes' lowest common ancestor).
    const o = offsets.get(le.container ?? 'root') ?? { x: 0, y: 0 };
    const points: Point[] = [];
    for (const s of le.sections ?? []) {
      points.push(s.startPoint, ...(s.bendPoints ?? []), s.endPoint);
    }
    edges.push({ edge, points: points.map((p) => ({ x: p.x + o.x, y: p.y + o.y })) });
  });
  return { graph, width: laid.width ?? 0, height: laid.height ?? 0, groups, nodes, edges };
}
