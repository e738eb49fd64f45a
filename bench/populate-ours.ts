// Our side of bench/populate.bench.ts's comparison with DataJoint for Python, the twin of
// test/fixtures/python/bench_populate.py: the bench pipeline's Trivial populated by our
// populate(), in a process of its own that stays up between runs.
//
//   (bundled by bench/populate.bench.ts, then) node populate-ours.js
//   then one line per run on stdin: `direct` or `reserved`
//
// It runs as the .vsix ships the runtime: one esbuild bundle with the options of
// dist/cli.js (scripts/build.mjs: bundleOptions), not through tsx, whose development-time
// transform (keepNames' __name on every closure, the ESM loader's hooks) costs ours about
// a tenth of a short make's key and is not what a user's populate runs.
//
// Each line answers one JSON line on stdout: {"count": success_count, "errors": n,
// "seconds": wall time of the populate() call}, or {"error": message} when populate()
// threw. Environment: DJ_HOST, DJ_PORT, DJ_USER, DJ_PASS, DJ_PIPELINE_SCHEMA.
import { createInterface } from 'node:readline';
import { populate } from '../runtime/populate/index';
import { Trivial, schema } from '../test/fixtures/pipelines/bench';
import { version } from '../package.json';

const say = (answer: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(answer)}\n`);

async function main(): Promise<void> {
  const conn = await schema.connection();
  say({ ready: version });
  for await (const line of createInterface({ input: process.stdin })) {
    const mode = line.trim();
    if (!mode) continue;
    if (mode !== 'direct' && mode !== 'reserved') {
      say({ error: `unknown mode ${JSON.stringify(mode)}` });
      continue;
    }
    // As the reference: errors not suppressed (a failing key ends the run).
    const t = performance.now();
    try {
      const r = await populate(Trivial, { reserveJobs: mode === 'reserved' });
      say({ count: r.successCount, errors: r.errorList.length, seconds: (performance.now() - t) / 1000 });
    } catch (e) {
      say({ error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  }
  await conn.close();
}

main().catch((e: unknown) => {
  say({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  process.exitCode = 1;
});
