// The tables of many host files, kept up to date file by file, with reference
// resolution across files and modules. It serves `djx lint` and the language server:
// `check(path)` validates every definition of one file against the rest of the
// project; `updateFile` tells which other files need a re-check after an edit.
import type { Span } from '../definition/ast';
import type { ReferenceCycle, ResolvedAttribute, ResolvedTable, ValidationContext } from '../definition/context';
import { scanHost, languageOfPath, encodeForHost } from '../hosts';
import type { HostDefinition, HostImport, HostLanguage, HostScan, HostTable, Tier } from '../hosts';
import type { Diagnostic } from '../definition/diagnostic';
import type { TableModel } from '../definition/model';
import type { DataJointTarget } from '../definition/types';
import { analyze, check as checkText } from './definition-api';
import { LineIndex, type Range } from './lines';
import { ModuleResolver, type ModuleRef } from './modules';
import { toKey } from './paths';
import { extractReferences } from './references';
import type { HostDiagnostic } from './types';

export interface IndexedTable {
  /** Stable while the file keeps the table: `<path>#<name>` (`#<name>~2` for a second class of that name). */
  id: string;
  /** The name within its module: `Session`, or `Session.Trial` for a part. */
  name: string;
  className: string;
  /** Python dotted module name, or for TS/JS the path without extension. */
  module: string;
  path: string;
  language: HostLanguage;
  /** From the bases, or inherited from a base class that is itself a table class. */
  tier?: Tier;
  /** The master's name for parts. */
  master?: string;
  /** Names of the parts (`Session.Trial`). */
  parts: string[];
  host: HostTable;
  definition?: HostDefinition;
}

interface FileEntry {
  path: string;
  key: string;
  language: HostLanguage;
  text: string;
  scan: HostScan;
  tables: IndexedTable[];
  byName: Map<string, IndexedTable>;
  byId: Map<string, IndexedTable>;
  /** Everything that the resolution of names depends on (not the definitions' text). */
  nameSignature: string;
  lines?: LineIndex;
  /** Why the file's text is not indexed (its tables are unknown), e.g. its size in the editor. */
  notIndexed?: string;
}

type Entity = { kind: 'table'; table: IndexedTable } | { kind: 'module'; ref: ModuleRef };

/** A table, or a module: an indexed file (`path`), a package folder (`dir`, a key), or both. */
export type IndexEntity = { kind: 'table'; table: IndexedTable } | { kind: 'module'; path?: string; dir?: string };

/** The DataJoint a Python file's definitions are written for (TypeScript and JavaScript are 2). */
export type TargetOf = (path: string) => DataJointTarget;

export interface TableIndexOptions {
  /** Folders Python runs from (workspace folders): absolute imports are module paths below them. */
  roots?: string[];
  /** Default: every file targets DataJoint 2. */
  target?: TargetOf;
  /** Resolves what the project's files cannot (the language server: the database catalog when connected). */
  external?: ExternalResolver;
}

/**
 * A reference no file of the project resolves, seen from a table: a heading from elsewhere
 * (e.g. a table declared in the database), or undefined. The same heading object for the
 * same table while the resolver is in place (cached checks compare headings by identity).
 */
export type ExternalResolver = (from: IndexedTable, path: readonly string[]) => ResolvedTable | undefined;

export interface ResolvedReference {
  table: IndexedTable;
  /** The path as written. */
  path: string[];
}

export class TableIndex {
  private readonly files = new Map<string, FileEntry>();
  private readonly modules: ModuleResolver;
  /** Per table id: its heading, valid while its text and the headings it resolved stay the same. */
  private headings = new Map<string, HeadingEntry>();
  /** Per table id: its diagnostics (definition offsets), valid on the same terms plus its heading's. */
  private checks = new Map<string, CheckEntry>();
  /** Bumped by every change; a cache entry confirmed in the current epoch is not confirmed again. */
  private epoch = 0;
  private readonly computing = new Set<string>();
  private graph?: Graph;
  /** Inherited tiers depend on other files: recomputed after any change. */
  private tiersStale = true;

  private targetOf: TargetOf;
  private external: ExternalResolver | undefined;

  constructor(options: TableIndexOptions = {}) {
    this.targetOf = options.target ?? (() => '2');
    this.external = options.external;
    this.modules = new ModuleResolver(
      { has: (k) => this.files.has(k), keys: () => this.files.keys() },
      (options.roots ?? []).map(toKey),
    );
  }

  /** A new rule for which DataJoint each file targets: every definition is checked again. */
  setTarget(target: TargetOf): void {
    this.targetOf = target;
    this.epoch++;
    this.invalidate();
  }

  /** A new resolver for what the project cannot resolve (undefined: none): every definition is checked again. */
  setExternal(external: ExternalResolver | undefined): void {
    this.external = external;
    this.epoch++;
    this.invalidate();
  }

