// Document and range formatting: aligns colons and comments inside definition strings
// and touches nothing else in the host file. A line whose host text contains escapes
// (e.g. `\t` in a non-raw string) is left alone: spaces there are not what they seem.
import type { Range, TextEdit } from 'vscode-languageserver/node';
import type { FeatureContext } from '../server';
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
