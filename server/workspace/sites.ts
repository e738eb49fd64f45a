// A definition site: one `definition` string in a host file as the editor sees it — a
// view on the index's record of that definition (its one parse) and on its table, with
// editor locations. Features find the site under the cursor here and translate between
// host offsets and definition offsets through its position map.
import type { Definition } from '../../runtime/definition/index';
import type { Diagnostic as DjDiagnostic } from '../../runtime/definition/index';
import type { HostDefinition, HostScan, HostTable } from '../../runtime/hosts/types';
import type { DefinitionRecord, IndexedTable, TableIndex } from '../../runtime/project/index';
import type { HostFile } from '../documents/hostFile';

export class Site {
  constructor(
    public file: HostFile,
    public def: HostDefinition,
    public table: HostTable | undefined,
    /** The project's index now (the project replaces it when its roots change). */
    private readonly index: () => TableIndex,
    public record: DefinitionRecord,
  ) {}

  /** The same table in a new version of its file: positions move; the index gives the record of its text. */
  update(file: HostFile, def: HostDefinition, table: HostTable | undefined, record: DefinitionRecord): void {
    this.file = file;
    this.def = def;
    this.table = table;
    this.record = record;
  }

  /** The index's table for this definition (undefined for classes without a tier). */
  get indexed(): IndexedTable | undefined {
    return this.index().tableOf(this.file.key, this.def);
  }

  get className(): string {
    return this.def.className;
  }

  /** `Master.Part` for parts, the class name otherwise (the index's name). */
  get qualifiedName(): string {
    return this.indexed?.name ?? (this.def.masterName ? `${this.def.masterName}.${this.def.className}` : this.def.className);
  }

  get ast(): Definition {
    return this.record.ast;
  }

  get syntaxDiagnostics(): DjDiagnostic[] {
    return this.record.syntaxDiagnostics;
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
 * The sites of a new version of a file, on the index's records of its scan. A table that
 * keeps its name keeps its Site object (updated in place); others are new.
 */
export function sitesOf(file: HostFile, scan: HostScan, index: () => TableIndex, previous: readonly Site[] = []): Site[] {
  const tableOf = new Map<HostDefinition, HostTable>();
  for (const t of scan.tables) if (t.definition) tableOf.set(t.definition, t);
  const named = new Map<string, Site>();
  for (const s of previous) named.set(`${s.def.masterName ?? ''}.${s.def.className}`, s);
  const out: Site[] = [];
  for (const d of scan.definitions) {
    const record = index().recordOf(file.key, d);
    if (!record) continue;
    const name = `${d.masterName ?? ''}.${d.className}`;
    const old = named.get(name);
    if (old) {
      named.delete(name); // a second class of the same name gets its own site
      old.update(file, d, tableOf.get(d), record);
      out.push(old);
    } else {
      out.push(new Site(file, d, tableOf.get(d), index, record));
    }
  }
  return out;
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