  /** The DataJoint a file's definitions are checked against. */
  targetOfFile(path: string): DataJointTarget {
    return languageOfPath(path) === 'python' ? this.targetOf(path) : '2';
  }

  // ---- files --------------------------------------------------------------------------

  /**
   * Adds or replaces a file. The language defaults to the one of the extension; other
   * files are ignored (false). Returns whether anything changed.
   */
  setFile(path: string, text: string, language?: HostLanguage, notIndexed?: string): boolean {
    const lang = language ?? languageOfPath(path);
    if (!lang) return false;
    const key = toKey(path);
    const old = this.files.get(key);
    if (old && old.text === text && old.language === lang && old.notIndexed === notIndexed) return false;
    const entry = this.build(path, key, text, lang);
    if (notIndexed !== undefined) entry.notIndexed = notIndexed;
    this.files.set(key, entry);
    this.epoch++;
    if (!old) this.modules.invalidate();
    if (!old) this.invalidate();
    else if (old.nameSignature !== entry.nameSignature) this.invalidate();
    else if (!sameDefinitions(old, entry)) this.definitionsChanged(old, entry);
    else this.carryOver(old, entry);
    return true;
  }

  /**
   * Only definitions changed (typing inside one): names resolve as before, so the
   * dependency graph changes only at this file's own references. Cached headings and
   * checks stay: each is confirmed on use against its text and the headings it resolved
   * (headingEntry, checkTable), so only the edited tables and the tables whose inherited
   * headings really changed are analysed again.
   */
  private definitionsChanged(old: FileEntry, entry: FileEntry): void {
    this.carryOver(old, entry);
    if (!this.graph) return;
    // Same names in the same order (nameSignature): tables pair up by position, and only
    // the edited ones have new references. A reference that no longer fails stays listed
    // under its name in `unresolved`, which only ever adds a file to re-check.
    const edited = entry.tables.filter((t, i) => old.tables[i]?.definition?.text !== t.definition?.text);
    removeEdges(this.graph, edited);
    this.addEdges(this.graph, entry, edited);
    this.graph.cycle = cycles(this.graph.parents);
  }

  /** A new version of a file with the same names: effective tiers depend on names only. */
  private carryOver(old: FileEntry, entry: FileEntry): void {
    if (this.tiersStale) return;
    entry.tables.forEach((t, i) => {
      const tier = old.tables[i]?.tier;
      if (tier) t.tier = tier;
    });
  }

  /**
   * For editors: sets the file and returns the other files whose diagnostics may change
   * (tables that reference this file's tables, directly or through their keys, before or
   * after the edit, and files with references that did not resolve to any of them).
   */
  updateFile(path: string, text: string, language?: HostLanguage, notIndexed?: string): string[] {
    const key = toKey(path);
    const old = this.files.get(key);
    const before = old ? this.dependentFiles(path) : [];
    if (!this.setFile(path, text, language, notIndexed)) return [];
    const now = this.files.get(key)!;
    if (old && old.nameSignature === now.nameSignature && sameDefinitions(old, now)) return [];
    return union(before, this.dependentFiles(path));
  }

  /** Removes a file; returns the files that depended on it. */
  removeFile(path: string): string[] {
    const key = toKey(path);
    if (!this.files.has(key)) return [];
    const before = this.dependentFiles(path);
    this.files.delete(key);
    this.epoch++;
    this.modules.invalidate();
    this.invalidate();
    return before;
  }

  /** The entry of a path; paths that are keys already (normalized POSIX paths) skip toKey. */
  private entryOf(path: string): FileEntry | undefined {
    return this.files.get(path) ?? this.files.get(toKey(path));
  }

  hasFile(path: string): boolean {
    return this.files.has(toKey(path));
  }

  /** Paths as they were given. */
  filePaths(): string[] {
    return [...this.files.values()].map((f) => f.path);
  }

  /** The scan of a file (definitions, imports), e.g. for hover or completion in the host. */
  scan(path: string): HostScan | undefined {
    return this.entryOf(path)?.scan;
  }

  // ---- tables -------------------------------------------------------------------------

  tables(): IndexedTable[] {
    const out: IndexedTable[] = [];
    for (const f of this.files.values()) for (const t of f.tables) if (this.tierOf(t)) out.push(t);
    return out;
  }

  tablesIn(path: string): IndexedTable[] {
    return (this.entryOf(path)?.tables ?? []).filter((t) => this.tierOf(t));
  }

  table(id: string): IndexedTable | undefined {
    const hash = id.lastIndexOf('#');
    return this.entryOf(id.slice(0, hash))?.byId.get(id);
  }

  /** The table whose definition (or class) contains a host offset. */
  tableAt(path: string, offset: number): IndexedTable | undefined {
    let best: IndexedTable | undefined;
    for (const t of this.entryOf(path)?.tables ?? []) {
      const d = t.definition;
      const inside = d ? offset >= d.literalSpan.start && offset <= d.literalSpan.end : false;
      if (inside || (offset >= t.host.span.start && offset <= t.host.span.end && (!best || t.host.span.start >= best.host.span.start))) best = t;
      if (inside) return t;
    }
    return best;
  }

