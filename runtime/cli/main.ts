// Entry of the bundled CLI (dist/cli.js, run by bin/djx.js).
import { run } from './program';
import { setTypeScriptLoader } from '../populate/load';
import { requireTypeScript } from '../populate/transpile';
import { tolerateClosedOutput } from './closed-output';
import { shareRuntime } from '../populate/runtime-global';
import * as runtime from '../index';
import { ERROR_PREFIX } from './name';

// Pipelines in TypeScript load with tsx where installed, else with the bundled
// transpiler (inside an installed .vsix there is no node_modules).
setTypeScriptLoader(requireTypeScript);
shareRuntime(runtime);
tolerateClosedOutput();

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${ERROR_PREFIX}${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
