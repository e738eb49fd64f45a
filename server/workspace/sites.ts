// A definition site: one `definition` string in a host file, with its table class and
// (parsed on first use) syntax tree. Features find the site under the cursor here and
// translate between host offsets and definition offsets through its position map.
import type { Definition } from '../../runtime/definition/index';
import type { Diagnostic as DjDiagnostic } from '../../runtime/definition/index';
import type { HostDefinition, HostScan, HostTable } from '../../runtime/hosts/types';
import type { HostFile } from '../documents/hostFile';
import { parseDefinitionCached, type IndexedTable } from '../../runtime/project/index';

export class Site {
  private parsed?: { ast: Definition; diagnostics: DjDiagnostic[] };
  private indexedTable?: IndexedTable;
  /** Set by the project until it has matched this file's sites with the index's tables. */
  link?: () => void;
  constructor(
    public file: HostFile,
    public def: HostDefinition,
    public table: HostTable | undefined,
  ) {}

  /** The same table in a new version of its file: positions move; a changed text is parsed again. */
  update(file: HostFile, def: HostDefinition, table: HostTable | undefined): void {
    const same = def.text === this.def.text;
    this.file = file;
    this.def = def;
    this.table = table;
    if (!same) this.parsed = undefined;
  }

  /** The index's table for this definition (undefined for classes without a tier). */
  get indexed(): IndexedTable | undefined {
    this.link?.();
    return this.indexedTable;
  }

  set indexed(t: IndexedTable | undefined) {
    this.indexedTable = t;
  }

  get className(): string {
    return this.def.className;
  }

  /** `Master.Part` for parts, the class name otherwise (the index's name). */
  get qualifiedName(): string {
    return this.indexed?.name ?? (this.def.masterName ? `${this.def.masterName}.${this.def.className}` : this.def.className);
  }

  get ast(): Definition {
    return this.parse().ast;
  }

  get syntaxDiagnostics(): DjDiagnostic[] {
    return this.parse().diagnostics;
  }

  /** Takes over the parse of an unchanged definition (a moved or renamed table). */
  adoptParse(prev: Site): void {
    if (prev.def.text === this.def.text) this.parsed ??= prev.parsed;
  }

  private parse(): { ast: Definition; diagnostics: DjDiagnostic[] } {
    // The index's parse of the same text: one parse per definition for the whole server.
    this.parsed ??= parseDefinitionCached(this.def.text);
    return this.parsed;
  }

  /** True when the host offset is inside the string's content (quotes excluded, end included). */
  containsHost(offset: number): boolean {
    return offset >= this.def.contentSpan.start && offset <= this.def.contentSpan.end;
  }

  toDefinition(hostOffset: number): number {
    return this.def.map.toDefinition(hostOffset);
  }

  toHost(defOffset: number): number {
    return this.def.map.toHost(defOffset);
  }
}

/**
 * The sites of a new version of a file. A table that keeps its name keeps its Site
 * object (updated in place); others are new, taking over the parse of an old site with
 * the same text.
 */
export function sitesOf(file: HostFile, scan: HostScan, previous: readonly Site[] = []): Site[] {
  const tableOf = new Map<HostDefinition, HostTable>();
  for (const t of scan.tables) if (t.definition) tableOf.set(t.definition, t);
  const named = new Map<string, Site>();
  for (const s of previous) named.set(`${s.def.masterName ?? ''}.${s.def.className}`, s);
  let byText: Map<string, Site> | undefined; // only needed when a table is new or renamed
  return scan.definitions.map((d) => {
    const name = `${d.masterName ?? ''}.${d.className}`;
    const old = named.get(name);
    if (old) {
      named.delete(name); // a second class of the same name gets its own site
      old.update(file, d, tableOf.get(d));
      return old;
    }
    const site = new Site(file, d, tableOf.get(d));
    byText ??= new Map(previous.map((s) => [s.def.text, s]));
    const twin = byText.get(d.text);
    if (twin) site.adoptParse(twin);
    return site;
  });
}

/** The site whose string contains the host offset (sites are in source order). */
export function siteAt(sites: readonly Site[], hostOffset: number): Site | undefined {
  let lo = 0;
  let hi = sites.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = sites[mid];
    if (hostOffset < s.def.contentSpan.start) hi = mid - 1;
    else if (hostOffset > s.def.contentSpan.end) lo = mid + 1;
    else return s;
  }
  return undefined;
}
