// The packaged `djx` CLI with nothing installed: builds the .vsix (scripts/vscode/package-vsix.mjs),
// unpacks it into a temporary folder with no node_modules above it, and runs
// extension/dist/cli.js as the extension does: `lint` on the broken showcase, and
// `populate` (two worker processes, reserved jobs) of a TypeScript pipeline that imports
// `datajoint` and a sibling `./helper.js`, against the test MariaDB. tsx is absent
// there, so this exercises the bundled transpiler (runtime/populate/transpile.ts). Then the
// same CLI in a project with no server configured: the local database, served by the
// .vsix's own dist/embedded-server.js with the PGlite it ships (dist/pglite/).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { Connection } from '../../runtime/connection/index';
import { schemaName, testServer } from '../integration/runtime/helpers';

const repoRoot = resolve(import.meta.dirname, '..', '..');
let scratch: string;
let cli: string;
let vsixEntries: string[];
let vsixBytes: number;

/** Extracts a zip (stored or deflated entries) from its central directory; returns the entry names. */
function unzip(file: string, into: string): string[] {
  const buf = readFileSync(file);
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error(`${file}: not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory`);
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    names.push(name);
    if (name.endsWith('/')) continue;
    const target = resolve(into, name);
    if (!target.startsWith(resolve(into) + sep)) throw new Error(`${file}: entry ${name} escapes the folder`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, method === 0 ? data : method === 8 ? inflateRawSync(data) : assert.fail(`${name}: zip method ${method}`));
  }
  return names;
}

function dj(args: string[], cwd: string, env: Record<string, string> = {}) {
  // No NODE_PATH or NODE_OPTIONS from the caller: nothing may be resolved from elsewhere.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(NODE_|DJ_)/.test(k))) as Record<string, string>;
  return spawnSync(process.execPath, [cli, ...args], { cwd, env: { ...base, ...env }, encoding: 'utf8', timeout: 120_000 });
}

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'dj-vsix-cli-'));
  const { packageVsix } = (await import('../../scripts/vscode/package-vsix.mjs')) as { packageVsix(o: { out: string; say?: (l: string) => void }): Promise<string> };
  const vsix = await packageVsix({ out: join(scratch, 'datajoint-vscode.vsix'), say: () => undefined });
  vsixBytes = statSync(vsix).size;
  vsixEntries = unzip(vsix, join(scratch, 'unpacked'));
  cli = join(scratch, 'unpacked', 'extension', 'dist', 'cli.js');
});

after(async () => {
  rmSync(scratch, { recursive: true, force: true });
});

