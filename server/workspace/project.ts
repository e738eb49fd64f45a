// The workspace model: every host file (disk contents, overridden by open documents and
// notebooks), its definition sites, and name resolution of `-> ...` references through
// each file's imports. Kept current incrementally: setFile re-scans one file and
// returns the open files whose diagnostics may have changed (the file itself and the
// files that consulted it while resolving their references).
import { dirname, join } from 'node:path';
import { scanHost } from '../../runtime/hosts/index';
import type { HostImport, HostScan } from '../../runtime/hosts/types';
import type { HostFile } from '../documents/hostFile';
import { resolveModule } from './modules';
import { Site, siteAt, sitesOf } from './sites';

interface Entry {
  file: HostFile;
  scan: HostScan;
  sites: Site[];
  open: boolean;
  /** Top-level tables by class name (parts are reached through their master). */
  tables: Map<string, Site>;
  /** Parts by `Master.Part`. */
  parts: Map<string, Site>;
}

export type Entity = { kind: 'table'; site: Site } | { kind: 'module'; key: string };

export interface Resolution {
  entity?: Entity;
  /** Files consulted, so that a change to any of them re-checks the referencing file. */
  consulted: Set<string>;
}

export class Project {
  private readonly files = new Map<string, Entry>();
  private roots: string[] = [];
  /** file -> files it consulted during its last resolution pass. */
  private readonly deps = new Map<string, Set<string>>();
  /** Bumped on every change; caches keyed on it are dropped when it moves. */
  generation = 0;

  setRoots(roots: string[]): void {
    this.roots = roots;
  }

  get size(): number {
    return this.files.size;
  }

  setFile(file: HostFile, open: boolean): string[] {
    const old = this.files.get(file.key);
    if (old && !open && old.open) return []; // disk events never override an open document
    const scan = scanHost(file.text, file.language);
    const sites = sitesOf(file, scan);
    if (old) reuseParses(old.sites, sites);
    const tables = new Map<string, Site>();
    const parts = new Map<string, Site>();
    for (const s of sites) {
      if (s.def.masterName) parts.set(`${s.def.masterName}.${s.className}`, s);
      else tables.set(s.className, s);
    }
    this.files.set(file.key, { file, scan, sites, open, tables, parts });
    this.generation++;
    return this.affected(file.key);
  }

  removeFile(key: string): string[] {
    if (!this.files.delete(key)) return [];
    this.generation++;
    this.deps.delete(key);
    return this.affected(key);
  }

  /** The open files to re-check after `key` changed. */
  private affected(key: string): string[] {
    const out: string[] = [];
    for (const [k, e] of this.files) {
      if (!e.open) continue;
      if (k === key || this.deps.get(k)?.has(key)) out.push(k);
    }
    return out;
  }

  /** Open files that referenced something in `key` (reverse dependencies). */
  dependents(key: string): string[] {
    return [...this.deps].filter(([k, d]) => k !== key && d.has(key)).map(([k]) => k);
  }

  recordDeps(key: string, consulted: Set<string>): void {
    this.deps.set(key, consulted);
  }

  file(key: string): HostFile | undefined {
    return this.files.get(key)?.file;
  }

  isOpen(key: string): boolean {
    return !!this.files.get(key)?.open;
  }

