// Effective tiers: a class's own (`dj.Manual`, `extends Lookup`) or inherited from a
// base class that is itself a table class of the project (`class Session(LabBase)`).
// They depend on names only, so a file whose names are unchanged keeps its tables' tiers.
import type { Tier } from '../../hosts';
import type { FileEntry, IndexedTable } from './files';
import type { Scope } from './scope';

/** Fills `tier` of every table of every file. */
export function assignTiers(files: Iterable<FileEntry>, scope: Scope): void {
  for (const f of files) {
    for (const t of f.tables) {
      const tier = ownOrInheritedTier(scope, t, 0);
      if (tier) t.tier = tier;
      else delete t.tier;
    }
  }
}

/** A new version of a file with the same names takes the tiers its tables had. */
export function carryTiers(old: FileEntry, entry: FileEntry): void {
  entry.tables.forEach((t, i) => {
    const tier = old.tables[i]?.tier;
    if (tier) t.tier = tier;
  });
}

function ownOrInheritedTier(scope: Scope, t: IndexedTable, depth: number): Tier | undefined {
  if (t.host.tier || depth > 8) return t.host.tier;
  for (const base of t.host.bases) {
    const parent = scope.resolveBase(t, base);
    const tier = parent && parent !== t ? ownOrInheritedTier(scope, parent, depth + 1) : undefined;
    if (tier) return tier;
  }
  return undefined;
}
