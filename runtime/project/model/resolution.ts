// What linking and checking a definition need of the index: the one epoch, effective
// tiers, and the resolution of the paths a definition writes.
import type { ResolvedTable, ValidationContext } from '../../definition/context';
import type { Tier } from '../../hosts';
import type { IndexedTable } from './files';
import type { Dependency } from './records';

export interface Resolution {
  /** Bumped by every change of the project; a stage stamped with it is current. */
  readonly epoch: number;
  /** The epoch of the last change to names (files added or removed, imports, classes, the target): stages made before it are void. */
  readonly namesEpoch: number;
  /** Links keep their models after the check (someone asks for every table's model then). */
  readonly keepsModels: boolean;
  tierOf(t: IndexedTable): Tier | undefined;
  /** What a path written in a table's definition resolves to (nothing inside a reference cycle). */
  resolveFrom(t: IndexedTable, path: readonly string[]): ResolvedTable | undefined;
  /** What an unresolved path's diagnostic says about it, as one comparable string. */
  whyUnresolved(t: IndexedTable, path: readonly string[]): string | undefined;
  /** The validation context of one table: its class, tier, master and a resolver through the index. */
  context(t: IndexedTable): ValidationContext;
}

/** The validation context of a table, recording what it resolves. */
export function tracking(r: Resolution, table: IndexedTable): { ctx: ValidationContext; deps: Dependency[] } {
  const deps: Dependency[] = [];
  const ctx = r.context(table);
  ctx.resolve = (path) => {
    const heading = r.resolveFrom(table, path);
    const dep: Dependency = { path: [...path], heading };
    if (!heading) dep.why = r.whyUnresolved(table, path);
    deps.push(dep);
    return heading;
  };
  return { ctx, deps };
}

/** A stage made in an earlier epoch still holds: every path it resolved resolves to the same heading, on or off a cycle as before. */
export function holds(r: Resolution, table: IndexedTable, deps: readonly Dependency[]): boolean {
  return deps.every((d) => r.resolveFrom(table, d.path) === d.heading && (d.heading !== undefined || r.whyUnresolved(table, d.path) === d.why));
}
