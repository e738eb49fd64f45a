// DataJoint's diagram notation (datajoint/diagram.py: _TIER_STRUCTURE and _DIAGRAM_THEMES,
// #1532): a shape per tier and a (fill, stroke, text) colour triple per tier and theme;
// edges in navy (light) or slate (dark), renamed foreign keys in amber, all at one alpha.
import type { DiagramTier } from './model';

export type TierKey = DiagramTier | 'other' | 'collapsed';
export type TierShape = 'box' | 'ellipse' | 'circle' | 'box3d';

export interface Palette {
  tiers: Record<TierKey, { fill: string; stroke: string; text: string }>;
  edge: string;
  edgeRenamed: string;
  /** Two hex digits appended to the edge colours. */
  edgeAlpha: string;
  schemaFrame: string;
  schemaLabel: string;
  entityFill: string;
  background?: string;
}

/** diagram.py _TIER_STRUCTURE: boxes (rounded) for Manual, Lookup and Part, ellipses for Computed and Imported. */
export const TIER_SHAPE: Record<TierKey, { shape: TierShape; rounded: boolean; fontSize: number }> = {
  Manual: { shape: 'box', rounded: true, fontSize: 12 },
  Lookup: { shape: 'box', rounded: true, fontSize: 12 },
  Computed: { shape: 'ellipse', rounded: false, fontSize: 12 },
  Imported: { shape: 'ellipse', rounded: false, fontSize: 12 },
  Part: { shape: 'box', rounded: true, fontSize: 10 },
  other: { shape: 'circle', rounded: false, fontSize: 10 },
  collapsed: { shape: 'box3d', rounded: false, fontSize: 12 },
};

type Theme = 'light' | 'dark';
type TierColours = { fill: string; stroke: string; text: string };

/**
 * Both themes in one table (diagram.py _DIAGRAM_THEMES keeps them side by side the same
 * way): a tier's light and dark colours on one line, so neither theme can miss a tier.
 */
const TIER_COLOURS: Record<TierKey, Record<Theme, TierColours>> = {
  other: { light: { fill: '#FFFDE7', stroke: '#C9BC5B', text: '#6B6420' }, dark: { fill: '#3A3620', stroke: '#C9BC5B', text: '#EBE3A0' } },
  Manual: { light: { fill: '#E8F0E9', stroke: '#3E7A52', text: '#28513A' }, dark: { fill: '#16281F', stroke: '#6BBF94', text: '#BCE6CF' } },
  Lookup: { light: { fill: '#F0F0F1', stroke: '#808285', text: '#5A5C5F' }, dark: { fill: '#242832', stroke: '#9DA0A4', text: '#C9CFD9' } },
  Computed: { light: { fill: '#FFEDE5', stroke: '#FF5113', text: '#B23200' }, dark: { fill: '#331B12', stroke: '#FF7A47', text: '#FFC7AE' } },
  Imported: { light: { fill: '#E0F4FC', stroke: '#00A0DF', text: '#00537A' }, dark: { fill: '#0F2433', stroke: '#33B8E8', text: '#BEE7F9' } },
  Part: { light: { fill: '#FFFFFF', stroke: '#B9BBBE', text: '#55585C' }, dark: { fill: '#1E232C', stroke: '#8F959D', text: '#C8CED8' } },
  collapsed: { light: { fill: '#EDEEF0', stroke: '#808890', text: '#404040' }, dark: { fill: '#242730', stroke: '#8890A0', text: '#C7CDD6' } },
};

/** The rest of the drawing's colours, light and dark on one line each (no background in the light theme). */
const CHROME: { [K in Exclude<keyof Palette, 'tiers'>]-?: Record<Theme, Palette[K]> } = {
  edge: { light: '#171C39', dark: '#AEB6C2' },
  edgeRenamed: { light: '#C77D3A', dark: '#D68C4A' },
  edgeAlpha: { light: '9E', dark: 'C0' },
  schemaFrame: { light: '#171D3A', dark: '#606875' },
  schemaLabel: { light: '#171C39', dark: '#8A93A1' },
  entityFill: { light: '#F3F5F8', dark: '#2A313D' },
  background: { light: undefined, dark: '#161A21' },
};

function palette(theme: Theme): Palette {
  const tiers = Object.fromEntries(Object.entries(TIER_COLOURS).map(([k, c]) => [k, c[theme]])) as Record<TierKey, TierColours>;
  const p: Palette = {
    tiers,
    edge: CHROME.edge[theme],
    edgeRenamed: CHROME.edgeRenamed[theme],
    edgeAlpha: CHROME.edgeAlpha[theme],
    schemaFrame: CHROME.schemaFrame[theme],
    schemaLabel: CHROME.schemaLabel[theme],
    entityFill: CHROME.entityFill[theme],
  };
  const background = CHROME.background[theme];
  if (background !== undefined) p.background = background;
  return p;
}

export const LIGHT: Palette = palette('light');
export const DARK: Palette = palette('dark');

export function tierKey(n: { tier?: DiagramTier; tableCount?: number }): TierKey {
  if (n.tableCount !== undefined) return 'collapsed';
  return n.tier ?? 'other';
}
