// Loading a TypeScript pipeline module where tsx is not installed: the CLI inside an
// installed .vsix runs with no node_modules beside it, and tsx needs esbuild's native,
// per-platform binary. Instead, a CommonJS require hook strips the types with sucrase
// (pure JavaScript, bundled into dist/cli.js, keeps line numbers so stacks point at the
// user's lines) and compiles the result as CommonJS. The bare specifier `datajoint`
// resolves to the runtime bundled with the CLI when the workspace does not provide one,
// so a pipeline written as `import * as dj from 'datajoint'` runs with nothing installed
// and shares the CLI's copy of the runtime. Limits (as for any CommonJS loading):
// no top-level await, and ESM-only packages need a Node that can require() them.
import Module from 'node:module';
import { readFileSync } from 'node:fs';
import { transform, type Transform } from 'sucrase';
import * as runtime from '../index';

type CompilableModule = { _compile(code: string, filename: string): unknown };
type ModuleInternals = {
  _extensions: Record<string, (m: CompilableModule, filename: string) => void>;
  _resolveFilename: (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
  _load: (request: string, parent: unknown, isMain: boolean) => unknown;
};

const TS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts'] as const;
const RUNTIME_SPECIFIER = 'datajoint';
let installed = false;

function isNotFound(e: unknown): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND';
}

/** Installs the hook once per process (idempotent). */
export function installTypeScriptHook(): void {
  if (installed) return;
  installed = true;
  const M = Module as unknown as ModuleInternals;
  for (const ext of TS_EXTENSIONS) {
    const transforms: Transform[] = ext === '.tsx' ? ['typescript', 'imports', 'jsx'] : ['typescript', 'imports'];
    const handler = (m: CompilableModule, filename: string): void => {
      const source = readFileSync(filename, 'utf8');
      let code: string;
      try {
        code = transform(source, { transforms, filePath: filename, production: true }).code;
      } catch (e) {
        // sucrase reports "… (line:col)"; name the file so the error is located.
        throw new SyntaxError(`${filename}: ${e instanceof Error ? e.message : String(e)}`);
      }
      m._compile(code, filename);
    };
    // Defined, not assigned: a failed tsx attempt before us (load.ts tries tsx first) leaves
    // its handler for the extension as a non-enumerable property, which an assignment
    // keeps non-enumerable, and require() only tries the extensions it can enumerate: a
    // sibling imported as `./tables` would not be found.
    Object.defineProperty(M._extensions, ext, { value: handler, writable: true, enumerable: true, configurable: true });
  }
  // TypeScript sources import their siblings as `./x.js` (NodeNext style): map to `./x.ts`.
  const resolve = M._resolveFilename;
  M._resolveFilename = function (request, parent, isMain, options) {
    try {
      return resolve.call(this, request, parent, isMain, options);
    } catch (e) {
      const m = /^(\.{1,2}\/.*)\.([cm]?)js$/.exec(request);
      if (!isNotFound(e) || !m) throw e;
      const ts = `${m[1]}.${m[2]}ts`;
      try {
        return resolve.call(this, ts, parent, isMain, options);
      } catch {
        throw e;
      }
    }
  };
  // `datajoint`: the workspace's own package when it has one, else the bundled runtime.
  const load = M._load;
  M._load = function (request, parent, isMain) {
    if (request === RUNTIME_SPECIFIER) {
      try {
        M._resolveFilename(request, parent, isMain);
      } catch (e) {
        if (isNotFound(e)) return runtime;
        throw e;
      }
    }
    return load.call(this, request, parent, isMain);
  };
}

/** Loads a TypeScript module through the hook and returns its exports. */
export function requireTypeScript(absolutePath: string): Record<string, unknown> {
  installTypeScriptHook();
  // createRequire anchors relative resolution at the module itself.
  return Module.createRequire(absolutePath)(absolutePath) as Record<string, unknown>;
}
