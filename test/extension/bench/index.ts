// Loaded by VS Code through `extensionTestsPath` for bench/extension.bench.ts: measures,
// inside a real extension host, the extension's activation (code loading included) and
// how long the Tables view takes to load a schema's tables. Writes one JSON object to
// DJ_VSCODE_RESULTS_FILE. Connects with DJ_HOST/DJ_PORT/DJ_USER/DJ_PASS, the way users
// with DataJoint environment variables do.
import * as vscode from 'vscode';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { DataJointApi } from '../../../client/api';

const EXTENSION_ID = 'datajoint-vscode.datajoint-vscode';

export async function run(): Promise<void> {
  const out = process.env.DJ_VSCODE_RESULTS_FILE;
  const schema = process.env.DJ_BENCH_SCHEMA;
  const rounds = Number(process.env.DJ_BENCH_ROUNDS ?? 10);
  if (!out || !schema) throw new Error('DJ_VSCODE_RESULTS_FILE and DJ_BENCH_SCHEMA must be set');
  const ext = vscode.extensions.getExtension<DataJointApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed`);
  if (ext.isActive) throw new Error('the extension was activated before the measurement');

  const t0 = performance.now();
  const api = await ext.activate();
  const activationMs = performance.now() - t0;

  if (!(await api.connection.connect({ interactive: false }))) throw new Error(`cannot connect: ${api.connection.lastError}`);
  const tablesMs: number[] = [];
  let tableCount = 0;
  for (let i = 0; i < rounds; i++) {
    api.tables.refresh();
    const t = performance.now();
    const roots = await api.tables.getChildren();
    const node = roots.find((n) => n.kind === 'schema' && n.schema === schema);
    if (!node) throw new Error(`schema ${schema} is not listed`);
    const tables = await api.tables.getChildren(node);
    tables.forEach((n) => api.tables.getTreeItem(n));
    tablesMs.push(performance.now() - t);
    tableCount = tables.filter((n) => n.kind === 'table').length;
  }
  await api.connection.disconnect();
  writeFileSync(out, JSON.stringify({ activationMs, tablesMs, tableCount }));
}
