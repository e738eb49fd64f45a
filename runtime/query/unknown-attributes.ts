// Which attributes of an object restriction a heading lacks, and the line that says so.
import type { Restriction } from './expression';

type Row = Record<string, unknown>;

// The brand of expression.ts's `Not`, read by its registered symbol: this module needs
// only the Restriction type, not the class.
const NOT_BRAND = Symbol.for('datajoint.querySource');

function isPlainObject(v: unknown): v is Row {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * The attributes named by the object restrictions in `restriction` (also inside arrays
 * and `not(...)`) that are not in `known`, in order of appearance, each once. The
 * reference ignores them (condition.py: make_condition, the mapping case, uses only the
 * keys that are in the heading), so a typo restricts nothing; callers use this to say
 * so (the API warns, the CLI refuses).
 */
export function unknownAttributes(restriction: Restriction | readonly Restriction[], known: readonly string[]): string[] {
  const names = new Set(known);
  const out: string[] = [];
  const visit = (r: unknown): void => {
    if (Array.isArray(r)) r.forEach(visit);
    else if (typeof r === 'object' && r !== null && (r as Record<symbol, unknown>)[NOT_BRAND] === 'not') visit((r as { restriction: unknown }).restriction);
    else if (isPlainObject(r)) {
      for (const [k, v] of Object.entries(r)) if (v !== undefined && !names.has(k) && !out.includes(k)) out.push(k);
    }
  };
  visit(restriction);
  return out;
}

/** One line naming the unknown attributes and the known ones. */
export function unknownAttributesMessage(unknown: readonly string[], known: readonly string[], where: string): string {
  const list = (xs: readonly string[]) => xs.map((x) => `\`${x}\``).join(', ');
  return `${unknown.length === 1 ? 'Attribute' : 'Attributes'} ${list(unknown)} ${unknown.length === 1 ? 'is' : 'are'} not in ${where} (${list(known) || 'no attributes'}), so ${unknown.length === 1 ? 'it restricts' : 'they restrict'} nothing`;
}
