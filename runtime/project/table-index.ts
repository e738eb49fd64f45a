// The index moved to model/ (one module per concern); this path stays for importers
// outside runtime/project that name it (runtime/diagram/workspace.ts).
export * from './model/table-index';
