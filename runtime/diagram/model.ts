// The pipeline as a graph: tables (nodes) and foreign keys (edges), as dj.Diagram sees
// them (reference: datajoint/dependencies.py for the edge properties `primary`, `multi`,
// `aliased` and the attribute map; datajoint/diagram.py for parts grouped with their
// master and the tables that introduce a dimension). Plain data: the extension sends it
// to a webview, the layout and the Mermaid and SVG writers read it.
import type { Tier } from '../catalog/names';

export type DiagramTier = Tier;

/** Where a table's class is defined in the workspace (0-based line and character). */
export interface SourceLocation {
  path: string;
  line: number;
  character: number;
}

export interface DiagramNode {
  /** `schema.table` (SQL name) when both are known, else `workspace:<index id>`. */
  id: string;
  /** The database schema; undefined when the source does not say it (a factory's schema). */
  schema?: string;
  /** SQL table name, e.g. `__spikes` or `_recording__channel`; undefined when the class name is not CamelCase. */
  table?: string;
  /** The class name alone (`Channel` for a part). */
  className: string;
  /** `Recording.Channel` for a part, else the class name: what diagram.py labels a node with. */
  name: string;
  /** Undefined for a table of no known tier (drawn as DataJoint draws tier None: a circle). */
  tier?: DiagramTier;
  /** A part's master node id. */
  master?: string;
  /** Defined in the workspace's source. */
  inWorkspace: boolean;
  /**
   * Declared in the database: true or false when the diagram was merged with a connection's
   * catalog, undefined when built from the workspace alone.
   */
  declared?: boolean;
  location?: SourceLocation;
  /** Adds a primary-key attribute of its own beyond those it inherits (diagram.py: introduces_dimension, drawn underlined). */
  introducesDimension: boolean;
  comment?: string;
  /** A collapsed schema drawn as one node (diagram.py collapse()): how many tables it stands for. */
  tableCount?: number;
}

export interface DiagramEdge {
  id: string;
  /** Parent (referenced) node id. */
  from: string;
  /** Child (referencing) node id. */
  to: string;
  /** Every foreign-key attribute is in the child's primary key (dependencies.py: primary). */
  primary: boolean;
  /** The child's primary key is not exactly the foreign key's attributes: one-to-many (dependencies.py: multi). */
  multi: boolean;
  /** Some attribute is renamed (`-> Parent.proj(new='old')`; dependencies.py: aliased). */
  aliased: boolean;
  /** Child attribute -> parent attribute, when known. */
  attrMap: Record<string, string>;
  /** Between two collapsed schemas: stands for every foreign key between them (diagram.py: bundle). */
  bundle?: boolean;
}

export interface DiagramSchema {
  name: string;
  /** The group's label: the module name when one module declares the schema (diagram.py cluster_labels), else the schema. */
  label: string;
  /** The group's tooltip: the schema's name and the files of the modules that declare it. */
  title?: string;
  /**
   * A second line under the label when another group has the same label (two modules named
   * pipeline.py in different folders): the schema's name and the module's folder.
   */
  detail?: string;
}

export interface DiagramGraph {
  nodes: DiagramNode[];
  edges: DiagramEdge[];
  schemas: DiagramSchema[];
  /** Merged with a database catalog. */
  connected: boolean;
}

export const isAutoPopulated = (n: Pick<DiagramNode, 'tier'>): boolean => n.tier === 'Computed' || n.tier === 'Imported';

/** The column renames of an edge, `child ← parent` (diagram.py: the tooltip of a renamed edge). */
export function renamesOf(e: DiagramEdge): string {
  return Object.entries(e.attrMap)
    .filter(([child, parent]) => child !== parent)
    .map(([child, parent]) => `${child} ← ${parent}`)
    .join('; ');
}

/** Node id of a declared table. */
export const tableNodeId = (schema: string, table: string): string => `${schema}.${table}`;
