// Document symbols (tables, their attributes as children, parts nested under their
// master) and workspace symbols (every table in the index).
import { SymbolKind, type DocumentSymbol, type DocumentSymbolParams, type SymbolInformation, type WorkspaceSymbolParams } from 'vscode-languageserver/node';
import type { FeatureContext } from './featureContext';
import type { Site } from '../workspace/sites';
import type { HostFile } from '../documents/hostFile';

function tableSymbol(site: Site): DocumentSymbol {
  const whole = site.table?.span ?? { start: site.def.classSpan.start, end: site.def.literalSpan.end };
  const file = site.file;
  const map = site.def.map;
  const range = file.range(Math.min(whole.start, site.def.classSpan.start), Math.max(whole.end, site.def.literalSpan.end));
  const selectionRange = file.range(site.def.classSpan.start, site.def.classSpan.end);
  const children: DocumentSymbol[] = [];
  for (const line of site.ast.lines) {
    if (line.kind === 'attribute' && line.name.text && Number.isFinite(line.span.end)) {
      const r = file.range(map.toHost(line.span.start), map.toHost(line.span.end));
      // An attribute line starts with its name: the two ranges share that position.
      const n = line.name.span.start === line.span.start
        ? { start: r.start, end: file.positionAt(map.toHost(line.name.span.end)) }
        : file.range(map.toHost(line.name.span.start), map.toHost(line.name.span.end));
      children.push({ name: line.name.text, detail: line.type?.text || line.type?.name, kind: line.inKey ? SymbolKind.Key : SymbolKind.Field, range: r, selectionRange: n });
    } else if (line.kind === 'foreignKey' && line.reference && Number.isFinite(line.span.end)) {
      const r = file.range(map.toHost(line.span.start), map.toHost(line.span.end));
      children.push({ name: `-> ${line.reference.path.map((x) => x.text).join('.')}`, kind: SymbolKind.Interface, range: r, selectionRange: r });
    }
  }
  return { name: site.className, detail: site.def.tier, kind: SymbolKind.Class, range, selectionRange, children };
}

function contains(outer: DocumentSymbol['range'], inner: DocumentSymbol['range']): boolean {
  const before = (a: typeof outer.start, b: typeof outer.start): boolean => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return before(outer.start, inner.start) && before(inner.end, outer.end);
}

/**
 * Answers by the file's sites, which the project replaces whenever the file changes:
 * editors ask for the same version's outline several times (outline view, breadcrumbs,
 * sticky scroll), and a file of thousands of tables takes tens of milliseconds to list.
 */
const answered = new WeakMap<readonly Site[], Map<string, DocumentSymbol[] | SymbolInformation[]>>();

export function documentSymbols(ctx: FeatureContext, p: DocumentSymbolParams): DocumentSymbol[] | SymbolInformation[] | null {
  const file = ctx.fileOf(p.textDocument.uri);
  if (!file) return null;
  const all = ctx.project.sites(file.key);
  const hierarchical = ctx.support().hierarchicalSymbols;
  const key = `${hierarchical ? 'tree' : 'flat'} ${p.textDocument.uri}`;
  let byUri = answered.get(all);
  const known = byUri?.get(key);
  if (known) return known;
  const result = listSymbols(file, all, p.textDocument.uri, hierarchical);
  if (!byUri) answered.set(all, (byUri = new Map()));
  byUri.set(key, result);
  return result;
}

function listSymbols(file: HostFile, all: readonly Site[], uri: string, hierarchical: boolean): DocumentSymbol[] | SymbolInformation[] {
  const sites = all.filter((s) => file.uriAt(s.def.classSpan.start) === uri);
  const top: DocumentSymbol[] = [];
  const byName = new Map<string, DocumentSymbol>();
  for (const s of sites) {
    const sym = tableSymbol(s);
    const master = s.def.masterName ? byName.get(s.def.masterName) : undefined;
    if (master) {
      master.children!.push(sym);
      // A TS part declared after its master's class body is still shown under it.
      if (!contains(master.range, sym.range)) master.range = { start: master.range.start, end: sym.range.end };
    } else {
      top.push(sym);
      byName.set(s.className, sym);
    }
  }
  if (hierarchical) return top;
  const flat: SymbolInformation[] = [];
  const walk = (syms: DocumentSymbol[], container?: string): void => {
    for (const s of syms) {
      flat.push({ name: s.name, kind: s.kind, location: { uri, range: s.range }, containerName: container });
      if (s.children) walk(s.children, s.name);
    }
  };
  walk(top);
  return flat;
}

export function workspaceSymbols(ctx: FeatureContext, p: WorkspaceSymbolParams): SymbolInformation[] {
  const q = p.query.toLowerCase();
  const out: SymbolInformation[] = [];
  for (const s of ctx.project.allSites()) {
    if (q && !fuzzy(s.qualifiedName.toLowerCase(), q)) continue;
    // The tier the index decides (inherited through a project base class), as the Populate picker reads it.
    out.push({ name: s.className, kind: SymbolKind.Class, location: s.file.location(s.def.classSpan.start, s.def.classSpan.end), containerName: s.def.masterName ?? s.indexed?.tier ?? s.def.tier });
    if (out.length >= 1000) break;
  }
  return out;
}

/** The query's characters appear in order (VS Code's own matching rule for symbols). */
function fuzzy(name: string, q: string): boolean {
  let i = 0;
  for (const c of name) if (c === q[i]) i++;
  return i === q.length;
}
