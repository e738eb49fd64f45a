// The bridge from tables and queries to the per-type value mapping (runtime/values, whose
// errors are already one-line ValueErrors naming the attribute) and the `<blob>` codec it uses.
import type { CatalogAttribute } from '../catalog/index';
import { decodeValue as decode, encodeValue as encode, isSqlDefault } from '../values/index';

type Attr = Pick<CatalogAttribute, 'name' | 'type' | 'sqlType' | 'nullable'>;

/** The SQL DEFAULT keyword stands in for null/undefined (and NaN or '' in numeric columns). */
export const USE_DEFAULT = Symbol.for('datajoint.useDefault');

/** JS value -> bound parameter, or USE_DEFAULT (table.py: __make_placeholder). */
export function encodeValue(attr: Attr, value: unknown): unknown {
  const v = encode(attr, value);
  return isSqlDefault(v) ? USE_DEFAULT : v;
}

/** Column value as returned by the connection -> JS value. */
export function decodeValue(attr: Attr, raw: unknown): unknown {
  return decode(attr, raw);
}
