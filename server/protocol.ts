// The names of the language server's own protocol (notifications and commands beyond LSP),
// declared once for the server, the client and the tests. Type imports only: the client bundles it.
import type { DataJointTarget } from '../runtime/definition/types';
import type { CatalogSnapshot } from '../runtime/catalog/snapshot';

/** Server → client, after the workspace is indexed: `IndexReady` (workspace/indexer.ts). */
export const INDEX_READY_NOTIFICATION = 'datajoint/indexReady';

/** Server → client, whenever the DataJoint a folder targets is decided again: `FolderTargets`. */
export const TARGETS_NOTIFICATION = 'datajoint/targets';

/** Client → server: the `datajoint` version installed in a folder's Python environment: `InstalledDataJoint`. */
export const INSTALLED_DATAJOINT_NOTIFICATION = 'datajoint/installedDataJoint';

/**
 * Client → server, when the client's database connection opens or its catalog is read
 * again: `CatalogParams`, the declared tables (runtime/catalog: catalogSnapshot); null
 * when it disconnects. References the workspace cannot resolve resolve against it, and
 * definitions that differ from their declared tables get DJ601.
 */
export const CATALOG_NOTIFICATION = 'datajoint/catalog';

/** `{ label, backend, schemas, tables: CatalogTable[] }`, or null: not connected. */
export type CatalogParams = CatalogSnapshot | null;

/**
 * Client → server request: the Computed/Imported classes (not parts) of one document
 * (`uri`) or of the whole workspace, tiers as the workspace index decides them (inherited
 * through the project's base classes): `AutoPopulatedParams` → `AutoPopulatedClass[]`.
 */
export const AUTO_POPULATED_REQUEST = 'datajoint/autoPopulated';

export interface AutoPopulatedParams {
  /** A document's uri; absent: every file of the workspace. */
  uri?: string;
}

export interface AutoPopulatedClass {
  className: string;
  tier: 'Computed' | 'Imported';
  /** The document of the class (a notebook's cell for a notebook). */
  uri: string;
  /** 0-based position of the class's name. */
  line: number;
  character: number;
}

/**
 * Client → server request: every table class of one document, all tiers (parts with their
 * master), tiers as the workspace index decides them: `TableClassesParams` → `TableClass[]`.
 */
export const TABLE_CLASSES_REQUEST = 'datajoint/tableClasses';

export interface TableClassesParams {
  /** The document's uri. */
  uri: string;
}

export interface TableClass {
  className: string;
  tier: 'Manual' | 'Lookup' | 'Imported' | 'Computed' | 'Part';
  /** A part's master (its SQL name begins with the master's). */
  master?: { className: string; tier: 'Manual' | 'Lookup' | 'Imported' | 'Computed' };
  /** The document of the class (a notebook's cell for a notebook). */
  uri: string;
  /** 0-based position of the class's name. */
  line: number;
  character: number;
}

/** workspace/executeCommand: "Migrate definitions to DataJoint 2" (`MigrateParams` → `MigrateResult`). */
export const MIGRATE_COMMAND = 'datajoint.server.migrateDefinitions';

export type TargetVersion = DataJointTarget;

export interface FolderTargetInfo {
  /** The workspace folder's uri. */
  folder: string;
  target: TargetVersion;
  source: 'setting' | 'installed' | 'pin' | 'definitions' | 'default';
  detail: string;
}

export interface FolderTargets {
  folders: FolderTargetInfo[];
}

export interface InstalledDataJoint {
  folder: string;
  /** Null: the interpreter has no DataJoint (or could not be asked). */
  version: string | null;
  interpreter: string;
}

export interface MigrateParams {
  /** A document's uri, or a workspace folder's; absent: every folder. */
  uri?: string;
}

export interface MigrateRemaining {
  uri: string;
  /** 0-based. */
  line: number;
  character: number;
  code: string;
  message: string;
}

export interface MigrateResult {
  /** LSP WorkspaceEdit (`changes`): every machine-applicable fix towards DataJoint 2. */
  edit: { changes: Record<string, Array<{ range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }>> };
  edits: number;
  files: number;
  /** What DataJoint 2 would still refuse after the edit, with the reason. */
  remaining: MigrateRemaining[];
}
