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

export const LIGHT: Palette = {
  tiers: {
    other: { fill: '#FFFDE7', stroke: '#C9BC5B', text: '#6B6420' },
    Manual: { fill: '#E8F0E9', stroke: '#3E7A52', text: '#28513A' },
    Lookup: { fill: '#F0F0F1', stroke: '#808285', text: '#5A5C5F' },
    Computed: { fill: '#FFEDE5', stroke: '#FF5113', text: '#B23200' },
    Imported: { fill: '#E0F4FC', stroke: '#00A0DF', text: '#00537A' },
    Part: { fill: '#FFFFFF', stroke: '#B9BBBE', text: '#55585C' },
    collapsed: { fill: '#EDEEF0', stroke: '#808890', text: '#404040' },
  },
  edge: '#171C39',
  edgeRenamed: '#C77D3A',
  edgeAlpha: '9E',
  schemaFrame: '#171D3A',
  schemaLabel: '#171C39',
  entityFill: '#F3F5F8',
};

export const DARK: Palette = {
  tiers: {
    other: { fill: '#3A3620', stroke: '#C9BC5B', text: '#EBE3A0' },
    Manual: { fill: '#16281F', stroke: '#6BBF94', text: '#BCE6CF' },
    Lookup: { fill: '#242832', stroke: '#9DA0A4', text: '#C9CFD9' },
    Computed: { fill: '#331B12', stroke: '#FF7A47', text: '#FFC7AE' },
    Imported: { fill: '#0F2433', stroke: '#33B8E8', text: '#BEE7F9' },
    Part: { fill: '#1E232C', stroke: '#8F959D', text: '#C8CED8' },
    collapsed: { fill: '#242730', stroke: '#8890A0', text: '#C7CDD6' },
  },
  edge: '#AEB6C2',
  edgeRenamed: '#D68C4A',
  edgeAlpha: 'C0',
  schemaFrame: '#606875',
  schemaLabel: '#8A93A1',
  entityFill: '#2A313D',
  background: '#161A21',
};

export function tierKey(n: { tier?: DiagramTier; tableCount?: number }): TierKey {
  if (n.tableCount !== undefined) return 'collapsed';
  return n.tier ?? 'other';
}