  /**
   * What a reference path names, seen from a table: the same file's classes, imported
   * names, `module.Table`, `Master.Part`, and `master` inside a part.
   */
  resolveTable(fromFile: string, fromTable: string | undefined, path: readonly string[]): IndexedTable | undefined {
    const entity = this.resolveEntity(fromFile, fromTable, path);
    return entity?.kind === 'table' ? entity.table : undefined;
  }

  /**
   * What a name path means from a table (or from the file's top level): a table, or a
   * module (`acq` in `acq.Session`) for editors that navigate and complete through it.
   */
  resolveEntity(fromFile: string, fromTable: string | undefined, path: readonly string[]): IndexEntity | undefined {
    const file = this.entryOf(fromFile);
    if (!file || path.length === 0) return undefined;
    let entity: Entity | undefined;
    const from = fromTable !== undefined ? file.byName.get(fromTable) : undefined;
    if (path[0] === 'master' && from?.master) {
      const m = file.byName.get(from.master);
      entity = m ? { kind: 'table', table: m } : undefined;
    } else {
      entity = this.lookup(file, path[0], new Set());
    }
    for (let k = 1; entity && k < path.length; k++) entity = this.member(entity, path[k], new Set());
    if (!entity) return undefined;
    if (entity.kind === 'table') return this.tierOf(entity.table) ? entity : undefined;
    const out: IndexEntity = { kind: 'module' };
    const target = entity.ref.file !== undefined ? this.files.get(entity.ref.file) : undefined;
    if (target) out.path = target.path;
    if (entity.ref.dir !== undefined) out.dir = entity.ref.dir;
    return out;
  }

  /**
   * The names a definition of `fromTable` may write after `->`, each with the table it
   * resolves to: the file's tables, `master` in a part, imported tables and their parts,
   * and `module.Table` through imported modules. The table itself is left out.
   */
  visibleNames(fromFile: string, fromTable?: string): Array<{ name: string; table: IndexedTable }> {
    const file = this.entryOf(fromFile);
    if (!file) return [];
    const from = fromTable !== undefined ? file.byName.get(fromTable) : undefined;
    const out: Array<{ name: string; table: IndexedTable }> = [];
    const seen = new Set<string>();
    const offer = (name: string): void => {
      if (seen.has(name)) return;
      seen.add(name);
      const table = this.resolveTable(fromFile, fromTable, name.split('.'));
      if (table && table !== from) out.push({ name, table });
    };
    for (const t of file.tables) if (this.tierOf(t)) offer(t.name);
    if (from?.master) offer('master');
    for (const imp of file.scan.imports) {
      if (imp.name === '*') {
        const mod = this.moduleOf(file, imp.module);
        const target = mod?.file !== undefined ? this.files.get(mod.file) : undefined;
        for (const t of target?.tables ?? []) if (file.language !== 'python' || !t.name.startsWith('_')) offer(t.name);
        continue;
      }
      const entity = this.resolveEntity(fromFile, fromTable, [imp.local]);
      if (entity?.kind === 'table') {
        offer(imp.local);
        for (const p of entity.table.parts) offer(`${imp.local}.${p.split('.').pop()!}`);
      } else if (entity?.kind === 'module') {
        const target = entity.path !== undefined ? this.entryOf(entity.path) : undefined;
        for (const t of target?.tables ?? []) offer(`${imp.local}.${t.name}`);
      }
    }
    return out;
  }

  /** Tables reachable as `entity.Name`: a table's parts, or the top-level tables of a module's file. */
  membersOf(entity: IndexEntity): IndexedTable[] {
    if (entity.kind === 'table') {
      return entity.table.parts.map((p) => this.entryOf(entity.table.path)?.byName.get(p)).filter((t): t is IndexedTable => !!t && !!this.tierOf(t));
    }
    const file = entity.path !== undefined ? this.entryOf(entity.path) : undefined;
    return (file?.tables ?? []).filter((t) => !t.master && this.tierOf(t));
  }

  /**
   * `ResolvedTable` data for validation: the heading with inherited keys. A reference
   * inside a reference cycle (a table reaching itself through foreign keys) does not
   * resolve, whatever order tables are looked at in.
   */
  resolve(fromFile: string, fromTable: string | undefined, path: readonly string[]): ResolvedTable | undefined {
    const t = this.resolveTable(fromFile, fromTable, path);
    const from = fromTable !== undefined ? this.entryOf(fromFile)?.byName.get(fromTable) : undefined;
    if (!t) return from && this.external ? this.external(from, path) : undefined;
    if (from && this.sameCycle(from, t)) return undefined;
    return this.heading(t);
  }

  /** Both tables lie on one cycle of references (or are the same self-referencing table). */
  private sameCycle(a: IndexedTable, b: IndexedTable): boolean {
    const g = this.dependencyGraph();
    const ca = g.cycle.get(a.id);
    return ca !== undefined && ca === g.cycle.get(b.id);
  }

