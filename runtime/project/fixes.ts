// "Fix all": the preferred fix of every diagnostic of a file, as one set of edits that do
// not overlap. Shared by `djx lint --fix` and the editor's migration.
import type { HostDiagnostic } from './types';

export interface HostTextEdit {
  /** Host offsets. */
  start: number;
  end: number;
  newText: string;
}

/**
 * The edits of every diagnostic's preferred fix in one file; a fix that overlaps one already
 * taken is left for another round (its diagnostic may be gone then). Sorted from the end.
 */
export function preferredFixes(diagnostics: readonly HostDiagnostic[]): HostTextEdit[] {
  const chosen: HostTextEdit[] = [];
  for (const d of diagnostics) {
    const fix = d.fixes?.find((f) => f.preferred);
    if (!fix || fix.edits.some((e) => e.path !== d.path)) continue;
    const overlaps = fix.edits.some((e) => chosen.some((c) => (e.start < c.end && c.start < e.end) || (e.start === c.start && e.end === c.end)));
    if (overlaps) continue;
    chosen.push(...fix.edits.map((e) => ({ start: e.start, end: e.end, newText: e.newText })));
  }
  return chosen.sort((a, b) => b.start - a.start || b.end - a.end);
}

/** The text with edits (sorted from the end, as preferredFixes gives them) applied. */
export function applyEdits(text: string, edits: readonly HostTextEdit[]): string {
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}
