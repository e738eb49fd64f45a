// The rows webview's page: a strict Content-Security-Policy (no remote resource; only our
// script, dist/rows-webview.js (webview/rowsView.js), and the style carrying this page's nonce), theme colours through the
// --vscode-* variables, real buttons for every action so the grid works from the keyboard
// (Tab through the controls and headers; Alt+←/→ page). No vscode import.
import { randomBytes } from 'node:crypto';

export function makeNonce(): string {
  return randomBytes(18).toString('base64url');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface RowsHtmlOptions {
  cspSource: string;
  title: string;
  /** The webview URI of dist/rows-webview.js. */
  scriptUri: string;
  nonce?: string;
}

export function rowsHtml(o: RowsHtmlOptions): string {
  const nonce = o.nonce ?? makeNonce();
  const csp = [`default-src 'none'`, `style-src ${o.cspSource} 'nonce-${nonce}'`, `script-src 'nonce-${nonce}'`, `font-src ${o.cspSource}`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title)}</title>
<style nonce="${nonce}">
  body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 12px 12px; }
  header { position: sticky; top: 0; background: var(--vscode-editor-background); padding: 8px 0; z-index: 2; }
  h1 { font-size: 1.1em; margin: 0 0 6px; font-weight: 600; }
  .bar.second { margin-top: 6px; }
  .bar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
  button { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: 1px solid var(--vscode-button-border, transparent); padding: 2px 8px; cursor: pointer; font: inherit; }
  button:hover:not(:disabled) { background: var(--vscode-button-secondaryHoverBackground); }
  button:disabled { opacity: 0.5; cursor: default; }
  button:focus-visible, input:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
  #apply { color: var(--vscode-button-foreground); background: var(--vscode-button-background); }
  .box { position: relative; flex: 1 1 320px; min-width: 200px; }
  #restriction { width: 100%; box-sizing: border-box; color: var(--vscode-input-foreground); background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, var(--vscode-panel-border)); padding: 3px 6px; font-family: var(--vscode-editor-font-family); }
  #restriction[aria-invalid="true"] { border-color: var(--vscode-inputValidation-errorBorder); }
  #caret { font-family: var(--vscode-editor-font-family); color: var(--vscode-errorForeground); white-space: pre; padding-left: 7px; line-height: 1; }
  #problem { color: var(--vscode-errorForeground); background: var(--vscode-inputValidation-errorBackground); border: 1px solid var(--vscode-inputValidation-errorBorder); padding: 3px 6px; margin-top: 4px; white-space: pre-wrap; }
  #pageLabel { color: var(--vscode-descriptionForeground); margin-left: 6px; }
  #busy { color: var(--vscode-descriptionForeground); }
  table { border-collapse: collapse; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
  th, td { border: 1px solid var(--vscode-editorWidget-border, var(--vscode-panel-border)); padding: 2px 6px; text-align: left; vertical-align: top; }
  th { background: var(--vscode-editorWidget-background); position: sticky; top: 0; }
  th.key { border-bottom: 2px solid var(--vscode-focusBorder); }
  th button.sort { background: none; border: none; padding: 0; color: var(--vscode-textLink-foreground); font-weight: 600; }
  th .name { font-weight: 600; }
  th .type { color: var(--vscode-descriptionForeground); font-weight: normal; font-size: 0.9em; }
  th.key .type::first-letter { color: var(--vscode-textLink-foreground); }
  td.number { text-align: right; }
  td.null .text { color: var(--vscode-descriptionForeground); font-style: italic; }
  td.blob .text, td.attach .text, td.filepath .text, td.stored .text, td.bytes .text { color: var(--vscode-textPreformat-foreground); }
  td.error .text { color: var(--vscode-errorForeground); }
  td.date .text { white-space: nowrap; }
  td button.open { margin-left: 6px; font-size: 0.85em; padding: 0 4px; }
  td.empty { color: var(--vscode-descriptionForeground); font-style: italic; }
  tbody tr:hover { background: var(--vscode-list-hoverBackground); }
</style>
</head>
<body>
<header>
  <h1 id="title">${escapeHtml(o.title)}</h1>
  <div class="bar" role="toolbar" aria-label="Rows">
    <button id="first" title="First page">« First</button>
    <button id="previous" title="Previous page (Alt+←)">◀ Previous</button>
    <button id="next" title="Next page (Alt+→)">Next ▶</button>
    <span id="pageLabel" aria-live="polite"></span>
    <button id="refresh" title="Read the page again">Refresh</button>
    <span id="busy" hidden>loading…</span>
  </div>
  <div class="bar second">
    <label for="restriction">Restriction</label>
    <div class="box">
      <input id="restriction" type="text" spellcheck="false" aria-describedby="problem" placeholder="SQL condition (subject_id &lt; 10) or key JSON ({&quot;subject_id&quot;: 3})">
      <div id="caret" hidden aria-hidden="true"></div>
    </div>
    <button id="apply" title="Restrict (Enter)">Apply</button>
  </div>
  <div id="problem" role="alert" hidden></div>
</header>
<table aria-label="Rows">
  <thead id="head"></thead>
  <tbody id="body"></tbody>
</table>
<script nonce="${nonce}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>`;
}