  /** The resolved heading of a table (undefined when its definition is built at run time). */
  heading(table: IndexedTable): ResolvedTable | undefined {
    return this.headingEntry(table)?.heading;
  }

  private headingEntry(table: IndexedTable): HeadingEntry | undefined {
    const def = table.definition;
    const cached = this.headings.get(table.id);
    if (cached?.epoch === this.epoch) return cached;
    if (!def || this.computing.has(table.id)) return undefined; // cycles resolve to nothing
    this.computing.add(table.id);
    try {
      if (cached && cached.text === def.text && this.holds(table, cached.deps)) {
        cached.epoch = this.epoch;
        return cached;
      }
      const { ctx, deps } = this.tracking(table);
      const model = analyze(def.text, ctx);
      const attrs = new Map<string, ResolvedAttribute>();
      for (const a of model.attributes) {
        const r: ResolvedAttribute = { name: a.name, type: a.type, nullable: a.nullable, span: a.span };
        if (a.comment !== undefined) r.comment = a.comment;
        attrs.set(a.name, r);
      }
      let resolved: ResolvedTable = {
        id: table.id,
        name: table.name,
        tier: this.tierOf(table) ?? 'Manual',
        primaryKey: model.primaryKey.map((n) => attrs.get(n)).filter((a): a is ResolvedAttribute => a !== undefined),
        attributes: [...attrs.values()],
      };
      if (model.tableComment !== undefined) resolved.comment = model.tableComment;
      // The same heading as before keeps its identity, so what depends on it stays valid.
      if (cached && sameHeading(cached.heading, resolved)) resolved = cached.heading;
      const entry: HeadingEntry = { text: def.text, heading: resolved, deps, epoch: this.epoch };
      // Inside a cycle the model saw an unfinished world; only a top-level one is reusable.
      if (this.computing.size === 1) entry.model = model;
      this.headings.set(table.id, entry);
      return entry;
    } finally {
      this.computing.delete(table.id);
    }
  }

  /** What a path written in a table's definition resolves to (nothing inside a reference cycle). */
  private resolveFrom(table: IndexedTable, path: readonly string[]): ResolvedTable | undefined {
    const target = this.resolveTable(table.path, table.name, path);
    if (!target) return this.external?.(table, path);
    return !this.sameCycle(table, target) ? this.heading(target) : undefined;
  }

  /** A cached result still holds: every path it resolved resolves to the same heading, on or off a cycle as before. */
  private holds(table: IndexedTable, deps: readonly Dependency[]): boolean {
    return deps.every((d) => this.resolveFrom(table, d.path) === d.heading && (d.heading !== undefined || this.whyUnresolved(table, d.path) === d.why));
  }

  /** What an unresolved path's diagnostic says about it, as one comparable string. */
  private whyUnresolved(table: IndexedTable, path: readonly string[]): string | undefined {
    const cycle = this.cycleOf(table, path);
    if (cycle) return cycle.kind;
    const file = this.notIndexedSource(table, path);
    return file ? `not indexed: ${file.key}: ${file.notIndexed}` : undefined;
  }

  /**
   * The file a path would come from when that file's text is not indexed: the module of
   * the import binding the path's first name, the module the first name is, or a module
   * imported with `*` (or as a factory, see lookup).
   */
  private notIndexedSource(table: IndexedTable, path: readonly string[]): FileEntry | undefined {
    const file = this.entryOf(table.path);
    if (!file || path.length === 0) return undefined;
    const skipped = (ref: ModuleRef | undefined) => {
      const f = ref?.file !== undefined ? this.files.get(ref.file) : undefined;
      return f?.notIndexed !== undefined ? f : undefined;
    };
    const imports = file.scan.imports;
    for (const imp of imports) if (imp.local === path[0]) return skipped(this.moduleOf(file, imp.module));
    for (const imp of imports) {
      const f = skipped(this.moduleOf(file, imp.module));
      if (f) return f;
    }
    return undefined;
  }


  /** A path that names the table itself or a table on its reference cycle. */
  private cycleOf(table: IndexedTable, path: readonly string[]): ReferenceCycle | undefined {
    const target = this.resolveTable(table.path, table.name, path);
    if (!target || !this.sameCycle(table, target)) return undefined;
    return target === table ? { kind: 'self' } : { kind: 'cycle', table: table.name };
  }

  /** The validation context of a table, recording what it resolves. */
  private tracking(table: IndexedTable): { ctx: ValidationContext; deps: Dependency[] } {
    const deps: Dependency[] = [];
    const ctx = this.context(table);
    ctx.resolve = (path) => {
      const heading = this.resolveFrom(table, path);
      const dep: Dependency = { path: [...path], heading };
      if (!heading) dep.why = this.whyUnresolved(table, path);
      deps.push(dep);
      return heading;
    };
    return { ctx, deps };
  }

