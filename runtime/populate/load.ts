// Loads a user's pipeline module, TypeScript or JavaScript, without a build step (tsx's
// programmatic API), and finds a table class in it by name.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { hooksOf, isAutoPopulatedClass, type AutoPopulatedClass } from './adapter';

/** Loads a TypeScript module by absolute path when tsx is absent (the CLI registers transpile.ts). */
export type TypeScriptLoader = (absolutePath: string) => Record<string, unknown>;
let typeScriptFallback: TypeScriptLoader | undefined;

/**
 * The djx CLI registers its bundled transpiler here (runtime/cli/main.ts); it is not
 * imported by this module so that bundles importing populate (the extension) stay free
 * of sucrase and of a second copy of the runtime.
 */
export function setTypeScriptLoader(loader: TypeScriptLoader): void {
  typeScriptFallback = loader;
}

type TsxApi = { tsImport: (specifier: string, parent: string) => Promise<Record<string, unknown>> };

async function importTsx(): Promise<TsxApi | undefined> {
  try {
    return (await import('tsx/esm/api')) as TsxApi;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw e;
  }
}

function missingRuntimePackage(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && /['"]datajoint['"]/.test(e instanceof Error ? e.message : '');
}

export class PipelineLoadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PipelineLoadError';
  }
}

export async function loadPipelineModule(path: string, cwd = process.cwd()): Promise<Record<string, unknown>> {
  const abs = resolve(cwd, path);
  if (!existsSync(abs)) throw new PipelineLoadError(`Pipeline module not found: ${abs}`);
  const url = pathToFileURL(abs).href;
  try {
    if (/\.[cm]?tsx?$/i.test(abs)) {
      // tsx where it is installed (development); else, as inside an installed .vsix, the
      // bundled transpiler (transpile.ts). tsx cannot resolve the bare `datajoint` of a
      // workspace without that package: such a module goes through the hook too.
      const tsx = await importTsx();
      if (tsx) {
        try {
          return await tsx.tsImport(url, pathToFileURL(resolve(cwd, 'index.js')).href);
        } catch (e) {
          if (!missingRuntimePackage(e)) throw e;
        }
      }
      if (!typeScriptFallback) throw new PipelineLoadError(`TypeScript needs tsx (npm install -D tsx) or the djx CLI, which brings its own loader`);
      return typeScriptFallback(abs);
    }
    return (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw new PipelineLoadError(`Cannot load pipeline module ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** Every Computed/Imported class the module exports (directly, as default, or inside an exported object). */
export function autoPopulatedTables(mod: Record<string, unknown>): AutoPopulatedClass[] {
  const found = new Set<AutoPopulatedClass>();
  const visit = (v: unknown, depth: number) => {
    if (isAutoPopulatedClass(v)) found.add(v);
    else if (depth < 2 && v !== null && (typeof v === 'object' || typeof v === 'function')) {
      // Schema objects expose their classes as `tables` (a Map).
      const tables = (v as { tables?: unknown }).tables;
      if (tables instanceof Map) for (const t of tables.values()) visit(t, depth + 1);
      if (typeof v === 'object') for (const x of Object.values(v as Record<string, unknown>)) visit(x, depth + 1);
    }
  };
  for (const v of Object.values(mod)) visit(v, 0);
  return [...found];
}

/**
 * The table `populate` runs: exported by the module, with a make and a definition (a class
 * without them is refused here, before its table is declared).
 */
export function findTable(mod: Record<string, unknown>, name: string, path = 'the module'): AutoPopulatedClass {
  const tables = autoPopulatedTables(mod);
  const hit = tables.find((t) => t.name === name);
  if (hit) {
    try {
      hooksOf(hit);
    } catch (e) {
      throw new PipelineLoadError(`Cannot populate ${name} of ${path}: ${(e as Error).message}`);
    }
    return hit;
  }
  const known = tables.map((t) => t.name).sort();
  throw new PipelineLoadError(
    `No Computed or Imported table named ${name} is exported by ${path}` + (known.length ? `; it exports ${known.join(', ')}.` : '; it exports none.'),
  );
}
