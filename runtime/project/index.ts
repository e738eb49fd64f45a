// The project's tables across host files: incremental indexing, reference resolution
// and per-file checks, shared by `djx lint` and the language server.
export { TableIndex, type IndexEntity, type IndexedTable, type TableIndexOptions, type ExternalResolver, type ResolvedReference, type TargetOf } from './model/table-index';
export type { DefinitionRecord, RecordState } from './model/records';
export type { Edge } from './model/graph';
export type { HostDiagnostic, HostLocation } from './types';
export { LineIndex, type Position, type Range } from './lines';
export { extractReferences, type ReferenceText } from './references';
export { toKey } from './paths';
export {
  chooseTarget, definitionEvidence, parseTargetSetting, PinLookup, pinnedTarget, projectFolderOf, targetOfVersion,
  type DefinitionEvidence, type FolderTarget, type Pin, type TargetSetting,
} from './datajoint-target';
export { preferredFixes, applyEdits, type HostTextEdit } from './fixes';
