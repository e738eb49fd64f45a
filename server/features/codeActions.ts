// Quick fixes for every diagnostic that carries machine-applicable fixes, and
// `source.fixAll.datajoint`: the preferred fix of every legacy-type diagnostic in the file.
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic } from 'vscode-languageserver/node';
import type { Diagnostic as DjDiagnostic } from '../../runtime/definition/index';
import { FIX_ALL_KIND } from '../capabilities';
import type { FeatureContext } from '../server';
import { validateSite } from '../workspace/checker';
import { siteDiagnostics } from './diagnostics';
import { toHostEdits, workspaceEdit, type HostEdit } from './edits';

function overlaps(a: Diagnostic['range'], b: Diagnostic['range']): boolean {
  const le = (x: typeof a.start, y: typeof a.start): boolean => x.line < y.line || (x.line === y.line && x.character <= y.character);
  return le(a.start, b.end) && le(b.start, a.end);
}

/** Codes whose fixes replace a legacy or native type with its core equivalent. */
const LEGACY_TYPE_CODES = new Set(['DJ214', 'DJ204', 'DJ224', 'DJ203']);

export function codeActions(ctx: FeatureContext, p: CodeActionParams): CodeAction[] | null {
  const uri = p.textDocument.uri;
  const file = ctx.fileOf(uri);
  if (!file) return null;
  const only = p.context.only;
  const wants = (kind: string): boolean => !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
  const actions: CodeAction[] = [];
  const fixAll: HostEdit[] = [];
  const sites = ctx.project.sites(file.key);
  const support = ctx.support();
  for (const site of sites) {
    const djs = validateSite(ctx.project, site);
    const withFixes = djs.filter((d) => d.fixes?.length);
    if (!withFixes.length) continue;
    const mapped = siteDiagnostics(ctx.project, site, support, withFixes);
    withFixes.forEach((d: DjDiagnostic, i) => {
      const { uri: dUri, diagnostic } = mapped[i];
      if (dUri !== uri) return;
      if (wants(CodeActionKind.QuickFix) && overlaps(diagnostic.range, p.range)) {
        d.fixes!.forEach((fix, j) => {
          actions.push({
            title: fix.title,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diagnostic],
            isPreferred: fix.preferred ?? j === 0,
            edit: workspaceEdit(toHostEdits(site, fix.edits)),
          });
        });
      }
      if (LEGACY_TYPE_CODES.has(d.code) && d.tags?.includes('deprecated')) {
        const fix = d.fixes!.find((f) => f.preferred) ?? d.fixes![0];
        fixAll.push(...toHostEdits(site, fix.edits));
      }
    });
  }
  if (fixAll.length && wants(FIX_ALL_KIND)) {
    actions.push({ title: 'Fix all legacy types', kind: FIX_ALL_KIND, edit: workspaceEdit(fixAll) });
  }
  return actions;
}
