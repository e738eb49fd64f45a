// Quick fixes for every diagnostic that carries machine-applicable fixes, and
// `source.fixAll.datajoint`: the preferred fix of every legacy-type diagnostic
// (tagged deprecated) in the file at once. Fix texts are encoded for the host literal.
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic } from 'vscode-languageserver/node';
import { FIX_ALL_KIND } from '../capabilities';
import type { FeatureContext } from '../server';
import { checkSite } from '../workspace/checker';
import { toLsp } from './diagnostics';
import { toHostEdits, workspaceEdit, type HostEdit } from './edits';

function overlaps(a: Diagnostic['range'], b: Diagnostic['range']): boolean {
  const le = (x: typeof a.start, y: typeof a.start): boolean => x.line < y.line || (x.line === y.line && x.character <= y.character);
  return le(a.start, b.end) && le(b.start, a.end);
}

export function codeActions(ctx: FeatureContext, p: CodeActionParams): CodeAction[] | null {
  const uri = p.textDocument.uri;
  const file = ctx.fileOf(uri);
  if (!file) return null;
  const only = p.context.only;
  const wants = (kind: string): boolean => !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
  const actions: CodeAction[] = [];
  const fixAll: HostEdit[] = [];
  const support = ctx.support();
  for (const site of ctx.project.sites(file.key)) {
    for (const d of checkSite(ctx.project, site)) {
      if (!d.fixes?.length) continue;
      const { uri: dUri, diagnostic } = toLsp(ctx.project, site, d, support);
      if (dUri !== uri) continue;
      if (wants(CodeActionKind.QuickFix) && overlaps(diagnostic.range, p.range)) {
        const anyPreferred = d.fixes.some((f) => f.preferred);
        d.fixes.forEach((fix, j) => {
          actions.push({
            title: fix.title,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diagnostic],
            isPreferred: anyPreferred ? !!fix.preferred : j === 0,
            edit: workspaceEdit(toHostEdits(site, fix.edits)),
          });
        });
      }
      if (d.tags?.includes('deprecated')) fixAll.push(...toHostEdits(site, (d.fixes.find((f) => f.preferred) ?? d.fixes[0]).edits));
    }
  }
  if (fixAll.length && wants(FIX_ALL_KIND)) {
    actions.push({ title: 'Fix all legacy types', kind: FIX_ALL_KIND, edit: workspaceEdit(fixAll) });
  }
  return actions;
}
