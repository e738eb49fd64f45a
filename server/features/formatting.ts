// Document and range formatting: aligns colons and comments inside definition strings
// and touches nothing else in the host file. A line whose host text contains escapes
// (e.g. `\t` in a non-raw string) is left alone: spaces there are not what they seem.
import type { Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import type { FeatureContext } from './featureContext';
import { formatDefinition } from './formatDefinition';
import { toHostEdits } from './edits';

function verbatim(site: import('../workspace/sites').Site, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!site.def.map.isVerbatim(i)) return false;
  return true;
}

export function formatDocument(ctx: FeatureContext, uri: string, range?: Range): TextEdit[] | null {
  const file = ctx.fileOf(uri);
  if (!file) return null;
  const span = range ? file.spanOf(uri, range) : undefined;
  const out: TextEdit[] = [];
  for (const site of ctx.project.sites(file.key)) {
    if (!site.def.terminated) continue;
    if (span && (site.def.contentSpan.end < span.start || site.def.contentSpan.start > span.end)) continue;
    const hasErrors = site.syntaxDiagnostics.some((d) => d.severity === 'error');
    const edits = formatDefinition(site.ast, hasErrors).filter((e) => verbatim(site, e.span.start, e.span.end));
    for (const h of toHostEdits(site, edits, false)) {
      if (h.uri !== uri) continue;
      if (span && range && (h.edit.range.end.line < range.start.line || h.edit.range.start.line > range.end.line)) continue;
      out.push(h.edit);
    }
  }
  return out;
}

/** The server command behind "DataJoint: Format Definitions in File"; its argument is the document's uri. */
export const FORMAT_DEFINITIONS_COMMAND = 'datajoint.server.formatDefinitions';

export interface FormatDefinitionsResult {
  /** How many edits formatting makes (0: already formatted, or not a file the server knows). */
  edits: number;
  /** The client applied them (workspace/applyEdit); false when it refused or cannot apply edits. */
  applied: boolean;
  /** The edits themselves, for clients without workspace/applyEdit. */
  textEdits?: TextEdit[];
}

/** The command's argument: the uri as a string, or an object with a `uri` (a TextDocumentIdentifier). */
export function uriArgument(args: unknown[] | undefined): string | undefined {
  const arg = args?.[0];
  if (typeof arg === 'string') return arg;
  const uri = (arg as { uri?: unknown } | null | undefined)?.uri;
  return typeof uri === 'string' ? uri : undefined;
}

/** Formats just the definitions of one document and asks the client to apply the edits. */
export async function formatDefinitionsCommand(
  ctx: FeatureContext,
  applyEdit: (edit: WorkspaceEdit) => Promise<{ applied: boolean }>,
  uri: string,
): Promise<FormatDefinitionsResult> {
  const edits = formatDocument(ctx, uri) ?? [];
  if (!edits.length) return { edits: 0, applied: false };
  const support = ctx.support();
  if (!support.applyEdit) return { edits: edits.length, applied: false, textEdits: edits };
  // With the version the edits were computed for, the client refuses them if the user has typed since.
  const version = ctx.fileOf(uri)?.versionOf(uri);
  const edit: WorkspaceEdit =
    support.documentChanges && version !== undefined
      ? { documentChanges: [{ textDocument: { uri, version }, edits }] }
      : { changes: { [uri]: edits } };
  const { applied } = await applyEdit(edit);
  return { edits: edits.length, applied };
}
