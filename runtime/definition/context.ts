// What validation and analysis know about the world outside one definition: the class,
// its tier and the tables its foreign keys name. The language server fills this from its
// workspace index, `djx lint` from the project, declaration from the database catalog.
import type { Span } from './ast';
import type { DataJointTarget } from './types';

export type Tier = 'Manual' | 'Lookup' | 'Imported' | 'Computed' | 'Part';

export interface ResolvedAttribute {
  name: string;
  /** DataJoint type as declared, e.g. 'int32', '<blob>'. */
  type: string;
  nullable: boolean;
  comment?: string;
  /** In the parent's definition. */
  span?: Span;
}

export interface ResolvedTable {
  /** Opaque, echoed in RelatedInformation.table. */
  id: string;
  name: string;
  tier: Tier;
  primaryKey: ResolvedAttribute[];
  /** All attributes, including the primary key. */
  attributes: ResolvedAttribute[];
  comment?: string;
}

/** A reference DataJoint cannot declare: the table itself, or one that depends on it. */
export type ReferenceCycle = { kind: 'self' } | { kind: 'cycle'; table: string };

export interface ValidationContext {
  className?: string;
  tier?: Tier;
  /** For parts: `-> master` resolves to it. */
  masterName?: string;
  /**
   * Path as written, e.g. ['Session'], ['acq','Session'], ['master'], ['Master','Part'];
   * undefined = cannot be resolved (a WARNING, not an error). Without a resolver,
   * references are not checked at all.
   */
  resolve?(path: string[]): ResolvedTable | undefined;
  /**
   * For a path `resolve` gives nothing for: `self` when it names this table, `cycle` when
   * it names a table that references this one in turn (`table`: this table's name).
   */
  cycle?(path: string[]): ReferenceCycle | undefined;
  /**
   * For a path `resolve` gives nothing for, and not on a cycle: why its table cannot be
   * known, when the index knows (e.g. the file it would come from was not indexed).
   */
  unknownBecause?(path: string[]): string | undefined;
  /** Default mysql. */
  dialect?: 'mysql' | 'postgresql';
  /** The DataJoint the definition is written for; default 2. */
  target?: DataJointTarget;
}
