// Prints the tokens of a fixture as the snapshots show them, for looking at a grammar change:
//   node --import tsx test/syntax/print-tokens.ts definitions.py source.python [real|stand-in]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, formatSnapshot, registry, tokenize, type HostSet } from './textmate';

const [file, scopeName, hosts = 'real'] = process.argv.slice(2);
if (!file || !scopeName || (hosts !== 'real' && hosts !== 'stand-in')) {
  console.error('usage: print-tokens.ts <fixture under test/fixtures/syntax> <scope name> [real|stand-in]');
  process.exit(2);
}
void tokenize(registry(hosts as HostSet), scopeName, readFileSync(join(FIXTURES, file), 'utf8')).then(
  (lines) => process.stdout.write(formatSnapshot(lines)),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
