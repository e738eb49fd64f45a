// Foreign-key lines: options, what a reference may name, projections, and attributes a
// foreign key brings that clash with attributes already defined.
import type { ForeignKeyLine } from '../ast';
import type { Diagnostic, RelatedInformation } from '../diagnostic';
import { makeDiagnostic } from '../catalogue';
import type { ValidationContext } from '../context';
import type { ModelForeignKey, TableModel } from '../model';
import { classifyType } from '../types';
import { checkAttributeName } from './attributes';
import { removeOptionFix } from './fixes';

const OPTIONS = new Set(['nullable', 'unique']);

/** A near miss of an option name, for the quick fix. */
function suggestOption(lower: string): string | undefined {
  if (lower.startsWith('nul') || lower === 'optional' || lower === 'nulable') return 'nullable';
  if (lower.startsWith('uni') || lower.startsWith('uniq')) return 'unique';
  return undefined;
}

function checkOptions(line: ForeignKeyLine, source: string, out: Diagnostic[]): void {
  if (line.options.length === 0) return;
  const seen = new Set<string>();
  for (const o of line.options) {
    const lower = o.text.toLowerCase();
    if (!OPTIONS.has(lower)) {
      const suggestion = suggestOption(lower);
      out.push(makeDiagnostic('DJ301', o.span, { option: o.text }, {
        fixes: suggestion ? [{ title: `Replace with ${suggestion}`, edits: [{ span: o.span, newText: suggestion }], preferred: true }] : [],
      }));
      continue;
    }
    if (seen.has(lower)) {
      out.push(makeDiagnostic('DJ309', o.span, { option: o.text }, { tags: ['unnecessary'], fixes: [removeOptionFix(line, o, source, `Remove the repeated ${o.text}`)] }));
    }
    seen.add(lower);
    // declare.py: compile_foreign_key — nullable primary dependencies are refused (D11).
    if (lower === 'nullable' && line.inKey) out.push(makeDiagnostic('DJ302', o.span, {}, { fixes: [removeOptionFix(line, o, source, 'Remove nullable')] }));
  }
}

/** An old-style foreign key: read by 0.13 and earlier only; its 0.14/2.x form as the fix. */
function checkLegacy(fk: ModelForeignKey, source: string, ctx: ValidationContext, out: Diagnostic[]): void {
  const legacy = fk.line.legacyRename;
  const ref = fk.line.reference;
  if (!legacy || !ref || !fk.legacy) return;
  if (fk.legacy.problem) {
    out.push(makeDiagnostic('DJ316', legacy.span, { detail: fk.legacy.problem }));
    return;
  }
  let replacement: string | undefined;
  if (fk.legacy.renames.size === legacy.attributes.length) {
    const pairs = [...fk.legacy.renames].filter(([from, to]) => from !== to).map(([from, to]) => `${to}='${from}'`);
    replacement = source.slice(fk.line.arrow.start, ref.span.end) + (pairs.length ? `.proj(${pairs.join(', ')})` : '');
  }
  const shown = replacement ?? `-> ${fk.path.join('.')}.proj(new_name='old_name')`;
  const fixes = replacement ? [{ title: `Write ${replacement}`, edits: [{ span: legacy.span, newText: replacement }], preferred: true }] : [];
  if (ctx.target === '0.13') out.push(makeDiagnostic('DJ315', legacy.span, { replacement: shown }, { fixes }));
  else out.push(makeDiagnostic('DJ314', legacy.span, { target: ctx.target ?? '2', replacement: shown }, { fixes }));
}

