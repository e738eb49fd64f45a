// One rule for which files count (runtime/hosts/files.ts): the language server's walk and
// `djx lint`'s agree file for file, .tsx/.jsx included, declaration files, dependency,
// virtual-environment, dot and git-ignored folders excluded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { languageOfPath, sourceFiles } from '../../../runtime/hosts/files';
import { sourceFiles as serverSourceFiles } from '../../../server/workspace/scan';
import { hostLanguageOfPath } from '../../../server/documents/languages';
import { collectFiles } from '../../../runtime/cli/lint/files';
import { tempTree } from '../temp-tree';

const TS = 'export class T {}\n';

const tree = (files: Record<string, string>): string => tempTree(files, 'dj-files-');

test('languageOfPath: one answer for the server and the linter, .tsx and .jsx included, .d.ts excluded', () => {
  const cases: Array<[string, string | undefined]> = [
    ['a.py', 'python'], ['a.pyi', 'python'], ['a.ts', 'typescript'], ['a.tsx', 'typescript'], ['a.mts', 'typescript'], ['a.cts', 'typescript'],
    ['a.js', 'javascript'], ['a.jsx', 'javascript'], ['a.mjs', 'javascript'], ['a.cjs', 'javascript'], ['A.PY', 'python'],
    ['a.d.ts', undefined], ['a.d.mts', undefined], ['a.json', undefined], ['dir.py/file', undefined], ['README', undefined],
  ];
  for (const [p, lang] of cases) {
    assert.equal(languageOfPath(p), lang, p);
    assert.equal(hostLanguageOfPath(p), lang, `server: ${p}`);
  }
});

test('the server\'s walk and djx lint\'s pick the same files', async () => {
  const root = tree({
    '.git/HEAD': 'ref: refs/heads/main\n',
    '.gitignore': 'build/\nignored.py\n',
    'pipeline.py': '', 'ui/view.tsx': TS, 'ui/old.jsx': TS, 'types/index.d.ts': TS, 'ignored.py': '', 'build/gen.py': '',
    'node_modules/dep/index.js': TS, '.venv/lib/x.py': '', 'env3/pyvenv.cfg': '', 'env3/lib/y.py': '', '.hidden/h.py': '',
    '__pycache__/c.py': '', 'sub/.gitignore': 'local.py\n', 'sub/local.py': '', 'sub/kept.py': '',
  });
  const walked: string[] = [];
  for await (const f of sourceFiles(root)) walked.push(path.relative(root, f));
  const server: string[] = [];
  for await (const f of serverSourceFiles(root)) server.push(path.relative(root, f));
  const linted = (await collectFiles(['.'], root)).map((f) => path.relative(root, f));
  const expected = ['pipeline.py', 'sub/kept.py', 'ui/old.jsx', 'ui/view.tsx'];
  assert.deepEqual(walked.sort(), expected);
  assert.deepEqual(server.sort(), expected);
  assert.deepEqual(linted.sort(), expected);
  // A file named on the command line counts by the same rule: a .tsx is linted, a .d.ts refused.
  assert.deepEqual((await collectFiles(['ui/view.tsx'], root)).map((f) => path.relative(root, f)), ['ui/view.tsx']);
  await assert.rejects(collectFiles(['types/index.d.ts'], root), /not a Python, TypeScript or JavaScript file/);
});

test('a folder below the repository top honours the .gitignore files above it', async () => {
  const root = tree({ '.git/HEAD': '', '.gitignore': 'generated/\n', 'lab/pipeline.py': '', 'lab/generated/t.py': '' });
  const inner = path.join(root, 'lab');
  const walked: string[] = [];
  for await (const f of sourceFiles(inner)) walked.push(path.relative(inner, f));
  assert.deepEqual(walked, ['pipeline.py']);
  assert.deepEqual((await collectFiles(['.'], inner)).map((f) => path.relative(inner, f)), ['pipeline.py']);
});
