// The laid-out diagram as SVG, in DataJoint's notation (datajoint/diagram.py make_dot):
// rounded boxes for Manual, Lookup and Part, ellipses for Computed and Imported, a circle
// for a table of no tier, a 3-d box for a collapsed schema; solid edges for primary
// foreign keys and dashed for secondary ones, thick for 1:1 and thin for one-to-many,
// renamed ones in amber with the renames as their tooltip, no arrowheads; schemas in
// dashed rounded frames labelled top right, a master and its parts on a shaded ground;
// a table that introduces a dimension underlined. Elements carry classes only: an exported
// file gets DataJoint's light palette with a dark-mode block (svg_string's "auto" theme),
// the webview maps the classes to the editor's theme colours.
import type { DiagramLayout, LaidNode } from './layout';
import { renamesOf, isAutoPopulated } from './model';
import { DARK, LIGHT, TIER_SHAPE, tierKey, type Palette, type TierKey } from './theme';

export interface NodeStatus {
  /** `80/84 done · 3 errors`. */
  text: string;
  /** A populate run touches the table now. */
  running?: boolean;
  error?: boolean;
}

export interface SvgOptions {
  /** A file of its own: colours in a style block (light, and dark under prefers-color-scheme). */
  standalone?: boolean;
  /** The status line of auto-populated nodes, by node id. */
  status?: ReadonlyMap<string, NodeStatus>;
}

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (n: number): string => (Math.round(n * 10) / 10).toString();
const tierClass = (k: TierKey): string => `dj-tier-${k.toLowerCase()}`;

/** The class rules of a palette (shared by the exported file's light and dark blocks). */
export function paletteRules(p: Palette): string[] {
  const rules: string[] = [];
  for (const [k, c] of Object.entries(p.tiers)) {
    rules.push(`.${tierClass(k as TierKey)} .dj-shape { fill: ${c.fill}; stroke: ${c.stroke}; }`, `.${tierClass(k as TierKey)} text { fill: ${c.text}; }`);
  }
  rules.push(
    `.dj-edge { stroke: ${p.edge}${p.edgeAlpha}; }`,
    `.dj-edge.dj-renamed { stroke: ${p.edgeRenamed}${p.edgeAlpha}; }`,
    `.dj-schema { stroke: ${p.schemaFrame}; }`,
    `.dj-schema-label, .dj-schema-detail { fill: ${p.schemaLabel}; }`,
    `.dj-entity { fill: ${p.entityFill}; }`,
  );
  if (p.background) rules.push(`svg.dj-diagram { background-color: ${p.background}; }`);
  return rules;
}

/** Structure of every drawing, whatever the colours. */
export const STRUCTURE_RULES = [
  '.dj-diagram text { font-family: Helvetica, Arial, sans-serif; }',
  '.dj-edge { fill: none; stroke-width: 2; }',
  '.dj-edge.dj-multi { stroke-width: 0.75; }',
  '.dj-edge.dj-secondary { stroke-dasharray: 5 3; }',
  '.dj-shape { stroke-width: 1; }',
  '.dj-undeclared .dj-shape { stroke-dasharray: 4 2; }',
  '.dj-external .dj-label { font-style: italic; }',
  '.dj-schema { fill: none; stroke-dasharray: 6 3; }',
  '.dj-entity { stroke: none; }',
  '.dj-status { font-size: 10px; }',
];

function shape(n: LaidNode): string {
  const key = tierKey(n.node);
  const { shape: kind, rounded } = TIER_SHAPE[key];
  const w = n.width;
  const h = n.height;
  switch (kind) {
    case 'ellipse':
      return `<ellipse class="dj-shape" cx="${num(w / 2)}" cy="${num(h / 2)}" rx="${num(w / 2)}" ry="${num(h / 2)}"/>`;
    case 'circle': {
      // A table of no tier: DataJoint's small circle, stretched to hold its name.
      return `<rect class="dj-shape" width="${num(w)}" height="${num(h)}" rx="${num(h / 2)}"/>`;
    }
    case 'box3d':
      return `<path class="dj-shape" d="M4 0H${num(w)}V${num(h - 4)}L${num(w - 4)} ${num(h)}H0V4Z"/><path class="dj-shape" d="M0 4H${num(w - 4)}V${num(h)}M${num(w - 4)} 4L${num(w)} 0"/>`;
    default:
      return `<rect class="dj-shape" width="${num(w)}" height="${num(h)}" rx="${rounded ? 6 : 0}"/>`;
  }
}

