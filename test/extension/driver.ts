// Shared by the node:test drivers of the extension tests: runs the mocha suites
// (test/extension/suite) inside a real VS Code, the offline one from the npm package
// code-server driven by Chromium (scripts/vscode/run-offline.mjs), and reports each
// VS Code test as a subtest. The database of the run (DJ_TEST_*) and the interpreter with
// the real DataJoint for Python (DJ_TEST_PYTHON, scripts/python-env.mjs) reach the extension
// host through the environment of the VS Code server, which the extension host inherits.
import type { TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { TestRecord } from './suite/index';

const repoRoot = resolve(import.meta.dirname, '..', '..');

interface TestDatabase {
  host: string;
  port: number;
  user: string;
  password: string;
  stop(): Promise<void>;
}

interface RunOutcome {
  exitCode: number;
  reason?: string;
  logFile: string;
  screenshots: string[];
}

function readRecords(file: string): TestRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as TestRecord);
}

function logTail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface SuiteRunOptions {
  /** Test this .vsix installed into VS Code instead of the repository's folder. */
  vsix?: string;
  /** Where screenshots and the log go (under test-results/). */
  resultsName: string;
}

export async function runSuitesInVsCode(t: TestContext, options: SuiteRunOptions): Promise<void> {
  // npm test builds the bundles first; a direct run of this file may not have.
  if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) {
    const b = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
    assert.equal(b.status, 0, 'building the extension failed');
  }
  const { buildExtensionTests } = await import('../../scripts/vscode/build-tests.mjs');
  const { prepareOffline } = await import('../../scripts/vscode/prepare-offline.mjs');
  const { runOffline } = await import('../../scripts/vscode/run-offline.mjs');
  const testsIndex: string = await buildExtensionTests();
  // npm test passes a database; a direct run of this file starts its own.
  let db: TestDatabase | undefined;
  if (!process.env.DJ_TEST_HOST) {
    // A path in a variable: scripts/mariadb.mjs is plain JavaScript without declarations.
    const mariadbScript = '../../scripts/mariadb.mjs';
    const { startMariaDB } = (await import(mariadbScript)) as { startMariaDB(): Promise<TestDatabase> };
    const started = await startMariaDB();
    db = started;
    t.diagnostic(`started MariaDB on ${started.host}:${started.port}`);
  }
  const dbEnv: Record<string, string> = db
    ? { DJ_TEST_HOST: db.host, DJ_TEST_PORT: String(db.port), DJ_TEST_USER: db.user, DJ_TEST_PASSWORD: db.password }
    : {};
  t.after(() => db?.stop());
  // npm test passes the Python environment; a direct run of this file makes (or reuses) it.
  const pythonEnv: Record<string, string> = {};
  if (!process.env.DJ_TEST_PYTHON) {
    const pythonScript = '../../scripts/python-env.mjs';
    const { pythonEnv: makePythonEnv } = (await import(pythonScript)) as { pythonEnv(): string };
    pythonEnv.DJ_TEST_PYTHON = makePythonEnv();
  }
  // The SLURM suite's one-node cluster (scripts/slurm.mjs): npm test passes the one it started
  // (DJ_TEST_SLURM_CONF), a direct run starts its own. Its SLURM_CONF in the server's environment
  // is what the extension's sbatch, sinfo and scancel reach. Where it cannot start (no root, no
  // slurm-wlm) its reason goes to the suite, which fails with it: never a skip.
  const slurmEnv: Record<string, string> = {};
  if (process.env.DJ_TEST_SLURM_CONF) slurmEnv.SLURM_CONF = process.env.DJ_TEST_SLURM_CONF;
  else if (!process.env.DJ_TEST_SLURM_UNAVAILABLE) {
    const slurmScript = '../../scripts/slurm.mjs';
    const { startSlurm } = (await import(slurmScript)) as { startSlurm(): Promise<{ env: { SLURM_CONF: string }; dir: string; stop(): Promise<void> }> };
    try {
      const cluster = await startSlurm();
      t.after(() => cluster.stop());
      slurmEnv.SLURM_CONF = cluster.env.SLURM_CONF;
      t.diagnostic(`started a SLURM cluster in ${cluster.dir}`);
    } catch (e) {
      slurmEnv.DJ_TEST_SLURM_UNAVAILABLE = e instanceof Error ? e.message : String(e);
    }
  }
  const prepared = await prepareOffline({ say: (line: string) => t.diagnostic(line) });
  if (!prepared.cached) t.diagnostic(`offline VS Code prepared in ${prepared.seconds.toFixed(1)} s`);

  // The suites edit files; they work on a copy so the fixture stays as committed.
  const scratch = mkdtempSync(join(tmpdir(), 'dj-vscode-ws-'));
  const workspace = join(scratch, 'workspace');
  cpSync(join(repoRoot, 'test', 'fixtures', 'vscode-workspace'), workspace, { recursive: true });
  const resultsFile = join(scratch, 'results.jsonl');
  let outcome: RunOutcome;
  try {
    outcome = await runOffline({
      extensionTestsPath: testsIndex,
      workspace,
      extensionDevelopmentPath: options.vsix ? null : repoRoot,
      installVsix: options.vsix ? [options.vsix] : [],
      screenshotsDir: join(repoRoot, 'test-results', options.resultsName),
      env: { ...dbEnv, ...pythonEnv, ...slurmEnv, DJ_VSCODE_RESULTS_FILE: resultsFile },
      say: (line: string) => t.diagnostic(line),
    });
  } catch (e) {
    rmSync(scratch, { recursive: true, force: true });
    throw e;
  }
  const records = readRecords(resultsFile);
  rmSync(scratch, { recursive: true, force: true });
  for (const shot of outcome.screenshots) t.diagnostic(`screenshot: ${shot}`);

  // One subtest per mocha suite, one per VS Code test inside it.
  const suites = new Map<string, TestRecord[]>();
  for (const r of records) {
    const key = r.suite.join(' › ') || '(root)';
    suites.set(key, [...(suites.get(key) ?? []), r]);
  }
  for (const [name, tests] of suites) {
    await t.test(name, async (st) => {
      for (const r of tests) {
        await st.test(r.title, { skip: r.state === 'pending' ? 'pending in mocha' : false }, () => {
          if (r.state === 'failed') throw new Error(r.error ?? 'failed');
        });
      }
    });
  }
  const detail = outcome.reason ? ` (${outcome.reason})` : '';
  assert.ok(records.length > 0, `no test results came back from VS Code${detail}; log ${outcome.logFile}:\n${logTail(outcome.logFile)}`);
  assert.equal(outcome.exitCode, 0, `VS Code reported exit code ${outcome.exitCode}${detail}; log ${outcome.logFile}`);
}
