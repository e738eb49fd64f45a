// The Computed and Imported classes (parts excluded: their master populates them) of a
// document or of the whole workspace, with the tier the workspace index decides: inherited
// through the project's own base classes (`class Base(dj.Computed)` then
// `class Spikes(Base)`), and only for classes the host parser found as classes (a `class X(dj.Computed)`
// inside a string or comment is none). The client's CodeLens and Populate pickers ask this
// (AUTO_POPULATED_REQUEST) instead of scanning text.
import type { AutoPopulatedClass, AutoPopulatedParams } from '../protocol';
import type { FeatureContext } from './featureContext';
import type { Site } from '../workspace/sites';

function entry(site: Site): AutoPopulatedClass | undefined {
  if (site.def.masterName) return undefined;
  const tier = site.indexed?.tier ?? site.def.tier;
  if (tier !== 'Computed' && tier !== 'Imported') return undefined;
  const at = site.file.position(site.def.classSpan.start);
  return { className: site.className, tier, uri: at.uri, line: at.position.line, character: at.position.character };
}

export function autoPopulated(ctx: FeatureContext, p: AutoPopulatedParams | undefined): AutoPopulatedClass[] {
  const out: AutoPopulatedClass[] = [];
  if (p?.uri) {
    const file = ctx.fileOf(p.uri);
    if (!file) return out;
    for (const s of ctx.project.sites(file.key)) {
      const e = entry(s);
      // A notebook's cells share one file: the classes of this cell only.
      if (e && e.uri === p.uri) out.push(e);
    }
    return out;
  }
  for (const s of ctx.project.allSites()) {
    const e = entry(s);
    if (e) out.push(e);
  }
  return out;
}
