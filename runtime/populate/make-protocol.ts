// What `djx make` and the Python runner's `make` share with the extension that starts them
// under a debugger: the result file each writes, and where the password waits. Declared
// once here; the runner spells the same names (test/unit/client/debug-launch.test.ts ties
// them). Imports nothing, so the extension can take it without the CLI.

/** Every outcome of one key's make. */
export type MakeStatus = 'rolled-back' | 'computed' | 'committed' | 'not-made' | 'already-done' | 'failed' | 'refused';

export const MAKE_RESULT_VERSION = 1;

/** The result file, one JSON object, written whole (temp file and rename) before the process ends. */
export interface MakeResultFile {
  v: typeof MAKE_RESULT_VERSION;
  status: MakeStatus;
  message: string;
  /** Rolled back: the rows make wrote, by table (`Stats`, `Stats.Detail`). */
  rows?: Record<string, number>;
}

/**
 * A file (mode 0600) holding the connection's password. A debugger launched in a terminal
 * types the configuration's environment into the terminal's command line, where DJ_PASS
 * would be shown and kept in the shell's history: the extension passes this path instead,
 * and the process reads the password into its own DJ_PASS.
 */
export const PASSWORD_FILE_ENV = 'DATAJOINT_VSCODE_PASSWORD_FILE';

export function parseMakeResult(text: string): MakeResultFile | undefined {
  try {
    const r = JSON.parse(text) as Partial<MakeResultFile>;
    return r && r.v === MAKE_RESULT_VERSION && typeof r.status === 'string' && typeof r.message === 'string' ? (r as MakeResultFile) : undefined;
  } catch {
    return undefined;
  }
}
