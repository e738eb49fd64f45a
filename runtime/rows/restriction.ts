// The rows grid's restriction box: the same text `djx populate --restriction` and the
// populate options' box take (client/populate/restrictionInput.ts restrictionProblem;
// runtime/cli/populate/option-values.ts parseRestriction): one SQL condition, or JSON — an
// object (a key) or an array of keys and conditions (OR). Each condition must be exactly
// one (query/condition.ts checkCondition, by MySQL's rules here and again by the
// backend's own when the query is built: query/expression.ts), and a key's attributes
// must be the table's, so a typo is refused rather than restricting nothing.
import { UsageError } from '../errors/index';
import { checkCondition } from '../query/condition';
import { unknownAttributes, unknownAttributesMessage } from '../query/unknown-attributes';
import type { Restriction } from '../query/expression';

/** A refused restriction: `message` says what and where (`at character 12`). */
export class RestrictionError extends UsageError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'RestrictionError';
  }
}

/**
 * The restriction `text` stands for, or undefined for an empty box; throws
 * RestrictionError when it is not one condition or key JSON over `attributes`.
 */
export function parseRowsRestriction(text: string | undefined, attributes: readonly string[], table = 'the table'): Restriction | undefined {
  const t = (text ?? '').trim();
  if (t === '') return undefined;
  if (!t.startsWith('{') && !t.startsWith('[')) {
    refuseCondition(t);
    return t;
  }
  let value: unknown;
  try {
    value = JSON.parse(t) as unknown;
  } catch (e) {
    throw new RestrictionError(`Invalid JSON: ${(e as Error).message}`);
  }
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (typeof v === 'string') refuseCondition(v);
    else if (typeof v !== 'object' || v === null) throw new RestrictionError(`${JSON.stringify(v)} is neither a key ({"subject_id": 3}) nor an SQL condition.`);
  };
  visit(value);
  const unknown = unknownAttributes(value as Restriction, attributes);
  if (unknown.length) throw new RestrictionError(`${unknownAttributesMessage(unknown, attributes, table)}.`);
  return value as Restriction;
}

function refuseCondition(condition: string): void {
  const problem = checkCondition(condition);
  if (problem !== undefined) throw new RestrictionError(`Not one SQL condition: it ${problem}.`);
}
