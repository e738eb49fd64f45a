// Command ids the client's modules share (each also in package.json's contributes).
export const POPULATE_COMMAND = 'datajoint.populateTable';
export const POPULATE_WITH_OPTIONS_COMMAND = 'datajoint.populateTableWithOptions';
export const UNIGNORE_COMMAND = 'datajoint.jobs.unignore';
export const RECOVER_COMMAND = 'datajoint.jobs.recover';
// The Workers view: client/workers/.
export const WORKERS_RECOVER_COMMAND = 'datajoint.workers.recover';
export const WORKERS_REFRESH_COMMAND = 'datajoint.workers.refresh';
export const WORKERS_CANCEL_SLURM_COMMAND = 'datajoint.workers.cancelSlurm';
/** VS Code's own focus command of the Jobs view (its id + `.focus`). */
export const JOBS_VIEW_FOCUS_COMMAND = 'datajoint.jobs.focus';
export const DEBUG_MAKE_COMMAND = 'datajoint.debugMake';
export const CONNECT_COMMAND = 'datajoint.connect';
export const SWITCH_CONNECTION_COMMAND = 'datajoint.switchConnection';
// The workspace's local (embedded) database: client/commands/localDatabaseCommands.ts.
export const CREATE_LOCAL_DATABASE_COMMAND = 'datajoint.createLocalDatabase';
export const OPEN_LOCAL_DATABASE_COMMAND = 'datajoint.openLocalDatabase';
export const RESET_LOCAL_DATABASE_COMMAND = 'datajoint.resetLocalDatabase';
export const EXPORT_LOCAL_DATABASE_COMMAND = 'datajoint.exportLocalDatabase';
// "Run Workers on SLURM…": client/slurm/.
export const RUN_WORKERS_ON_SLURM_COMMAND = 'datajoint.runWorkersOnSlurm';
// The pipeline diagram: client/diagram/.
export const SHOW_DIAGRAM_COMMAND = 'datajoint.showDiagram';
export const EXPORT_DIAGRAM_MERMAID_COMMAND = 'datajoint.exportDiagramMermaid';
export const EXPORT_DIAGRAM_SVG_COMMAND = 'datajoint.exportDiagramSvg';
/** The rows grid's command (client/rows/), called by the diagram with `{ schema, table }`. */
export const VIEW_ROWS_COMMAND = 'datajoint.viewRows';
