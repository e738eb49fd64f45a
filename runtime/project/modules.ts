// Which file an import names. Python: relative imports by directory (`.`, `..pkg.mod`),
// absolute ones by dotted module names derived from package folders (`__init__.py`)
// and from the index root. TypeScript/JavaScript: relative specifiers with the
// extensions and index files module resolution tries (`./m.js` may be `m.ts`).
import { baseOf, dirOf, join } from './paths';

/** A module as something names can be looked up in: its file, and for packages its folder. */
export interface ModuleRef {
  file?: string;
  dir?: string;
}

const TS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

export class ModuleResolver {
  private pyNames?: Map<string, ModuleRef>;
  private dirs?: Set<string>;

  constructor(
    private readonly files: { has(key: string): boolean; keys(): Iterable<string> },
    private readonly roots: readonly string[],
  ) {}

  /** Call when files are added or removed (not when their text changes). */
  invalidate(): void {
    this.pyNames = undefined;
    this.dirs = undefined;
  }

  private hasDir(dir: string): boolean {
    if (!this.dirs) {
      this.dirs = new Set();
      for (const k of this.files.keys()) {
        for (let d = dirOf(k); d !== '.' && d !== '/' && !this.dirs.has(d); d = dirOf(d)) this.dirs.add(d);
      }
    }
    return this.dirs.has(dir);
  }

  /** The dotted module name of a Python file: packages are folders with `__init__.py`. */
  pythonModuleName(key: string): string {
    let name = baseOf(key).replace(/\.pyi?$/, '');
    let dir = dirOf(key);
    if (name === '__init__') {
      name = baseOf(dir);
      dir = dirOf(dir);
    }
    while (dir !== '.' && dir !== '/' && this.files.has(`${dir}/__init__.py`)) {
      name = `${baseOf(dir)}.${name}`;
      dir = dirOf(dir);
    }
    return name;
  }

  /** A Python module or package in a folder: `dir/name.py`, `dir/name/__init__.py` or a namespace folder. */
  pythonChild(dir: string, name: string): ModuleRef | undefined {
    const file = join(dir, `${name}.py`);
    if (this.files.has(file)) return { file };
    const pkg = join(dir, name);
    if (this.files.has(`${pkg}/__init__.py`)) return { file: `${pkg}/__init__.py`, dir: pkg };
    if (this.hasDir(pkg)) return { dir: pkg };
    return undefined;
  }

  /** `from <spec> import ...` / `import <spec>` seen in `fromKey`. */
  resolvePython(fromKey: string, spec: string): ModuleRef | undefined {
    const dots = /^\.*/.exec(spec)![0].length;
    const rest = spec.slice(dots).split('.').filter(Boolean);
    if (dots > 0) {
      let dir = dirOf(fromKey);
      for (let k = 1; k < dots; k++) dir = dirOf(dir);
      let ref: ModuleRef | undefined = { dir, file: this.files.has(`${dir}/__init__.py`) ? `${dir}/__init__.py` : undefined };
      for (const seg of rest) {
        ref = ref.dir !== undefined ? this.pythonChild(ref.dir, seg) : undefined;
        if (!ref) return undefined;
      }
      return ref;
    }
    const names = this.pythonNames();
    const exact = names.get(rest.join('.'));
    if (exact) return exact;
    // The project may sit below the folder Python runs from (src layouts): take the one
    // module whose dotted name ends with the import, preferring the importer's own tree.
    const suffix = `.${rest.join('.')}`;
    let best: ModuleRef | undefined;
    let bestScore = -1;
    for (const [name, ref] of names) {
      if (!name.endsWith(suffix)) continue;
      const where = ref.file ?? ref.dir ?? '';
      const score = commonPrefix(where, fromKey);
      if (score > bestScore) {
        best = ref;
        bestScore = score;
      }
    }
    return best;
  }

  private pythonNames(): Map<string, ModuleRef> {
    if (this.pyNames) return this.pyNames;
    const names = new Map<string, ModuleRef>();
    const add = (name: string, ref: ModuleRef): void => {
      const prev = names.get(name);
      if (!prev) names.set(name, ref);
      else if (!prev.file && ref.file) names.set(name, { ...ref, dir: prev.dir ?? ref.dir });
    };
    for (const key of this.files.keys()) {
      if (!/\.pyi?$/.test(key)) continue;
      const isInit = baseOf(key) === '__init__.py';
      const variants = [this.pythonModuleName(key)];
      for (const root of this.roots) {
        if (key.startsWith(`${root}/`)) variants.push(key.slice(root.length + 1).replace(/(\/__init__)?\.pyi?$/, '').replace(/\//g, '.'));
      }
      for (const name of variants) {
        add(name, isInit ? { file: key, dir: dirOf(key) } : { file: key });
        // Every enclosing package is importable too, as a folder at least.
        let d = isInit ? dirOf(dirOf(key)) : dirOf(key);
        const segs = name.split('.');
        for (let k = segs.length - 1; k > 0 && d !== '.' && d !== '/'; k--, d = dirOf(d)) add(segs.slice(0, k).join('.'), { dir: d });
      }
    }
    this.pyNames = names;
    return names;
  }

  /** A TS/JS import specifier seen in `fromKey`; bare package names are not ours. */
  resolveScript(fromKey: string, spec: string): ModuleRef | undefined {
    if (!spec.startsWith('.') && !spec.startsWith('/')) return undefined;
    const base = spec.startsWith('/') ? spec : join(dirOf(fromKey), spec);
    const candidates = [base];
    const m = /\.(m|c)?jsx?$/.exec(base);
    if (m) {
      const stem = base.slice(0, -m[0].length);
      candidates.push(`${stem}.${m[1] ?? ''}ts`, `${stem}.${m[1] ?? ''}tsx`.replace('.mtsx', '.tsx').replace('.ctsx', '.tsx'));
    }
    for (const ext of TS_EXTENSIONS) candidates.push(base + ext);
    for (const ext of TS_EXTENSIONS) candidates.push(`${base}/index${ext}`);
    for (const c of candidates) if (this.files.has(c)) return { file: c };
    return undefined;
  }
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
