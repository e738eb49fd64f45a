// The tables of many host files, kept up to date file by file, with reference
// resolution across files and modules. It serves `djx lint` and the language server:
// `check(path)` validates every definition of one file against the rest of the
// project; `updateFile` tells which other files need a re-check after an edit.
//
// State: the files (files.ts) with one record per definition (records.ts), one epoch
// bumped by every change, and the linkage of the project — effective tiers (tiers.ts)
// and the reference graph (graph.ts) — made on first use after names change.
import type { ReferenceCycle, ResolvedTable, ValidationContext } from '../../definition/context';
import type { TableModel } from '../../definition/model';
import { analyzeTable } from '../../definition/model';
import type { DataJointTarget } from '../../definition/types';
import { languageOfPath } from '../../hosts';
import type { HostDefinition, HostLanguage, HostScan, Tier } from '../../hosts';
import { ModuleResolver } from '../modules';
import { toKey } from '../paths';
import { extractReferences } from '../references';
import type { HostDiagnostic } from '../types';
import { Checker } from './checks';
import { buildFile, sameDefinitions, type FileEntry, type IndexedTable } from './files';
import { buildGraph, descendants, replaceEdges, type Edge, type Graph } from './graph';
import { Linker } from './headings';
import type { DefinitionRecord } from './records';
import type { Resolution } from './resolution';
import { Scope, type Entity } from './scope';
import { assignTiers, carryTiers } from './tiers';

export type { IndexedTable } from './files';

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

/** Tiers and the reference graph: what the project's names make of its tables. */
interface Linkage {
  tiers: boolean;
  graph?: Graph;
}

export class TableIndex implements Resolution {
  private readonly files = new Map<string, FileEntry>();
  private readonly modules: ModuleResolver;
  private readonly scope: Scope;
  private readonly linker: Linker;
  private readonly checker: Checker;
  private linkage: Linkage = { tiers: false };
  /** Bumped by every change; a record's stage stamped with it is current. */
  epoch = 0;
  namesEpoch = 0;

  private targetOf: TargetOf;
  private external: ExternalResolver | undefined;

  constructor(options: TableIndexOptions = {}) {
    this.targetOf = options.target ?? (() => '2');
    this.external = options.external;
    this.modules = new ModuleResolver(
      { has: (k) => this.files.has(k), keys: () => this.files.keys() },
      (options.roots ?? []).map(toKey),
    );
    this.scope = new Scope(this.files, this.modules);
    this.linker = new Linker(this);
    this.checker = new Checker(this, this.linker);
  }

  /** A new rule for which DataJoint each file targets: every definition is checked again. */
  setTarget(target: TargetOf): void {
    this.targetOf = target;
    this.namesChanged();
  }

  /** A new resolver for what the project cannot resolve (undefined: none): every definition is checked again. */
  setExternal(external: ExternalResolver | undefined): void {
    this.external = external;
    this.namesChanged();
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
    const module = lang === 'python' ? this.modules.pythonModuleName(key) : key.replace(/\.[cm]?[jt]sx?$/, '');
    const entry = buildFile(path, key, text, lang, module, old);
    if (notIndexed !== undefined) entry.notIndexed = notIndexed;
    this.files.set(key, entry);
    if (!old) this.modules.invalidate();
    if (!old || old.nameSignature !== entry.nameSignature) {
      this.namesChanged();
      return true;
    }
    this.epoch++;
    // Same names: tiers carry over, and only the edited definitions have new edges. Links
    // and checks stay, each confirmed on use against the headings it resolved (Linker,
    // Checker), so only edited tables and those whose inherited headings changed are
    // analysed again.
    if (this.linkage.tiers) carryTiers(old, entry);
    if (!sameDefinitions(old, entry) && this.linkage.graph) {
      const edited = entry.tables.filter((t, i) => old.tables[i]?.definition?.text !== t.definition?.text);
      replaceEdges(this.linkage.graph, entry, edited, this.resolveOwn);
    }
    return true;
  }

