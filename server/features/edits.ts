// Turning edits in definition offsets into host-file edits: the span is mapped through
// the site's position map and the new text is encoded for the literal's quoting style
// (a quote or backslash in a fix must not end or corrupt the string).
import type { TextEdit as LspTextEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import type { TextEdit } from '../../runtime/definition/index';
import { encodeForHost } from '../../runtime/hosts/encode';
import type { Site } from '../workspace/sites';

export interface HostEdit {
  uri: string;
  edit: LspTextEdit;
}

/** `encode: false` for text known to be written verbatim (formatting of escape-free lines). */
export function toHostEdits(site: Site, edits: readonly TextEdit[], encode = true): HostEdit[] {
  return edits.map((e) => {
    const start = site.toHost(e.span.start);
    const end = site.toHost(Math.max(e.span.start, e.span.end));
    const loc = site.file.location(start, Math.max(start, end));
    return { uri: loc.uri, edit: { range: loc.range, newText: encode ? encodeForHost(e.newText, site.def.style) : e.newText } };
  });
}

export function workspaceEdit(edits: readonly HostEdit[]): WorkspaceEdit {
  const changes: Record<string, LspTextEdit[]> = {};
  for (const e of edits) (changes[e.uri] ??= []).push(e.edit);
  return { changes };
}
