// Quick fixes for every diagnostic that carries machine-applicable fixes (the index
// has already encoded their text for the host literal), and `source.fixAll.datajoint`:
// the preferred fix of every legacy-type diagnostic in the file at once.
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver/node';
import type { HostDiagnostic } from '../../runtime/project/index';
import { FIX_ALL_KIND } from '../capabilities';
import type { HostFile } from '../documents/hostFile';
import type { FeatureContext } from './featureContext';
import { toLsp } from './diagnostics';

function overlaps(a: Diagnostic['range'], b: Diagnostic['range']): boolean {
  const le = (x: typeof a.start, y: typeof a.start): boolean => x.line < y.line || (x.line === y.line && x.character <= y.character);
  return le(a.start, b.end) && le(b.start, a.end);
}

/** Legacy or native types with a core replacement: what "fix all" rewrites. */
function isLegacyType(d: HostDiagnostic): boolean {
  return !!d.tags?.includes('deprecated');
}

function edit(file: HostFile, edits: NonNullable<HostDiagnostic['fixes']>[number]['edits']): WorkspaceEdit {
  const changes: Record<string, TextEdit[]> = {};
  for (const e of edits) {
    const loc = file.location(e.start, Math.max(e.start, e.end));
    (changes[loc.uri] ??= []).push({ range: loc.range, newText: e.newText });
  }
  return { changes };
}

export function codeActions(ctx: FeatureContext, p: CodeActionParams): CodeAction[] | null {
  const uri = p.textDocument.uri;
  const file = ctx.fileOf(uri);
  if (!file) return null;
  const only = p.context.only;
  const wants = (kind: string): boolean => !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
  const actions: CodeAction[] = [];
  const fixAll: NonNullable<HostDiagnostic['fixes']>[number]['edits'] = [];
  const support = ctx.support();
  for (const d of ctx.project.check(file.key)) {
    if (!d.fixes?.length) continue;
    const { uri: dUri, diagnostic } = toLsp(ctx.project, file, d, support);
    if (dUri !== uri) continue;
    if (wants(CodeActionKind.QuickFix) && overlaps(diagnostic.range, p.range)) {
      d.fixes.forEach((fix, j) => {
        actions.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          isPreferred: d.fixes!.some((f) => f.preferred) ? !!fix.preferred : j === 0,
          edit: edit(file, fix.edits),
        });
      });
    }
    if (isLegacyType(d)) fixAll.push(...(d.fixes.find((f) => f.preferred) ?? d.fixes[0]).edits);
  }
  if (fixAll.length && wants(FIX_ALL_KIND)) {
    actions.push({ title: 'Fix all legacy types', kind: FIX_ALL_KIND, edit: edit(file, fixAll) });
  }
  return actions;
}