  /**
   * For editors: sets the file and returns the other files whose diagnostics may change
   * (tables that reference this file's tables, directly or through their keys, before or
   * after the edit, and files with references that did not resolve to any of them).
   */
  updateFile(path: string, text: string, language?: HostLanguage, notIndexed?: string): string[] {
    const key = toKey(path);
    const old = this.files.get(key);
    const lang = language ?? languageOfPath(path);
    // Nothing changed (a document opened with its disk contents): nothing to work out.
    if (old && old.text === text && old.language === lang && old.notIndexed === notIndexed) return [];
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
    this.modules.invalidate();
    this.namesChanged();
    return before;
  }

  /** Names may now resolve otherwise: links and checks of every record are made again, tiers and the graph on first use. */
  private namesChanged(): void {
    this.epoch++;
    this.namesEpoch = this.epoch;
    this.linkage = { tiers: false };
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

  /**
   * The master of a part, when it is a table: the class a nested part is declared in (a
   * master defined twice declares two tables, each with its own parts), else the first
   * table of the part's file with the master's name. By id either way, so that asking for
   * every part of a file does not go through every table of it each time.
   */
  masterOf(part: IndexedTable): IndexedTable | undefined {
    if (part.master === undefined) return undefined;
    if (part.masterId !== undefined) {
      const enclosing = this.table(part.masterId);
      return enclosing && this.tierOf(enclosing) ? enclosing : undefined;
    }
    const first = this.table(`${part.path}#${part.master}`);
    if (first && this.tierOf(first)) return first;
    return this.tablesIn(part.path).find((m) => m.name === part.master);
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

  /** The effective tier (own, or inherited from a project base class); undefined for classes that are not tables. */
  tierOf(t: IndexedTable): Tier | undefined {
    if (!this.linkage.tiers) {
      this.linkage.tiers = true;
      assignTiers(this.files.values(), this.scope);
    }
    return t.tier;
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
    if (!file) return undefined;
    return this.publicEntity(this.scope.resolve(file, fromTable !== undefined ? file.byName.get(fromTable) : undefined, path));
  }

  private publicEntity(entity: Entity | undefined): IndexEntity | undefined {
    if (!entity) return undefined;
    if (entity.kind === 'table') return this.tierOf(entity.table) ? entity : undefined;
    const out: IndexEntity = { kind: 'module' };
    const target = entity.ref.file !== undefined ? this.files.get(entity.ref.file) : undefined;
    if (target) out.path = target.path;
    if (entity.ref.dir !== undefined) out.dir = entity.ref.dir;
    return out;
  }

  /**
   * A path written in a table's definition, resolved in its file (the graph's edges).
   * Remembered for the epoch: the graph, the link and the check of a definition (and its
   * cycle and not-indexed questions) each ask for the same paths.
   */
  private readonly resolveOwn = (from: IndexedTable, path: readonly string[]): IndexedTable | undefined => {
    if (this.resolved.epoch !== this.epoch) this.resolved = { epoch: this.epoch, of: new Map() };
    let mine = this.resolved.of.get(from);
    if (!mine) this.resolved.of.set(from, (mine = new Map()));
    const key = path.length === 1 ? path[0]! : path.join('.');
    const hit = mine.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const file = this.entryOf(from.path);
    const e = file ? this.publicEntity(this.scope.resolve(file, file.byName.get(from.name), path)) : undefined;
    const table = e?.kind === 'table' ? e.table : undefined;
    mine.set(key, table ?? null);
    return table;
  };
  private resolved = { epoch: -1, of: new Map<IndexedTable, Map<string, IndexedTable | null>>() };

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
        const mod = this.scope.moduleOf(file, imp.module);
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

  // ---- linking ------------------------------------------------------------------------

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
    const g = this.graph();
    const ca = g.cycle.get(a.id);
    return ca !== undefined && ca === g.cycle.get(b.id);
  }

  /** The resolved heading of a table (undefined when its definition is built at run time). */
  heading(table: IndexedTable): ResolvedTable | undefined {
    return this.linker.link(table)?.heading;
  }

  /** The record of a definition of a file's current scan (a table's, or a class's without a tier). */
  recordOf(path: string, def: HostDefinition): DefinitionRecord | undefined {
    return this.entryOf(path)?.records.get(def);
  }

  /** The table a definition of a file's current scan defines (undefined for classes without a tier). */
  tableOf(path: string, def: HostDefinition): IndexedTable | undefined {
    const t = this.entryOf(path)?.tableOf.get(def);
    return t && this.tierOf(t) ? t : undefined;
  }

  /**
   * The model of a table's definition in the current epoch, on the record's parse (the
   * editor's features match its lines with the AST they hold): its link's while the link
   * holds it (until its check), else one made with the table's context (a table on a
   * reference cycle, or one already checked).
   */
  model(table: IndexedTable): TableModel | undefined {
    const record = table.record;
    if (!record) return undefined;
    const linked = this.linker.link(table);
    if (linked?.model) return linked.model;
    if (record.featureModel?.epoch !== this.epoch) record.featureModel = { epoch: this.epoch, model: analyzeTable(record.ast, this.context(table)) };
    return record.featureModel.model;
  }

  /** With an external resolver (the language server's database catalog), every model is compared after the check. */
  get keepsModels(): boolean {
    return this.external !== undefined;
  }

  resolveFrom(table: IndexedTable, path: readonly string[]): ResolvedTable | undefined {
    const target = this.resolveOwn(table, path);
    if (!target) return this.external?.(table, path);
    return !this.sameCycle(table, target) ? this.heading(target) : undefined;
  }

  whyUnresolved(table: IndexedTable, path: readonly string[]): string | undefined {
    const cycle = this.cycleOf(table, path);
    if (cycle) return cycle.kind;
    const file = this.notIndexedSource(table, path);
    return file ? `not indexed: ${file.key}: ${file.notIndexed}` : undefined;
  }

  private notIndexedSource(table: IndexedTable, path: readonly string[]): FileEntry | undefined {
    const file = this.entryOf(table.path);
    return file ? this.scope.notIndexedSource(file, path) : undefined;
  }

  /** A path that names the table itself or a table on its reference cycle. */
  private cycleOf(table: IndexedTable, path: readonly string[]): ReferenceCycle | undefined {
    const target = this.resolveOwn(table, path);
    if (!target || !this.sameCycle(table, target)) return undefined;
    return target === table ? { kind: 'self' } : { kind: 'cycle', table: table.name };
  }

  /**
   * A Python file's target, remembered for the epoch: the rule looks for pin files in the
   * folders above the file, and every link and check of its tables asks.
   */
  private pythonTarget(path: string): DataJointTarget {
    if (this.targets.epoch !== this.epoch) this.targets = { epoch: this.epoch, of: new Map() };
    let t = this.targets.of.get(path);
    if (t === undefined) this.targets.of.set(path, (t = this.targetOf(path)));
    return t;
  }
  private targets = { epoch: -1, of: new Map<string, DataJointTarget>() };

  /** The validation context of one table: its class, tier, master and a resolver through the index. */
  context(table: IndexedTable): ValidationContext {
    const ctx: ValidationContext = {
      className: table.className,
      target: table.language === 'python' ? this.pythonTarget(table.path) : '2',
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
    return this.checker.file(file, (id) => this.table(id), (p) => this.entryOf(p));
  }

  // ---- dependencies -------------------------------------------------------------------

  private graph(): Graph {
    return (this.linkage.graph ??= buildGraph(this.files.values(), this.resolveOwn));
  }

  /** Tables whose definitions reference this one (`-> it`). */
  referencingTables(table: IndexedTable): IndexedTable[] {
    return [...(this.graph().children.get(table.id) ?? [])].map((id) => this.table(id)).filter((t): t is IndexedTable => !!t);
  }

  /** The references of a table's definition that resolve to a table (the graph's edges, with where each is written). */
  referencesOf(table: IndexedTable): readonly Edge[] {
    return this.graph().parents.get(table.id) ?? [];
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
    // A file without tables (e.g. the placeholder of one not indexed, about to be opened)
    // has no dependents: no need to build the graph of a state about to change.
    if (!file || file.tables.length === 0) return [];
    const g = this.graph();
    const out = new Set<string>();
    for (const id of descendants(g, file.tables.map((t) => t.id))) {
      // Ids are `<path>#<name>` with the path as the file was given.
      const p = id.slice(0, id.lastIndexOf('#'));
      if (p !== file.path && this.entryOf(p)?.key !== key) out.add(p);
    }
    for (const t of file.tables) {
      const last = t.name.split('.').pop()!;
      for (const k of g.unresolved.get(last) ?? []) if (k !== key) out.add(this.files.get(k)?.path ?? k);
    }
    return [...out];
  }
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}
