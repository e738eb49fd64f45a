// The pipeline diagram: the graph of a workspace's definitions (merged with a database's
// catalog when connected), its dependency order, its layout, and its Mermaid and SVG forms.
export * from './model';
export { graphFromIndex, type WorkspaceGraphOptions } from './workspace';
export { mergeCatalog } from './merge';
export { collapseSchemas, collapsedNodeId } from './collapse';
export { topologicalOrder, descendants, populateChain } from './order';
export { toMermaid, type MermaidOptions } from './mermaid';
export { layoutDiagram, nodeLabel, type DiagramLayout, type LaidNode, type LaidGroup, type LaidEdge, type LayoutOptions, type Point } from './layout';
export { renderSvg, paletteRules, STRUCTURE_RULES, type NodeStatus, type SvgOptions } from './svg';
export { LIGHT, DARK, TIER_SHAPE, tierKey, type Palette, type TierKey } from './theme';
