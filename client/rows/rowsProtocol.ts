// The messages between a rows panel (rowsPanel.ts) and its webview (webview/rowsView.js),
// declared once for both sides. No vscode import.
import type { CellKind, RowsCell, RowsColumn, RowsSort } from '../../runtime/rows/types';

/** What the webview shows of one page: cells as text, no database values. */
export interface PageView {
  title: string;
  columns: RowsColumn[];
  rows: RowsCell[][];
  /** 0-based. */
  page: number;
  pageSize: number;
  offset: number;
  hasMore: boolean;
  /** `~N` until the exact count is known. */
  estimatedRows: number | undefined;
  exactRows: number | undefined;
  sort: RowsSort | undefined;
  restriction: string;
}

export const TO_WEBVIEW = { page: 'page', count: 'count', problem: 'problem', loading: 'loading', test: 'test' } as const;
export const FROM_WEBVIEW = { ready: 'ready', go: 'go', sort: 'sort', restrict: 'restrict', check: 'check', open: 'open', refresh: 'refresh', rendered: 'rendered' } as const;

/** A user action the tests ask the webview to perform on its own controls. */
export type RowsTestAction =
  | { kind: 'first' | 'previous' | 'next' | 'refresh' }
  | { kind: 'sort'; attribute: string }
  | { kind: 'restrict'; text: string }
  | { kind: 'open'; row: number; column: string };

export type ToWebview =
  | { type: typeof TO_WEBVIEW.page; view: PageView }
  | { type: typeof TO_WEBVIEW.count; exactRows: number; restriction: string }
  /** `check`: the answer to a check while typing (no drawing reported); else an applied restriction was refused. */
  | { type: typeof TO_WEBVIEW.problem; text: string; at: number | undefined; restriction: string; check: boolean }
  | { type: typeof TO_WEBVIEW.loading }
  | { type: typeof TO_WEBVIEW.test; action: RowsTestAction };

/** What the webview drew, as it reports it after each change. */
export interface RowsRendered {
  /** Why it drew: a page arrived, the exact count arrived, a restriction was refused. */
  reason: 'page' | 'count' | 'problem';
  rows: number;
  /** The first row's primary-key cells, `name=value` joined by `, `; '' without rows. */
  firstKey: string;
  /** 1-based page number shown. */
  page: number;
  /** `page 2 of ~10`, `page 2 of 10` once counted. */
  pageLabel: string;
  /** The header's text per column: name, type and marks (`▲`, key). */
  headers: string[];
  /** The first row's cells' text. */
  firstRow: string[];
  /** The kinds of the first row's cells (null, blob, …). */
  firstRowKinds: CellKind[];
  /** The refused restriction's message shown under the box, if any. */
  problem: string | undefined;
}

export type FromWebview =
  | { type: typeof FROM_WEBVIEW.ready }
  | { type: typeof FROM_WEBVIEW.go; to: 'first' | 'previous' | 'next' }
  | { type: typeof FROM_WEBVIEW.sort; attribute: string }
  | { type: typeof FROM_WEBVIEW.restrict; text: string }
  | { type: typeof FROM_WEBVIEW.check; text: string }
  | { type: typeof FROM_WEBVIEW.open; row: number; column: string }
  | { type: typeof FROM_WEBVIEW.refresh }
  | ({ type: typeof FROM_WEBVIEW.rendered } & RowsRendered);

/** Where a restriction problem points: `at character 12` (1-based), JSON's `position 11` (0-based). */
export function problemOffset(problem: string): number | undefined {
  const c = /at character (\d+)/.exec(problem);
  if (c) return Number(c[1]) - 1;
  const p = /at position (\d+)/.exec(problem);
  return p ? Number(p[1]) : undefined;
}

/** `page 2 of ~10`: the estimate with `~`, the exact count without. */
export function pageLabel(view: Pick<PageView, 'page' | 'pageSize' | 'estimatedRows' | 'exactRows' | 'hasMore' | 'offset'>, shownRows: number): string {
  const n = view.exactRows ?? view.estimatedRows;
  const here = `page ${view.page + 1}`;
  if (n === undefined) return view.hasMore ? here : `${here} of ${view.page + 1}`;
  const pages = Math.max(1, Math.ceil(n / view.pageSize), view.page + 1);
  const rows = view.exactRows !== undefined ? `${view.exactRows} rows` : `~${n} rows`;
  const first = shownRows ? `rows ${view.offset + 1}–${view.offset + shownRows}` : 'no rows';
  return `${here} of ${view.exactRows !== undefined ? '' : '~'}${pages} · ${first} of ${rows}`;
}
