// Go to definition from a `->` reference to the table class it names, and find
// references from a table class name (or a reference to it) to every definition that
// references it, across the workspace.
import type { Definition as LspDefinition, DefinitionParams, Location, ReferenceParams } from 'vscode-languageserver/node';
import type { FeatureContext } from './featureContext';
import type { Site } from '../workspace/sites';
import { nodeAt } from './locate';
import { resolvedTableOf } from '../workspace/checker';

function classLocation(site: Site): Location {
  return site.file.location(site.def.classSpan.start, site.def.classSpan.end);
}

export function definition(ctx: FeatureContext, p: DefinitionParams): LspDefinition | null {
  const file = ctx.fileOf(p.textDocument.uri);
  if (!file) return null;
  const at = ctx.project.siteAt(file, p.textDocument.uri, p.position);
  if (!at) return null;
  const node = nodeAt(at.site.ast, at.offset);
  if (node?.kind === 'projectionSource') {
    // `.proj(new='old')`: where `old` is declared in the referenced table.
    const parent = ctx.project.resolve(at.site, node.line.reference!.path.map((x) => x.text));
    if (parent?.kind !== 'table') return null;
    const attr = resolvedTableOf(ctx.project, parent.site)?.attributes.find((a) => a.name === node.item.source!.text);
    if (!attr?.span) return null;
    return parent.site.file.location(parent.site.toHost(attr.span.start), parent.site.toHost(attr.span.end));
  }
  if (node?.kind !== 'reference') return null;
  const path = node.line.reference!.path.slice(0, node.segment + 1).map((x) => x.text);
  const ent = ctx.project.resolve(at.site, path);
  if (!ent) return null;
  if (ent.kind === 'table') return classLocation(ent.site);
  const target = ent.module.path !== undefined ? ctx.project.file(ent.module.path) : undefined;
  return target ? target.location(0, 0) : null;
}

/** The table a position names: a table class name in the host, or a `->` reference segment. */
function targetAt(ctx: FeatureContext, uri: string, position: { line: number; character: number }): Site | undefined {
  const file = ctx.fileOf(uri);
  if (!file) return undefined;
  const host = file.offsetAt(uri, position);
  if (host === undefined) return undefined;
  for (const s of ctx.project.sites(file.key)) {
    if (host >= s.def.classSpan.start && host <= s.def.classSpan.end) return s;
  }
  const at = ctx.project.siteAt(file, uri, position);
  if (!at) return undefined;
  const node = nodeAt(at.site.ast, at.offset);
  if (node?.kind !== 'reference') return undefined;
  const ent = ctx.project.resolve(at.site, node.line.reference!.path.slice(0, node.segment + 1).map((x) => x.text));
  return ent?.kind === 'table' ? ent.site : undefined;
}

export function references(ctx: FeatureContext, p: ReferenceParams): Location[] | null {
  const target = targetAt(ctx, p.textDocument.uri, p.position);
  if (!target) return null;
  const out: Location[] = [];
  if (p.context.includeDeclaration) out.push(classLocation(target));
  const table = target.indexed;
  if (!table) return out;
  // The index's reverse edges: the tables whose references resolve to the target, or to one
  // of its parts (`-> Session.Trial` names Session in its first segment), each edge with
  // where its path is written. Names the target goes by elsewhere (`from m import Session
  // as Recording`) are found too.
  const index = ctx.project.tables;
  const parts = new Set(table.parts.map((n) => index.resolveTable(table.path, undefined, n.split('.'))).filter((t) => t !== undefined).map((t) => t.id));
  const referencing = new Set([table, ...[...parts].map((id) => index.table(id)!)].flatMap((t) => index.referencingTables(t)));
  for (const t of referencing) {
    const site = ctx.project.siteOfTable(t);
    if (!site) continue;
    for (const { parent, reference } of index.referencesOf(t)) {
      if (parent !== table.id && !parts.has(parent)) continue;
      // The segment that names the target: the last one, or for a part the longest prefix that resolves to it.
      let segment = reference.path.length - 1;
      if (parent !== table.id) {
        while (segment >= 0 && index.resolveTable(t.path, t.name, reference.path.slice(0, segment + 1)) !== table) segment--;
      }
      const span = reference.segments[segment];
      if (span) out.push(site.file.location(site.toHost(span.start), site.toHost(span.end)));
    }
  }
  return out;
}