  /** The validation context of one table: its class, tier, master and a resolver through the index. */
  context(table: IndexedTable): ValidationContext {
    const ctx: ValidationContext = {
      className: table.className,
      target: table.language === 'python' ? this.targetOf(table.path) : '2',
      resolve: (path) => this.resolveFrom(table, path),
      cycle: (path) => this.cycleOf(table, path),
      unknownBecause: (path) => {
        const f = this.notIndexedSource(table, path);
        return f ? `it may be defined in ${f.path}, which is not indexed (${f.notIndexed})` : undefined;
      },
    };
    const tier = this.tierOf(table);
    if (tier) ctx.tier = tier;
    if (table.master) ctx.masterName = table.master.split('.').pop()!;
    return ctx;
  }

  // ---- diagnostics --------------------------------------------------------------------

  /** Diagnostics of every definition in a file, at host positions. */
  check(path: string): HostDiagnostic[] {
    const file = this.entryOf(path);
    if (!file) return [];
    const out: HostDiagnostic[] = [];
    for (const t of file.tables) {
      if (!t.definition || !this.tierOf(t)) continue;
      const def = t.definition;
      // A Python class no schema decorates, with an empty definition, is a template that
      // subclasses fill in (nnfabrik's `Recipe`): DataJoint never declares it as it is.
      if (t.language === 'python' && !t.master && t.host.decorators.length === 0 && def.text.trim() === '') continue;
      for (const d of this.checkTable(t)) {
        // Class-level problems (name, tier, master) sit on the class name, not in the string.
        const span = d.onClass ? t.host.classSpan : def.map.spanToHost(d.span);
        const hd: HostDiagnostic = {
          path: file.path,
          table: t.name,
          tableId: t.id,
          code: d.code,
          severity: d.severity,
          message: d.message,
          start: span.start,
          end: span.end,
          range: this.range(file, span),
          diagnostic: d,
        };
        if (d.tags) hd.tags = d.tags;
        if (d.related?.length) {
          hd.related = [];
          for (const r of d.related) {
            const other = r.table ? this.table(r.table) : t;
            const otherFile = other ? this.entryOf(other.path) : undefined;
            if (!other?.definition || !otherFile) continue;
            const s = other.definition.map.spanToHost(r.span);
            hd.related.push({ message: r.message, path: otherFile.path, start: s.start, end: s.end, range: this.range(otherFile, s) });
          }
        }
        if (d.fixes?.length) {
          hd.fixes = d.fixes.map((f) => ({
            title: f.title,
            ...(f.preferred ? { preferred: true } : {}),
            edits: f.edits.map((e) => {
              const s = def.map.spanToHost(e.span);
              return { path: file.path, start: s.start, end: s.end, range: this.range(file, s), newText: encodeForHost(e.newText, def.style) };
            }),
          }));
        }
        out.push(hd);
      }
    }
    return out;
  }

  /** The diagnostics of one table's definition at definition offsets, cached. */
  private checkTable(t: IndexedTable): Diagnostic[] {
    const def = t.definition!;
    const cached = this.checks.get(t.id);
    if (cached?.epoch === this.epoch) return cached.diagnostics;
    try {
      const heading = this.headingEntry(t);
      if (cached && cached.text === def.text && cached.heading === heading && this.holds(t, cached.deps)) {
        cached.epoch = this.epoch;
        return cached.diagnostics;
      }
      const { ctx, deps } = this.tracking(t);
      const diagnostics = checkText(def.text, ctx, heading?.model);
      this.checks.set(t.id, { text: def.text, heading, deps, diagnostics, epoch: this.epoch });
      return diagnostics;
    } catch (err) {
      // The validator is written not to throw; if it does, say so at the definition instead of failing the file.
      this.checks.delete(t.id);
      return [{ code: 'DJ000', severity: 'error', message: `Internal error while checking this definition: ${err instanceof Error ? err.message : String(err)}`, span: { start: 0, end: def.text.length } }];
    }
  }

  private range(file: FileEntry, span: Span): Range {
    file.lines ??= new LineIndex(file.text);
    return file.lines.range(span.start, span.end);
  }

  // ---- dependencies -------------------------------------------------------------------

  /** Tables whose definitions reference this one (`-> it`). */
  referencingTables(table: IndexedTable): IndexedTable[] {
    const g = this.dependencyGraph();
    return [...(g.children.get(table.id) ?? [])].map((id) => this.table(id)).filter((t): t is IndexedTable => !!t);
  }

  /** The tables this one references, resolved. */
  referencedTables(table: IndexedTable): ResolvedReference[] {
    if (!table.definition) return [];
    const out: ResolvedReference[] = [];
    for (const r of extractReferences(table.definition.text)) {
      const t = this.resolveTable(table.path, table.name, r.path);
      if (t) out.push({ table: t, path: r.path });
    }
    return out;
  }

