// Where the connection's host, port, user and TLS come from, highest first:
//   1. the `datajoint.*` VS Code settings the user set explicitly,
//   2. what DataJoint users already have: DJ_* environment variables, then
//      `datajoint.json` found from the workspace folder upward and its `.secrets/`
//      (runtime/config: loadSettings, the reference's precedence),
//   3. defaults.
// The password is never a VS Code setting: it comes from DJ_PASS or the secrets folder
// when the user has those, else from SecretStorage (see passwordStore.ts).
import * as vscode from 'vscode';
import type { Settings } from '../../runtime/config/index';
import { loadRuntime } from './loadRuntime';

export interface ConnectionTarget {
  host: string;
  port: number;
  user: string | undefined;
  /** undefined: try TLS and fall back (the runtime's default); true: require; false: off. */
  tls: boolean | undefined;
  /** A password from DJ_PASS or a secrets file, when the user keeps one there. */
  passwordFromEnvironment: string | undefined;
  /** Where each value came from, for the status tooltip (never the password). */
  sources: Record<string, string>;
}

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
  const sources: Record<string, string> = {};
  const pick = <T>(key: string, runtimeKey: string, fallback: T): T => {
    const own = explicit<T>(config, key);
    if (own !== undefined && own !== '' && own !== null) {
      sources[key] = 'setting';
      return own;
    }
    sources[key] = base.sources[runtimeKey] ?? 'default';
    return fallback;
  };
  const tlsSetting = explicit<string>(config, 'tls');
  const runtimeTls = base.database.useTls;
  const tls =
    tlsSetting === 'on' ? true : tlsSetting === 'off' ? false : tlsSetting === 'auto' ? undefined : typeof runtimeTls === 'boolean' ? runtimeTls : undefined;
  return {
    host: pick('host', 'database.host', base.database.host),
    port: pick('port', 'database.port', base.database.port),
    user: pick<string | undefined>('user', 'database.user', base.database.user ?? undefined),
    tls,
    passwordFromEnvironment: base.database.password ?? undefined,
    sources,
  };
}

export function describeTarget(t: Pick<ConnectionTarget, 'host' | 'port' | 'user'>): string {
  return `${t.user ?? '?'}@${t.host}:${t.port}`;
}
