// "DataJoint: Set Up TypeScript Types": makes `import * as dj from 'datajoint'` type-check
// in a workspace that has no `datajoint` package, in one step:
//   .datajoint/datajoint/          a declarations-only package (package.json, index.d.ts,
//                                  the runtime's declarations under types/, index.js)
//   tsconfig.json                  compilerOptions.paths: { "datajoint": [that folder] }
// A `paths` entry rather than a copy in node_modules: npm install prunes packages it does
// not know, while tsconfig.json and .datajoint/ stay as written (and can be committed for
// CI). At run time the djx CLI gives pipelines its own runtime: tsx follows the same
// `paths` entry to index.js, which hands over the runtime the CLI registered
// (runtime/populate/runtime-global.ts); outside the CLI, index.js says what to do.
// No vscode import: the unit tests run this on a temporary project with the real tsc.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { applyEdits, modify, parse, type ParseError } from 'jsonc-parser';
import { RUNTIME_GLOBAL } from '../../runtime/populate/runtime-global';

/** The package folder, relative to the workspace folder. */
export const SHIM_DIR = join('.datajoint', 'datajoint');

export interface TypesSetupResult {
  /** The package folder written. */
  shimDir: string;
  tsconfig: string;
  /** tsconfig.json did not exist and was written. */
  createdTsconfig: boolean;
  /** Neither `@types/node` nor `node` types resolve from the folder: Buffer, used by the declarations, is unknown. */
  nodeTypesMissing: boolean;
}

export class TypesSetupError extends Error {
  override name = 'TypesSetupError';
}

function shimIndexJs(): string {
  return [
    '// Written by DataJoint for VS Code ("DataJoint: Set Up TypeScript Types"): the types of',
    "// `import * as dj from 'datajoint'` are in index.d.ts. At run time the djx CLI (and the",
    "// extension's Populate) provide the runtime; run pipelines with `djx populate`, or install",
    '// a datajoint package and remove the "datajoint" entry of tsconfig.json\'s paths.',
    "'use strict';",
    `const runtime = globalThis[Symbol.for(${JSON.stringify(RUNTIME_GLOBAL)})];`,
    'if (!runtime) {',
    "  throw new Error(\"'datajoint' here is a declarations-only package (.datajoint/datajoint): run the pipeline with the djx CLI (djx populate), or install a datajoint package and remove the datajoint entry of tsconfig.json's paths\");",
    '}',
    'module.exports = runtime;',
    '',
  ].join('\n');
}

/** The `paths` entry from the tsconfig's folder (or its baseUrl, which paths are relative to). */
function pathsTarget(tsconfigDir: string, baseUrl: unknown, shimDir: string): string {
  const base = typeof baseUrl === 'string' ? resolve(tsconfigDir, baseUrl) : tsconfigDir;
  const rel = relative(base, shimDir).split(sep).join('/');
  return rel === '..' || rel.startsWith('../') ? rel : `./${rel}`;
}

function nodeTypesResolve(folder: string): boolean {
  const req = createRequire(join(folder, 'package.json'));
  try {
    req.resolve('@types/node/package.json');
    return true;
  } catch {
    return false;
  }
}

const NEW_TSCONFIG = (target: string) => ({
  compilerOptions: {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    paths: { datajoint: [target] },
  },
});

/**
 * Writes the package and the tsconfig entry into `folder`. `declarations`: the runtime's
 * .d.ts tree (dist/types of the extension, built by scripts/build.mjs --types).
 */
export function setUpTypeScriptTypes(folder: string, declarations: string, version: string): TypesSetupResult {
  if (!existsSync(join(declarations, 'index.d.ts'))) {
    throw new TypesSetupError(`The runtime's type declarations are missing (${declarations}): build them with \`npm run build:types\` (the .vsix ships them).`);
  }
  const shimDir = join(folder, SHIM_DIR);
  rmSync(join(shimDir, 'types'), { recursive: true, force: true });
  mkdirSync(shimDir, { recursive: true });
  cpSync(declarations, join(shimDir, 'types'), { recursive: true });
  const pkg = {
    name: 'datajoint',
    version,
    private: true,
    description: 'Type declarations of the DataJoint runtime bundled with DataJoint for VS Code, written by "DataJoint: Set Up TypeScript Types". Run again after updating the extension.',
    main: './index.js',
    types: './index.d.ts',
  };
  writeFileSync(join(shimDir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  // Buffer and NodeJS.* appear in the declarations: ask for Node's types explicitly, so
  // that their absence is one clear error instead of many.
  writeFileSync(join(shimDir, 'index.d.ts'), "/// <reference types=\"node\" />\nexport * from './types/index';\n");
  writeFileSync(join(shimDir, 'index.js'), shimIndexJs());

  const tsconfig = join(folder, 'tsconfig.json');
  const createdTsconfig = !existsSync(tsconfig);
  if (createdTsconfig) {
    writeFileSync(tsconfig, JSON.stringify(NEW_TSCONFIG(pathsTarget(folder, undefined, shimDir)), null, 2) + '\n');
  } else {
    const text = readFileSync(tsconfig, 'utf8');
    const errors: ParseError[] = [];
    const parsed = parse(text, errors, { allowTrailingComma: true }) as { compilerOptions?: { baseUrl?: unknown; skipLibCheck?: unknown } } | undefined;
    if (errors.length || parsed === null || typeof parsed !== 'object') {
      throw new TypesSetupError(`${tsconfig} is not valid JSON (with comments): fix it, or add "paths": { "datajoint": ["./${SHIM_DIR.split(sep).join('/')}"] } to its compilerOptions by hand.`);
    }
    const format = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: text.includes('\r\n') ? '\r\n' : '\n' } };
    let out = applyEdits(text, modify(text, ['compilerOptions', 'paths', 'datajoint'], [pathsTarget(dirname(tsconfig), parsed.compilerOptions?.baseUrl, shimDir)], format));
    // Errors inside declaration files (e.g. of packages the runtime's types name, such as
    // mysql2, absent from the workspace) are not the pipeline's: tsc --init's default.
    if (parsed.compilerOptions?.skipLibCheck === undefined) out = applyEdits(out, modify(out, ['compilerOptions', 'skipLibCheck'], true, format));
    if (out !== text) writeFileSync(tsconfig, out);
  }
  return { shimDir, tsconfig, createdTsconfig, nodeTypesMissing: !nodeTypesResolve(folder) };
}
