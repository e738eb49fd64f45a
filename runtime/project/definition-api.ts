// The index's use of the definition language: parse once per distinct text (the same
// definition is analysed for its heading and checked for diagnostics), then analyse and
// validate with the index's context.
import { analyzeTable, parseDefinition, validateModel } from '../definition';
import type { Definition } from '../definition/ast';
import type { ValidationContext } from '../definition/context';
import type { Diagnostic } from '../definition/diagnostic';
import type { TableModel } from '../definition/model';

const MAX = 20000;
const parsed = new Map<string, { ast: Definition; diagnostics: Diagnostic[] }>();

/** The parse of a definition's text, shared by the index and the language server's sites. */
export function parse(text: string): { ast: Definition; diagnostics: Diagnostic[] } {
  let p = parsed.get(text);
  if (!p) {
    if (parsed.size >= MAX) parsed.clear();
    p = parseDefinition(text);
    parsed.set(text, p);
  }
  return p;
}

export function analyze(text: string, ctx: ValidationContext): TableModel {
  return analyzeTable(parse(text).ast, ctx);
}

/**
 * Parse and validation diagnostics, sorted by position (as checkDefinition does). `model`
 * is the table's analysis with the same context when the caller already has it.
 */
export function check(text: string, ctx: ValidationContext, model?: TableModel): Diagnostic[] {
  const { ast, diagnostics } = parse(text);
  const all = diagnostics.concat(validateModel(ast, model ?? analyzeTable(ast, ctx), ctx));
  all.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end || a.code.localeCompare(b.code));
  return all;
}
