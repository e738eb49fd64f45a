// The rows webview's page (client/rows/rowsHtml.ts): its script is a file of the webview
// bundle (dist/rows-webview.js, from client/rows/webview/rowsView.js) loaded under the page's
// nonce, never source text inlined into the page; the policy allows nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, type BuildOptions } from 'esbuild';
import { rowsHtml } from '../../../client/rows/rowsHtml';

test('the page loads the bundled script by its URI under the nonce; no inline script', () => {
  const html = rowsHtml({ cspSource: 'vscode-resource:', title: 'Trial · lab', scriptUri: 'vscode-resource:/dist/rows-webview.js', nonce: 'n0nce' });
  assert.match(html, /<script nonce="n0nce" src="vscode-resource:\/dist\/rows-webview.js"><\/script>/);
  const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1);
  assert.equal(scripts[0]![1], '', 'the script element has no inline source');
  const csp = /content="([^"]+)"/.exec(html)![1]!;
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-n0nce'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
});

test('the webview script is one of the bundles, built for the browser with the protocol it imports', async () => {
  // @ts-expect-error: plain ESM script without type declarations
  const { bundleOptions } = (await import('../../../scripts/build.mjs')) as { bundleOptions(): BuildOptions[] };
  const entry = bundleOptions().find((b) => b.outfile === 'dist/rows-webview.js');
  assert.ok(entry, 'scripts/build.mjs bundles dist/rows-webview.js');
  assert.equal(entry.platform, 'browser');
  const out = await build({ ...entry, write: false, sourcemap: false, logLevel: 'silent' });
  const text = out.outputFiles![0]!.text;
  // The message names and page label of rowsProtocol.ts are in the bundle as code.
  assert.match(text, /"rendered"/);
  assert.match(text, /function pageLabel\(/);
  assert.match(text, /acquireVsCodeApi\(\)/);
});
