// Semantic rules over a parsed definition (reference §3 plus our stricter checks).
import type { AttributeLine, Definition } from '../ast';
import type { Diagnostic } from '../diagnostic';
import type { ValidationContext } from '../context';
import type { TableModel } from '../model';
import { validateAttributes } from './attributes';
import { validateReferences } from './references';
import { validateIndexes } from './indexes';
import { validateTable } from './table';

export function validateModel(ast: Definition, model: TableModel, ctx: ValidationContext = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  const attributeLines = ast.lines.filter((l): l is AttributeLine => l.kind === 'attribute');
  validateAttributes(model, attributeLines, ast.source, ctx, out);
  validateReferences(model, ast.source, ctx, out);
  validateIndexes(model, out);
  validateTable(ast, model, ctx, out);
  return out;
}
