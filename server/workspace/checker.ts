// Headings of definition sites for hover and completion, from the shared index (the
// same resolution and heading model as `djx lint` and declaration: runtime/project's
// TableIndex over runtime/definition's analyzeTable, after declare.py).
import type { ForeignKeyLine, ResolvedTable, Span, TableModel } from '../../runtime/definition/index';
import type { Project } from './project';
import type { Site } from './sites';

export interface HeadingAttribute {
  name: string;
  type: string;
  nullable: boolean;
  comment?: string;
  inKey: boolean;
  span?: Span;
}

export interface Heading {
  primaryKey: HeadingAttribute[];
  attributes: HeadingAttribute[];
  comment?: string;
}

/** The table model of a site's own definition: its record's, on the parse the site shows (its lines carry the spans features need). */
export function modelOf(project: Project, site: Site): TableModel | undefined {
  return site.indexed ? project.tables.model(site.indexed) : undefined;
}

/** A site's table as the tables referencing it see it (ResolvedTable of runtime/definition/context.ts). */
export function resolvedTableOf(project: Project, site: Site): ResolvedTable | undefined {
  return site.indexed ? project.tables.heading(site.indexed) : undefined;
}

/** The heading of the table a site defines, as the index resolves it (inherited keys included). */
export function headingOf(project: Project, site: Site): Heading | undefined {
  const t = resolvedTableOf(project, site);
  if (!t) return undefined;
  const key = new Set(t.primaryKey.map((a) => a.name));
  const attributes = t.attributes.map((a) => ({ name: a.name, type: a.type, nullable: a.nullable, comment: a.comment, inKey: key.has(a.name), span: a.span }));
  return { attributes, primaryKey: attributes.filter((a) => a.inKey), comment: t.comment };
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

/** Every attribute of the table a site defines (own and inherited through `->`), from this parse. */
export function attributesOfSite(project: Project, site: Site): HeadingAttribute[] {
  const m = modelOf(project, site);
  if (!m) return [];
  const key = new Set(m.primaryKey);
  return m.attributes.map((a) => ({ name: a.name, type: a.type, nullable: a.nullable, comment: a.comment, inKey: key.has(a.name), span: a.span }));
}
