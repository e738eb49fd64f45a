// The parts of two optional extensions' published APIs that Populate of a Python table
// uses, declared here rather than taken from npm: both APIs are the extensions' exports
// (vscode.extensions.getExtension(id).activate()), so a type-only description is all that
// is needed, and the extension keeps no dependency for them. Field names and shapes follow
// the published definitions:
// - Python Environments (`ms-python.vscode-python-envs`): its `src/api.ts`
//   (PythonEnvironmentApi: getEnvironment(scope), PythonEnvironment, execInfo).
// - Python (`ms-python.python`): the `@vscode/python-extension` package's `PythonExtension`
//   (what `PythonExtension.api()` returns: the extension's exports): `ready`,
//   environments.getActiveEnvironmentPath / resolveEnvironment / getEnvironmentVariables.
// Only `import type` of vscode: the resolution built on these is unit-tested with fakes of
// these shapes (test/unit/client/python-interpreter.test.ts).
import type { Uri } from 'vscode';

export const PYTHON_ENVS_EXTENSION_ID = 'ms-python.vscode-python-envs';
export const PYTHON_EXTENSION_ID = 'ms-python.python';
/** The Python extension's "Python: Select Interpreter". */
export const PYTHON_SELECT_INTERPRETER_COMMAND = 'python.setInterpreter';

/** The path-like part of vscode.Uri that is read here (fakes give just this). */
export type FileUri = Pick<Uri, 'fsPath'>;

// --- Python Environments ---------------------------------------------------------------

export interface PythonCommandRunConfiguration {
  /** Absolute path of the interpreter (or a launcher such as `conda`). */
  executable: string;
  args?: string[];
}

export interface PythonEnvironmentExecutionInfo {
  run: PythonCommandRunConfiguration;
  /** Run after activation (for conda, `conda run …`): a wrapper process. */
  activatedRun?: PythonCommandRunConfiguration;
  activation?: PythonCommandRunConfiguration[];
}

export interface PythonEnvironment {
  readonly envId: { id: string; managerId: string };
  readonly name: string;
  readonly displayName: string;
  readonly version: string;
  /** The interpreter or the environment's folder. */
  readonly environmentPath: FileUri;
  readonly execInfo?: PythonEnvironmentExecutionInfo;
  /** `sys.prefix` of the environment. */
  readonly sysPrefix: string;
}

export interface PythonEnvironmentsApi {
  getEnvironment(scope: Uri | undefined): Promise<PythonEnvironment | undefined>;
  /** Fills in what a PythonEnvironment lacks (its execInfo among others). */
  resolveEnvironment?(context: PythonEnvironment | Uri): Promise<PythonEnvironment | undefined>;
  /** Newer releases: the variables of the workspace's `.env` files over a base environment. */
  getEnvironmentVariables?(uri: Uri, overrides?: unknown, baseEnvVar?: Record<string, string | undefined>): Promise<Record<string, string | undefined>>;
}

// --- Python (@vscode/python-extension) ---------------------------------------------------

export interface EnvironmentPath {
  readonly id: string;
  readonly path: string;
}

export interface ResolvedEnvironment {
  readonly id: string;
  readonly path: string;
  readonly executable: {
    readonly uri: FileUri | undefined;
    readonly sysPrefix: string | undefined;
  };
  /** Undefined for a global interpreter. */
  readonly environment:
    | {
        readonly type: string;
        readonly name: string | undefined;
        readonly folderUri: FileUri;
      }
    | undefined;
  readonly version: { readonly major: number; readonly minor: number; readonly micro: number } | undefined;
  readonly tools: readonly string[];
}

export interface PythonExtensionApi {
  readonly ready?: Promise<void>;
  readonly environments: {
    getActiveEnvironmentPath(resource?: Uri): EnvironmentPath;
    resolveEnvironment(environment: EnvironmentPath | string): Promise<ResolvedEnvironment | undefined>;
    /** The process environment with the workspace's `.env` file applied. */
    getEnvironmentVariables?(resource?: Uri): Readonly<Record<string, string | undefined>>;
  };
}
