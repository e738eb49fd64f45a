// Shared pieces of the protocol tests: a server per test file on a fixture workspace,
// documents opened with a cursor marker, and small accessors for LSP results.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompletionItem, CompletionList, Position } from 'vscode-languageserver-protocol/node';
import { cursor, FIXTURES, fileUri, LspClient } from './client';

export const PY = join(FIXTURES, 'python');
export const TS = join(FIXTURES, 'typescript');

/** A fixture workspace copied to a temporary folder, for tests that change files on disk. */
export function copyWorkspace(name: string): { root: string; dispose: () => void } {
  const root = mkdtempSync(join(tmpdir(), `dj-lsp-${name}-`));
  cpSync(join(FIXTURES, name), root, { recursive: true });
  return { root, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * Opens `path` with `replace` applied to its text (from -> to, where `to` may hold the
 * `<|>` marker); returns the uri, the final text and the marker's position.
 */
export function openEdited(client: LspClient, path: string, from: string, to: string): { uri: string; text: string; position: Position } {
  const original = readFileSync(path, 'utf8');
  if (!original.includes(from)) throw new Error(`'${from}' not in ${path}`);
  const withMarker = original.replace(from, to);
  const { text, position } = to.includes('<|>') ? cursor(withMarker) : { text: withMarker, position: { line: 0, character: 0 } };
  const uri = fileUri(path);
  client.open(uri, text);
  return { uri, text, position };
}

export function labels(r: CompletionList | CompletionItem[] | null): string[] {
  if (!r) return [];
  return (Array.isArray(r) ? r : r.items).map((i) => i.label);
}

export function item(r: CompletionList | null, label: string): CompletionItem | undefined {
  return r?.items.find((i) => i.label === label);
}

export async function complete(client: LspClient, uri: string, position: Position): Promise<CompletionList | null> {
  return client.request<CompletionList | null>('textDocument/completion', { textDocument: { uri }, position });
}

export function hoverText(h: { contents: unknown } | null): string {
  if (!h) return '';
  const c = h.contents as { value?: string } | string;
  return typeof c === 'string' ? c : (c.value ?? '');
}

/** Applies LSP text edits to a text (edits must not overlap). */
export function applyEdits(text: string, edits: Array<{ range: { start: Position; end: Position }; newText: string }>): string {
  const offset = (p: Position): number => {
    let line = 0;
    let i = 0;
    while (line < p.line && i < text.length) {
      if (text[i] === '\n') line++;
      i++;
    }
    return i + p.character;
  };
  const abs = edits.map((e) => ({ s: offset(e.range.start), e: offset(e.range.end), t: e.newText })).sort((a, b) => b.s - a.s);
  let out = text;
  for (const e of abs) out = out.slice(0, e.s) + e.t + out.slice(e.e);
  return out;
}
