// A value that cannot be stored in (or read from) an attribute. The message names the
// attribute and says what is wrong with the value, in the spirit of the reference's
// "badly formed UUID value … for attribute `x`" (table.py: __make_placeholder).

import { ValueError } from '../errors/index';

export class AttributeValueError extends ValueError {
  readonly attribute: string;
  constructor(attribute: string, message: string, options?: { cause?: unknown }) {
    super('value', message, options);
    this.attribute = attribute;
  }
}

/** Short, safe rendering of a user value for an error message. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : `Date(${v.toISOString()})`;
  if (v instanceof Uint8Array) return `${v.constructor.name}(${v.length} bytes)`;
  if (Array.isArray(v)) return `Array(${v.length})`;
  if (typeof v === 'object' && v !== null) return (v as object).constructor?.name ?? 'Object';
  if (typeof v === 'function') return 'a function';
  return String(v);
}
