// Where the connection's backend, host, port, user, TLS and PostgreSQL database come
// from, highest first:
//   1. the `datajoint.*` VS Code settings the user set explicitly,
//   2. what DataJoint users already have: DJ_* environment variables, then
//      `datajoint.json` found from the workspace folder upward and its `.secrets/`
//      (runtime/config: loadSettings, the reference's precedence),
//   3. defaults (MySQL, localhost, 3306 — 5432 for PostgreSQL —, database `postgres`).
// The resolution itself is connectionTarget.ts (no vscode import, unit-tested); this
// module only reads the settings and the runtime's.
// The password is never a VS Code setting: it comes from DJ_PASS or the secrets folder
// when the user has those, else from SecretStorage (see passwordStore.ts).
import * as vscode from 'vscode';
import type { Settings } from '../../runtime/config/index';
import { loadRuntime } from './loadRuntime';
import { resolveTarget, type ConnectionTarget, type ExplicitSettings } from './connectionTarget';

export { describeTarget, type Backend, type ConnectionTarget } from './connectionTarget';

/** The settings that name the target: a change to any of them may retarget the connection. */
export const TARGET_SETTINGS = ['backend', 'host', 'port', 'user', 'tls', 'databaseName'] as const;

/** The value of a setting only when someone set it (user, workspace or folder). */
function explicit<T>(config: vscode.WorkspaceConfiguration, key: string): T | undefined {
  const i = config.inspect<T>(key);
  return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
}

export async function resolveConnectionTarget(folder: vscode.Uri | undefined): Promise<ConnectionTarget> {
  const config = vscode.workspace.getConfiguration('datajoint', folder);
  // Loaded on demand: activation does not pay for the runtime.
  const { loadSettings } = await loadRuntime();
  const base: Settings = loadSettings({ cwd: folder?.fsPath ?? process.cwd() });
  const own: ExplicitSettings = {
    backend: explicit<string>(config, 'backend'),
    host: explicit<string>(config, 'host'),
    port: explicit<number | null>(config, 'port'),
    user: explicit<string>(config, 'user'),
    tls: explicit<string>(config, 'tls'),
    databaseName: explicit<string>(config, 'databaseName'),
  };
  return resolveTarget(own, base);
}

/**
 * The folder of the workspace's local (embedded) database, whatever the settings point at:
 * DJ_EMBEDDED_DIR / database.embedded_dir, else `.datajoint` beside the datajoint.json found,
 * else in the workspace folder (runtime/config, the rule `djx db` follows).
 */
export async function localDatabaseDir(folder: vscode.Uri | undefined): Promise<string> {
  const { loadSettings } = await loadRuntime();
  return loadSettings({ cwd: folder?.fsPath ?? process.cwd() }).database.embeddedDir;
}
