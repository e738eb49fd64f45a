export interface RunOfflineOptions {
  extensionTestsPath: string;
  workspace: string;
  extensionDevelopmentPath?: string;
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
