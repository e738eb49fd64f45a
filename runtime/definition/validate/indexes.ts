// Index lines: the attributes they name must exist, once, and be indexable.
import type { Diagnostic } from '../diagnostic';
import { makeDiagnostic } from '../catalogue';
import type { TableModel } from '../model';

export function validateIndexes(model: TableModel, out: Diagnostic[]): void {
  if (model.indexes.length === 0) return;
  const byName = new Map<string, TableModel['attributes'][number]>();
  // The last attribute of a name, as the Map of pairs had it (names are unique in a model).
  for (const a of model.attributes) byName.set(a.name, a);
  for (const index of model.indexes) {
    const seen = new Set<string>();
    for (const arg of index.line.args) {
      if (!arg.name) continue;
      const name = arg.name.text;
      const attr = byName.get(name);
      if (!attr) {
        // An unresolved foreign key may bring it: only report when the heading is complete.
        if (model.complete) out.push(makeDiagnostic('DJ401', arg.name.span, { name }));
        continue;
      }
      if (arg.kind === 'attribute') {
        if (seen.has(name)) out.push(makeDiagnostic('DJ402', arg.span, { name }));
        seen.add(name);
        if (attr.typeInfo.isBlobLike || attr.typeInfo.isJson) out.push(makeDiagnostic('DJ403', arg.span, { name, type: attr.type }));
      } else if (arg.kind === 'jsonPath' && !attr.typeInfo.isJson) {
        out.push(makeDiagnostic('DJ404', arg.name.span, { name, type: attr.type }));
      }
    }
  }
}
