// Hover inside definitions: a type's meaning and SQL (type catalogue), a referenced
// table's tier, key, comment and the attributes the reference brings in, an attribute's
// resolved type. Null everywhere else, so the host language's hover stays alone.
import { MarkupKind, type Hover, type HoverParams } from 'vscode-languageserver/node';
import { classifyType, codecDoc, coreTypeDoc } from '../../runtime/definition/index';
import type { FeatureContext } from './featureContext';
import type { DataJointTarget } from '../../runtime/definition/index';
import { broughtIn, headingOf, type HeadingAttribute } from '../workspace/checker';
import type { Site } from '../workspace/sites';
import { nodeAt } from './locate';
import type { CatalogTable } from '../../runtime/catalog/index';
import { classPath } from '../workspace/catalog';

export function hover(ctx: FeatureContext, p: HoverParams): Hover | null {
  const file = ctx.fileOf(p.textDocument.uri);
  if (!file) return null;
  const at = ctx.project.siteAt(file, p.textDocument.uri, p.position);
  if (!at) return null;
  const { site, offset } = at;
  const node = nodeAt(site.ast, offset);
  if (!node) return null;
  let md: string | undefined;
  let span: { start: number; end: number } | undefined;
  switch (node.kind) {
    case 'type':
      md = typeMarkdown(node.type.text || node.type.name, ctx.project.tables.targetOfFile(file.key));
      span = node.type.span;
      break;
    case 'attributeName': {
      const a = headingOf(ctx.project, site)?.attributes.find((x) => x.name === node.name.text);
      md = `\`${node.name.text}\` : \`${a?.type ?? node.line.type?.text ?? '?'}\`${a?.nullable ? ' (nullable)' : ''}${node.line.inKey ? ' — primary key' : ''}${a?.comment ? `\n\n${a.comment}` : ''}`;
      span = node.name.span;
      break;
    }
    case 'reference': {
      const ref = node.line.reference!;
      const path = ref.path.slice(0, node.segment + 1).map((x) => x.text);
      const res = { entity: ctx.project.resolve(site, path) };
      if (res.entity?.kind === 'table') {
        const last = node.segment === ref.path.length - 1;
        md = tableMarkdown(ctx, res.entity.site, last ? broughtIn(ctx.project, site, node.line) : undefined);
      } else if (res.entity?.kind === 'module') {
        md = `module \`${path.join('.')}\` — ${res.entity.module.path ?? res.entity.module.dir}`;
      } else {
        const declared = ctx.project.databaseTableAt(site, path);
        const last = node.segment === ref.path.length - 1;
        if (declared) md = databaseTableMarkdown(declared, ctx.project.catalog.label, last ? broughtIn(ctx.project, site, node.line) : undefined);
      }
      span = ref.path[node.segment].span;
      break;
    }
    case 'projectionSource': {
      const res = { entity: ctx.project.resolve(site, node.line.reference!.path.map((x) => x.text)) };
      if (res.entity?.kind === 'table') {
        const a = headingOf(ctx.project, res.entity.site)?.attributes.find((x) => x.name === node.item.source!.text);
        if (a) md = `\`${res.entity.site.className}.${a.name}\` : \`${a.type}\`${a.inKey ? ' — primary key' : ''}`;
      } else if (!res.entity) {
        const declared = ctx.project.databaseTableAt(site, node.line.reference!.path.map((x) => x.text));
        const a = declared?.attributes.find((x) => !x.hidden && x.name === node.item.source!.text);
        if (declared && a) md = `\`${declared.className}.${a.name}\` : \`${a.type}\`${a.inKey ? ' — primary key' : ''} — from the database (${ctx.project.catalog.label})`;
      }
      span = node.item.source!.span;
      break;
    }
    case 'projectionTarget': {
      const brought = broughtIn(ctx.project, site, node.line).find((a) => a.name === node.item.target!.text);
      if (brought) md = `\`${brought.name}\` : \`${brought.type}\` — renamed from \`${node.item.source?.text ?? '?'}\`${brought.inKey ? ' — primary key' : ''}`;
      span = node.item.target!.span;
      break;
    }
    case 'indexArgument': {
      const a = headingOf(ctx.project, site)?.attributes.find((x) => x.name === node.name.text);
      if (a) md = `\`${a.name}\` : \`${a.type}\`${a.inKey ? ' — primary key' : ''}`;
      span = node.name.span;
      break;
    }
    default:
      return null;
  }
  if (!md) return null;
  const range = span ? file.location(site.toHost(span.start), site.toHost(span.end)).range : undefined;
  return { contents: { kind: ctx.support().markdown ? MarkupKind.Markdown : MarkupKind.PlainText, value: md }, range };
}

