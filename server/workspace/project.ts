// The workspace model: every host file (disk contents, overridden by open documents and
// notebooks) in the shared TableIndex of runtime/project — the same index `djx lint`
// uses, so the editor and the linter resolve references and report problems alike —
// plus, per file, its definition sites with editor locations (notebook cells included).
import { LineIndex, TableIndex, toKey, type HostDiagnostic, type IndexEntity, type IndexedTable, type TargetOf } from '../../runtime/project/index';
import { diskFiles, ModuleBindings, type ModuleFiles } from '../../runtime/project/module-bindings';
import type { HostDefinition } from '../../runtime/hosts/types';
import { makeDiagnostic, type ResolvedTable } from '../../runtime/definition/index';
import { compareWithDeclared, type CatalogSnapshot, type CatalogTable } from '../../runtime/catalog/index';
import type { HostFile } from '../documents/hostFile';
import { Site, siteAt, sitesOf } from './sites';
import { DatabaseCatalog, hintsFor, schemaOfTable, tableNameOf } from './catalog';

interface Entry {
  file: HostFile;
  sites: Site[];
  open: boolean;
  /** The file's diagnostics as of an epoch of the index (`index`: which one, replaced with the roots). */
  checked?: { index: TableIndex; epoch: number; diagnostics: HostDiagnostic[] };
}

export type Entity = { kind: 'table'; site: Site } | { kind: 'module'; module: Extract<IndexEntity, { kind: 'module' }> };

export class Project {
  private targetOf: TargetOf = () => '2';
  /** The database catalog the client sent (null: not connected): what the workspace cannot resolve is looked up there. */
  readonly catalog = new DatabaseCatalog();
  private schemas = { epoch: -1, of: new Map<string, string | undefined>() };
  private index = new TableIndex({ target: (p) => this.targetOf(p) });
  private readonly files = new Map<string, Entry>();
  private readonly open = new Set<string>();
  private readonly siteOfDef = new WeakMap<HostDefinition, Site>();
  /**
   * Which schema a TypeScript class is bound to, remembered per file version: a workspace
   * file's version is its HostFile (replaced on every edit or disk change), a file outside
   * the workspace model is the disk's (mtime and size, looked at once per epoch). So a
   * check after a keystroke reads and analyses again only what the keystroke changed.
   */
  private readonly bindings: ModuleBindings;
  private diskSeen = { epoch: -1, versions: new Map<string, unknown>() };
  /** The index's epoch, which every change of the model bumps (caches here are stamped with it). */
  private get epoch(): number {
    return this.index.epoch;
  }
  private readonly currentIndex = (): TableIndex => this.index;

  /** `disk`: the files outside the workspace model (tests count its reads). */
  constructor(private readonly disk: ModuleFiles = diskFiles) {
    this.bindings = new ModuleBindings({ version: (p) => this.versionOf(p), read: (p) => this.files.get(toKey(p))?.file.text ?? this.disk.read(p) }, {});
  }

  private versionOf(path: string): unknown {
    const e = this.files.get(toKey(path));
    if (e) return e.file;
    if (this.diskSeen.epoch !== this.epoch) this.diskSeen = { epoch: this.epoch, versions: new Map() };
    const seen = this.diskSeen.versions;
    if (!seen.has(path)) seen.set(path, this.disk.version(path));
    return seen.get(path);
  }

  /** Set once the workspace folders are known (before any file is added). */
  setRoots(roots: string[]): void {
    this.index = new TableIndex({ roots, target: (p) => this.targetOf(p), ...(this.catalog.snapshot ? { external: this.external } : {}) });
    // Sites point into the index's scans, so they are rebuilt along with it.
    for (const e of [...this.files.values()]) this.setFile(e.file, e.open, true);
    this.schemas = { epoch: -1, of: new Map() };
    this.diskSeen = { epoch: -1, versions: new Map() };
  }

  /** Which DataJoint each file is checked against (workspace/targets.ts): every check is made again. */
  setTarget(targetOf: TargetOf): void {
    this.targetOf = targetOf;
    this.index.setTarget((p) => this.targetOf(p));
  }

  /** The client's snapshot of the database catalog, or null when it disconnected: every definition is checked again. */
  setCatalog(snapshot: CatalogSnapshot | null): void {
    this.catalog.set(snapshot);
    this.index.setExternal(snapshot ? this.external : undefined);
  }

