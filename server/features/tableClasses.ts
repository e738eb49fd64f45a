// Every table class of a document (all tiers; parts with their master, whose SQL name they
// extend), with the tier the workspace index decides (inherited through the project's base
// classes) and only for classes the host parser found as classes. The client's "View Rows"
// CodeLens asks this (TABLE_CLASSES_REQUEST) instead of scanning text; Populate's lenses keep
// asking autoPopulated.ts for the Computed and Imported ones.
import type { TableClass, TableClassesParams } from '../protocol';
import type { FeatureContext } from './featureContext';
import type { Site } from '../workspace/sites';

type MasterTier = Exclude<TableClass['tier'], 'Part'>;
const TIERS: ReadonlySet<string> = new Set(['Manual', 'Lookup', 'Imported', 'Computed', 'Part']);

const tierOf = (site: Site): TableClass['tier'] | undefined => {
  const tier = site.indexed?.tier ?? site.def.tier;
  return tier && TIERS.has(tier) ? (tier as TableClass['tier']) : undefined;
};

function entry(site: Site, masterTier: (part: Site) => MasterTier | undefined): TableClass | undefined {
  const tier = tierOf(site);
  if (!tier) return undefined;
  const at = site.file.position(site.def.classSpan.start);
  const out: TableClass = { className: site.className, tier, uri: at.uri, line: at.position.line, character: at.position.character };
  if (site.def.masterName) {
    const master = masterTier(site);
    if (!master) return undefined;
    out.master = { className: site.def.masterName, tier: master };
  }
  return out;
}

export function tableClasses(ctx: FeatureContext, p: TableClassesParams): TableClass[] {
  const file = ctx.fileOf(p.uri);
  if (!file) return [];
  const sites = ctx.project.sites(file.key);
  // The first class of each name that is not a part itself: a part's master, looked up.
  const masters = new Map<string, Site>();
  for (const s of sites) if (!s.def.masterName && !masters.has(s.className)) masters.set(s.className, s);
  const masterTier = (part: Site): MasterTier | undefined => {
    const m = part.def.masterName !== undefined ? masters.get(part.def.masterName) : undefined;
    const tier = m ? tierOf(m) : undefined;
    return tier === 'Part' ? undefined : tier;
  };
  const out: TableClass[] = [];
  for (const s of sites) {
    const e = entry(s, masterTier);
    // A notebook's cells share one file: the classes of this cell only.
    if (e && e.uri === p.uri) out.push(e);
  }
  return out;
}
