// Shared by the extension suites: the extension's API, polling, screenshots.
import * as vscode from 'vscode';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataJointApi } from '../../../client/api';
import type { Notice } from '../../../client/notices';

export const EXTENSION_ID = 'datajoint-vscode.datajoint-vscode';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Wait {
  what: string;
  since: number;
  abandoned: boolean;
}

/**
 * What the running test waits for now (waitFor), oldest first, with when each wait began.
 * On globalThis: every suite is a bundle of its own (scripts/vscode/build-tests.mjs), each
 * with its copy of this module, and index.ts must see the waits of all of them.
 */
const registry = ((globalThis as { __djExtensionTestWaits?: { waits: Map<number, Wait>; next: number } }).__djExtensionTestWaits ??= { waits: new Map(), next: 0 });
const awaiting = registry.waits;

/**
 * What is being awaited, for the harness to print when a test is ended by its timeout
 * (index.ts): tests set no deadlines of their own, so this says what never came.
 */
export function pendingWaits(): string[] {
  const now = Date.now();
  return [...awaiting.values()].filter((w) => !w.abandoned).map((w) => `${w.what} (for ${((now - w.since) / 1000).toFixed(1)} s)`);
}

/** Ends every wait under way: the test they belong to was ended (index.ts, after a timeout). */
export function abandonWaits(): void {
  for (const w of awaiting.values()) w.abandoned = true;
  awaiting.clear();
}

/**
 * Polls `probe` until it returns a value other than undefined. There is no deadline: a state
 * that never comes is ended by the harness's timeout of the test, which then prints `what`
 * (pendingWaits). An exception from `probe` ends the wait at once: it means the awaited state
 * cannot come.
 */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const id = registry.next++;
  const wait: Wait = { what, since: Date.now(), abandoned: false };
  awaiting.set(id, wait);
  try {
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (wait.abandoned) throw new Error(`abandoned waiting for ${what}: the test was ended`);
      await sleep(100);
    }
  } finally {
    awaiting.delete(id);
  }
}

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the extension tests need a workspace folder');
  return folder.uri;
}

export function fixtureUri(...segments: string[]): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), ...segments);
}

export async function activatedApi(): Promise<DataJointApi> {
  const ext = vscode.extensions.getExtension<DataJointApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this VS Code`);
  return ext.isActive ? ext.exports : await ext.activate();
}

/** Resolves once the language server is ready; fails with its error otherwise. */
export async function serverReady(): Promise<void> {
  const api = await activatedApi();
  await waitFor('the language server to be ready', () => {
    if (api.languageServer.state === 'error') throw new Error(api.languageServer.lastError ?? 'language server error');
    return api.languageServer.state === 'ready' ? true : undefined;
  });
}

/**
 * Asks the launcher for a screenshot of the window and waits for it. The offline
 * launcher answers; under @vscode/test-electron there is none and this does nothing.
 */
export async function screenshot(name: string): Promise<void> {
  const dir = process.env.DJ_VSCODE_SCREENSHOT_DIR;
  if (!dir) return;
  const png = join(dir, `${name}.png`);
  const request = join(dir, `${name}.request`);
  rmSync(png, { force: true });
  writeFileSync(request, '');
  // The launcher removes the request once the picture is written.
  await waitFor(`screenshot ${name}`, () => (existsSync(png) && !existsSync(request) ? true : undefined));
}

export async function openInEditor(uri: vscode.Uri): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { preview: false });
}

/** Position just after the first occurrence of `marker` in the document. */
export function positionAfter(doc: vscode.TextDocument, marker: string): vscode.Position {
  const at = doc.getText().indexOf(marker);
  if (at < 0) throw new Error(`"${marker}" not found in ${doc.uri.fsPath}`);
  return doc.positionAt(at + marker.length);
}

/** Whether the launcher can type into the window (the offline one can). */
export function canTypeIntoWindow(): boolean {
  return !!process.env.DJ_VSCODE_SCREENSHOT_DIR;
}

/** The quick input (input boxes, quick picks) of the workbench, once it is open. */
export const QUICK_INPUT = '.quick-input-widget .quick-input-box input';

/**
 * Types into the window as a user would, then presses Enter; with `whenVisible`, only once
 * that element (a CSS selector, e.g. QUICK_INPUT) is visible.
 */
export async function typeIntoWindow(name: string, text: string, whenVisible?: string): Promise<void> {
  const dir = process.env.DJ_VSCODE_SCREENSHOT_DIR;
  if (!dir) throw new Error('this launcher cannot type into the window');
  const file = join(dir, `${name}.keys`);
  writeFileSync(file, JSON.stringify({ text, enter: true, waitFor: whenVisible }));
  await waitFor(`typing ${name}`, () => (existsSync(file) ? undefined : true));
}

/** The next notification once `act` has run, and what `act` gave. */
export async function noticeOf<T>(act: () => Thenable<T>): Promise<{ notice: Notice; result: T }> {
  const api = await activatedApi();
  const notices: Notice[] = [];
  const sub = api.onDidNotify((n) => notices.push(n));
  try {
    const result = await act();
    return { notice: await waitFor('a notification', () => notices[0]), result };
  } finally {
    sub.dispose();
  }
}
