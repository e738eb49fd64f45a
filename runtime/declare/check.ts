// The gate before any SQL: a definition is parsed and validated with the shared grammar
// (the same code and diagnostics as `djx lint` and the editor), and refused with those
// diagnostics when any is an error.
import { checkDefinition, parseDefinition, type Definition, type ResolvedTable, type Tier, type ValidationContext } from '../definition/index';
import type { CatalogTable } from '../catalog/index';
import { DeclarationError } from '../errors/index';

export interface CheckContext {
  className: string;
  tier: Tier;
  masterName?: string;
  /** `Master.Part` or `Class` for messages. */
  label: string;
  /** Parents by dotted path as written, already declared and read back; undefined: do not check references yet. */
  parents?: ReadonlyMap<string, { tier: Tier; className: string; catalogTable: CatalogTable }>;
}

/** The dotted paths of the `->` lines, as written (for declaring parents first). */
export function referencePaths(definition: string): string[][] {
  const { ast } = parseDefinition(definition);
  const out: string[][] = [];
  for (const line of ast.lines) {
    if (line.kind === 'foreignKey' && line.reference && line.reference.path.length) out.push(line.reference.path.map((p) => p.text));
  }
  return out;
}

/**
 * A table read from the database as the validator's ResolvedTable, so that definitions
 * can be checked against a live schema (the language server and `djx lint` when connected).
 */
export function resolvedFromCatalog(table: CatalogTable, name = table.className): ResolvedTable {
  return toResolved(name, { tier: table.tier, className: table.className, catalogTable: table });
}

function toResolved(path: string, p: { tier: Tier; className: string; catalogTable: CatalogTable }): ResolvedTable {
  const attrs = p.catalogTable.attributes
    .filter((a) => !a.hidden)
    .map((a) => ({ name: a.name, type: a.type, nullable: a.nullable, comment: a.comment }));
  return {
    id: `${p.catalogTable.schema}.${p.catalogTable.name}`,
    name: path,
    tier: p.tier,
    primaryKey: attrs.filter((a) => p.catalogTable.primaryKey.includes(a.name)),
    attributes: attrs,
    comment: p.catalogTable.comment,
  };
}

/** `line 3, column 5` of a span start. */
export function position(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/** Parses and validates; throws DeclarationError listing every error; returns the tree. */
export function checkTableDefinition(definition: string, ctx: CheckContext): Definition {
  const vctx: ValidationContext = {
    className: ctx.className,
    tier: ctx.tier,
  };
  const parents = ctx.parents;
  if (parents) {
    vctx.resolve = (path) => {
      const key = path.join('.');
      const p = parents.get(key);
      return p ? toResolved(key, p) : undefined;
    };
  }
  if (ctx.masterName !== undefined) vctx.masterName = ctx.masterName;
  // The same check as `djx lint` and the editor (runtime/definition: checkDefinition).
  const { ast, diagnostics: all } = checkDefinition(definition, vctx);
  // A `->` the schema cannot resolve would otherwise only be a warning in the editor.
  for (const line of parents ? ast.lines : []) {
    if (line.kind !== 'foreignKey' || !line.reference) continue;
    const key = line.reference.path.map((p) => p.text).join('.');
    if (!parents!.has(key) && !all.some((d) => d.severity === 'error' && d.span.start >= line.span.start && d.span.end <= line.span.end)) {
      // DJ303 is a warning while editing (the workspace may be incomplete); declaring needs the parent.
      for (const d of all) if (d.code === 'DJ303' && d.span.start >= line.span.start && d.span.end <= line.span.end) d.severity = 'error';
      if (all.some((d) => d.code === 'DJ303' && d.span.start >= line.span.start && d.span.end <= line.span.end)) continue;
      all.push({
        code: 'DJ303',
        severity: 'error',
        message: `Cannot resolve \`${key}\`: register the class with this schema or pass it in the schema's context`,
        span: line.reference.span,
      });
    }
  }
  const errors = all.filter((d) => d.severity === 'error');
  if (errors.length) {
    const lines = errors.map((d) => `${position(definition, d.span.start)}: ${d.code} ${d.message}`);
    throw new DeclarationError(
      ctx.label,
      `Cannot declare ${ctx.label}: ${lines.length === 1 ? lines[0] : `${lines.length} errors\n  ${lines.join('\n  ')}`}`,
      errors.map((d) => ({ code: d.code, severity: d.severity, message: d.message, span: d.span })),
    );
  }
  return ast;
}
