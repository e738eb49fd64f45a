// Public API of the definition language: parse, validate, analyze, classify types.
// Consumers (language server, `djx lint`, declaration) import only from here.
import type { Definition } from './ast';
import type { Diagnostic } from './diagnostic';
import type { ValidationContext } from './context';
import { parseDefinition } from './parser';
import { analyzeTable } from './model';
import { validateModel } from './validate';

export * from './ast';
export * from './diagnostic';
export type { Tier, ResolvedAttribute, ResolvedTable, ValidationContext, ReferenceCycle } from './context';
export type { TableModel, ModelAttribute, ModelForeignKey, ModelIndex, DuplicateAttribute, ReusedAttribute } from './model';
export { parseDefinition, unquote } from './parser';
export { validateModel } from './validate';
export { analyzeTable } from './model';
export { catalogue, catalogueEntry, catalogueMarkdown, makeDiagnostic, type CatalogueEntry, type DiagnosticCode, type DiagnosticGroup } from './catalogue';
export * from './types';
export { LineIndex, positionAt, offsetAt, type Position } from './offsets';
export { snakeCase } from './validate/table';

function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.span.start - b.span.start || a.span.end - b.span.end || a.code.localeCompare(b.code);
}

/** Parse and validate; diagnostics sorted by position. Never throws. */
export function checkDefinition(text: string, ctx: ValidationContext = {}): { ast: Definition; diagnostics: Diagnostic[] } {
  const { ast, diagnostics } = parseDefinition(text);
  const all = diagnostics.concat(validateModel(ast, analyzeTable(ast, ctx), ctx));
  all.sort(byPosition);
  return { ast, diagnostics: all };
}
