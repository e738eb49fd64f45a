// Checking a definition: its syntax diagnostics and runtime/definition's rules with the
// index's context, on the model its link made; and those diagnostics placed in the host
// file (class-level ones on the class name, fixes encoded for the host literal).
import { encodeForHost } from '../../hosts';
import { validateModel } from '../../definition/validate';
import { analyzeTable } from '../../definition/model';
import type { Span } from '../../definition/ast';
import type { Diagnostic } from '../../definition/diagnostic';
import { LineIndex, type Range } from '../lines';
import type { HostDiagnostic } from '../types';
import type { FileEntry, IndexedTable } from './files';
import type { Linker } from './headings';
import { holds, tracking, type Resolution } from './resolution';

export class Checker {
  constructor(
    private readonly r: Resolution,
    private readonly linker: Linker,
  ) {}

  /** The diagnostics of one table's definition at definition offsets, sorted by position. */
  diagnostics(t: IndexedTable): Diagnostic[] {
    const record = t.record!;
    const epoch = this.r.epoch;
    const last = record.checked;
    if (last?.epoch === epoch) return last.diagnostics;
    const cached = last && last.epoch >= this.r.namesEpoch ? last : undefined;
    try {
      const linked = this.linker.link(t);
      if (cached && cached.linked === linked && holds(this.r, t, cached.deps)) {
        cached.epoch = epoch;
        return cached.diagnostics;
      }
      const { ctx, deps } = tracking(this.r, t);
      const ast = record.ast;
      const diagnostics = record.syntaxDiagnostics.concat(validateModel(ast, linked?.model ?? analyzeTable(ast, ctx), ctx));
      diagnostics.sort(byPosition);
      record.checked = { linked, deps, diagnostics, epoch };
      // The model has served its check: dropped while young it costs the collector nothing,
      // kept it would be a third of what a large file holds. Features that ask for it later
      // get one made then (TableIndex.model). Kept while the database catalog is compared
      // with every table's model after each check.
      if (linked && !this.r.keepsModels) linked.model = undefined;
      return diagnostics;
    } catch (err) {
      // The validator is written not to throw; if it does, say so at the definition instead of failing the file.
      record.checked = undefined;
      return [{ code: 'DJ000', severity: 'error', message: `Internal error while checking this definition: ${err instanceof Error ? err.message : String(err)}`, span: { start: 0, end: record.text.length } }];
    }
  }

  /** Diagnostics of every definition in a file, at host positions. */
  file(file: FileEntry, tableById: (id: string) => IndexedTable | undefined, fileOf: (path: string) => FileEntry | undefined): HostDiagnostic[] {
    const out: HostDiagnostic[] = [];
    for (const t of file.tables) {
      if (!t.definition || !this.r.tierOf(t)) continue;
      const def = t.definition;
      // A Python class no schema decorates, with an empty definition, is a template that
      // subclasses fill in (nnfabrik's `Recipe`): DataJoint never declares it as it is.
      if (t.language === 'python' && !t.master && t.host.decorators.length === 0 && def.text.trim() === '') continue;
      for (const d of this.diagnostics(t)) {
        // Class-level problems (name, tier, master) sit on the class name, not in the string.
        const span = d.onClass ? t.host.classSpan : def.map.spanToHost(d.span);
        const hd: HostDiagnostic = {
          path: file.path,
          table: t.name,
          tableId: t.id,
          code: d.code,
          severity: d.severity,
          message: d.message,
          start: span.start,
          end: span.end,
          range: rangeIn(file, span),
          diagnostic: d,
        };
        if (d.tags) hd.tags = d.tags;
        if (d.related?.length) {
          hd.related = [];
          for (const r of d.related) {
            const other = r.table ? tableById(r.table) : t;
            const otherFile = other ? fileOf(other.path) : undefined;
            if (!other?.definition || !otherFile) continue;
            const s = other.definition.map.spanToHost(r.span);
            hd.related.push({ message: r.message, path: otherFile.path, start: s.start, end: s.end, range: rangeIn(otherFile, s) });
          }
        }
        if (d.fixes?.length) {
          hd.fixes = d.fixes.map((f) => ({
            title: f.title,
            ...(f.preferred ? { preferred: true } : {}),
            edits: f.edits.map((e) => {
              const s = def.map.spanToHost(e.span);
              return { path: file.path, start: s.start, end: s.end, range: rangeIn(file, s), newText: encodeForHost(e.newText, def.style) };
            }),
          }));
        }
        out.push(hd);
      }
    }
    return out;
  }
}

function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.span.start - b.span.start || a.span.end - b.span.end || a.code.localeCompare(b.code);
}

function rangeIn(file: FileEntry, span: Span): Range {
  file.lines ??= new LineIndex(file.text);
  return file.lines.range(span.start, span.end);
}
