// What a page of a table's rows is, as plain data (JSON-serializable but for `keys`):
// the grid of the extension's "View Rows" renders it as it comes, so every value is
// already a short text here and the client never interprets database values itself.

/** Rows per page when a request names none (the grid asks for this many). */
export const DEFAULT_PAGE_SIZE = 100;
/** The most rows one page request reads. */
export const MAX_PAGE_SIZE = 1000;

/** How a cell is shown: the grid styles each kind (NULL distinct, numbers right-aligned). */
export type CellKind = 'null' | 'number' | 'bool' | 'text' | 'date' | 'uuid' | 'json' | 'blob' | 'attach' | 'filepath' | 'stored' | 'bytes' | 'error';

export interface RowsCell {
  kind: CellKind;
  /** The summary shown in the grid (capped: long text ends with `…`). */
  text: string;
  /** More than fits in the cell (the whole short value, the decoded blob's description). */
  title?: string;
  /** "Open value" shows the whole decoded value (blobs, long text, JSON). */
  openable?: boolean;
}

export interface RowsColumn {
  name: string;
  /** The DataJoint type (`int32`, `<blob>`, `datetime(3)`), else the SQL type. */
  type: string;
  sqlType: string;
  inKey: boolean;
  nullable: boolean;
  comment: string;
  /** Ordering by it is meaningful and cheap enough to offer (not blobs, bytes or JSON). */
  sortable: boolean;
}

export interface RowsSort {
  attribute: string;
  descending: boolean;
}

export interface RowsPageRequest {
  schema: string;
  table: string;
  /** 0-based page number. */
  page: number;
  /** Rows per page (default 100, at most 1000). */
  pageSize?: number;
  /** The primary key alone when absent; otherwise this attribute, then the primary key. */
  sort?: RowsSort;
  /** One SQL condition or key JSON, as populate's `--restriction` (restriction.ts). */
  restriction?: string;
}

export interface RowsPage {
  schema: string;
  table: string;
  columns: RowsColumn[];
  primaryKey: string[];
  rows: RowsCell[][];
  /** Each row's primary-key values, decoded (for "Open value"; not sent to a webview). */
  keys: Array<Record<string, unknown>>;
  page: number;
  pageSize: number;
  offset: number;
  /** A row follows this page. */
  hasMore: boolean;
  /**
   * The table's row count as the server estimates it (information_schema TABLE_ROWS,
   * pg_class.reltuples), raised to at least the rows this page proves exist. Without a
   * restriction only: a restricted page has no estimate (countRows gives the exact one).
   */
  estimatedRows: number | undefined;
  /** What ran (the restriction as given, the order), for the panel's title line. */
  restriction: string | undefined;
  sort: RowsSort | undefined;
}
