// Entry of the bundled CLI (dist/cli.js, run by bin/dj.js).
import { run } from './program';

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`dj: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