test('the .vsix holds only what runs: production bundles, grammars, icon, manifest, README, LICENSE, the Python runner', (t) => {
  t.diagnostic(`vsix: ${(vsixBytes / 1024 / 1024).toFixed(2)} MiB, ${vsixEntries.length} entries`);
  const files = vsixEntries.filter((n) => n.startsWith('extension/') && !n.endsWith('/')).map((n) => n.slice('extension/'.length));
  const pglite = ['dist/pglite/index.cjs', 'dist/pglite/pglite.wasm', 'dist/pglite/pglite.data', 'dist/pglite/initdb.wasm', 'dist/pglite/LICENSE'];
  for (const f of ['package.json', 'dist/extension.js', 'dist/client-runtime.js', 'dist/client-diagram.js', 'dist/diagram-webview.js', 'dist/rows-webview.js', 'dist/server.js', 'dist/cli.js', 'dist/embedded-server.js', ...pglite, 'syntaxes/datajoint.tmLanguage.json', 'client/media/datajoint.svg', 'python/datajoint_vscode_runner.py']) {
    assert.ok(files.includes(f), `${f} is in the .vsix`);
  }
  assert.ok(files.some((f) => /^license/i.test(f)), 'a license file');
  assert.ok(files.some((f) => /^readme/i.test(f)), 'a README');
  const unexpected = files.filter((f) => !pglite.includes(f) && !/^(package\.json|readme\.md|license(\.txt|\.md)?|changelog\.md|dist\/(extension|client-runtime|client-diagram|diagram-webview|rows-webview|server|cli|embedded-server)\.js|dist\/types\/.+\.d\.ts|syntaxes\/[^/]+\.json|client\/media\/[^/]+\.(svg|png)|client\/media\/walkthrough\/[^/]+\.md|python\/datajoint_vscode_runner\.py)$/i.test(f));
  assert.deepEqual(unexpected, [], 'nothing else (no node_modules, sources, maps or tests)');
  // Production bundles: minified, no source map reference.
  const ext = readFileSync(join(scratch, 'unpacked', 'extension', 'dist', 'extension.js'), 'utf8');
  assert.ok(!/\/\/# sourceMappingURL=\S+\s*$/.test(ext), 'no source map reference at the end of dist/extension.js');
  // Minified: long lines (template literals keep a few line breaks of their own).
  assert.ok(ext.length / ext.split('\n').length > 300, 'dist/extension.js is minified');
  // The runner as committed: the file the extension runs for Python tables.
  assert.equal(readFileSync(join(scratch, 'unpacked', 'extension', 'python', 'datajoint_vscode_runner.py'), 'utf8'), readFileSync(join(repoRoot, 'python', 'datajoint_vscode_runner.py'), 'utf8'));
});

test("the extension's page: the user's README, a 128x128 PNG icon, a walkthrough whose pages are all there", () => {
  const ext = join(scratch, 'unpacked', 'extension');
  const manifest = JSON.parse(readFileSync(join(ext, 'package.json'), 'utf8')) as {
    icon: string;
    contributes: { walkthroughs: Array<{ steps: Array<{ id: string; media: { markdown?: string; image?: string }; completionEvents: string[] }> }>; commands: Array<{ command: string }> };
  };
  const readme = readFileSync(join(ext, vsixEntries.map((n) => n.slice('extension/'.length)).find((n) => /^readme\.md$/i.test(n))!), 'utf8');
  assert.equal(readme, readFileSync(join(repoRoot, 'docs', 'extension', 'README.md'), 'utf8'), 'the README is docs/extension/README.md');
  assert.doesNotMatch(readme, /npm ci|npm test/, "not the repository's developer README");
  for (const section of ['## Connecting', '## Populate', '## Jobs', '## Commands', '## Settings']) assert.ok(readme.includes(section), section);
  // Every setting and command the manifest contributes is in the README.
  for (const c of manifest.contributes.commands) {
    const title = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { contributes: { commands: Array<{ command: string; title: string }> } }).contributes.commands.find((x) => x.command === c.command)!.title;
    if (!/^(Retry|Ignore|Clear|Show Error Stack|Retry and Populate|Count Rows|Open Definition|Refresh Jobs)$/.test(title)) assert.ok(readme.includes(title.replace('…', '')), `the README names the command ${title}`);
  }
  assert.ok(!/!\[[^\]]*\]\(/.test(readme), 'no images (none would resolve on the extension page)');
  const icon = readFileSync(join(ext, manifest.icon));
  assert.deepEqual([...icon.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'the icon is a PNG');
  assert.equal(icon.toString('latin1', 12, 16), 'IHDR');
  assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [128, 128], 'the icon is 128x128');
  const [walkthrough] = manifest.contributes.walkthroughs;
  assert.deepEqual(walkthrough.steps.map((s) => s.id), ['connect', 'openPipeline', 'populate', 'jobs']);
  for (const step of walkthrough.steps) {
    const page = step.media.markdown ?? step.media.image!;
    assert.ok(existsSync(join(ext, page)), `${step.id}: ${page} is in the .vsix`);
    assert.ok(step.completionEvents.length > 0, `${step.id} completes on an event`);
  }
  assert.ok(existsSync(join(ext, 'dist', 'types', 'index.d.ts')), 'the runtime declarations are shipped');
});

test('nothing to resolve from: no node_modules above the unpacked extension', () => {
  for (let d = join(scratch, 'unpacked', 'extension', 'dist'); ; d = dirname(d)) {
    assert.equal(existsSync(join(d, 'node_modules')), false, `${d}/node_modules must not exist`);
    if (dirname(d) === d) break;
  }
  const r = spawnSync(process.execPath, ['-e', "require.resolve('tsx/esm/api')"], { cwd: dirname(cli), encoding: 'utf8' });
  assert.notEqual(r.status, 0, 'tsx is not resolvable from the unpacked CLI');
});

test('djx lint from the .vsix reports the broken showcase with exit 1, and a clean file with exit 0', () => {
  const work = join(scratch, 'lint');
  cpSync(join(repoRoot, 'test', 'fixtures', 'lint', 'broken'), work, { recursive: true });
  const bad = dj(['lint', '.', '--format', 'json'], work);
  assert.equal(bad.status, 1, bad.stderr);
  const found = JSON.parse(bad.stdout) as Array<{ path: string; code: string; line: number }>;
  assert.ok(found.some((d) => d.code === 'DJ210' && d.path.endsWith('subject.py')), 'the Python error is reported');
  assert.ok(found.some((d) => d.path.endsWith('.ts')), 'TypeScript files are checked too');
  writeFileSync(join(work, 'clean.py'), 'import datajoint as dj\n\nclass Mouse(dj.Manual):\n    definition = """\n    mouse_id : int32\n    ---\n    name : varchar(32)\n    """\n');
  const good = dj(['lint', 'clean.py'], work);
  assert.equal(good.status, 0, good.stdout + good.stderr);
});

