// The workspace's local database (the embedded PostgreSQL in .datajoint/) in a real VS Code,
// in a window whose settings and environment name no server: Create Local Database
// connects to it (status bar "Local database — this workspace", the views say so), the
// Tables view lists a schema declared into it, a TypeScript Populate run computes its rows
// there (the CLI finds the same database by its folder), Export writes SQL with its CREATE
// TABLE, Reset, confirmed, empties it (unconfirmed it drops nothing), and Open Local Database switches a
// window whose settings name a server to it. The serving process is stopped at the end.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as dj from '../../../runtime/index';
import type { PopulateOutcome } from '../../../client/populate/populateRun';
import type { TablesNode } from '../../../client/views/tablesTree';
import { statusText } from '../../../client/status/connectionStatusItem';
import { activatedApi, screenshot, waitFor, workspaceRoot } from './helpers';

const LABEL = 'Local database — this workspace';
const SCHEMA = 'vscode_local';
const CLEARED = ['DJ_HOST', 'DJ_PORT', 'DJ_USER', 'DJ_PASS', 'DJ_BACKEND', 'DJ_EMBEDDED_DIR', 'DJ_DATABASE_NAME'];
const SETTINGS = ['backend', 'host', 'port', 'user', 'databaseName', 'schemas'];

const PIPELINE = `// The local database suite's pipeline (schema ${SCHEMA}).
import * as dj from 'datajoint';

export const schema = new dj.Schema('${SCHEMA}');

export class Reading extends dj.Manual {
  static override definition = \`
    reading_id : int32
    ---
    value : float64
  \`;
}

export class Tripled extends dj.Computed {
  static override definition = \`
    -> Reading
    ---
    tripled : float64
  \`;

  static override async make(key: dj.Row): Promise<void> {
    const { value } = await Reading.restrict(key).fetch1<{ value: number }>({ attributes: ['value'] });
    await Tripled.insert1({ ...key, tripled: 3 * value });
  }
}

schema.register(Reading, Tripled);
`;

