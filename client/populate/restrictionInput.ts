// What the restriction box of "Populate Table with Options…" accepts, checked as the user
// types and by the same rules as `djx populate --restriction` (runtime/query/condition.ts):
// one SQL condition, or JSON (an object, or an array of objects for OR) whose attributes
// are in the key source's heading. No vscode import: unit-tested
// (test/unit/client/restriction-input.test.ts).
import { checkCondition } from '../../runtime/query/condition';
import { unknownAttributes, unknownAttributesMessage } from '../../runtime/query/unknown-attributes';
import type { Restriction } from '../../runtime/query/expression';

/**
 * The problem with the box's text, or undefined when it can run. `known`: the key
 * source's attributes, when the table is declared (else only the form is checked; the
 * CLI refuses unknown attributes after declaring it).
 */
export function restrictionProblem(text: string, known: readonly string[] | undefined): string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (!t.startsWith('{') && !t.startsWith('[')) return conditionProblem(t);
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch (e) {
    return `Invalid JSON: ${(e as Error).message}`;
  }
  // As the CLI reads it: an object is a key, an array an OR of keys and SQL conditions.
  const problems: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (typeof v === 'string') {
      const p = conditionProblem(v);
      if (p) problems.push(p);
    } else if (typeof v !== 'object' || v === null) problems.push(`${JSON.stringify(v)} is neither a key ({"subject_id": 3}) nor an SQL condition.`);
  };
  visit(value);
  if (problems.length) return problems[0];
  if (!known) return undefined;
  const unknown = unknownAttributes(value as Restriction, known);
  return unknown.length ? `${unknownAttributesMessage(unknown, known, 'the key source')}.` : undefined;
}

function conditionProblem(condition: string): string | undefined {
  const problem = checkCondition(condition);
  return problem === undefined ? undefined : `Not one SQL condition: it ${problem}.`;
}
