// The workspace model: every host file (disk contents, overridden by open documents and
// notebooks) in the shared TableIndex of runtime/project — the same index `dj lint`
// uses, so the editor and the linter resolve references and report problems alike —
// plus, per file, its definition sites with editor locations (notebook cells included).
import { dirname, join } from 'node:path';
import { TableIndex, type HostDiagnostic, type IndexedTable } from '../../runtime/project/index';
import type { HostDefinition } from '../../runtime/hosts/types';
import type { HostFile } from '../documents/hostFile';
import { resolveModule } from './modules';
import { Site, siteAt, sitesOf } from './sites';

interface Entry {
  file: HostFile;
  sites: Site[];
  open: boolean;
  checked?: { generation: number; diagnostics: HostDiagnostic[] };
}

export type Entity = { kind: 'table'; site: Site } | { kind: 'module'; key: string };

export class Project {
  private index = new TableIndex();
  private readonly files = new Map<string, Entry>();
  private readonly open = new Set<string>();
  private readonly siteOfDef = new WeakMap<HostDefinition, Site>();
  private roots: string[] = [];
  /** Bumped on every change; caches keyed on it are dropped when it moves. */
  generation = 0;


  /** Set once the workspace folders are known (before any file is added). */
  setRoots(roots: string[]): void {
    this.roots = roots;
    this.index = new TableIndex({ roots });
    // Sites point into the index's scans, so they are rebuilt along with it.
    for (const e of [...this.files.values()]) this.setFile(e.file, e.open, true);
    this.generation++;
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
    if (bulk) this.index.setFile(file.key, file.text, file.language);
    else dependents = this.index.updateFile(file.key, file.text, file.language);
    const scan = this.index.scan(file.key);
    const sites = scan ? sitesOf(file, scan, old?.sites) : [];
    // Matching sites with the index's tables asks the index for effective tiers, which it
    // recomputes over the whole project after a change; doing that on first use instead
    // of here keeps indexing a large workspace linear.
    const link = (): void => {
      const byDef = new Map<HostDefinition, IndexedTable>();
      for (const t of this.index.tablesIn(file.key)) if (t.definition) byDef.set(t.definition, t);
      for (const s of sites) {
        s.link = undefined;
        s.indexed = byDef.get(s.def);
      }
    };
    for (const s of sites) {
      s.link = link;
      this.siteOfDef.set(s.def, s);
    }
    this.files.set(file.key, { file, sites, open });
    if (open) this.open.add(file.key);
    else this.open.delete(file.key);
    this.generation++;
    return [file.key, ...dependents.filter((k) => k !== file.key && this.open.has(k))];
  }

  removeFile(key: string): string[] {
    if (!this.files.delete(key)) return [];
    this.open.delete(key);
    const dependents = this.index.removeFile(key);
    this.generation++;
    return dependents.filter((k) => this.open.has(k));
  }

  /** The index's diagnostics of a file (host offsets), cached until the next change. */
  check(key: string): HostDiagnostic[] {
    const e = this.files.get(key);
    if (!e) return [];
    if (e.checked?.generation === this.generation) return e.checked.diagnostics;
    const diagnostics = this.index.check(key);
    e.checked = { generation: this.generation, diagnostics };
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

  siteOfId(id: string): Site | undefined {
    return this.siteOfTable(this.index.table(id));
  }

  get tables(): TableIndex {
    return this.index;
  }

  /** Resolves a reference path written in `site` (`master`, `Table`, `module.Table`, `Master.Part`). */
  resolve(site: Site, path: readonly string[]): Entity | undefined {
    if (!path.length) return undefined;
    const t = this.index.resolveTable(site.file.key, site.indexed?.name, path);
    const s = this.siteOfTable(t);
    if (s) return { kind: 'table', site: s };
    // A module prefix (`acq` in `acq.Session`) is not a table; the index resolves only
    // tables, so modules are followed here for navigation and completion.
    let ent = this.moduleLookup(site.file.key, path[0]);
    for (let i = 1; ent && i < path.length; i++) ent = this.moduleMember(ent.key, path[i]);
    return ent;
  }

  private exists = (key: string): boolean => this.files.has(key);

  private moduleLookup(fromKey: string, name: string): { kind: 'module'; key: string } | undefined {
    const e = this.files.get(fromKey);
    if (!e) return undefined;
    for (const imp of this.index.scan(fromKey)?.imports ?? []) {
      if (imp.local !== name) continue;
      const spec = imp.name === undefined ? imp.module : e.file.language === 'python' ? `${imp.module}${imp.module.endsWith('.') ? '' : '.'}${imp.name}` : undefined;
      const target = spec ? resolveModule(fromKey, e.file.language, spec, this.roots, this.exists) : undefined;
      if (target) return { kind: 'module', key: target };
    }
    return undefined;
  }

  private moduleMember(key: string, name: string): { kind: 'module'; key: string } | undefined {
    if (!/__init__\.pyi?$/.test(key)) return undefined;
    const dir = dirname(key);
    const sub = [join(dir, `${name}.py`), join(dir, name, '__init__.py')].find(this.exists);
    return sub ? { kind: 'module', key: sub } : undefined;
  }

  /** Names a definition in `site` may write after `->`, each checked by the index's resolver. */
  visibleTables(site: Site): Array<{ label: string; site: Site }> {
    const out: Array<{ label: string; site: Site }> = [];
    const seen = new Set<string>();
    const offer = (label: string): void => {
      if (seen.has(label)) return;
      seen.add(label);
      const ent = this.resolve(site, label.split('.'));
      if (ent?.kind === 'table' && ent.site !== site) out.push({ label, site: ent.site });
    };
    const key = site.file.key;
    for (const t of this.index.tablesIn(key)) offer(t.name);
    if (site.indexed?.master) offer('master');
    for (const imp of this.index.scan(key)?.imports ?? []) {
      if (imp.local === '*') {
        const target = resolveModule(key, site.file.language, imp.module, this.roots, this.exists);
        for (const t of target ? this.index.tablesIn(target) : []) offer(t.name);
        continue;
      }
      const ent = this.resolve(site, [imp.local]);
      if (ent?.kind === 'table') {
        offer(imp.local);
        for (const p of ent.site.indexed?.parts ?? []) offer(`${imp.local}.${p.split('.').pop()}`);
      } else if (ent?.kind === 'module') {
        for (const t of this.index.tablesIn(ent.key)) offer(`${imp.local}.${t.name}`);
      }
    }
    return out;
  }

  /** Tables reachable as members of an entity (after `module.` or `Master.`). */
  membersOf(entity: Entity): Site[] {
    if (entity.kind === 'table') {
      const t = entity.site.indexed;
      return (t?.parts ?? []).map((p) => this.siteOfId(`${t!.path}#${p}`)).filter((s): s is Site => !!s);
    }
    return this.index
      .tablesIn(entity.key)
      .filter((t) => !t.master)
      .map((t) => this.siteOfTable(t))
      .filter((s): s is Site => !!s);
  }
}