test('djx populate from the .vsix runs a TypeScript pipeline (reserved jobs, two processes) against MariaDB', async (t) => {
  const s = await testServer();
  const schema = schemaName('vsix_cli');
  const work = join(scratch, 'workspace');
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'helper.ts'), 'export const square = (n: number): number => n * n;\n');
  writeFileSync(
    join(work, 'pipeline.ts'),
    `import * as dj from 'datajoint';
import { square } from './helper.js';

export const schema = new dj.Schema(process.env.DJ_PIPELINE_SCHEMA as string);

export class Number_ extends dj.Lookup {
  static override definition = \`
    n : int32
  \`;
  static override contents = Array.from({ length: 12 }, (_, i) => ({ n: i + 1 }));
}

export class Square extends dj.Computed {
  static override definition = \`
    -> Number_
    ---
    sq : int64
    pid : int32
  \`;
  static override async make(key: dj.Row): Promise<void> {
    const n = key.n as number;
    if (n === 7 && process.env.DJ_FAIL_SEVEN === '1') throw new Error('seven is refused');
    await Square.insert1({ ...key, sq: BigInt(square(n)), pid: process.pid });
  }
}

schema.register(Number_, Square);
`,
  );
  const env = { DJ_HOST: s.host, DJ_PORT: String(s.port), DJ_USER: s.user, DJ_PASS: s.password, DJ_USE_TLS: 'false', DJ_PIPELINE_SCHEMA: schema };
  const conn = await Connection.connect({ host: s.host, port: s.port, user: s.user, password: s.password, ignoreConfigFile: true, env: {} });
  try {
    const first = dj(['populate', 'pipeline.ts', 'Square', '--reserve-jobs', '--processes', '2', '--suppress-errors'], work, { ...env, DJ_FAIL_SEVEN: '1' });
    t.diagnostic(first.stderr.trim());
    assert.equal(first.status, 1, `one key fails: ${first.stderr}`);
    const rows = (await conn.query(`SELECT n, sq FROM \`${schema}\`.\`__square\` ORDER BY n`)) as Array<{ n: number; sq: number | bigint | string }>;
    assert.deepEqual(
      rows.map((r) => [r.n, Number(r.sq)]),
      [1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12].map((n) => [n, n * n]),
    );
    const jobs = dj(['jobs', 'list', 'pipeline.ts', '--table', 'Square', '--status', 'error', '--stack', '--json'], work, env);
    assert.equal(jobs.status, 0, jobs.stderr);
    assert.match(jobs.stdout, /seven is refused/);
    // sucrase keeps line numbers: the stored stack points at the user's file and line.
    assert.match(jobs.stdout, /pipeline\.ts:22/);

    assert.equal(dj(['jobs', 'retry', 'pipeline.ts', '--table', 'Square'], work, env).status, 0);
    const second = dj(['populate', 'pipeline.ts', 'Square', '--reserve-jobs', '--processes', '2'], work, env);
    assert.equal(second.status, 0, second.stderr);
    const [{ c }] = (await conn.query(`SELECT count(*) AS c FROM \`${schema}\`.\`__square\``)) as Array<{ c: number | bigint }>;
    assert.equal(Number(c), 12);
  } finally {
    await conn.execute(`DROP DATABASE IF EXISTS \`${schema}\``);
    await conn.close();
    if (!process.env.DJ_TEST_HOST) await s.stop();
  }
});

test('with no server configured, djx from the .vsix populates on the local database it serves itself (no node_modules): status, export', async (t) => {
  const work = join(scratch, 'local');
  mkdirSync(work, { recursive: true });
  writeFileSync(
    join(work, 'pipeline.ts'),
    `import * as dj from 'datajoint';

export const schema = new dj.Schema('vsix_local');

export class Number_ extends dj.Lookup {
  static override definition = \`
    n : int32
  \`;
  static override contents = Array.from({ length: 6 }, (_, i) => ({ n: i + 1 }));
}

export class Square extends dj.Computed {
  static override definition = \`
    -> Number_
    ---
    sq : int64
  \`;
  static override async make(key: dj.Row): Promise<void> {
    const n = key.n as number;
    await Square.insert1({ ...key, sq: BigInt(n * n) });
  }
}

schema.register(Number_, Square);
`,
  );
  // No DJ_* from the caller (dj() drops them): nothing names a server. The server exits soon
  // after its last client, and is stopped below in any case.
  const env = { DJ_EMBEDDED_IDLE_MS: '2000' };
  let pid: number | undefined;
  try {
    const run = dj(['populate', 'pipeline.ts', 'Square', '--reserve-jobs', '--processes', '2'], work, env);
    t.diagnostic(run.stderr.trim());
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.ok(existsSync(join(work, '.datajoint', 'pgdata', 'PG_VERSION')), 'the local database was created in the project');
    const status = dj(['db', 'status', '--json'], work, env);
    assert.equal(status.status, 0, status.stderr);
    const s = JSON.parse(status.stdout) as { label: string; exists: boolean; served: boolean; pid?: number; default: boolean };
    assert.equal(s.label, 'Local database — this workspace');
    assert.equal(s.exists, true);
    assert.equal(s.default, true);
    if (s.served) pid = s.pid;
    const file = join(scratch, 'local.sql');
    const exported = dj(['db', 'export', file], work, env);
    assert.equal(exported.status, 0, exported.stderr);
    const sql = readFileSync(file, 'utf8');
    assert.match(sql, /CREATE TABLE "vsix_local"\."__square"/);
    assert.match(sql, /INSERT INTO "vsix_local"\."__square"/, 'the computed rows are exported');
    const again = JSON.parse(dj(['db', 'status', '--json'], work, env).stdout) as { served: boolean; pid?: number };
    if (again.served) pid = again.pid;
  } finally {
    if (pid) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* gone already */
      }
      // Its exit, as the discovery file says (removed on a clean exit).
      for (;;) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
});