function tooltip(n: LaidNode): string {
  const d = n.node;
  if (d.tableCount !== undefined) return `Collapsed schema ${d.schema ?? ''}: ${d.tableCount} tables`;
  const lines = [`${d.name} (${d.tier ?? 'no tier'})`];
  if (d.schema !== undefined && d.table !== undefined) lines.push(`${d.schema}.${d.table}`);
  if (d.comment) lines.push(d.comment);
  if (d.declared === false) lines.push('not declared in the database yet');
  if (!d.inWorkspace) lines.push('declared in the database; not defined in this workspace');
  return lines.join('\n');
}

export function renderSvg(layout: DiagramLayout, options: SvgOptions = {}): string {
  const margin = 8;
  const width = Math.ceil(layout.width + margin * 2);
  const height = Math.ceil(layout.height + margin * 2);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="dj-diagram" width="${width}" height="${height}" viewBox="${-margin} ${-margin} ${width} ${height}" role="img" aria-label="Pipeline diagram">`);
  if (options.standalone) {
    out.push('<style>', ...STRUCTURE_RULES, ...paletteRules(LIGHT), '@media (prefers-color-scheme: dark) {', ...paletteRules(DARK), '}', '</style>');
  }
  for (const g of layout.groups) {
    if (g.kind === 'entity') {
      out.push(`<rect class="dj-entity" x="${num(g.x)}" y="${num(g.y)}" width="${num(g.width)}" height="${num(g.height)}" rx="8"/>`);
      continue;
    }
    out.push(
      `<g class="dj-group" data-schema="${xml(g.schema)}">`,
      `<rect class="dj-schema" x="${num(g.x)}" y="${num(g.y)}" width="${num(g.width)}" height="${num(g.height)}" rx="10"/>`,
      g.title ? `<title>${xml(g.title)}</title>` : '',
      `<text class="dj-schema-label" x="${num(g.x + g.width - 10)}" y="${num(g.y + 17)}" text-anchor="end" font-size="12">${xml(g.label)}</text>`,
      g.detail ? `<text class="dj-schema-detail" x="${num(g.x + g.width - 10)}" y="${num(g.y + 31)}" text-anchor="end" font-size="10">${xml(g.detail)}</text>` : '',
      '</g>',
    );
  }
  for (const e of layout.edges) {
    if (e.points.length < 2) continue;
    const cls = ['dj-edge'];
    if (!e.edge.primary && !e.edge.bundle) cls.push('dj-secondary');
    if (e.edge.multi && !e.edge.bundle) cls.push('dj-multi');
    if (e.edge.aliased && !e.edge.bundle) cls.push('dj-renamed');
    const d = e.points.map((p, i) => `${i ? 'L' : 'M'}${num(p.x)} ${num(p.y)}`).join('');
    const renames = e.edge.aliased ? renamesOf(e.edge) : '';
    out.push(`<path class="${cls.join(' ')}" data-from="${xml(e.edge.from)}" data-to="${xml(e.edge.to)}" d="${d}">${renames ? `<title>${xml(renames)}</title>` : ''}</path>`);
  }
  for (const n of layout.nodes) {
    const d = n.node;
    const key = tierKey(d);
    const cls = ['dj-node', tierClass(key)];
    if (d.declared === false) cls.push('dj-undeclared');
    if (!d.inWorkspace && d.tableCount === undefined) cls.push('dj-external');
    const status = options.status?.get(d.id);
    if (status?.running) cls.push('dj-running');
    if (status?.error) cls.push('dj-has-errors');
    const font = TIER_SHAPE[key].fontSize;
    const labelY = n.status ? n.height / 2 - 3 : n.height / 2 + font * 0.35;
    const underline = d.introducesDimension ? ' text-decoration="underline"' : '';
    out.push(
      `<g class="${cls.join(' ')}" data-id="${xml(d.id)}" transform="translate(${num(n.x)} ${num(n.y)})" tabindex="0" role="button" aria-label="${xml(`${n.label}, ${d.tableCount !== undefined ? 'collapsed schema' : d.tier ?? 'table'}`)}">`,
      `<title>${xml(tooltip(n))}</title>`,
      shape(n),
      `<text class="dj-label" x="${num(n.width / 2)}" y="${num(labelY)}" text-anchor="middle" font-size="${font}"${underline}>${xml(n.label)}</text>`,
    );
    if (n.status && isAutoPopulated(d)) {
      out.push(`<text class="dj-status" x="${num(n.width / 2)}" y="${num(n.height / 2 + 12)}" text-anchor="middle">${xml(status?.text ?? (d.declared === false ? 'not declared' : ''))}</text>`);
    }
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n');
}
