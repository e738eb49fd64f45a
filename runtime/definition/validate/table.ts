// Table-level rules: the table comment, the primary key as a whole, dividers, and the
// class name the definition belongs to.
import type { Definition, DividerLine, Span } from '../ast';
import type { Diagnostic } from '../diagnostic';
import { makeDiagnostic } from '../catalogue';
import type { Tier, ValidationContext } from '../context';
import type { TableModel } from '../model';
import { describeChars } from './attributes';
import { deleteCharFix, deleteLineFix } from './fixes';

/** Class-level problems have no text in the definition: they point at its start, marked for hosts to show on the class name. */
const START: Span = { start: 0, end: 0 };

function onClass(d: Diagnostic): Diagnostic {
  d.onClass = true;
  return d;
}

const TIER_PREFIX: Record<Tier, string> = { Manual: '', Lookup: '#', Imported: '_', Computed: '__', Part: '' };

/** utils.py: from_camel_case, after underscores are removed (reference §4.2). */
export function snakeCase(className: string): string {
  return className.replace(/_/g, '').replace(/[A-Z]/g, (c, i: number) => (i === 0 ? c.toLowerCase() : `_${c.toLowerCase()}`));
}

function checkClassName(ast: Definition, ctx: ValidationContext, out: Diagnostic[]): void {
  const name = ctx.className;
  if (!name) return;
  if (name.includes('_')) out.push(onClass(makeDiagnostic('DJ508', START, { name })));
  if (!/^[A-Z][A-Za-z0-9]*$/.test(name.replace(/_/g, ''))) {
    out.push(onClass(makeDiagnostic('DJ507', START, { name })));
    return;
  }
  let table: string;
  if (ctx.tier === 'Part') {
    const masterName = ctx.masterName ?? '';
    const master = ctx.resolve?.(['master']) ?? (masterName ? ctx.resolve?.([masterName]) : undefined);
    const masterTable = master ? TIER_PREFIX[master.tier] + snakeCase(master.name.split('.').pop()!) : snakeCase(masterName);
    table = `${masterTable}__${snakeCase(name)}`;
  } else {
    table = TIER_PREFIX[ctx.tier ?? 'Manual'] + snakeCase(name);
  }
  const max = ctx.dialect === 'postgresql' ? 63 : 64;
  if (table.length > max) out.push(onClass(makeDiagnostic('DJ509', START, { table, max })));
  void ast;
}

export function validateTable(ast: Definition, model: TableModel, ctx: ValidationContext, out: Diagnostic[]): void {
  const tc = ast.tableComment;
  if (tc) {
    if (tc.text.startsWith(':')) {
      const at = tc.span.start + ast.source.slice(tc.span.start, tc.span.end).indexOf(':');
      out.push(makeDiagnostic('DJ501', tc.span, {}, { fixes: [deleteCharFix(at, 'Remove the colon')] }));
    }
    // The table comment is not escaped by DataJoint for Python: `"` ends the COMMENT literal.
    const found = tc.text.match(/["{}%\\]/g);
    if (found) out.push(makeDiagnostic('DJ502', tc.span, { chars: describeChars(found) }));
  }
  const dividers = ast.lines.filter((l): l is DividerLine => l.kind === 'divider');
  dividers.slice(1).forEach((d) => out.push(makeDiagnostic('DJ505', d.span, {}, {
    tags: ['unnecessary'], fixes: [deleteLineFix(ast.source, d.span, 'Remove the second divider')],
  })));
  for (const d of dividers) {
    const text = ast.source.slice(d.span.start, d.span.end);
    const dashes = /^-+\s*/.exec(text)![0].length;
    if (dashes < text.length) {
      const dashEnd = d.span.start + /^-+/.exec(text)![0].length;
      out.push(makeDiagnostic('DJ506', { start: d.span.start + dashes, end: d.span.end }, {}, {
        tags: ['unnecessary'], fixes: [{ title: 'Remove the text after ---', edits: [{ span: { start: dashEnd, end: d.span.end }, newText: '' }], preferred: true }],
      }));
    }
  }
  if (model.singleton) {
    const code = ctx.target === '2' || ctx.target === undefined ? 'DJ503' : 'DJ511';
    out.push(dividers[0] ? makeDiagnostic(code, dividers[0].span) : onClass(makeDiagnostic(code, START)));
  }
  if (ctx.tier === 'Computed' || ctx.tier === 'Imported') {
    for (const a of model.attributes) {
      if (a.inKey && a.origin === 'declared') out.push(makeDiagnostic('DJ504', a.span, { tier: ctx.tier, name: a.name }));
    }
  }
  if (ctx.tier === 'Part') {
    const masterName = ctx.masterName;
    const masterId = (ctx.resolve?.(['master']) ?? (masterName ? ctx.resolve?.([masterName]) : undefined))?.id;
    const refersToMaster = model.foreignKeys.some((fk) => {
      const p = fk.path;
      return (p.length === 1 && (p[0] === 'master' || p[0] === masterName)) || (masterId !== undefined && fk.parent?.id === masterId);
    });
    if (!refersToMaster) out.push(onClass(makeDiagnostic('DJ510', START)));
  }
  checkClassName(ast, ctx, out);
}