  openKeys(): string[] {
    return [...this.files].filter(([, e]) => e.open).map(([k]) => k);
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

  imports(key: string): HostImport[] {
    return this.files.get(key)?.scan.imports ?? [];
  }

  siteAt(file: HostFile, uri: string, position: { line: number; character: number }): { site: Site; offset: number; host: number } | undefined {
    const host = file.offsetAt(uri, position);
    if (host === undefined) return undefined;
    const site = siteAt(this.sites(file.key), host);
    if (!site) return undefined;
    return { site, host, offset: site.toDefinition(host) };
  }

  private exists = (key: string): boolean => this.files.has(key);

  /** The file an import's module names, or undefined when it is not in the workspace. */
  moduleFile(fromKey: string, module: string): string | undefined {
    const e = this.files.get(fromKey);
    if (!e) return undefined;
    return resolveModule(fromKey, e.file.language, module, this.roots, this.exists);
  }

  /** A name as visible at the top level of a file: its own tables, then its imports. */
  lookup(fromKey: string, name: string, consulted: Set<string>): Entity | undefined {
    const e = this.files.get(fromKey);
    if (!e) return undefined;
    const own = e.tables.get(name);
    if (own) return { kind: 'table', site: own };
    let star: Entity | undefined;
    for (const imp of e.scan.imports) {
      if (imp.local === name) {
        const target = this.moduleFile(fromKey, imp.module);
        if (!target) continue;
        consulted.add(target);
        if (imp.name === undefined) return { kind: 'module', key: target };
        const found = this.member({ kind: 'module', key: target }, imp.name === 'default' ? name : imp.name, consulted);
        if (found) return found;
      } else if (imp.local === '*' && !star) {
        const target = this.moduleFile(fromKey, imp.module);
        if (!target) continue;
        consulted.add(target);
        const t = this.files.get(target)?.tables.get(name);
        if (t) star = { kind: 'table', site: t };
      }
    }
    return star;
  }

  /** `entity.name`: a table or submodule of a module, or a part of a table. */
  member(entity: Entity, name: string, consulted: Set<string>): Entity | undefined {
    if (entity.kind === 'table') {
      const e = this.files.get(entity.site.file.key);
      const part = e?.parts.get(`${entity.site.className}.${name}`);
      return part ? { kind: 'table', site: part } : undefined;
    }
    consulted.add(entity.key);
    const e = this.files.get(entity.key);
    if (!e) return undefined;
    const t = e.tables.get(name);
    if (t) return { kind: 'table', site: t };
    // Re-exported names (TS `export {A} from './a'`, Python `from .a import A` in __init__.py).
    const via = this.lookupImported(entity.key, name, consulted);
    if (via) return via;
    if (e.file.language === 'python' && /__init__\.pyi?$/.test(entity.key)) {
      const dir = dirname(entity.key);
      const sub = [join(dir, `${name}.py`), join(dir, name, '__init__.py')].find(this.exists);
      if (sub) return { kind: 'module', key: sub };
    }
    return undefined;
  }

  private lookupImported(key: string, name: string, consulted: Set<string>): Entity | undefined {
    const e = this.files.get(key);
    if (!e) return undefined;
    for (const imp of e.scan.imports) {
      if (imp.local !== name || imp.name === undefined) continue;
      const target = this.moduleFile(key, imp.module);
      if (!target || target === key) continue;
      consulted.add(target);
      const t = this.files.get(target)?.tables.get(imp.name);
      if (t) return { kind: 'table', site: t };
    }
    return undefined;
  }

  /** Resolves a reference path written in `site` (`master`, `Table`, `module.Table`, `Master.Part`). */
  resolve(site: Site, path: readonly string[]): Resolution {
    const consulted = new Set<string>();
    if (!path.length) return { consulted };
    if (path.length === 1 && path[0] === 'master') {
      const m = site.def.masterName;
      const e = this.files.get(site.file.key);
      const master = m ? e?.tables.get(m) : undefined;
      return { entity: master ? { kind: 'table', site: master } : undefined, consulted };
    }
    let ent = this.lookup(site.file.key, path[0], consulted);
    for (let i = 1; ent && i < path.length; i++) ent = this.member(ent, path[i], consulted);
    return { entity: ent, consulted };
  }

  /** Names a definition in `site` may write after `->`, with the table each reaches. */
  visibleTables(site: Site): Array<{ label: string; site: Site }> {
    const out: Array<{ label: string; site: Site }> = [];
    const e = this.files.get(site.file.key);
    if (!e) return out;
    const consulted = new Set<string>();
    for (const [name, s] of e.tables) if (s !== site) out.push({ label: name, site: s });
    for (const [name, s] of e.parts) if (s !== site) out.push({ label: name, site: s });
    if (site.def.masterName) {
      const m = e.tables.get(site.def.masterName);
      if (m) out.push({ label: 'master', site: m });
    }
    for (const imp of e.scan.imports) {
      const target = this.moduleFile(site.file.key, imp.module);
      if (!target) continue;
      const te = this.files.get(target);
      if (imp.local === '*') {
        for (const [name, s] of te?.tables ?? []) out.push({ label: name, site: s });
        continue;
      }
      const ent = this.lookup(site.file.key, imp.local, consulted);
      if (ent?.kind === 'table') {
        out.push({ label: imp.local, site: ent.site });
        for (const [pn, p] of this.files.get(ent.site.file.key)?.parts ?? []) {
          if (pn.startsWith(`${ent.site.className}.`)) out.push({ label: `${imp.local}.${pn.slice(ent.site.className.length + 1)}`, site: p });
        }
      } else if (ent?.kind === 'module') {
        const me = this.files.get(ent.key);
        for (const [name, s] of me?.tables ?? []) out.push({ label: `${imp.local}.${name}`, site: s });
        for (const [name, s] of me?.parts ?? []) out.push({ label: `${imp.local}.${name}`, site: s });
      }
    }
    return out;
  }

  /** Tables reachable as members of an entity (after `module.` or `Master.`). */
  membersOf(entity: Entity): Site[] {
    if (entity.kind === 'table') {
      const e = this.files.get(entity.site.file.key);
      return [...(e?.parts ?? [])].filter(([n]) => n.startsWith(`${entity.site.className}.`)).map(([, s]) => s);
    }
    return [...(this.files.get(entity.key)?.tables.values() ?? [])];
  }
}

function reuseParses(from: readonly Site[], to: readonly Site[]): void {
  const byText = new Map<string, Site>();
  for (const s of from) byText.set(s.def.text, s);
  for (const s of to) {
    const prev = byText.get(s.def.text);
    if (prev) s.adoptParse(prev);
  }
}