/** A type as the DataJoint the file targets sees it. */
export function typeMarkdown(text: string, target: DataJointTarget = '2'): string | undefined {
  const info = classifyType(text, target);
  if (target !== '2') {
    // DataJoint 0.x: its own types, a 2.x type it cannot declare, or what 2.x writes instead.
    if (info.era === 'newer') return `**${info.text}** — a DataJoint 2 type; DataJoint ${target} cannot declare it.${info.replacements?.length ? ` Write \`${info.replacements[0]!.text}\`.` : ''}`;
    if (info.category === 'unknown') return `**${info.text}** — not a type DataJoint ${target} declares.${info.replacements?.length ? ` Write \`${info.replacements[0]!.text}\`.` : ''}`;
    if (info.category === 'codec') return `**${info.text}** — an adapted type: an AttributeAdapter named \`${info.codec?.name ?? ''}\` in the schema's context`;
    const to2 = info.migration?.length ? `\n\nDataJoint 2 writes \`${info.migration[0]!.text}\`.` : '';
    return `**${info.text}** — DataJoint ${target} type, passed to SQL${info.sql ? ` as \`${info.sql.mysql}\`` : ''}${to2}`;
  }
  if (info.category === 'core' && info.core) {
    const d = coreTypeDoc(info.core);
    return `**${info.text}** — DataJoint core type\n\n${d.doc}\n\nSQL: MySQL \`${info.sql?.mysql ?? d.mysql}\`, PostgreSQL \`${info.sql?.postgresql ?? d.postgresql}\``;
  }
  if (info.category === 'codec' && info.codec) {
    const d = codecDoc(info.codec.name);
    const sql = info.sql ? `\n\nSQL: MySQL \`${info.sql.mysql}\`, PostgreSQL \`${info.sql.postgresql}\`` : '';
    return `**${info.text}** — ${d ? 'codec' : 'custom codec'}${d ? `\n\n${d.doc}` : ''}${sql}`;
  }
  if (info.category === 'native') {
    const repl = info.replacements?.length ? `\n\nPrefer the core type \`${info.replacements[0].text}\`.` : '';
    return `**${info.text}** — native ${info.native ?? ''} type, passed to SQL as written${info.sql ? `: \`${info.sql.mysql}\`` : ''}${repl}`;
  }
  const repl = info.replacements?.length ? ` Write \`${info.replacements[0].text}\`.` : info.spelling ? ` Write \`${info.spelling}\`.` : '';
  return `**${info.text}** — not a supported type.${repl}`;
}

function attributeList(attrs: readonly HeadingAttribute[]): string {
  return attrs.map((a) => `- \`${a.name}\` : \`${a.type}\`${a.nullable ? ' (nullable)' : ''}${a.comment ? ` — ${a.comment}` : ''}`).join('\n');
}

function tableMarkdown(ctx: FeatureContext, t: Site, brought?: HeadingAttribute[]): string {
  const h = headingOf(ctx.project, t);
  const lines = [`**${t.qualifiedName}** — ${t.def.tier ?? 'table'} table`];
  if (h?.comment) lines.push('', h.comment);
  lines.push('', `Primary key: ${h?.primaryKey.length ? h.primaryKey.map((a) => `\`${a.name}\``).join(', ') : '(none)'}`);
  if (brought?.length) lines.push('', 'Brings in:', attributeList(brought));
  lines.push('', `Defined in ${t.file.key.split(/[\\/]/).slice(-2).join('/')}`);
  return lines.join('\n');
}

/** A table declared in the database (the client's catalog), for a reference the workspace does not resolve. */
function databaseTableMarkdown(t: CatalogTable, label: string, brought?: HeadingAttribute[]): string {
  const lines = [`**${classPath(t) ?? t.className}** — ${t.tier} table, from the database (${label})`, '', `\`${t.schema}\`.\`${t.name}\``];
  if (t.comment) lines.push('', t.comment);
  const visible = t.attributes.filter((a) => !a.hidden);
  const key = visible.filter((a) => a.inKey);
  lines.push('', `Primary key: ${key.length ? key.map((a) => `\`${a.name}\``).join(', ') : '(none)'}`);
  if (brought?.length) lines.push('', 'Brings in:', attributeList(brought));
  lines.push('', 'Heading:', attributeList(visible.map((a) => ({ name: a.name, type: a.type, nullable: a.nullable, comment: a.comment, inKey: a.inKey }))));
  return lines.join('\n');
}