  private readonly external = (from: IndexedTable, path: readonly string[]): ResolvedTable | undefined => {
    const t = this.databaseTable(from, path);
    return t ? this.catalog.heading(t, path.join('.')) : undefined;
  };

  /** The database schema a table class is declared in, when its source says so (cached until the next change). */
  schemaOf(t: IndexedTable): string | undefined {
    if (this.schemas.epoch !== this.epoch) this.schemas = { epoch: this.epoch, of: new Map() };
    if (this.schemas.of.has(t.id)) return this.schemas.of.get(t.id);
    const schema = schemaOfTable(this.index, t, (p) => this.files.get(p)?.file.text, this.bindings);
    this.schemas.of.set(t.id, schema);
    return schema;
  }

  /** The table of the database catalog a path written in `from` names, when the workspace does not resolve it. */
  databaseTable(from: IndexedTable, path: readonly string[]): CatalogTable | undefined {
    if (!this.catalog.snapshot) return undefined;
    const text = this.files.get(from.path)?.file.text;
    const own = this.schemaOf(from);
    // `-> master` in a part: the master's class.
    const p = path.length === 1 && path[0] === 'master' && from.master ? [from.master.split('.').pop()!] : path;
    return this.catalog.lookup(p, (qualifier) => hintsFor(this.index, from, p, qualifier, text, own));
  }

  /** The same for a definition site (hover, completion): only when the workspace resolves nothing. */
  databaseTableAt(site: Site, path: readonly string[]): CatalogTable | undefined {
    if (!site.indexed || this.resolve(site, path)) return undefined;
    return this.databaseTable(site.indexed, path);
  }

  /** The table declared in the database for a workspace definition (same schema and table name). */
  declaredTable(t: IndexedTable): CatalogTable | undefined {
    if (!this.catalog.snapshot || !t.definition) return undefined;
    const schema = this.schemaOf(t);
    const name = schema !== undefined ? tableNameOf(this.index, t) : undefined;
    return name !== undefined ? this.catalog.table(schema!, name) : undefined;
  }

  /** DJ601 of a file's definitions: each whose table is declared in the database with another heading. */
  private catalogDiagnostics(key: string, checked: readonly HostDiagnostic[]): HostDiagnostic[] {
    const e = this.files.get(key);
    const snapshot = this.catalog.snapshot;
    if (!e || !snapshot) return [];
    const out: HostDiagnostic[] = [];
    let lines: LineIndex | undefined;
    for (const t of this.index.tablesIn(key)) {
      const declared = this.declaredTable(t);
      // A definition with errors is being written: its heading says little yet.
      if (!declared || checked.some((d) => d.tableId === t.id && d.severity === 'error')) continue;
      const model = this.index.model(t);
      if (!model) continue;
      const { diff } = compareWithDeclared(model, declared, snapshot.backend);
      if (!diff.length) continue;
      const d = makeDiagnostic('DJ601', { start: 0, end: 0 }, { table: `${declared.schema}.${declared.name}`, label: snapshot.label, diff: diff.join('\n') });
      d.onClass = true;
      const span = t.host.classSpan;
      lines ??= new LineIndex(e.file.text);
      out.push({ path: key, table: t.name, tableId: t.id, code: d.code, severity: d.severity, message: d.message, start: span.start, end: span.end, range: lines.range(span.start, span.end), diagnostic: d });
    }
    return out;
  }

  keys(): string[] {
    return [...this.files.keys()];
  }

  get size(): number {
    return this.files.size;
  }

  /**
   * Adds or replaces a file; returns the open files whose diagnostics may have changed:
   * the file itself first, then the open files that depend on it (the index's reverse
   * dependencies). `bulk` (initial indexing) skips the dependency analysis.
   */
  setFile(file: HostFile, open: boolean, bulk = false): string[] {
    // Callers keep disk contents from overriding an open document (server.ts, indexer.ts).
    const old = this.files.get(file.key);
    let dependents: string[] = [];
    // Dependents matter only when another file is open (only open files are re-checked):
    // working them out builds the reference graph of the state before the change as well.
    if (bulk || !this.otherOpen(file.key)) this.index.setFile(file.key, file.text, file.language, file.notIndexed);
    else dependents = this.index.updateFile(file.key, file.text, file.language, file.notIndexed);
    const scan = this.index.scan(file.key);
    const sites = scan ? sitesOf(file, scan, this.currentIndex, old?.sites) : [];
    for (const s of sites) this.siteOfDef.set(s.def, s);
    this.files.set(file.key, { file, sites, open, ...(old?.checked ? { checked: old.checked } : {}) });
    if (open) this.open.add(file.key);
    else this.open.delete(file.key);
    return [file.key, ...dependents.filter((k) => k !== file.key && this.open.has(k))];
  }

