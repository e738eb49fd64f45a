// "DataJoint: Set Up TypeScript Types" on a temporary project: a standalone pipeline
// written with `import * as dj from 'datajoint'` fails `tsc --noEmit` ("Cannot find module
// 'datajoint'") before the setup step and passes after it, with a new tsconfig.json and
// with an existing one (comments kept); the djx CLI then loads the pipeline through the
// written package (tsx follows the tsconfig paths entry) with its own runtime.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setUpTypeScriptTypes, SHIM_DIR, TypesSetupError } from '../../../client/types/typesSetup';

const repo = resolve(__dirname, '..', '..', '..');
const TSC = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
let declarations: string;

// What a make needs, from the public module: tables, rows, blobs as NDArray and tuples.
const PIPELINE = `import * as dj from 'datajoint';
import { NDArray, BlobTuple, type Row } from 'datajoint';

export const schema = new dj.Schema('my_lab');

export class Recording extends dj.Manual {
  static override definition = \`
    recording_id : int32
    ---
    samples : <blob>
  \`;
}

export class Stats extends dj.Computed {
  static override definition = \`
    -> Recording
    ---
    mean : float64
    summary : <blob>
  \`;

  static override async make(key: Row): Promise<void> {
    const { samples } = await Recording.restrict(key).fetch1<{ samples: NDArray }>();
    const values = Array.from(samples.data as Float64Array);
    const mean = values.reduce((a, v) => a + v, 0) / Math.max(values.length, 1);
    const summary = new BlobTuple([mean, new NDArray('float64', [1], new Float64Array([mean]))]);
    await Stats.insert1({ ...key, mean, summary });
  }
}

schema.register(Recording, Stats);
`;

before(async () => {
  // The declarations as the .vsix ships them (scripts/build.mjs --types), built once here.
  declarations = mkdtempSync(join(tmpdir(), 'dj-types-'));
  // @ts-expect-error: plain ESM script without type declarations
  const { buildTypes } = (await import('../../../scripts/build.mjs')) as { buildTypes(out: string): Promise<void> };
  await buildTypes(declarations);
});

/** A project folder with the pipeline, and Node's types installed as a user would (npm i -D @types/node). */
function project(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'dj-types-project-'));
  writeFileSync(join(dir, 'pipeline.ts'), PIPELINE);
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
  symlinkSync(join(repo, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'), 'dir');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function tsc(dir: string, args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [TSC, '--noEmit', ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

test('before the setup, the pipeline does not type-check: datajoint is not found', () => {
  const dir = project();
  const r = tsc(dir, ['--strict', '--target', 'ES2022', '--module', 'ESNext', '--moduleResolution', 'Bundler', '--skipLibCheck', 'pipeline.ts']);
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /Cannot find module 'datajoint'/);
});

test('with no tsconfig.json: the setup writes the package and a tsconfig; tsc --noEmit passes', () => {
  const dir = project();
  const result = setUpTypeScriptTypes(dir, declarations, '0.1.0');
  assert.equal(result.createdTsconfig, true);
  assert.equal(result.nodeTypesMissing, false);
  assert.ok(existsSync(join(dir, SHIM_DIR, 'types', 'index.d.ts')));
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8')).compilerOptions.paths, { datajoint: ['./.datajoint/datajoint'] });
  const r = tsc(dir, ['-p', '.']);
  assert.equal(r.code, 0, r.out);
});

test('with an existing tsconfig.json (comments, baseUrl): the entry is added, comments kept; tsc passes; a second run changes nothing', () => {
  const existing = '{\n  // the lab\'s settings\n  "compilerOptions": {\n    "strict": true,\n    "target": "ES2022",\n    "module": "NodeNext",\n    "baseUrl": "./src",\n  },\n  "include": ["*.ts"]\n}\n';
  const dir = project({ 'tsconfig.json': existing });
  mkdirSync(join(dir, 'src'));
  setUpTypeScriptTypes(dir, declarations, '0.1.0');
  const written = readFileSync(join(dir, 'tsconfig.json'), 'utf8');
  assert.match(written, /\/\/ the lab's settings/);
  assert.match(written, /"datajoint": \[\s*"\.\.\/\.datajoint\/datajoint"\s*\]/);
  assert.match(written, /"skipLibCheck": true/);
  const r = tsc(dir, ['-p', '.']);
  assert.equal(r.code, 0, r.out);
  setUpTypeScriptTypes(dir, declarations, '0.1.0');
  assert.equal(readFileSync(join(dir, 'tsconfig.json'), 'utf8'), written);
});

test('a tsconfig.json that is not JSON is left alone with a clear error; missing declarations are named', () => {
  const dir = project({ 'tsconfig.json': '{ "compilerOptions": { ' });
  assert.throws(() => setUpTypeScriptTypes(dir, declarations, '0.1.0'), (e: unknown) => e instanceof TypesSetupError && /tsconfig\.json is not valid JSON/.test(e.message));
  assert.equal(readFileSync(join(dir, 'tsconfig.json'), 'utf8'), '{ "compilerOptions": { ');
  assert.throws(() => setUpTypeScriptTypes(dir, join(dir, 'nowhere'), '0.1.0'), /type declarations are missing/);
});

test('after the setup, dj loads the pipeline through the written package and gives it the CLI runtime', () => {
  const dir = project();
  setUpTypeScriptTypes(dir, declarations, '0.1.0');
  const cli = join(repo, 'dist', 'cli.js');
  if (!existsSync(cli)) assert.equal(spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repo, stdio: 'inherit' }).status, 0);
  const r = spawnSync(process.execPath, [cli, 'populate', 'pipeline.ts', 'Missing'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.stderr, 'djx: No Computed or Imported table named Missing is exported by pipeline.ts; it exports Stats.\n');
  assert.equal(r.status, 2);
  // Outside the CLI the package says what it is.
  const plain = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(join(dir, SHIM_DIR))})`], { encoding: 'utf8' });
  assert.notEqual(plain.status, 0);
  assert.match(plain.stderr, /declarations-only package/);
});
