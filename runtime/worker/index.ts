// A worker over a whole pipeline: `djx worker` (runtime/cli/commands/worker.ts). README.md.
export { runPipelineWorker, type WorkerRunOptions, type WorkerResult } from './loop';
export { dependencyOrder } from './order';
export { WorkerStop, type StopReason } from './stop';
export { clearMatchingErrors } from './clear-errors';
export { checkWorkerOptions, compilePatterns, parseNames, selectTables, WorkerOptionError, DEFAULT_POLL_S, type WorkerOptions } from './options';
export type * from './events';