export function validateReferences(model: TableModel, source: string, ctx: ValidationContext, out: Diagnostic[]): void {
  for (const fk of model.foreignKeys) {
    const line = fk.line;
    checkOptions(line, source, out);
    checkLegacy(fk, source, ctx, out);
    const ref = line.reference;
    if (!ref || ref.path.length === 0 || ref.path.some((p) => p.text === '')) continue;
    const written = fk.path.join('.');
    if (fk.path.length === 1 && fk.path[0] === 'master' && ctx.tier !== undefined && ctx.tier !== 'Part') {
      out.push(makeDiagnostic('DJ308', ref.span));
      continue;
    }
    for (const item of ref.projection?.items ?? []) {
      if (item.form === 'expression') out.push(makeDiagnostic('DJ307', item.span, { text: item.text ?? '' }));
      else if (item.target) checkAttributeName(item.target, out);
    }
    if (!ctx.resolve) continue;
    const parent = fk.parent;
    if (!parent) {
      const span = { start: ref.path[0]!.span.start, end: ref.path[ref.path.length - 1]!.span.end };
      const cycle = ctx.cycle?.(fk.path);
      if (cycle?.kind === 'self') out.push(makeDiagnostic('DJ312', span, { name: written }));
      else if (cycle) out.push(makeDiagnostic('DJ313', span, { name: written, table: cycle.table }));
      else {
        const because = ctx.unknownBecause?.(fk.path);
        const detail = because ? `: ${because}` : fk.path[0] === 'master' ? ': the master table is not known here' : ': no such table is known';
        out.push(makeDiagnostic('DJ303', span, { name: written, detail }));
      }
      continue;
    }
    const items = ref.projection?.items;
    if (!items?.length) continue;
    const keyNames = new Set(parent.primaryKey.map((a) => a.name));
    const allNames = new Set(parent.attributes.map((a) => a.name));
    for (const item of items) {
      if (!item.source || item.form === 'expression') continue;
      const source = item.source.text;
      if (!allNames.has(source) && !keyNames.has(source)) {
        out.push(makeDiagnostic('DJ305', item.source.span, { table: parent.name, name: source }));
      } else if (item.form === 'rename' && !keyNames.has(source)) {
        out.push(makeDiagnostic('DJ306', item.source.span, { table: parent.name, name: source }));
      }
    }
  }
  // A second `-> Parent` without renames: declare.py adds a duplicate constraint and no column.
  const seenParents = new Set<string>();
  for (const fk of model.foreignKeys) {
    if (!fk.parent || fk.attributes.length === 0) continue;
    const renamed = fk.attributes.some((a) => a.name !== a.parentName);
    if (seenParents.has(fk.parent.id) && !renamed) {
      out.push(makeDiagnostic('DJ311', fk.line.reference!.span, { table: fk.parent.name, name: fk.attributes[0]!.parentName }, { tags: ['unnecessary'] }));
    }
    seenParents.add(fk.parent.id);
  }
  for (const r of model.reused) {
    const ref = r.foreignKey.line.reference!;
    const parent = r.foreignKey.parent!;
    const mine = r.attribute.typeInfo.sql?.mysql;
    const theirs = classifyType(r.parentAttribute.type, ctx.target).sql?.mysql;
    const detail = mine && theirs && mine !== theirs
      ? `, but its type \`${r.attribute.type}\` differs from \`${r.parentAttribute.type}\` in \`${parent.name}\`: the foreign key cannot be created`
      : ' instead of bringing its own';
    out.push(makeDiagnostic('DJ310', ref.span, { table: parent.name, name: r.attribute.name, detail }, {
      related: [{ message: `\`${r.attribute.name}\` is declared here`, span: r.attribute.span }],
    }));
  }
  // Duplicates, including attributes brought in by a foreign key (first wins in declare.py).
  for (const dup of model.duplicates) {
    const first = dup.first;
    const related: RelatedInformation[] = [];
    let detail: string;
    if (first.origin === 'foreignKey' && first.foreignKey) {
      const { parent, parentAttribute, line } = first.foreignKey;
      detail = ` by the foreign key to \`${parent.name}\``;
      related.push({ message: `\`${first.name}\` comes from this foreign key`, span: line.reference?.span ?? line.span });
      if (parentAttribute.span) related.push({ message: `\`${parentAttribute.name}\` in \`${parent.name}\``, span: parentAttribute.span, table: parent.id });
    } else {
      detail = '';
      related.push({ message: `\`${first.name}\` is first defined here`, span: first.span });
    }
    out.push(makeDiagnostic('DJ206', dup.span, { name: dup.name, detail }, { related }));
  }
}
