// What a populate run is asked to do: the table, its module and the options, as the
// Populate commands build it and populateRun.ts and launchArgs.ts turn it into a run.
// No vscode import: launchArgs.ts is unit-tested.
import type { PythonLaunch } from '../python/pythonLaunch';

export interface PopulateOptions {
  reserveJobs?: boolean;
  processes?: number;
  limit?: number;
  suppressErrors?: boolean;
  /** SQL conditions or JSON objects/arrays, combined with AND (the CLI's --restriction). */
  restrictions?: string[];
  /** Files holding one restriction each, ANDed with the others (--restriction-file; restrictionFiles.ts). */
  restrictionFiles?: string[];
  /** With reserved jobs: only jobs of at most this priority; the priority of the jobs added. */
  priority?: number;
  /** Keyword arguments of make(key, **kwargs) (Python) / make(key, kwargs) (TypeScript). */
  makeKwargs?: Record<string, unknown>;
}

export interface PopulateRequest {
  /** Class name of the Computed/Imported table. */
  className: string;
  /** Absolute path of the pipeline module: .ts/.js exporting it, or .py defining it. */
  module: string;
  options: PopulateOptions;
  /** A Python module's interpreter and runner (client/python/pythonLaunch.ts). */
  python?: PythonLaunch;
}
