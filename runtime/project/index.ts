// The project's tables across host files: incremental indexing, reference resolution
// and per-file checks, shared by `djx lint` and the language server.
export { TableIndex, type IndexEntity, type IndexedTable, type TableIndexOptions, type ResolvedReference } from './table-index';
export type { HostDiagnostic, HostLocation } from './types';
export { LineIndex, type Position, type Range } from './lines';
export { extractReferences, type ReferenceText } from './references';
export { toKey } from './paths';
