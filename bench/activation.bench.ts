// What activation costs before VS Code is involved: the production dist/extension.js
// (minified, as in the .vsix) required in a fresh plain Node process with a stand-in
// `vscode` module, BENCH_ROUNDS times, plus the bundle's largest packages (what its
// require evaluates). The figure inside a real extension host (activate() of the
// installed extension, code loading included) is bench/extension.bench.ts.
// Run: npm run bench:activation   (target: activation adds < 150 ms to startup)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';

const repoRoot = resolve(import.meta.dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const TARGET_MS = 150;

// A `vscode` whose every member is a callable object, except `then` (so it is never
// taken for a promise): enough for a module's top level to evaluate.
const STUB = `
const Module = require('module');
const make = () => new Proxy(function () {}, {
  get: (_t, k) => (k === 'then' ? undefined : k === Symbol.toPrimitive ? () => '' : make()),
  apply: () => make(),
  construct: () => make(),
});
const vscode = make();
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'vscode' ? vscode : load.call(this, request, ...rest);
};
`;

const PROBE = `
const { performance } = require('perf_hooks');
const t0 = performance.now();
require(process.argv[1]);
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms }));
`;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dj-bench-activation-'));
  try {
    const bundle = join(dir, 'extension.js');
    // The extension bundle exactly as scripts/build.mjs --production makes it (the
    // database runtime it loads on first Connect is a separate bundle, not required here).
    // @ts-expect-error: plain ESM script without type declarations
    const { bundleOptions } = (await import('../scripts/build.mjs')) as { bundleOptions(o: { production: boolean }): Array<{ outfile: string } & Record<string, unknown>> };
    const options = bundleOptions({ production: true }).find((o) => o.outfile === 'dist/extension.js')!;
    const result = await build({ ...options, absWorkingDir: repoRoot, outfile: bundle, logLevel: 'error', metafile: true });
    const stub = join(dir, 'vscode-stub.cjs');
    writeFileSync(stub, STUB);
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const r = spawnSync(process.execPath, ['-r', stub, '-e', PROBE, bundle], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`requiring the bundle failed: ${r.stderr}`);
      times.push((JSON.parse(r.stdout) as { ms: number }).ms);
    }
    const p50 = pct(times, 50);
    console.log(`dist/extension.js (production, ${(statSync(bundle).size / 1024).toFixed(0)} KiB): require in plain Node, ${ROUNDS} fresh processes: p50 ${p50.toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms`);
    console.log(`ratio to the ${TARGET_MS} ms activation target: ${(p50 / TARGET_MS).toFixed(2)} (code loading only; activate() itself is measured in VS Code by npm run bench:extension)`);
    console.log('largest packages in the bundle (all evaluated by require unless imported lazily):');
    for (const [name, bytes] of packages(result.metafile!).slice(0, 8)) console.log(`  ${name.padEnd(40)} ${(bytes / 1024).toFixed(0).padStart(5)} KiB of source`);
    const ok = p50 < TARGET_MS;
    console.log(ok ? 'target met' : 'TARGET MISSED');
    if (!ok) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Bytes of bundled input per npm package (and `ours` for the repository's sources). */
function packages(meta: Metafile): Array<[string, number]> {
  const out = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(meta.outputs[Object.keys(meta.outputs)[0]!]!.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const name = m ? m[1]! : `ours: ${path.split('/')[0]}/`;
    out.set(name, (out.get(name) ?? 0) + bytesInOutput);
  }
  return [...out].sort((a, b) => b[1] - a[1]);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
