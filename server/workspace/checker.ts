// Headings and validation of definition sites with references resolved through the
// project. The heading model is the runtime's (runtime/definition/model.ts: analyzeTable,
// which follows declare.py), so hover, completion and declaration agree on what a
// foreign key brings in; this module only supplies the resolver and caches per change.
import {
  analyzeTable,
  validateModel,
  type Diagnostic,
  type ForeignKeyLine,
  type ResolvedAttribute,
  type ResolvedTable,
  type Span,
  type TableModel,
  type ValidationContext,
} from '../../runtime/definition/index';
import type { Project } from './project';
import type { Site } from './sites';

export interface HeadingAttribute {
  name: string;
  type: string;
  nullable: boolean;
  comment?: string;
  inKey: boolean;
  span: Span;
}

export interface Heading {
  primaryKey: HeadingAttribute[];
  attributes: HeadingAttribute[];
  comment?: string;
}

const models = new WeakMap<Site, { generation: number; model: TableModel; table: ResolvedTable }>();
const building = new Set<Site>();

export function tableId(site: Site): string {
  return `${site.file.key}#${site.qualifiedName}`;
}

/** The site a ResolvedTable id names (ids are `file#Qualified.Name`). */
export function siteOfId(project: Project, id: string): Site | undefined {
  const hash = id.lastIndexOf('#');
  if (hash < 0) return undefined;
  const key = id.slice(0, hash);
  const name = id.slice(hash + 1);
  return project.sites(key).find((s) => s.qualifiedName === name);
}

/** A validation context whose resolver goes through the project; `consulted` collects the files it read. */
export function contextFor(project: Project, site: Site, consulted?: Set<string>): ValidationContext {
  return {
    className: site.className,
    tier: site.def.tier,
    masterName: site.def.masterName,
    resolve(path: string[]): ResolvedTable | undefined {
      const res = project.resolve(site, path);
      if (consulted) for (const k of res.consulted) consulted.add(k);
      if (res.entity?.kind !== 'table') return undefined;
      if (consulted) consulted.add(res.entity.site.file.key);
      return resolvedTable(project, res.entity.site);
    },
  };
}

function analyzed(project: Project, site: Site): { model: TableModel; table: ResolvedTable } | undefined {
  const hit = models.get(site);
  if (hit && hit.generation === project.generation) return hit;
  if (building.has(site)) return undefined; // a reference cycle; the referencing line reports unresolved
  building.add(site);
  try {
    const model = analyzeTable(site.ast, contextFor(project, site));
    const byName = new Map(model.attributes.map((a) => [a.name, a]));
    const toResolved = (name: string): ResolvedAttribute => {
      const a = byName.get(name);
      return { name, type: a?.type ?? '', nullable: a?.nullable ?? false, comment: a?.comment, span: a?.span };
    };
    const table: ResolvedTable = {
      id: tableId(site),
      name: site.qualifiedName,
      tier: site.def.tier ?? 'Manual',
      primaryKey: model.primaryKey.map(toResolved),
      attributes: model.attributes.map((a) => toResolved(a.name)),
      comment: model.tableComment,
    };
    const entry = { generation: project.generation, model, table };
    models.set(site, entry);
    return entry;
  } finally {
    building.delete(site);
  }
}

export function modelOf(project: Project, site: Site): TableModel | undefined {
  return analyzed(project, site)?.model;
}

export function resolvedTable(project: Project, site: Site): ResolvedTable | undefined {
  return analyzed(project, site)?.table;
}

export function headingOf(project: Project, site: Site): Heading | undefined {
  const m = modelOf(project, site);
  if (!m) return undefined;
  const attributes = m.attributes.map((a) => ({ name: a.name, type: a.type, nullable: a.nullable, comment: a.comment, inKey: a.inKey, span: a.span }));
  const key = new Set(m.primaryKey);
  return { attributes, primaryKey: attributes.filter((a) => key.has(a.name)), comment: m.tableComment };
}

/** What `-> parent[.proj(...)]` on a line brings into the child: the parent's key, renamed. */
export function broughtIn(project: Project, site: Site, line: ForeignKeyLine): HeadingAttribute[] {
  const fk = modelOf(project, site)?.foreignKeys.find((f) => f.line === line);
  if (!fk?.parent) return [];
  const byName = new Map(fk.parent.primaryKey.map((a) => [a.name, a]));
  return fk.attributes.map(({ name, parentName }) => {
    const pa = byName.get(parentName);
    return { name, type: pa?.type ?? '', nullable: fk.nullable, comment: pa?.comment, inKey: fk.inKey, span: line.span };
  });
}

/** Every attribute of the table a site defines (own and inherited through `->`). */
export function attributesOfSite(project: Project, site: Site): HeadingAttribute[] {
  return headingOf(project, site)?.attributes ?? [];
}

const checked = new WeakMap<Site, { generation: number; diagnostics: Diagnostic[]; consulted: Set<string> }>();

/**
 * Syntax and semantic diagnostics of a site (definition offsets), sorted by position.
 * `consulted` receives the files its references were resolved through.
 */
export function validateSite(project: Project, site: Site, consulted?: Set<string>): Diagnostic[] {
  const hit = checked.get(site);
  if (hit && hit.generation === project.generation) {
    if (consulted) for (const k of hit.consulted) consulted.add(k);
    return hit.diagnostics;
  }
  const mine = new Set<string>();
  const ctx = contextFor(project, site, mine);
  const model = analyzeTable(site.ast, ctx);
  const diagnostics = site.syntaxDiagnostics.concat(validateModel(site.ast, model, ctx));
  diagnostics.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end || a.code.localeCompare(b.code));
  checked.set(site, { generation: project.generation, diagnostics, consulted: mine });
  if (consulted) for (const k of mine) consulted.add(k);
  return diagnostics;
}
