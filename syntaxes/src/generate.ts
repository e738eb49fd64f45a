// Writes the grammar JSON files from rules.ts and grammars.ts. Run after editing either:
//   node --import tsx syntaxes/src/generate.ts
// test/syntax/generated.test.ts fails while the committed files are out of date.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { grammarFiles, serialize } from './grammars';

const root = fileURLToPath(new URL('../..', import.meta.url));
for (const { path, grammar } of grammarFiles()) {
  writeFileSync(join(root, path), serialize(grammar));
  console.log(`wrote ${path}`);
}
