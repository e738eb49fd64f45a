// Completion inside definition strings only; anywhere else the answer is null, so
// Pylance and the TypeScript server keep the field. Items replace the word being typed
// (a textEdit over it), because the host document's word rules differ from ours.
import {
  CompletionItemKind,
  InsertTextFormat,
  type CompletionItem,
  type CompletionList,
  type CompletionParams,
  type Range,
} from 'vscode-languageserver/node';
import { CODECS, CORE_TYPES, LEGACY_TYPES } from '../../runtime/definition/index';
import type { FeatureContext } from './featureContext';
import type { Site } from '../workspace/sites';
import { cursorContext } from './context';
import { attributesOfSite, headingOf } from '../workspace/checker';
import { classPath } from '../workspace/catalog';

const SNIPPETS: Record<string, string> = {
  varchar: 'varchar(${1:n})',
  char: 'char(${1:n})',
  decimal: 'decimal(${1:p},${2:s})',
  enum: 'enum(${1})',
  datetime: 'datetime(${1:3})',
};

const NATIVE_TYPES = ['tinyint', 'smallint', 'int', 'bigint', 'float', 'double', 'text', 'longblob', 'timestamp', 'time', 'year'];

export function completion(ctx: FeatureContext, p: CompletionParams): CompletionList | null {
  const file = ctx.fileOf(p.textDocument.uri);
  if (!file) return null;
  const at = ctx.project.siteAt(file, p.textDocument.uri, p.position);
  if (!at) return null;
  const { site, offset } = at;
  const c = cursorContext(site.def.text, offset);
  if (c.kind === 'none') return null;
  // The replaced word, in the editor's coordinates (an escape inside a word is not expected).
  const start = file.position(site.toHost(c.replaceFrom)).position;
  const range: Range = { start, end: p.position };
  const snippets = ctx.support().snippets;
  const items: CompletionItem[] = [];
  const add = (label: string, kind: CompletionItemKind, extra: Partial<CompletionItem> = {}): void => {
    const text = extra.insertText ?? label;
    items.push({ label, kind, sortText: `${String(items.length).padStart(4, '0')}`, ...extra, textEdit: { range, newText: text }, insertText: undefined });
  };

  const target = ctx.project.tables.targetOfFile(file.key);
  switch (c.kind) {
    case 'type':
      if (target !== '2') {
        // The DataJoint the file targets: 0.x types only (2.x's would be errors here).
        for (const t of LEGACY_TYPES) {
          if (t.since014 && target === '0.13') continue;
          const snippet = snippets ? t.snippet : undefined;
          add(t.syntax, CompletionItemKind.TypeParameter, {
            detail: `DataJoint ${target}`,
            documentation: t.doc,
            filterText: t.syntax.split(/[(@ ]/)[0],
            ...(snippet ? { insertText: snippet, insertTextFormat: InsertTextFormat.Snippet } : {}),
          });
        }
        break;
      }
      for (const t of CORE_TYPES) {
        const snippet = snippets ? SNIPPETS[t.name] : undefined;
        add(t.name, CompletionItemKind.TypeParameter, {
          detail: `${t.syntax} → ${t.mysql}`,
          documentation: t.doc,
          ...(snippet ? { insertText: snippet, insertTextFormat: InsertTextFormat.Snippet } : {}),
        });
      }
      for (const codec of CODECS) {
        add(codec.syntax, CompletionItemKind.Interface, { detail: 'codec', documentation: codec.doc, filterText: codec.name, insertText: codec.store === 'required' ? `<${codec.name}@>` : `<${codec.name}>` });
      }
      for (const n of NATIVE_TYPES) add(n, CompletionItemKind.Text, { detail: 'native type (not portable)' });
      break;
    case 'codec':
      if (target !== '2') break; // 0.x has no codecs, only adapters from the schema's context
      for (const codec of CODECS) add(codec.name, CompletionItemKind.Interface, { detail: codec.syntax, documentation: codec.doc });
      break;
    case 'default':
      add('null', CompletionItemKind.Keyword, { detail: 'nullable attribute' });
      add('CURRENT_TIMESTAMP', CompletionItemKind.Keyword, { detail: 'insertion time (datetime)' });
      break;
    case 'fkOption':
      for (const o of ['nullable', 'unique']) if (!c.written.includes(o)) add(o, CompletionItemKind.Keyword, { detail: 'foreign key option' });
      break;
    case 'table':
      tableItems(ctx, site, c.qualifier, add);
      break;
    case 'projection': {
      const res = { entity: ctx.project.resolve(site, c.reference) };
      if (!res.entity) {
        const declared = ctx.project.databaseTableAt(site, c.reference);
        for (const a of declared?.attributes.filter((x) => x.inKey && !x.hidden) ?? []) add(a.name, CompletionItemKind.Field, { detail: `${a.type} (primary key of ${declared!.className}, from the database)` });
      }
      if (res.entity?.kind !== 'table') break;
      for (const a of headingOf(ctx.project, res.entity.site)?.primaryKey ?? []) {
        add(a.name, CompletionItemKind.Field, { detail: `${a.type} (primary key of ${res.entity.site.className})` });
      }
      break;
    }
    case 'indexAttribute':
      for (const a of attributesOfSite(ctx.project, site)) if (!c.written.includes(a.name)) add(a.name, CompletionItemKind.Field, { detail: a.type });
      break;
  }
  return { isIncomplete: false, items };
}

function tableItems(ctx: FeatureContext, site: Site, qualifier: string[], add: (label: string, kind: CompletionItemKind, extra?: Partial<CompletionItem>) => void): void {
  const detail = (s: Site): string => `${s.def.tier ?? 'table'} · ${s.file.key.split(/[\\/]/).pop()}`;
  if (qualifier.length) {
    const res = { entity: ctx.project.resolve(site, qualifier) };
    if (!res.entity) {
      databaseItems(ctx, site, qualifier, add);
      return;
    }
    for (const s of ctx.project.membersOf(res.entity)) add(s.className, CompletionItemKind.Class, { detail: detail(s) });
    return;
  }
  const seen = new Set<string>();
  for (const v of ctx.project.visibleTables(site)) {
    if (seen.has(v.label)) continue;
    seen.add(v.label);
    add(v.label, v.label === 'master' ? CompletionItemKind.Keyword : CompletionItemKind.Class, { detail: detail(v.site) });
  }
  databaseItems(ctx, site, [], add, seen);
}

/** At most this many tables of the database are offered after `->`. */
const MAX_DATABASE_ITEMS = 200;

/**
 * Tables declared in the database (the client's catalog) that a name written here would
 * resolve to: after `->`, the classes the workspace does not offer; after `qualifier.`,
 * the parts of a declared master or the tables of the schema the qualifier names.
 */
function databaseItems(ctx: FeatureContext, site: Site, qualifier: string[], add: (label: string, kind: CompletionItemKind, extra?: Partial<CompletionItem>) => void, seen = new Set<string>()): void {
  const catalog = ctx.project.catalog;
  if (!catalog.snapshot || !site.indexed) return;
  let offered = 0;
  for (const t of catalog.tables()) {
    if (offered >= MAX_DATABASE_ITEMS) break;
    const path = classPath(t);
    if (path === undefined || path === site.qualifiedName) continue;
    const names = path.split('.');
    // The label written after what is there already: `Part` after `Master.`, `Table` after `module.`.
    const label = qualifier.length && path.startsWith(`${qualifier.at(-1)}.`) ? names.at(-1)! : path;
    if (seen.has(label) || (qualifier.length === 0 && names.length > 1)) continue;
    // Offered only where the written path would resolve to this very table.
    if (ctx.project.databaseTableAt(site, [...qualifier, ...label.split('.')]) !== t) continue;
    seen.add(label);
    offered++;
    add(label, CompletionItemKind.Class, { detail: `${t.tier} · from the database (${catalog.label}): ${t.schema}` });
  }
}
