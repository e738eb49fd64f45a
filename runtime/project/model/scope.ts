// Names as Python (and TS/JS module resolution) binds them, seen from one file: its own
// classes, `name = Other.Path` aliases, imports (the last binding wins), star imports,
// `module.Table`, `Master.Part`. Tiers are not looked at here: the index filters.
import type { HostImport } from '../../hosts';
import type { ModuleRef, ModuleResolver } from '../modules';
import { toKey } from '../paths';
import type { FileEntry, IndexedTable } from './files';

export type Entity = { kind: 'table'; table: IndexedTable } | { kind: 'module'; ref: ModuleRef };

export class Scope {
  constructor(
    private readonly files: ReadonlyMap<string, FileEntry>,
    private readonly modules: ModuleResolver,
  ) {}

  /** What a path names from a table of `file` (or its top level): `master` in a part, then the file's scope. */
  resolve(file: FileEntry, from: IndexedTable | undefined, path: readonly string[]): Entity | undefined {
    if (path.length === 0) return undefined;
    let entity: Entity | undefined;
    if (path[0] === 'master' && from?.master) {
      const m = file.byName.get(from.master);
      entity = m ? { kind: 'table', table: m } : undefined;
    } else {
      entity = this.lookup(file, path[0]!, new Set());
    }
    for (let k = 1; entity && k < path.length; k++) entity = this.member(entity, path[k]!, new Set());
    return entity;
  }

  /** A base class written in a class statement (`dj.Manual`, `lab.Base`, `Base<T>`), when it is a table class. */
  resolveBase(t: IndexedTable, base: string): IndexedTable | undefined {
    const path = base.replace(/<.*$|\(.*$/, '').split('.');
    if (path.some((p) => !/^[A-Za-z_$][\w$]*$/.test(p))) return undefined;
    const file = this.files.get(this.keyOf(t.path));
    if (!file) return undefined;
    let e = this.lookup(file, path[0]!, new Set());
    for (let k = 1; e && k < path.length; k++) e = this.member(e, path[k]!, new Set());
    return e?.kind === 'table' ? e.table : undefined;
  }

  moduleOf(file: FileEntry, spec: string): ModuleRef | undefined {
    return file.language === 'python' ? this.modules.resolvePython(file.key, spec) : this.modules.resolveScript(file.key, spec);
  }

  /**
   * The file a path would come from when that file's text is not indexed: the module of
   * the import binding the path's first name, the module the first name is, or a module
   * imported with `*` (or as a factory, see lookup).
   */
  notIndexedSource(file: FileEntry, path: readonly string[]): FileEntry | undefined {
    if (path.length === 0) return undefined;
    const skipped = (ref: ModuleRef | undefined): FileEntry | undefined => {
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

  /** Paths that are keys already (normalized POSIX paths) are used as they are. */
  private keyOf(path: string): string {
    return this.files.has(path) ? path : toKey(path);
  }

  /** A name in a file's own scope: its classes, then its imports (the last binding wins), then star imports. */
  lookup(file: FileEntry, name: string, seen: Set<string>): Entity | undefined {
    // The file's own classes first: most names are, and they need no cycle guard.
    const own = file.byName.get(name);
    if (own) return { kind: 'table', table: own };
    const guard = `${file.key}|${name}`;
    if (seen.has(guard)) return undefined;
    seen.add(guard);
    const alias = this.alias(file, name, seen);
    if (alias) return alias;
    const imports = file.scan.imports;
    for (let k = imports.length - 1; k >= 0; k--) {
      const imp = imports[k]!;
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
  member(entity: Entity, name: string, seen: Set<string>): Entity | undefined {
    if (entity.kind === 'table') {
      const t = entity.table;
      const file = this.files.get(this.keyOf(t.path));
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
        const imp = imports[k]!;
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