  /**
   * Other files whose checks depend on this file's tables: descendants through foreign
   * keys (keys are inherited down the chain), and files with references that do not
   * resolve but end in one of this file's table names.
   */
  dependentFiles(path: string): string[] {
    const key = toKey(path);
    const file = this.files.get(key);
    if (!file) return [];
    const g = this.dependencyGraph();
    const seen = new Set<string>();
    const queue = file.tables.map((t) => t.id);
    while (queue.length) {
      const id = queue.pop()!;
      for (const c of g.children.get(id) ?? []) {
        if (seen.has(c)) continue;
        seen.add(c);
        queue.push(c);
      }
    }
    const out = new Set<string>();
    for (const id of seen) {
      // Ids are `<path>#<name>` with the path as the file was given.
      const path = id.slice(0, id.lastIndexOf('#'));
      if (path !== file.path && this.entryOf(path)?.key !== key) out.add(path);
    }
    for (const t of file.tables) {
      const last = t.name.split('.').pop()!;
      for (const k of g.unresolved.get(last) ?? []) if (k !== key) out.add(this.files.get(k)?.path ?? k);
    }
    return [...out];
  }

  private dependencyGraph(): Graph {
    if (this.graph) return this.graph;
    const graph: Graph = { children: new Map(), parents: new Map(), unresolved: new Map(), cycle: new Map() };
    for (const f of this.files.values()) this.addEdges(graph, f);
    graph.cycle = cycles(graph.parents);
    this.graph = graph;
    return graph;
  }

  private addEdges(graph: Graph, f: FileEntry, tables: readonly IndexedTable[] = f.tables): void {
    for (const t of tables) {
      if (!t.definition) continue;
      for (const r of extractReferences(t.definition.text)) {
        const parent = this.resolveTable(f.path, t.name, r.path);
        if (parent) {
          let set = graph.children.get(parent.id);
          if (!set) graph.children.set(parent.id, (set = new Set()));
          set.add(t.id);
          const ps = graph.parents.get(t.id);
          if (ps) ps.push(parent.id);
          else graph.parents.set(t.id, [parent.id]);
        } else {
          const last = r.path[r.path.length - 1];
          let set = graph.unresolved.get(last);
          if (!set) graph.unresolved.set(last, (set = new Set()));
          set.add(f.key);
        }
      }
    }
  }


  // ---- internals ----------------------------------------------------------------------

  private invalidate(): void {
    this.headings = new Map();
    this.checks = new Map();
    this.graph = undefined;
    this.tiersStale = true;
  }

  /** Fills `tier` of every table, inheriting through project base classes. */
  private refreshTiers(): void {
    if (!this.tiersStale) return;
    this.tiersStale = false;
    for (const f of this.files.values()) {
      for (const t of f.tables) {
        const tier = this.ownOrInheritedTier(t, 0);
        if (tier) t.tier = tier;
        else delete t.tier;
      }
    }
  }

  private build(path: string, key: string, text: string, language: HostLanguage): FileEntry {
    const scan = scanHost(text, language);
    const module = language === 'python' ? this.modules.pythonModuleName(key) : key.replace(/\.[cm]?[jt]sx?$/, '');
    const tables: IndexedTable[] = [];
    const byName = new Map<string, IndexedTable>();
    const byId = new Map<string, IndexedTable>();
    const hostTables = scan.tables;
    for (const h of hostTables) {
      let name = h.className;
      let master: string | undefined;
      if (h.masterName) {
        // Nested (Python) or static-field (TS) parts are named through their master;
        // a top-level part with a `static master = X` marker keeps its own name.
        const enclosing = hostTables.find((m) => m !== h && m.className === h.masterName && m.span.start <= h.span.start && m.span.end >= h.span.end);
        if (enclosing) {
          const masterTable = tables.find((t) => t.host === enclosing);
          master = masterTable ? masterTable.name : enclosing.className;
          name = `${master}.${h.className}`;
        } else {
          master = h.masterName;
        }
      }
      let id = `${path}#${name}`;
      // A class redefined under the same name: the later one is what the name means
      // (byName below), each keeps its own id so that caches never mix them.
      for (let n = 2; byId.has(id); n++) id = `${path}#${name}~${n}`;
      const t: IndexedTable = {
        id,
        name,
        className: h.className,
        module,
        path,
        language,
        parts: [],
        host: h,
      };
      if (master) t.master = master;
      if (h.definition) t.definition = h.definition;
      tables.push(t);
      byName.set(name, t);
      byId.set(id, t);
    }
    for (const t of tables) {
      if (!t.master) continue;
      const m = byName.get(t.master);
      if (!m) continue;
      m.parts.push(t.name);
      // `Master.Part` also names a top-level part declared with a master marker.
      const alias = `${m.name}.${t.className}`;
      if (!byName.has(alias)) byName.set(alias, t);
    }
    const nameSignature = JSON.stringify([
      scan.tables.map((h) => [h.className, h.tier, h.masterName, h.bases, h.dynamicDefinition, h.definition !== undefined]),
      scan.imports.map((i) => [i.module, i.name, i.local, i.reexport]),
      (scan.aliases ?? []).map((a) => [a.local, a.target]),
    ]);
    return { path, key, language, text, scan, tables, byName, byId, nameSignature };
  }

