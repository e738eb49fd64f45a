// Command ids the client's modules share (each also in package.json's contributes).
export const POPULATE_COMMAND = 'datajoint.populateTable';
export const POPULATE_WITH_OPTIONS_COMMAND = 'datajoint.populateTableWithOptions';
export const UNIGNORE_COMMAND = 'datajoint.jobs.unignore';
export const RECOVER_COMMAND = 'datajoint.jobs.recover';
export const DEBUG_MAKE_COMMAND = 'datajoint.debugMake';
