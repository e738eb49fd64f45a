// Which database schema a TypeScript/JavaScript pipeline module binds an exported table
// class to, read from the source without running it: `djx populate <module> <Class>` loads
// the module and takes its export <Class>, so only a module that exports the class bound
// to a schema can run that schema's table. A class defined inside a factory
// (`function createPipeline(name) { const schema = new dj.Schema(name); class X … }`)
// is not exported by its file; the module that calls the factory and exports the result
// (`export const { X } = createPipeline('lab')`) is the one to run.
//
// Recognised, at the top level of a module:
//   const s = new dj.Schema(EXPR)            s.register(…, X, …) (or declare)   @s / @s.x() before class X
//   export const { X, s } = factory(EXPR)    const p = factory(EXPR); export const { X } = p
//   import { X } from './m'                  export { X } from './m'   export * from './m'
// where factory is a function (here or imported from a relative module) that passes its
// first parameter to `new …Schema(`, and EXPR is a string literal, `process.env.NAME`, or
// those joined by `||` / `??` (evaluated in the environment the CLI inherits).
//
// Shared by the client (which module `djx populate` runs, the code lens) and the language
// server (the schema a TypeScript table is declared in, for the database catalog). The
// server asks on every check while connected: `ModuleBindings` caches each file's text and
// each answer by the versions of the files it looked at (server/workspace/project.ts).
// Unit-tested in test/unit/client/module-bindings.test.ts and test/unit/project/module-bindings.test.ts.
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export type ReadFile = (path: string) => string | undefined;

/**
 * The files an analysis reads. `version` is anything that changes when the file's text
 * does (an open document's version or text, a disk file's mtime and size) and undefined
 * when there is no such file; compared with `===`, so use a primitive or the same object.
 */
export interface ModuleFiles {
  version(path: string): unknown;
  read(path: string): string | undefined;
}

export interface Binding {
  /** The module exports the class under this name. */
  exported: boolean;
  /** The database schema it is bound to; undefined when not statically known. */
  schema: string | undefined;
}

/** Follows imports this deep at most (re-export chains are short in practice). */
const MAX_DEPTH = 6;
const MODULE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

export const readFromDisk: ReadFile = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** Whether a regular file is there (what the CLI's loader accepts as a module). */
export const fileExists = (path: string): boolean => {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
};

/** A disk file's version: its mtime and size; undefined when it is not a regular file. */
export const diskVersion = (path: string): string | undefined => {
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    return st?.isFile() ? `${st.mtimeMs}:${st.size}` : undefined;
  } catch {
    return undefined;
  }
};

/** The disk as ModuleFiles. */
export const diskFiles: ModuleFiles = { version: diskVersion, read: readFromDisk };

/** Blanks comments (keeping line breaks and string contents), so patterns see code only. */
export function stripComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const esc = (s: string) => s.replace(/[$]/g, '\\$');
const word = (name: string) => `(?<![\\w$])${esc(name)}(?![\\w$])`;

/** The value of a schema-name expression, or undefined when it is not a constant here. */
export function evaluateName(expr: string, env: NodeJS.ProcessEnv): string | undefined {
  const alternatives = expr.split(/\|\||\?\?/).map((s) => s.trim());
  const ops = [...expr.matchAll(/\|\||\?\?/g)].map((m) => m[0]);
  for (let i = 0; i < alternatives.length; i++) {
    const a = alternatives[i]!;
    let value: string | undefined;
    const literal = /^(['"`])([^'"`$\\]*)\1$/.exec(a);
    const envVar = /^process\.env(?:\.([A-Za-z_]\w*)|\[\s*(['"])(\w+)\2\s*\])$/.exec(a);
    if (literal) value = literal[2];
    else if (envVar) value = env[envVar[1] ?? envVar[3]!];
    else return undefined;
    // `a || b` goes on when a is empty or unset, `a ?? b` only when it is unset.
    const op = ops[i];
    if (op === undefined || (op === '||' ? value : value !== undefined)) return value;
  }
  return undefined;
}

/** The first argument of a call whose opening parenthesis is at `open`, as text. */
function firstArgument(text: string, open: number): string | undefined {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return text.slice(open + 1, i).trim();
    } else if (c === ',' && depth === 1) return text.slice(open + 1, i).trim();
    else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      i = j;
    }
  }
  return undefined;
}

/** The names a `{ a, b: c, ...rest }` pattern binds, mapped to the property each reads. */
function destructured(pattern: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of pattern.split(',')) {
    const m = /^\s*([\w$]+)\s*(?::\s*([\w$]+))?\s*(?:=.*)?$/.exec(part);
    if (m) out.set(m[2] ?? m[1]!, m[1]!);
  }
  return out;
}

/** `import { a, b as c } from './m'` and `export { … } from './m'` lists. */
function namedList(list: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of list.split(',')) {
    const m = /^\s*(?:type\s+)?([\w$]+)(?:\s+as\s+([\w$]+))?\s*$/.exec(part);
    if (m) out.set(m[2] ?? m[1]!, m[1]!);
  }
  return out;
}

/** A relative module specifier as a file, the way the CLI's loader finds it (`exists`: default the disk). */
export function resolveModule(from: string, specifier: string, exists: (path: string) => boolean = fileExists): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.[cm]?js$/, '');
  const tries = [base, ...MODULE_EXTENSIONS.map((e) => stem + e), ...MODULE_EXTENSIONS.map((e) => `${base}/index${e}`)];
  return tries.find((p) => exists(p));
}