  private otherOpen(key: string): boolean {
    for (const k of this.open) if (k !== key) return true;
    return false;
  }

  removeFile(key: string): string[] {
    if (!this.files.delete(key)) return [];
    this.open.delete(key);
    this.bindings.forget(key);
    const dependents = this.index.removeFile(key);
    return dependents.filter((k) => this.open.has(k));
  }

  /** The index's diagnostics of a file (host offsets), cached until the next change. */
  check(key: string): HostDiagnostic[] {
    const e = this.files.get(key);
    if (!e) return [];
    if (e.checked?.index === this.index && e.checked.epoch === this.epoch) return e.checked.diagnostics;
    const checked = this.index.check(key);
    const diagnostics = this.catalog.snapshot ? [...checked, ...this.catalogDiagnostics(key, checked)] : checked;
    e.checked = { index: this.index, epoch: this.epoch, diagnostics };
    return diagnostics;
  }

  file(key: string): HostFile | undefined {
    return this.files.get(key)?.file;
  }

  /** The editor closed the document; its text stays until the disk contents replace it. */
  markClosed(key: string): void {
    const e = this.files.get(key);
    if (e) e.open = false;
    this.open.delete(key);
  }

  isOpen(key: string): boolean {
    return this.open.has(key);
  }

  openKeys(): string[] {
    return [...this.open];
  }

  /**
   * A new array for every version of the file (setFile), never changed in place: features
   * may keep what they derive from it by the array (features/symbols.ts does).
   */
  sites(key: string): Site[] {
    return this.files.get(key)?.sites ?? [];
  }

  allSites(): Iterable<Site> {
    const files = this.files;
    return (function* () {
      for (const e of files.values()) yield* e.sites;
    })();
  }

  siteAt(file: HostFile, uri: string, position: { line: number; character: number }): { site: Site; offset: number; host: number } | undefined {
    const host = file.offsetAt(uri, position);
    if (host === undefined) return undefined;
    const site = siteAt(this.sites(file.key), host);
    if (!site) return undefined;
    return { site, host, offset: site.toDefinition(host) };
  }

  siteOfTable(t: IndexedTable | undefined): Site | undefined {
    return t?.definition ? this.siteOfDef.get(t.definition) : undefined;
  }

  get tables(): TableIndex {
    return this.index;
  }

  /** Resolves a reference path written in `site` (`master`, `Table`, `module.Table`, `Master.Part`) through the index. */
  resolve(site: Site, path: readonly string[]): Entity | undefined {
    const e = this.index.resolveEntity(site.file.key, site.indexed?.name, path);
    if (e?.kind === 'module') return { kind: 'module', module: e };
    const s = this.siteOfTable(e?.table);
    return s ? { kind: 'table', site: s } : undefined;
  }

  /** Names a definition in `site` may write after `->` (the index's visible names) with their sites. */
  visibleTables(site: Site): Array<{ label: string; site: Site }> {
    const out: Array<{ label: string; site: Site }> = [];
    for (const v of this.index.visibleNames(site.file.key, site.indexed?.name)) {
      const s = this.siteOfTable(v.table);
      if (s && s !== site) out.push({ label: v.name, site: s });
    }
    return out;
  }

  /** Tables reachable as members of an entity (after `module.` or `Master.`). */
  membersOf(entity: Entity): Site[] {
    const e = entity.kind === 'table' ? entity.site.indexed : undefined;
    const members = entity.kind === 'module' ? this.index.membersOf(entity.module) : e ? this.index.membersOf({ kind: 'table', table: e }) : [];
    return members.map((t) => this.siteOfTable(t)).filter((s): s is Site => !!s);
  }
}
