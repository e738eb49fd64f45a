// A definition site: one `definition` string in a host file, with its table class and
// (parsed on first use) syntax tree. Features find the site under the cursor here and
// translate between host offsets and definition offsets through its position map.
import { parseDefinition } from '../../runtime/definition/index';
import type { Definition, ResolvedTable } from '../../runtime/definition/index';
import type { Diagnostic as DjDiagnostic } from '../../runtime/definition/index';
import type { HostDefinition, HostScan, HostTable } from '../../runtime/hosts/types';
import type { HostFile } from '../documents/hostFile';
import type { IndexedTable } from '../../runtime/project/index';

export class Site {
  private parsed?: { ast: Definition; diagnostics: DjDiagnostic[] };
  /** The index's table for this definition (undefined for classes without a tier). */
  indexed?: IndexedTable;
  /** Last diagnostics and the dependency key they were computed for (workspace/checker.ts). */
  checked?: { key: string; diagnostics: DjDiagnostic[] };
  /** This table's heading as its children see it, for the heading key it was computed for. */
  resolved?: { key: string; table: ResolvedTable };
  private hash?: number;
  private kHash?: number;
  constructor(
    readonly file: HostFile,
    readonly def: HostDefinition,
    readonly table: HostTable | undefined,
  ) {}

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

  /** Takes over the parse and last check of an unchanged definition from the file's previous version. */
  adoptParse(prev: Site): void {
    if (prev.def.text !== this.def.text) return;
    this.parsed ??= prev.parsed;
    this.checked ??= prev.checked;
    this.resolved ??= prev.resolved;
    this.hash ??= prev.hash;
    this.kHash ??= prev.kHash;
  }

  /** Hash of the definition text. */
  get textHash(): number {
    this.hash ??= fnv(this.def.text);
    return this.hash;
  }

  /** Hash of the primary-key section (the lines above `---`): all that children inherit. */
  get keyHash(): number {
    if (this.kHash === undefined) {
      const src = this.def.text;
      this.kHash = fnv(this.ast.lines.filter((l) => l.inKey && l.kind !== 'divider').map((l) => src.slice(l.span.start, l.span.end)).join('\n'));
    }
    return this.kHash;
  }

  private parse(): { ast: Definition; diagnostics: DjDiagnostic[] } {
    this.parsed ??= parseDefinition(this.def.text);
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

function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function sitesOf(file: HostFile, scan: HostScan): Site[] {
  const tableOf = new Map<HostDefinition, HostTable>();
  for (const t of scan.tables) if (t.definition) tableOf.set(t.definition, t);
  return scan.definitions.map((d) => new Site(file, d, tableOf.get(d)));
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