/** How a module exports a name: as a local binding, from another module, or inside a factory's product. */
type Exported = { local: string } | { from: string; name: string } | { schema: string | undefined };

interface Found {
  /** How a module's top-level name came to be. */
  kind: 'class' | 'schema' | 'factory' | 'import' | 'unknown';
  schema?: string;
}

/** What one analysis reads: a file's text without comments, whether a file is there. */
interface Source {
  text(file: string): string | undefined;
  exists(file: string): boolean;
}

/** A Source over a ReadFile for one analysis: each file read once. */
function readOnce(read: ReadFile): Source {
  const texts = new Map<string, string | undefined>();
  return {
    text(file) {
      if (!texts.has(file)) {
        const raw = read(file);
        texts.set(file, raw === undefined ? undefined : stripComments(raw));
      }
      return texts.get(file);
    },
    exists: fileExists,
  };
}

class ModuleReader {
  constructor(
    private readonly source: Source,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  text(file: string): string | undefined {
    return this.source.text(file);
  }

  private resolve(from: string, specifier: string): string | undefined {
    return resolveModule(from, specifier, (p) => this.source.exists(p));
  }

  /** Whether `file` exports `name`, and the schema that name is bound to. */
  binding(file: string, name: string, depth = 0): Binding {
    const text = this.text(file);
    if (text === undefined || depth > MAX_DEPTH) return { exported: false, schema: undefined };
    const exported = this.exports(file, text, name, depth);
    if (!exported) return { exported: false, schema: undefined };
    return { exported: true, schema: this.schemaOf(file, exported, depth) };
  }

  /** The local name under which `file` exports `name` (or the module it re-exports from). */
  private exports(file: string, text: string, name: string, depth: number): Exported | undefined {
    const n = word(name);
    if (new RegExp(`^export\\s+(?:default\\s+)?(?:abstract\\s+)?class\\s+${n}`, 'm').test(text)) return { local: name };
    if (new RegExp(`^export\\s+(?:const|let|var)\\s+${n}`, 'm').test(text)) return { local: name };
    for (const m of text.matchAll(/^export\s+(?:const|let|var)\s*\{([^}]*)\}\s*=/gm)) {
      if (destructured(m[1]!).has(name)) return { local: name };
    }
    for (const m of text.matchAll(/^export\s*(?:type\s+)?\{([^}]*)\}\s*(?:from\s*(['"])([^'"]+)\2)?/gm)) {
      const local = namedList(m[1]!).get(name);
      if (local === undefined) continue;
      if (!m[3]) return { local };
      const target = this.resolve(file, m[3]);
      return target ? { from: target, name: local } : undefined;
    }
    for (const m of text.matchAll(/^export\s*\*\s*from\s*(['"])([^'"]+)\1/gm)) {
      const target = this.resolve(file, m[2]!);
      if (target && this.binding(target, name, depth + 1).exported) return { from: target, name };
    }
    // Not exported itself but found by the CLI all the same (runtime/populate/load.ts looks
    // inside exported objects and schemas' tables): a top-level class bound to an exported
    // schema, or a class of a factory whose product is exported (`export const p = f('lab')`).
    if (depth < MAX_DEPTH) {
      const holder = this.holderOf(text, name);
      if (holder && holder !== name && this.exports(file, text, holder, depth + 1)) return { local: name };
      for (const m of text.matchAll(/^export\s+(?:const|let|var)\s+[\w$]+\s*=\s*([\w$]+)\s*\(/gm)) {
        const defined = this.factoryFile(file, m[1]!, depth);
        if (defined && new RegExp(`class\\s+${n}`).test(this.text(defined) ?? '')) {
          return { schema: this.factoryCall(file, text, m[1]!, m.index + m[0].length - 1, depth).schema };
        }
      }
    }
    return undefined;
  }

  /** The schema variable a top-level class is bound to: `s.register(…)`, `s.declare(…)`, or `@s` above it. */
  private holderOf(text: string, name: string): string | undefined {
    const n = word(name);
    const cls = new RegExp(`^(?:export\\s+)?(?:default\\s+)?(?:abstract\\s+)?class\\s+${n}`, 'm').exec(text);
    if (!cls) return undefined;
    const decorator = /@([\w$]+)(?:\.[\w$]+)*(?:\([^)]*\))?\s*$/.exec(text.slice(0, cls.index));
    const registered = [...text.matchAll(/^(?:await\s+)?([\w$]+)\.(?:register|declare)\s*\(([^)]*)\)/gm)].find((m) => new RegExp(n).test(m[2]!));
    return registered?.[1] ?? decorator?.[1];
  }

  private schemaOf(file: string, where: Exported, depth: number): string | undefined {
    if ('schema' in where) return where.schema;
    if ('from' in where) return this.binding(where.from, where.name, depth + 1).schema;
    return this.local(file, where.local, depth).schema;
  }

  /** What a top-level name of `file` is: a class (and its schema), a schema, a factory's product. */
  private local(file: string, name: string, depth: number): Found {
    const text = this.text(file);
    if (text === undefined || depth > MAX_DEPTH) return { kind: 'unknown' };
    const n = word(name);
    // A top-level class: bound by `s.register(…name…)` / `s.declare(…)` or a decorator `@s` just above it.
    const cls = new RegExp(`^(?:export\\s+)?(?:default\\s+)?(?:abstract\\s+)?class\\s+${n}`, 'm').exec(text);
    if (cls) {
      const holder = this.holderOf(text, name);
      return { kind: 'class', schema: holder ? this.schemaVariable(file, holder, depth) : undefined };
    }
    // `const name = new dj.Schema(EXPR…)`
    const schema = new RegExp(`^(?:export\\s+)?(?:const|let|var)\\s+${n}\\s*=\\s*new\\s+(?:[\\w$]+\\.)?Schema\\s*\\(`, 'm').exec(text);
    if (schema) {
      const arg = firstArgument(text, schema.index + schema[0].length - 1);
      return { kind: 'schema', schema: arg === undefined ? undefined : evaluateName(arg, this.env) };
    }
    // `const { …name… } = factory(EXPR)` or `= made`, where `const made = factory(EXPR)`.
    for (const m of text.matchAll(/^(?:export\s+)?(?:const|let|var)\s*\{([^}]*)\}\s*=\s*([\w$]+)\s*(\()?/gm)) {
      if (!destructured(m[1]!).has(name)) continue;
      if (m[3]) return this.factoryCall(file, text, m[2]!, m.index + m[0].length - 1, depth);
      const made = new RegExp(`^(?:export\\s+)?(?:const|let|var)\\s+${word(m[2]!)}\\s*=\\s*([\\w$]+)\\s*\\(`, 'm').exec(text);
      if (made) return this.factoryCall(file, text, made[1]!, made.index + made[0].length - 1, depth);
      return this.local(file, m[2]!, depth + 1);
    }
    // `import { …name… } from './m'`
    for (const m of text.matchAll(/^import\s*(?:type\s+)?\{([^}]*)\}\s*from\s*(['"])([^'"]+)\2/gm)) {
      const imported = namedList(m[1]!).get(name);
      if (imported === undefined) continue;
      const target = this.resolve(file, m[3]!);
      if (!target) return { kind: 'unknown' };
      return { kind: 'import', schema: this.binding(target, imported, depth + 1).schema };
    }
    return { kind: 'unknown' };
  }

  private schemaVariable(file: string, name: string, depth: number): string | undefined {
    const found = this.local(file, name, depth + 1);
    return found.kind === 'class' ? undefined : found.schema;
  }

  /** `factory(EXPR)`: EXPR when the factory hands its first parameter to `new …Schema(`. */
  private factoryCall(file: string, text: string, factory: string, open: number, depth: number): Found {
    const arg = firstArgument(text, open);
    if (arg === undefined || !this.factoryFile(file, factory, depth)) return { kind: 'unknown' };
    return { kind: 'factory', schema: evaluateName(arg, this.env) };
  }

  /** The file defining `name` as a function that hands its first parameter to `new …Schema(`. */
  private factoryFile(file: string, name: string, depth: number): string | undefined {
    const text = this.text(file);
    if (text === undefined || depth > MAX_DEPTH) return undefined;
    const fn = new RegExp(`^(?:export\\s+)?(?:async\\s+)?function\\s+${word(name)}\\s*(?:<[^>]*>)?\\s*\\(\\s*([\\w$]+)`, 'm').exec(text);
    if (fn) return new RegExp(`new\\s+(?:[\\w$]+\\.)?Schema\\s*\\(\\s*${word(fn[1]!)}`).test(text.slice(fn.index)) ? file : undefined;
    for (const m of text.matchAll(/^import\s*(?:type\s+)?\{([^}]*)\}\s*from\s*(['"])([^'"]+)\2/gm)) {
      const imported = namedList(m[1]!).get(name);
      if (imported === undefined) continue;
      const target = this.resolve(file, m[3]!);
      return target === undefined ? undefined : this.factoryFile(target, imported, depth + 1);
    }
    return undefined;
  }
}

/** The schema a Python class's decorator names: `@schema` over it, `schema = dj.Schema("lab")` (dj.schema too). */
export function pythonSchemaOf(text: string, classLine: number): string | undefined {
  const lines = text.split('\n');
  let i = classLine - 1;
  while (i >= 0 && /^\s*@/.test(lines[i]!) && !/^\s*@(\w+)\s*$/.test(lines[i]!)) i--;
  const decorator = i >= 0 ? /^\s*@(\w+)\s*$/.exec(lines[i]!) : null;
  if (!decorator) return undefined;
  const made = new RegExp(`^${decorator[1]}\\s*=\\s*(?:\\w+\\.)?[Ss]chema\\(\\s*(['"])([^'"]*)\\1`, 'm').exec(text);
  return made?.[2];
}

/**
 * Whether `file` exports `className` and the schema it binds it to. `read` gives a
 * file's text (the open editor's, or the disk's); `env` is the environment the CLI runs in.
 */
export function moduleBinding(file: string, className: string, env: NodeJS.ProcessEnv = process.env, read: ReadFile = readFromDisk): Binding {
  return new ModuleReader(readOnce(read), env).binding(file, className);
}

interface Remembered {
  binding: Binding;
  /** The version of every file the analysis looked at (read or only probed), when it did. */
  seen: Map<string, unknown>;
}

/**
 * moduleBinding over files that change, remembering: a file's text (without comments) is
 * read again only when its version moved, and an answer is given again while every file
 * it depended on (those read, and those probed while resolving imports, present or not)
 * has the version it had. Nothing is dropped on a timer: the versions decide.
 */
export class ModuleBindings {
  private readonly texts = new Map<string, { version: unknown; text: string | undefined }>();
  private readonly answers = new Map<string, Remembered>();

  constructor(
    private readonly files: ModuleFiles,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  binding(file: string, className: string): Binding {
    const key = `${file}\u0000${className}`;
    const known = this.answers.get(key);
    if (known && [...known.seen].every(([p, v]) => this.files.version(p) === v)) return known.binding;
    const seen = new Map<string, unknown>();
    const versionOf = (p: string): unknown => {
      if (!seen.has(p)) seen.set(p, this.files.version(p));
      return seen.get(p);
    };
    const source: Source = {
      exists: (p) => versionOf(p) !== undefined,
      text: (p) => {
        const version = versionOf(p);
        if (version === undefined) return undefined;
        const cached = this.texts.get(p);
        if (cached && cached.version === version) return cached.text;
        const raw = this.files.read(p);
        const text = raw === undefined ? undefined : stripComments(raw);
        this.texts.set(p, { version, text });
        return text;
      },
    };
    const binding = new ModuleReader(source, this.env).binding(file, className);
    // Answers about other classes of an older version of this file (a class renamed while
    // typing leaves one per name) go, so that the cache stays the size of the workspace.
    const now = versionOf(file);
    for (const [k, a] of this.answers) if (k.startsWith(`${file}\u0000`) && a.seen.get(file) !== now) this.answers.delete(k);
    this.answers.set(key, { binding, seen });
    return binding;
  }

  /** How many answers are kept (the cache's size). */
  get size(): number {
    return this.answers.size;
  }

  /** Forgets a file's text and the answers about its classes (it was deleted or left the workspace). */
  forget(path: string): void {
    this.texts.delete(path);
    for (const key of [...this.answers.keys()]) if (key.startsWith(`${path}\u0000`)) this.answers.delete(key);
  }
}
