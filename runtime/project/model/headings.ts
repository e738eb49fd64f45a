// Linking a definition: its model (runtime/definition's analyzeTable, after declare.py)
// with the references resolved through the index, and the heading other tables inherit
// from it. A record linked in an earlier epoch is confirmed instead of analysed again
// when its text and every heading it resolved are the same.
import { analyzeTable } from '../../definition/model';
import type { ResolvedAttribute, ResolvedTable } from '../../definition/context';
import type { IndexedTable } from './files';
import type { Linked } from './records';
import { holds, tracking, type Resolution } from './resolution';

export class Linker {
  /** How many records are being linked now (a heading needs its parents' headings first). */
  private depth = 0;

  constructor(private readonly r: Resolution) {}

  /** The record's link in the current epoch, made or confirmed now (undefined for a table without a definition, or on a cycle). */
  link(table: IndexedTable): Linked | undefined {
    const record = table.record;
    if (!record) return undefined;
    const epoch = this.r.epoch;
    const last = record.linked;
    if (last?.epoch === epoch) return last;
    const cached = last && last.epoch >= this.r.namesEpoch ? last : undefined;
    if (record.linking) return undefined; // cycles resolve to nothing
    record.linking = true;
    this.depth++;
    try {
      if (cached && holds(this.r, table, cached.deps)) {
        cached.epoch = epoch;
        return cached;
      }
      const { ctx, deps } = tracking(this.r, table);
      const model = analyzeTable(record.ast, ctx);
      // Model attributes have unique names (analyzeTable keeps the first of a name).
      const attrs = new Map<string, ResolvedAttribute>();
      const attributes: ResolvedAttribute[] = [];
      for (const a of model.attributes) {
        // One literal per shape: a property added afterwards costs each object a property array.
        const ra: ResolvedAttribute = a.comment !== undefined
          ? { name: a.name, type: a.type, nullable: a.nullable, span: a.span, comment: a.comment }
          : { name: a.name, type: a.type, nullable: a.nullable, span: a.span };
        attrs.set(a.name, ra);
        attributes.push(ra);
      }
      const primaryKey: ResolvedAttribute[] = [];
      for (const n of model.primaryKey) {
        const ra = attrs.get(n);
        if (ra !== undefined) primaryKey.push(ra);
      }
      let heading: ResolvedTable = {
        id: table.id,
        name: table.name,
        tier: this.r.tierOf(table) ?? 'Manual',
        primaryKey,
        attributes,
      };
      if (model.tableComment !== undefined) heading.comment = model.tableComment;
      // The same heading as before keeps its identity, so what depends on it stays valid.
      if (cached && sameHeading(cached.heading, heading)) heading = cached.heading;
      // Inside a cycle the model saw an unfinished world; only a top-level one is reusable.
      const linked: Linked = this.depth === 1 ? { heading, deps, epoch, model } : { heading, deps, epoch };
      record.linked = linked;
      return linked;
    } finally {
      this.depth--;
      record.linking = false;
    }
  }
}

function sameAttribute(a: ResolvedAttribute, b: ResolvedAttribute): boolean {
  return a.name === b.name && a.type === b.type && a.nullable === b.nullable && a.comment === b.comment && a.span?.start === b.span?.start && a.span?.end === b.span?.end;
}

/** Equal headings, spans included (related information points into the definition). */
function sameHeading(a: ResolvedTable, b: ResolvedTable): boolean {
  return (
    a.id === b.id &&
    a.name === b.name &&
    a.tier === b.tier &&
    a.comment === b.comment &&
    a.primaryKey.length === b.primaryKey.length &&
    a.attributes.length === b.attributes.length &&
    a.primaryKey.every((x, i) => sameAttribute(x, b.primaryKey[i]!)) &&
    a.attributes.every((x, i) => sameAttribute(x, b.attributes[i]!))
  );
}
