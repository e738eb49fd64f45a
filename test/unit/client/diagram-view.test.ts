// The diagram webview's page (client/diagram/diagramHtml.ts: its Content-Security-Policy,
// theme colours) and the status line of a node (statusText.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagramHtml } from '../../../client/diagram/diagramHtml';
import { statusOf } from '../../../client/diagram/statusText';

test('diagram page: strict CSP with a nonce, our script only, theme colours by --vscode-* variables', () => {
  const html = diagramHtml({ cspSource: 'vscode-resource:', scriptUri: 'vscode-resource:/dist/diagram-webview.js', nonce: 'abc123' });
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!;
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-abc123'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
  assert.match(html, /<script nonce="abc123" src="vscode-resource:\/dist\/diagram-webview.js"><\/script>/);
  assert.match(html, /<style nonce="abc123">/);
  assert.match(html, /var\(--vscode-focusBorder\)/);
  // DataJoint's tier palettes per theme kind (datajoint/diagram.py _DIAGRAM_THEMES).
  assert.match(html, /body\.vscode-light \.dj-tier-computed \.dj-shape \{ fill: #FFEDE5; stroke: #FF5113; \}/);
  assert.match(html, /body\.vscode-dark \.dj-tier-computed \.dj-shape \{ fill: #331B12; stroke: #FF7A47; \}/);
  assert.doesNotMatch(html, /<script>/);
});

test('diagram status line: done/total, what is left, errors and reservations', () => {
  assert.deepEqual(statusOf({ remaining: 0, total: 5, error: 0, reserved: 0 }), { text: '5/5 done', running: false, error: false });
  assert.deepEqual(statusOf({ remaining: 3, total: 5, error: 1, reserved: 2 }, true), { text: '2/5 done · 3 left · 1 error · 2 reserved', running: true, error: true });
  assert.equal(statusOf({ remaining: 2, total: 2, error: 2, reserved: 0 }).text, '0/2 done · 2 left · 2 errors');
});