  private tierOf(t: IndexedTable): Tier | undefined {
    this.refreshTiers();
    return t.tier;
  }

  /** The tier, inheriting from a base class that is a table class of the project. */
  private ownOrInheritedTier(t: IndexedTable, depth: number): Tier | undefined {
    if (t.host.tier || depth > 8) return t.host.tier;
    for (const base of t.host.bases) {
      const parent = this.resolveBase(t, base);
      const tier = parent && parent !== t ? this.ownOrInheritedTier(parent, depth + 1) : undefined;
      if (tier) return tier;
    }
    return undefined;
  }

  private resolveBase(t: IndexedTable, base: string): IndexedTable | undefined {
    const path = base.replace(/<.*$|\(.*$/, '').split('.');
    if (path.some((p) => !/^[A-Za-z_$][\w$]*$/.test(p))) return undefined;
    const file = this.entryOf(t.path);
    if (!file) return undefined;
    let e = this.lookup(file, path[0], new Set());
    for (let k = 1; e && k < path.length; k++) e = this.member(e, path[k], new Set());
    return e?.kind === 'table' ? e.table : undefined;
  }

  /** A name in a file's own scope: its classes, then its imports (the last binding wins), then star imports. */
  private lookup(file: FileEntry, name: string, seen: Set<string>): Entity | undefined {
    const guard = `${file.key}|${name}`;
    if (seen.has(guard)) return undefined;
    seen.add(guard);
    const own = file.byName.get(name);
    if (own) return { kind: 'table', table: own };
    const alias = this.alias(file, name, seen);
    if (alias) return alias;
    const imports = file.scan.imports;
    for (let k = imports.length - 1; k >= 0; k--) {
      const imp = imports[k];
      if (imp.local === name && imp.name !== '*') {
        const e = this.binding(file, imp, seen);
        if (e) return e;
      }
    }
    // Python's `from m import *` binds the module's public names only (no `__all__` is read).
    for (const imp of file.language === 'python' && name.startsWith('_') ? [] : imports) {
      if (imp.name !== '*') continue;
      const mod = this.moduleOf(file, imp.module);
      const e = mod ? this.member({ kind: 'module', ref: mod }, name, seen) : undefined;
      if (e) return e;
    }
    // Pipelines built by a factory (`const { Session } = createPipeline(...)` with the
    // classes declared inside the imported function) bind names the scanner cannot
    // follow: take the one table of that name among the modules this file imports.
    // Not in Python, where a name the module does not bind is unknown to DataJoint too.
    if (file.language === 'python') return undefined;
    let found: IndexedTable | undefined;
    const visited = new Set<string>();
    for (const imp of imports) {
      const ref = this.moduleOf(file, imp.module);
      if (!ref?.file || visited.has(ref.file)) continue;
      visited.add(ref.file);
      const t = this.files.get(ref.file)?.byName.get(name);
      if (!t) continue;
      if (found && found !== t) return undefined;
      found = t;
    }
    return found ? { kind: 'table', table: found } : undefined;
  }

  /** `name = Other.Path` at the module's top level (Python): what the path names from the module. */
  private alias(file: FileEntry, name: string, seen: Set<string>): Entity | undefined {
    const aliases = file.scan.aliases;
    if (!aliases) return undefined;
    for (let k = aliases.length - 1; k >= 0; k--) {
      const a = aliases[k]!;
      if (a.local !== name || a.target[0] === name) continue;
      let e = this.lookup(file, a.target[0]!, seen);
      for (let j = 1; e && j < a.target.length; j++) e = this.member(e, a.target[j]!, seen);
      if (e) return e;
    }
    return undefined;
  }

  private moduleOf(file: FileEntry, spec: string): ModuleRef | undefined {
    return file.language === 'python' ? this.modules.resolvePython(file.key, spec) : this.modules.resolveScript(file.key, spec);
  }

  private binding(file: FileEntry, imp: HostImport, seen: Set<string>): Entity | undefined {
    const mod = this.moduleOf(file, imp.module);
    if (!mod) return undefined;
    if (imp.name === undefined) return { kind: 'module', ref: mod };
    if (imp.name === 'default') {
      // Which class is the default export is not tracked; the imported name usually matches.
      return this.member({ kind: 'module', ref: mod }, imp.local, seen);
    }
    return this.member({ kind: 'module', ref: mod }, imp.name, seen);
  }

  /** `entity.name`: a part of a table, or a table, submodule or re-exported name of a module. */
  private member(entity: Entity, name: string, seen: Set<string>): Entity | undefined {
    if (entity.kind === 'table') {
      const t = entity.table;
      const file = this.entryOf(t.path);
      const part = file?.byName.get(`${t.name}.${name}`);
      return part ? { kind: 'table', table: part } : undefined;
    }
    const { ref } = entity;
    const file = ref.file ? this.files.get(ref.file) : undefined;
    if (file) {
      const own = file.byName.get(name);
      if (own) return { kind: 'table', table: own };
    }
    if (ref.dir !== undefined) {
      const child = this.modules.pythonChild(ref.dir, name);
      if (child) return { kind: 'module', ref: child };
    }
    if (file) {
      const guard = `${file.key}|.${name}`;
      if (seen.has(guard)) return undefined;
      seen.add(guard);
      const alias = file.language === 'python' ? this.alias(file, name, seen) : undefined;
      if (alias) return alias;
      // Python: any name bound in the module is an attribute; TS/JS: only re-exports.
      const imports = file.scan.imports;
      for (let k = imports.length - 1; k >= 0; k--) {
        const imp = imports[k];
        if ((file.language === 'python' || imp.reexport) && imp.local === name && imp.name !== '*') {
          const e = this.binding(file, imp, seen);
          if (e) return e;
        }
      }
      for (const imp of file.language === 'python' && name.startsWith('_') ? [] : imports) {
        if (imp.name !== '*' || (file.language !== 'python' && !imp.reexport)) continue;
        const mod = this.moduleOf(file, imp.module);
        const e = mod ? this.member({ kind: 'module', ref: mod }, name, seen) : undefined;
        if (e) return e;
      }
    }
    return undefined;
  }
}

function sameDefinitions(a: FileEntry, b: FileEntry): boolean {
  const x = a.scan.definitions;
  const y = b.scan.definitions;
  return x.length === y.length && x.every((d, i) => d.text === y[i].text);
}

function sameAttribute(a: ResolvedAttribute, b: ResolvedAttribute): boolean {
  return a.name === b.name && a.type === b.type && a.nullable === b.nullable && a.comment === b.comment && a.span?.start === b.span?.start && a.span?.end === b.span?.end;
}

/** Equal headings, spans included (related information points into the definition). */
function sameHeading(a: ResolvedTable, b: ResolvedTable): boolean {
  return (
    a.id === b.id &&
    a.name === b.name &&
    a.tier === b.tier &&
    a.comment === b.comment &&
    a.primaryKey.length === b.primaryKey.length &&
    a.attributes.length === b.attributes.length &&
    a.primaryKey.every((x, i) => sameAttribute(x, b.primaryKey[i])) &&
    a.attributes.every((x, i) => sameAttribute(x, b.attributes[i]))
  );
}

/** A path a definition resolved while it was analysed or checked, and to what. */
interface Dependency {
  path: string[];
  heading: ResolvedTable | undefined;
  /** Why an unresolved path resolved to nothing (whyUnresolved), when the index knows. */
  why?: string | undefined;
}

interface HeadingEntry {
  text: string;
  heading: ResolvedTable;
  /** The analysis behind the heading, reused by check() (absent when made inside a cycle). */
  model?: TableModel;
  deps: Dependency[];
  epoch: number;
}

interface CheckEntry {
  text: string;
  /** The heading entry the check used (its model): a new one means a new check. */
  heading: HeadingEntry | undefined;
  deps: Dependency[];
  diagnostics: Diagnostic[];
  epoch: number;
}

interface Graph {
  /** Table id -> ids of the tables that reference it. */
  children: Map<string, Set<string>>;
  /** Table id -> ids of the tables it references. */
  parents: Map<string, string[]>;
  /** Last name of an unresolved reference -> files holding one. */
  unresolved: Map<string, Set<string>>;
  /** Table id -> cycle number, for tables on a reference cycle. */
  cycle: Map<string, number>;
}

/** Drops the references of some tables (ids are stable across versions of a file). */
function removeEdges(graph: Graph, tables: readonly IndexedTable[]): void {
  for (const t of tables) {
    for (const p of graph.parents.get(t.id) ?? []) graph.children.get(p)?.delete(t.id);
    graph.parents.delete(t.id);
  }
}

/** Strongly connected components with a cycle (Tarjan, iterative: chains may be long). */
function cycles(edges: Map<string, string[]>): Map<string, number> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out = new Map<string, number>();
  let counter = 0;
  let component = 0;
  for (const root of edges.keys()) {
    if (index.has(root)) continue;
    const work: Array<{ v: string; i: number }> = [{ v: root, i: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1];
      const next = edges.get(top.v) ?? [];
      if (top.i < next.length) {
        const w = next[top.i++];
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].v;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.v)!));
      }
      if (low.get(top.v) === index.get(top.v)) {
        const members: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          members.push(w);
        } while (w !== top.v);
        const selfLoop = (edges.get(top.v) ?? []).includes(top.v);
        if (members.length > 1 || selfLoop) {
          for (const m of members) out.set(m, component);
          component++;
        }
      }
    }
  }
  return out;
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}
