// The diagram webview's page: a strict Content-Security-Policy (only our script, by its
// nonce; no remote resource), DataJoint's tier colours (datajoint/diagram.py: the light
// palette in light themes, the dark one in dark themes) and the editor's own colours for
// everything else (--vscode-* variables; high-contrast themes outline with
// --vscode-contrastBorder). No vscode import: unit-tested.
import { randomBytes } from 'node:crypto';
import { DARK, LIGHT } from '../../runtime/diagram/theme';
import { paletteRules, STRUCTURE_RULES } from '../../runtime/diagram/svg';

export function makeNonce(): string {
  return randomBytes(16).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

// The editor's background stays: the palette's own dark background is for exported files.
const scoped = (scope: string, rules: string[]) => rules.filter((r) => !r.startsWith('svg.')).map((r) => `${scope} ${r}`);

const PAGE_RULES = [
  'html, body { height: 100%; margin: 0; padding: 0; }',
  'body { display: flex; flex-direction: column; color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }',
  '#toolbar { display: flex; gap: 6px; align-items: center; padding: 6px 8px; border-bottom: 1px solid var(--vscode-panel-border, transparent); }',
  '#search { flex: 0 1 260px; color: var(--vscode-input-foreground); background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, transparent); padding: 3px 6px; }',
  '#search:focus { outline: 1px solid var(--vscode-focusBorder); }',
  'button { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: none; padding: 3px 9px; cursor: pointer; }',
  'button:hover { background: var(--vscode-button-secondaryHoverBackground); }',
  'button:focus-visible { outline: 1px solid var(--vscode-focusBorder); }',
  '#info { margin-left: auto; opacity: 0.8; }',
  '#canvas { flex: 1; overflow: auto; position: relative; }',
  '#stage { transform-origin: 0 0; display: inline-block; padding: 8px; }',
  '.dj-node { cursor: pointer; }',
  '.dj-node:focus { outline: none; }',
  '.dj-node:focus .dj-shape, .dj-node.dj-selected .dj-shape { stroke: var(--vscode-focusBorder); stroke-width: 2.5; }',
  '.dj-dim { opacity: 0.25; }',
  '.dj-match .dj-shape { stroke: var(--vscode-editor-findMatchBorder, var(--vscode-focusBorder)); stroke-width: 2.5; }',
  '.dj-group .dj-schema-label { cursor: pointer; }',
  '.dj-group .dj-schema-label:focus { outline: none; text-decoration: underline; }',
  '.dj-has-errors .dj-status { fill: var(--vscode-errorForeground); }',
  '@keyframes dj-pulse { 0% { stroke-opacity: 1; } 50% { stroke-opacity: 0.2; } 100% { stroke-opacity: 1; } }',
  '.dj-running .dj-shape { stroke: var(--vscode-progressBar-background); stroke-width: 3; animation: dj-pulse 1.2s ease-in-out infinite; }',
  '@media (prefers-reduced-motion: reduce) { .dj-running .dj-shape { animation: none; stroke-dasharray: 3 2; } }',
  '#menu { position: fixed; display: none; min-width: 220px; z-index: 10; padding: 4px 0; color: var(--vscode-menu-foreground); background: var(--vscode-menu-background); border: 1px solid var(--vscode-menu-border, var(--vscode-widget-border, transparent)); box-shadow: 0 2px 8px var(--vscode-widget-shadow); }',
  '#menu button { display: block; width: 100%; text-align: left; color: inherit; background: none; padding: 4px 16px; }',
  '#menu button:focus, #menu button:hover { color: var(--vscode-menu-selectionForeground); background: var(--vscode-menu-selectionBackground); outline: none; }',
  '#menu button[disabled] { opacity: 0.5; cursor: default; }',
  '#message { padding: 12px; }',
  'body.vscode-high-contrast .dj-shape, body.vscode-high-contrast-light .dj-shape { stroke: var(--vscode-contrastBorder); }',
  'body.vscode-light .dj-schema-label, body.vscode-dark .dj-schema-label, body.vscode-light .dj-schema-detail, body.vscode-dark .dj-schema-detail { fill: var(--vscode-descriptionForeground); }',
];

export interface DiagramPageOptions {
  /** webview.cspSource */
  cspSource: string;
  /** The webview URI of dist/diagram-webview.js. */
  scriptUri: string;
  nonce?: string;
}

export function diagramHtml(o: DiagramPageOptions): string {
  const nonce = o.nonce ?? makeNonce();
  const csp = [`default-src 'none'`, `img-src ${o.cspSource} data:`, `style-src ${o.cspSource} 'nonce-${nonce}'`, `script-src 'nonce-${nonce}'`, `font-src ${o.cspSource}`].join('; ');
  const css = [
    ...STRUCTURE_RULES,
    ...scoped('body.vscode-light', paletteRules(LIGHT)),
    ...scoped('body.vscode-high-contrast-light', paletteRules(LIGHT)),
    ...scoped('body.vscode-dark', paletteRules(DARK)),
    ...scoped('body.vscode-high-contrast', paletteRules(DARK)),
    ...PAGE_RULES,
  ].join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Pipeline Diagram</title>
<style nonce="${nonce}">
${css}
</style>
</head>
<body>
<div id="toolbar" role="toolbar" aria-label="Diagram">
<input id="search" type="search" placeholder="Find a table" aria-label="Find a table">
<button id="zoom-out" title="Zoom out (Ctrl+-)" aria-label="Zoom out">−</button>
<button id="zoom-reset" title="Actual size (Ctrl+0)" aria-label="Actual size">100%</button>
<button id="zoom-in" title="Zoom in (Ctrl+=)" aria-label="Zoom in">+</button>
<button id="zoom-fit" title="Fit to window" aria-label="Fit to window">Fit</button>
<button id="refresh" title="Read the definitions and the database again" aria-label="Refresh">Refresh</button>
<span id="info" aria-live="polite"></span>
</div>
<div id="canvas" tabindex="-1"><div id="message">Loading the pipeline…</div><div id="stage"></div></div>
<div id="menu" role="menu" aria-label="Table"></div>
<script nonce="${nonce}" src="${o.scriptUri}"></script>
</body>
</html>`;
}
