export interface RunOfflineOptions {
  extensionTestsPath: string;
  workspace: string;
  /** The extension under development (default: the repository); null: none. */
  extensionDevelopmentPath?: string | null;
  /** .vsix files installed into the run's extensions folder before VS Code starts. */
  installVsix?: string[];
  timeoutMs?: number;
  screenshotsDir?: string;
  /** Added to the environment of the VS Code server, which the extension host inherits. */
  env?: Record<string, string>;
  userSettings?: Record<string, unknown>;
  say?: (line: string) => void;
}
export interface RunOfflineResult {
  exitCode: number;
  reason?: string;
  logFile: string;
  screenshots: string[];
}
export declare function runOffline(options: RunOfflineOptions): Promise<RunOfflineResult>;
