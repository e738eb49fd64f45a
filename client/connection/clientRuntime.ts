// The runtime pieces the extension uses at run time: the database connection, the
// catalog, a table's jobs, the settings reader and the error-stack decoder. Nothing of
// the populate pipeline (no module loader, no workers): populate runs in the `djx` CLI.
//
// scripts/build.mjs bundles this module on its own (dist/client-runtime.js) and the
// extension requires it on first use (loadRuntime), so activation never parses the
// database driver. Run from source (tsx, tests) it is an ordinary module.
export { Connection } from '../../runtime/connection/index';
export { Catalog, parseTableName } from '../../runtime/catalog/index';
export { loadSettings } from '../../runtime/config/index';
export { TableJobs } from '../../runtime/populate/table-jobs';
export { targetFromCatalog } from '../../runtime/populate/adapter';
export { readErrorStack } from '../../runtime/blob/error-stack';
// The local (embedded) database: what `djx db reset|export` use (runtime/embedded/export.ts).
export { userSchemas, exportDatabase } from '../../runtime/embedded/export';
export { resetSchemas } from '../../runtime/embedded/reset';
export { EMBEDDED_LABEL } from '../../runtime/connection/index';
// The rows grid (View Rows): pages, counts and one value's text (runtime/rows).
export { readRowsPage, countRows, readRowValue, parseRowsRestriction } from '../../runtime/rows/index';
