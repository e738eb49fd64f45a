// The README's first command. Until the runtime can populate, the demo lints the
// example pipelines with the bundled `dj` (dist/cli.js).
import { spawnSync } from 'node:child_process';
const b = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (b.status !== 0) process.exit(b.status ?? 1);
const r = spawnSync(process.execPath, ['dist/cli.js', 'lint', 'examples/'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
