// A definition's model outside the index (runtime/diagram reads the tables it is given
// with their own context). Inside the index every definition has a record that parses it
// once (model/records.ts); prefer TableIndex.model there.
import { analyzeTable, parseDefinition } from '../definition';
import type { ValidationContext } from '../definition/context';
import type { TableModel } from '../definition/model';

export function analyze(text: string, ctx: ValidationContext): TableModel {
  return analyzeTable(parseDefinition(text).ast, ctx);
}
