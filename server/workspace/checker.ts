// Headings of definition sites for hover and completion. The heading model is the
// runtime's (runtime/definition/model.ts: analyzeTable, after declare.py) with the
// index's resolver, so hover, completion, `dj lint` and declaration agree on what a
// foreign key brings in.
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
  span?: Span;
}

export interface Heading {
  primaryKey: HeadingAttribute[];
  attributes: HeadingAttribute[];
  comment?: string;
}

const models = new WeakMap<Site, { generation: number; model: TableModel }>();

/** The table model of a site's own definition (with this editor's parse of it). */
export function modelOf(project: Project, site: Site): TableModel | undefined {
  if (!site.indexed) return undefined;
  const hit = models.get(site);
  if (hit && hit.generation === project.generation) return hit.model;
  const model = analyzeTable(site.ast, contextOf(project, site));
  models.set(site, { generation: project.generation, model });
  return model;
}

/**
 * The index's validation context for a site, with a resolver whose headings are cached
 * by dependency key instead of per change: after an edit, only headings whose
 * definitions (or the keys they inherit) changed are analysed again.
 */
export function contextOf(project: Project, site: Site): ValidationContext {
  const t = site.indexed!;
  return {
    ...project.tables.context(t),
    resolve(path: string[]): ResolvedTable | undefined {
      const parent = project.tables.resolveTable(t.path, t.name, path);
      const ps = project.siteOfTable(parent);
      return ps ? resolvedTableOf(project, ps) : undefined;
    },
  };
}

const resolving = new Set<Site>();

/** A site's table as validation of its children sees it (ResolvedTable of context.ts). */
export function resolvedTableOf(project: Project, site: Site): ResolvedTable | undefined {
  if (!site.indexed) return undefined;
  const key = headingKey(project, site, true);
  if (site.resolved?.key === key) return site.resolved.table;
  if (resolving.has(site)) return undefined; // a reference cycle resolves to nothing, as in the index
  resolving.add(site);
  try {
    const t = site.indexed;
    const model = analyzeTable(site.ast, contextOf(project, site));
    const attrs = new Map<string, ResolvedAttribute>();
    for (const a of model.attributes) {
      const r: ResolvedAttribute = { name: a.name, type: a.type, nullable: a.nullable, span: a.span };
      if (a.comment !== undefined) r.comment = a.comment;
      attrs.set(a.name, r);
    }
    const table: ResolvedTable = {
      id: t.id,
      name: t.name,
      tier: project.tables.context(t).tier ?? 'Manual',
      primaryKey: model.primaryKey.map((n) => attrs.get(n)).filter((a): a is ResolvedAttribute => a !== undefined),
      attributes: [...attrs.values()],
    };
    if (model.tableComment !== undefined) table.comment = model.tableComment;
    site.resolved = { key, table };
    return table;
  } finally {
    resolving.delete(site);
  }
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

// ---- incremental checking ------------------------------------------------------------
// A definition's diagnostics depend on its text, its class context and the headings of
// the tables it references, which depend on their texts and references in turn. The
// dependency key hashes exactly that, so after an edit only the edited definition and
// the ones that (transitively) reference it are validated again; the rest reuse their
// previous diagnostics (definition offsets, mapped to the host afresh each time).

function fnv(text: string, h = 0x811c9dc5): number {
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const memo = new WeakMap<Site, { generation: number; full?: string; key?: string; dep?: string }>();
const keying = new Set<string>();

function memoOf(project: Project, site: Site): { generation: number; full?: string; key?: string; dep?: string } {
  let m = memo.get(site);
  if (!m || m.generation !== project.generation) memo.set(site, (m = { generation: project.generation }));
  return m;
}

function hashParts(parts: string[]): string {
  const joined = parts.join('\u0000');
  return `${fnv(joined).toString(36)}.${fnv(joined, 0x01000193).toString(36)}.${joined.length.toString(36)}`;
}

/** The references of a site's foreign-key lines, resolved through the index (cached per name structure). */
function resolvedRefs(project: Project, site: Site): NonNullable<Site['refs']>['list'] {
  if (site.refs?.structure === project.structure) return site.refs.list;
  const t = site.indexed;
  const list: NonNullable<Site['refs']>['list'] = [];
  for (const line of site.ast.lines) {
    if (line.kind !== 'foreignKey' || !line.reference) continue;
    const path = line.reference.path.map((x) => x.text);
    const parent = t ? project.tables.resolveTable(t.path, t.name, path) : undefined;
    const target = project.siteOfTable(parent);
    list.push({ projected: !!line.reference.projection, inKey: line.inKey, target, id: parent ? parent.id : `?${path.join('.')}` });
  }
  site.refs = { structure: project.structure, list };
  return list;
}

function references(project: Project, site: Site, keyOnly: boolean, describe: (parent: Site, projected: boolean) => string): string[] {
  const out: string[] = [];
  for (const r of resolvedRefs(project, site)) {
    if (keyOnly && !r.inKey) continue;
    out.push(r.target ? `${r.target.uid}=${describe(r.target, r.projected)}` : r.id);
  }
  return out;
}

/**
 * What a table shows to the tables referencing it: its primary key (key section text and
 * the keys its own key-section references bring), or with `full` every attribute (a
 * projection may name secondary attributes).
 */
function headingKey(project: Project, site: Site, full: boolean): string {
  const m = memoOf(project, site);
  const hit = full ? m.full : m.key;
  if (hit) return hit;
  const guard = `${full ? 'f' : 'k'}${site.file.key}#${site.def.contentSpan.start}`;
  if (keying.has(guard)) return 'cycle';
  keying.add(guard);
  try {
    const t = site.indexed;
    const parts = [String(full ? site.textHash : site.keyHash), t?.name ?? '', t?.tier ?? '', ...references(project, site, !full, (p) => headingKey(project, p, false))];
    const key = hashParts(parts);
    if (full) m.full = key;
    else m.key = key;
    return key;
  } finally {
    keying.delete(guard);
  }
}

/** Everything a site's diagnostics depend on: its text, class context and the headings it references. */
export function dependencyKey(project: Project, site: Site): string {
  const m = memoOf(project, site);
  if (m.dep) return m.dep;
  const t = site.indexed;
  const parts = [String(site.textHash), t?.name ?? '', t?.tier ?? '', t?.master ?? '', ...references(project, site, false, (p, projected) => headingKey(project, p, projected))];
  m.dep = hashParts(parts);
  return m.dep;
}

/** True when the site's last diagnostics are still valid (checkSite would not validate). */
export function isChecked(project: Project, site: Site): boolean {
  return !site.indexed || site.checked?.key === dependencyKey(project, site);
}

/** Syntax and semantic diagnostics of a site in definition offsets, sorted by position. */
export function checkSite(project: Project, site: Site): Diagnostic[] {
  if (!site.indexed) return []; // not a table class (no tier): nothing to declare
  const key = dependencyKey(project, site);
  if (site.checked?.key === key) return site.checked.diagnostics;
  const ctx = contextOf(project, site);
  const model = analyzeTable(site.ast, ctx);
  const diagnostics = site.syntaxDiagnostics.concat(validateModel(site.ast, model, ctx));
  diagnostics.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end || a.code.localeCompare(b.code));
  site.checked = { key, diagnostics };
  return diagnostics;
}
