// Shared by the computation suites (codelens, jobs, populate): the database
// `vscode_computations` declared from the same definitions as the workspace's
// computations/pipeline.ts (whose `import 'datajoint'` the bundled CLI resolves to its own
// runtime), and a connection of the window through DJ_PASS (so nothing is stored in
// SecretStorage and the Tables suite still sees its password prompt). A key fails when
// its subject's weight is negative.
import { join } from 'node:path';
import * as vscode from 'vscode';
import * as dj from '../../../runtime/index';
import * as assert from 'node:assert/strict';
import type { ComputationsApi } from '../../../client/populate/computationsApi';
import type { JobsNode } from '../../../client/jobs/jobsTree';
import { activatedApi, workspaceRoot } from './helpers';

export const SCHEMA = 'vscode_computations';
export const PIPELINE = ['computations', 'pipeline.ts'];

export function testDb() {
  const { DJ_TEST_HOST: host, DJ_TEST_PORT: port, DJ_TEST_USER: user, DJ_TEST_PASSWORD: password } = process.env;
  if (!host || !port || !user || password === undefined) throw new Error('DJ_TEST_HOST/PORT/USER/PASSWORD are not set for the extension host');
  return { host, port: Number(port), user, password };
}

/** A connection of the test process to the test server, with `schema` dropped (a clean start). */
export async function freshSchema(schema: string): Promise<dj.Connection> {
  const conn = await dj.Connection.connect({ ...testDb(), ignoreConfigFile: true, env: {} });
  await conn.execute(`DROP DATABASE IF EXISTS \`${schema}\``);
  return conn;
}

const WINDOW_SETTINGS = ['host', 'port', 'user', 'schemas'] as const;

/**
 * Connects the window to the test server for `schema`, through workspace settings and
 * DJ_PASS (nothing in SecretStorage); `disconnectWindow` undoes it.
 */
export async function connectWindow(schema: string): Promise<void> {
  const target = testDb();
  const config = vscode.workspace.getConfiguration('datajoint');
  const values: Record<(typeof WINDOW_SETTINGS)[number], unknown> = { host: target.host, port: target.port, user: target.user, schemas: [schema] };
  for (const k of WINDOW_SETTINGS) await config.update(k, values[k], vscode.ConfigurationTarget.Workspace);
  process.env.DJ_PASS = target.password;
  const api = await activatedApi();
  if (!(await vscode.commands.executeCommand<boolean>('datajoint.connect'))) throw new Error(`cannot connect: ${api.connection.lastError}`);
}

export async function disconnectWindow(): Promise<void> {
  await vscode.commands.executeCommand('datajoint.disconnect');
  delete process.env.DJ_PASS;
  const config = vscode.workspace.getConfiguration('datajoint');
  for (const k of WINDOW_SETTINGS) await config.update(k, undefined, vscode.ConfigurationTarget.Workspace);
}

/** The real DataJoint for Python's interpreter (scripts/python-env.mjs), for the Python suites. */
export function testPython(): string {
  const p = process.env.DJ_TEST_PYTHON;
  if (!p) throw new Error('DJ_TEST_PYTHON is not set for the extension host (scripts/test.mjs passes the environment of scripts/python-env.mjs)');
  return p;
}

export function pipelinePath(): string {
  return join(workspaceRoot().fsPath, ...PIPELINE);
}

export interface ComputationsFixture {
  conn: dj.Connection;
  sql(statement: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

/** Fresh database with the pipeline's tables, the dj shim, and the window connected. */
export async function setUpComputations(): Promise<ComputationsFixture> {
  const conn = await freshSchema(SCHEMA);
  const schema = new dj.Schema(SCHEMA, { connection: conn });
  // Same definitions as computations/pipeline.ts (which the CLI loads for make).
  class Subject extends dj.Manual {
    static override definition = `
      # Subjects to summarize
      subject_id : int32
      ---
      weight : float64
    `;
  }
  class Summary extends dj.Computed {
    static override definition = `
      # Twice the weight
      -> Subject
      ---
      doubled : float64
    `;
  }
  await schema.declare(Subject, Summary);

  await connectWindow(SCHEMA);
  return {
    conn,
    sql: (statement, params) => conn.query(statement, params),
    close: async () => {
      await disconnectWindow();
      await conn.execute(`DROP DATABASE IF EXISTS \`${SCHEMA}\``);
      await conn.close();
    },
  };
}

export async function computations(): Promise<ComputationsApi> {
  return (await activatedApi()).computations;
}

export type JobsTableNode = Extract<JobsNode, { kind: 'table' }>;
export type JobsJobNode = Extract<JobsNode, { kind: 'job' }>;

/** The Jobs view's node of a table (of any schema when none is given). */
export async function jobsTableNode(api: ComputationsApi, className: string, schema?: string): Promise<JobsTableNode> {
  const roots = await api.jobs.getChildren();
  const node = roots.find((n): n is JobsTableNode => n.kind === 'table' && n.table.className === className && (schema === undefined || n.table.schema === schema));
  assert.ok(node, `${className} is not in the Jobs view: ${JSON.stringify(roots.map((n) => (n.kind === 'message' ? n.text : n.kind === 'table' ? n.table.className : n.kind)))}`);
  return node;
}
