// A table's rows as the extension's grid shows them: pages, counts, cell summaries and
// the full text of one value (README.md).
export * from './types';
export { readRowsPage, rowsColumns, estimateRows, countRows, readRowValue, type HeadingSource, type RowValue } from './page';
export { parseRowsRestriction, RestrictionError } from './restriction';
export { cellOf, MAX_CELL_TEXT, PREFIX_CHARS } from './cells';
export { summarizeBlob, describeValue, byteSize, PREFIX_BYTES, type BlobSummary } from './blob-summary';
export { valueText, MAX_ELEMENTS } from './value-text';
