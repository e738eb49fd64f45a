// The extension in a real VS Code (the offline one, scripts/vscode/run-offline.mjs):
// activation time, code loading included (target < 150 ms), and loading the Tables view
// for a schema of 200 tables (target < 500 ms). Each round is a fresh VS Code window. Then
// the diagram of 300 tables laid out and drawn (target < 1 s) and the rows grid's first page
// of a 1,000,000-row table (target < 300 ms).
// Run: npm run bench:extension   (BENCH_WINDOWS=5 windows by default)
import { cpSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Connection } from '../runtime/connection/index';
import { benchDatabase, declareManyTables } from './bench-database';
import { benchDiagram300 } from './extension/diagram-300';
import { benchRowsFirstPage } from './extension/rows-first-page';

const repoRoot = resolve(import.meta.dirname, '..');
const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 5);
const TABLES = 200;
const SCHEMA = 'bench_tables_view';


// Users run the minified bundles of the .vsix, so that is what is measured: the manifest,
// grammars and icons beside production bundles, in a folder of its own (dist/ is left
// alone: other test runs may be using it). Options as in scripts/build.mjs --production.
async function stageProductionExtension(): Promise<string> {
  const { build } = await import('esbuild');
  const dir = join(repoRoot, '.tmp', 'bench-extension');
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(repoRoot, 'package.json'), join(dir, 'package.json'));
  for (const folder of ['syntaxes', join('client', 'media')]) {
    if (existsSync(join(repoRoot, folder))) cpSync(join(repoRoot, folder), join(dir, folder), { recursive: true });
  }
  // The bundles of the .vsix (extension, its lazily loaded runtime, server), from the
  // same options as scripts/build.mjs --production.
  // @ts-expect-error: plain ESM script without type declarations
  const { bundleOptions } = (await import('../scripts/build.mjs')) as { bundleOptions(o: { production: boolean }): Array<{ outfile: string } & Record<string, unknown>> };
  for (const options of bundleOptions({ production: true })) {
    if (options.outfile === 'dist/cli.js') continue;
    await build({ ...options, absWorkingDir: repoRoot, outfile: join(dir, options.outfile), logLevel: 'warning' });
  }
  return dir;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function main(): Promise<void> {
  const extensionDir = await stageProductionExtension();
  const { buildExtensionTests, benchIndex } = await import('../scripts/vscode/build-tests.mjs');
  const { runOffline } = await import('../scripts/vscode/run-offline.mjs');
  await buildExtensionTests();

  const db = await benchDatabase();
  const scratch = mkdtempSync(join(tmpdir(), 'dj-bench-ext-'));
  try {
    // 200 tables in DataJoint's layout: lookups, manual tables referencing them, computed ones.
    const conn = await Connection.connect({ host: db.host, port: db.port, user: db.user, password: db.password, ignoreConfigFile: true, env: {} });
    await declareManyTables(conn, SCHEMA, TABLES);
    await conn.close();

    const workspace = join(scratch, 'workspace');
    cpSync(join(repoRoot, 'test', 'fixtures', 'vscode-workspace'), workspace, { recursive: true });
    const activation: number[] = [];
    const tables: number[] = [];
    for (let w = 0; w < WINDOWS; w++) {
      const results = join(scratch, `results-${w}.json`);
      const outcome = await runOffline({
        extensionTestsPath: benchIndex,
        extensionDevelopmentPath: extensionDir,
        workspace,
        screenshotsDir: join(repoRoot, 'test-results', 'bench-extension'),
        env: {
          DJ_VSCODE_RESULTS_FILE: results,
          DJ_BENCH_SCHEMA: SCHEMA,
          DJ_HOST: db.host,
          DJ_PORT: String(db.port),
          DJ_USER: db.user,
          DJ_PASS: db.password,
        },
        say: () => undefined,
      });
      if (outcome.exitCode !== 0) throw new Error(`VS Code run ${w + 1} failed${outcome.reason ? ` (${outcome.reason})` : ''}; log ${outcome.logFile}`);
      const r = JSON.parse(readFileSync(results, 'utf8')) as { activationMs: number; tablesMs: number[]; tableCount: number };
      if (r.tableCount !== TABLES) throw new Error(`the Tables view listed ${r.tableCount} tables, expected ${TABLES}`);
      activation.push(r.activationMs);
      // The first load of a window includes loading the runtime and the first queries.
      tables.push(...r.tablesMs);
    }
    const fmt = (n: number) => `${n.toFixed(1)} ms`;
    console.log(`extension activation (${WINDOWS} windows): p50 ${fmt(pct(activation, 50))}, max ${fmt(Math.max(...activation))}  (target p50 < 150 ms)`);
    console.log(`Tables view, ${TABLES} tables (${tables.length} loads): p50 ${fmt(pct(tables, 50))}, p95 ${fmt(pct(tables, 95))}, max ${fmt(Math.max(...tables))}  (target < 500 ms)`);
    // The diagram's layout and drawing, and the rows grid's first page of a 1,000,000-row
    // table: the runtime code the panels run, measured in this process.
    const more = [...(await benchDiagram300()), ...(await benchRowsFirstPage(db))];
    for (const line of more) console.log(line);
    const ok = pct(activation, 50) < 150 && pct(tables, 95) < 500 && !more.some((l) => l.includes('MISSED'));
    console.log(ok ? 'targets met' : 'TARGET MISSED');
    if (!ok) process.exitCode = 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await db.stop();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
