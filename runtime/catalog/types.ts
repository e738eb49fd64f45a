// Plain data describing a schema as read from the server; JSON-serializable so the
// language server and the VS Code client can pass it around.
import type { Tier } from './names';

export type TypeCategory = 'core' | 'codec' | 'native';

export interface CatalogAttribute {
  name: string;
  /** SQL type as stored, display widths removed: `int`, `varchar(64)`, `longblob`. */
  sqlType: string;
  /**
   * The DataJoint type: the comment marker (`int32`, `<blob>`), for FK-copied columns the
   * marker of the column they come from (notes §5.7), else the SQL type.
   */
  type: string;
  category: TypeCategory;
  /** Where `type` came from. */
  typeSource: 'marker' | 'foreignKey' | 'sql';
  nullable: boolean;
  /** As reported by the server (unquoted), null when there is none. */
  default: string | null;
  inKey: boolean;
  /** The user comment, without the type marker. */
  comment: string;
  autoIncrement: boolean;
  /** Platform column (`_singleton`, `_job_start_time`): not part of the public heading. */
  hidden: boolean;
  /**
   * Origin `schema.table.attribute` from the schema's `~lineage` table (notes §4.8); null
   * when the table has no row for it (secondary attributes), absent without `~lineage`.
   */
  lineage?: string | null;
}

export interface CatalogForeignKey {
  constraint: string;
  parentSchema: string;
  parentTable: string;
  /** child column -> parent column, in column order. */
  attrMap: Record<string, string>;
  columns: string[];
  /** All columns are in the child's primary key (dependencies.py: primary). */
  primary: boolean;
  /** Some column is renamed (`-> Parent.proj(new='old')`). */
  aliased: boolean;
  nullable: boolean;
  /** A unique index on exactly these columns exists (`-> [unique] Parent`). */
  unique: boolean;
}

export interface CatalogIndex {
  name: string;
  columns: string[];
  unique: boolean;
}

export interface TableSummary {
  schema: string;
  /** SQL name, e.g. `__processed_data__trial`. */
  name: string;
  tier: Tier;
  className: string;
  /** Parts: the master's SQL name. */
  master?: string;
  comment: string;
  /** information_schema.tables.table_rows: an estimate for InnoDB. */
  estimatedRows: number;
  /** The `~~name` jobs table when it exists (Computed and Imported only). */
  jobsTable?: string;
}

export interface CatalogTable extends TableSummary {
  attributes: CatalogAttribute[];
  primaryKey: string[];
  foreignKeys: CatalogForeignKey[];
  indexes: CatalogIndex[];
}

export interface JobsTableInfo {
  schema: string;
  /** `~~analysis` */
  name: string;
  /** The Computed/Imported table it serves, e.g. `__analysis`. */
  target: string;
}