/** Whether a process of this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function settingsUpdate(values: Record<string, unknown>): Promise<void> {
  const config = vscode.workspace.getConfiguration('datajoint');
  for (const [k, v] of Object.entries(values)) await config.update(k, v, vscode.ConfigurationTarget.Workspace);
}

suite('Local database', function () {
  this.timeout(180_000);
  const saved: Record<string, string | undefined> = {};
  let root: string;
  let pipelineDir: string;
  let scratch: string;
  const servers = new Set<number>();

  suiteSetup(async () => {
    for (const k of [...CLEARED, 'DJ_EMBEDDED_IDLE_MS']) saved[k] = process.env[k];
    for (const k of CLEARED) delete process.env[k];
    // A serving process that outlives the suite by accident exits soon by itself.
    process.env.DJ_EMBEDDED_IDLE_MS = '5000';
    await vscode.commands.executeCommand('datajoint.disconnect');
    await settingsUpdate(Object.fromEntries(SETTINGS.map((k) => [k, undefined])));
    root = workspaceRoot().fsPath;
    rmSync(join(root, '.datajoint'), { recursive: true, force: true });
    pipelineDir = join(root, 'local_pipeline');
    mkdirSync(pipelineDir, { recursive: true });
    writeFileSync(join(pipelineDir, 'pipeline.ts'), PIPELINE);
    scratch = mkdtempSync(join(tmpdir(), 'dj-local-suite-'));
  });

  suiteTeardown(async () => {
    const api = await activatedApi();
    const pid = api.connection.local?.serverPid;
    if (pid) servers.add(pid);
    await vscode.commands.executeCommand('datajoint.disconnect');
    await settingsUpdate(Object.fromEntries(SETTINGS.map((k) => [k, undefined])));
    // The serving process ends now, not after its idle time: SIGTERM closes it cleanly.
    for (const p of servers) if (alive(p)) process.kill(p, 'SIGTERM');
    for (const p of servers) await waitFor(`the local database's server (pid ${p}) to exit`, () => (alive(p) ? undefined : true));
    rmSync(join(root, '.datajoint'), { recursive: true, force: true });
    rmSync(pipelineDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  test('with no server configured, Create Local Database creates it in .datajoint/ and connects: the status bar and the views name it', async () => {
    const api = await activatedApi();
    assert.equal(existsSync(join(root, '.datajoint')), false, 'no .datajoint/ before Create');
    assert.equal(await vscode.commands.executeCommand('datajoint.createLocalDatabase'), true, api.connection.lastError);
    assert.equal(api.connection.state, 'connected');
    assert.equal(api.connection.label, LABEL);
    assert.match(statusText(api.connection), new RegExp(LABEL));
    const local = api.connection.local;
    assert.ok(local, 'the connection is the local database');
    servers.add(local.serverPid);
    assert.equal(local.dataDir, join(root, '.datajoint', 'pgdata'));
    assert.ok(existsSync(join(local.dataDir, 'PG_VERSION')), 'the data directory was created');
    assert.ok(alive(local.serverPid), 'a process serves it');
    assert.match(api.connection.serverVersion ?? '', /Local database — this workspace \(PGlite/);
    assert.equal(api.tablesView.description, LABEL);
    assert.match(api.tablesView.message ?? '', /Multi-machine work .* needs a MySQL or PostgreSQL server/);
    assert.equal(api.computations.jobsView.description, LABEL);
    // No password is asked or kept for it.
    assert.equal(api.connection.credentials()?.target.local?.dir, join(root, '.datajoint'));
    const roots = await api.tables.getChildren();
    assert.ok(roots.some((n) => n.kind === 'message' && /No schemas in the local database/.test(n.text)), JSON.stringify(roots));
  });

  test('the Tables view lists a schema declared into it; a TypeScript Populate computes its rows there', async () => {
    const api = await activatedApi();
    const conn = (await api.connection.runtime()) as unknown as dj.Connection;
    const schema = new dj.Schema(SCHEMA, { connection: conn });
    class Reading extends dj.Manual {
      static override definition = `
        reading_id : int32
        ---
        value : float64
      `;
    }
    class Tripled extends dj.Computed {
      static override definition = `
        -> Reading
        ---
        tripled : float64
      `;
    }
    await schema.declare(Reading, Tripled);
    await Reading.insert([
      { reading_id: 1, value: 1 },
      { reading_id: 2, value: 2.5 },
      { reading_id: 3, value: 10 },
    ]);
    api.tables.refresh();
    const roots = await api.tables.getChildren();
    const node = roots.find((n): n is Extract<TablesNode, { kind: 'schema' }> => n.kind === 'schema' && n.schema === SCHEMA);
    assert.ok(node, `${SCHEMA} is in the Tables view: ${JSON.stringify(roots)}`);
    const tables = await api.tables.getChildren(node);
    assert.deepEqual(tables.filter((n) => n.kind === 'table').map((n) => (n.kind === 'table' ? n.table.className : '')).sort(), ['Reading', 'Tripled']);

    const outcome = await vscode.commands.executeCommand<PopulateOutcome>('datajoint.populateTable', { className: 'Tripled', module: join(pipelineDir, 'pipeline.ts'), options: {} });
    assert.ok(outcome, 'the command returned no outcome');
    assert.equal(outcome.exitCode, 0, outcome.transcript);
    assert.equal(outcome.successCount, 3, outcome.transcript);
    const rows = await conn.query<{ reading_id: number; tripled: number }>(`SELECT reading_id, tripled FROM "${SCHEMA}"."__tripled" ORDER BY reading_id`);
    assert.deepEqual(
      rows.map((r) => [Number(r.reading_id), Number(r.tripled)]),
      [
        [1, 3],
        [2, 7.5],
        [3, 30],
      ],
    );
    await screenshot('local-database-tables');
  });

  test('Export Local Database… writes SQL that a PostgreSQL server loads, with the CREATE TABLE of the declared tables', async () => {
    const file = vscode.Uri.file(join(scratch, 'local.sql'));
    const written = await vscode.commands.executeCommand<vscode.Uri | undefined>('datajoint.exportLocalDatabase', file);
    assert.equal(written?.fsPath, file.fsPath);
    const sql = readFileSync(file.fsPath, 'utf8');
    assert.match(sql, /^-- DataJoint: local database — this workspace/);
    assert.match(sql, new RegExp(`CREATE SCHEMA "${SCHEMA}"`));
    assert.match(sql, new RegExp(`CREATE TABLE "${SCHEMA}"\\."__tripled"`));
    assert.match(sql, new RegExp(`INSERT INTO "${SCHEMA}"\\."#?reading"`));
  });

  test('Reset Local Database drops nothing unanswered, and once confirmed empties the database; the views reload', async () => {
    const api = await activatedApi();
    // VS Code answers every modal dialog with Cancel while extension tests run (it shows
    // none): unconfirmed, nothing is dropped. The question's text is unit-tested
    // (test/unit/client/local-database.test.ts); the confirmed reset runs with the
    // command's argument for callers that asked the user themselves.
    assert.equal(await vscode.commands.executeCommand('datajoint.resetLocalDatabase'), undefined);
    assert.ok((await api.tables.getChildren()).some((x) => x.kind === 'schema' && x.schema === SCHEMA), 'nothing dropped without the answer');
    const dropped = await vscode.commands.executeCommand<string[] | undefined>('datajoint.resetLocalDatabase', { confirmed: true });
    assert.deepEqual(dropped, [SCHEMA]);
    const conn = await api.connection.runtime();
    const [{ n }] = await conn.query<{ n: number | string }>(`SELECT count(*) AS n FROM pg_catalog.pg_namespace WHERE nspname = ?`, [SCHEMA]);
    assert.equal(Number(n), 0, 'the schema is gone');
    const roots = await waitFor('the Tables view without the schema', async () => {
      const r = await api.tables.getChildren();
      return r.some((x) => x.kind === 'schema' && x.schema === SCHEMA) ? undefined : r;
    });
    assert.ok(roots.some((x) => x.kind === 'message' && /No schemas in the local database/.test(x.text)));
    // Still connected, to the same database (created afresh only if removed).
    assert.equal(api.connection.state, 'connected');
    assert.equal(api.connection.label, LABEL);
  });

  test('Open Local Database switches a window whose settings name a server to the local database', async () => {
    const api = await activatedApi();
    await vscode.commands.executeCommand('datajoint.disconnect');
    await settingsUpdate({ host: '127.0.0.1', port: 1, user: 'nobody' });
    assert.equal(await vscode.commands.executeCommand('datajoint.openLocalDatabase'), true, api.connection.lastError);
    assert.equal(vscode.workspace.getConfiguration('datajoint').inspect('backend')?.workspaceValue, 'embedded');
    assert.equal(api.connection.label, LABEL);
    const pid = api.connection.local?.serverPid;
    if (pid) servers.add(pid);
  });
});
