// What kind of value an attribute holds, from its DataJoint type (the declared type or
// the comment marker: `int32`, `<blob>`, `decimal(5,2)`) and, for native types or markers
// we do not know, from its SQL type. Patterns follow declare.py: TYPE_PATTERN (reference
// §2.1), anchored at both ends, and case-insensitive as the reference matches them.

export type ValueKind =
  | { kind: 'int'; bits: 8 | 16 | 24 | 32 | 64; unsigned: boolean }
  | { kind: 'float'; bits: 32 | 64 }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'bool' }
  | { kind: 'uuid' }
  | { kind: 'json' }
  | { kind: 'bytes' }
  | { kind: 'date' }
  | { kind: 'datetime'; precision: number }
  | { kind: 'time' }
  | { kind: 'year' }
  | { kind: 'string'; maxLength?: number }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'blob' }
  | { kind: 'attach' }
  | { kind: 'unsupported'; reason: string };

export interface AttributeLike {
  /** The DataJoint type as declared (or read from the column comment marker). */
  type: string;
  /** The SQL column type, consulted for native types and unknown markers. */
  sqlType?: string;
  nullable: boolean;
  name: string;
}

const INT_BITS: Record<string, 8 | 16 | 24 | 32 | 64> = { tiny: 8, small: 16, medium: 24, big: 64, '': 32 };

/**
 * Kinds already worked out, by type string: every value encoded or decoded asks for its
 * attribute's kind, and a heading has few distinct types. Bounded, should types come from
 * user text without end.
 */
const known = new Map<string, ValueKind | undefined>();
const KNOWN_MAX = 4096;

/** The kind of `type`, or undefined when the string is no type we know (shared and frozen: never changed by callers). */
export function kindOfType(type: string): ValueKind | undefined {
  if (known.has(type)) return known.get(type);
  const kind = parseKind(type);
  if (kind?.kind === 'enum') Object.freeze(kind.values);
  if (known.size >= KNOWN_MAX) known.clear();
  known.set(type, kind && Object.freeze(kind));
  return kind;
}

function parseKind(type: string): ValueKind | undefined {
  const t = type.trim();
  let m: RegExpMatchArray | null;
  // core types
  if ((m = t.match(/^float(32|64)$/i))) return { kind: 'float', bits: m[1] === '32' ? 32 : 64 };
  if ((m = t.match(/^int(8|16|32|64)$/i))) return { kind: 'int', bits: Number(m[1]) as 8 | 16 | 32 | 64, unsigned: false };
  if (/^bool(?:ean)?$/i.test(t)) return { kind: 'bool' };
  if (/^uuid$/i.test(t)) return { kind: 'uuid' };
  if (/^jsonb?$/i.test(t)) return { kind: 'json' };
  if (/^bytes$/i.test(t)) return { kind: 'bytes' };
  if (/^date$/i.test(t)) return { kind: 'date' };
  if ((m = t.match(/^datetime(?:\s*\(\s*(\d+)\s*\))?$/i))) return { kind: 'datetime', precision: Number(m[1] ?? 0) };
  if ((m = t.match(/^(?:var)?char\s*\(\s*(\d+)\s*\)$/i))) return { kind: 'string', maxLength: Number(m[1]) };
  if ((m = t.match(/^enum\s*\((.+)\)$/is))) return { kind: 'enum', values: parseEnumValues(m[1]!) };
  if ((m = t.match(/^(?:decimal|numeric)(?:\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?(?:\s+unsigned)?(?:\s+zerofill)?$/i))) {
    // MySQL defaults: precision 10, scale 0
    return { kind: 'decimal', precision: Number(m[1] ?? 10), scale: Number(m[2] ?? 0) };
  }
  // native types
  if (/^serial$/i.test(t)) return { kind: 'int', bits: 64, unsigned: true };
  if ((m = t.match(/^(tiny|small|medium|big|)int(?:eger)?(?:\s*\(\s*\d+\s*\))?(\s+unsigned)?(?:\s+zerofill)?(?:\s+auto_increment)?$/i))) {
    return { kind: 'int', bits: INT_BITS[m[1]!.toLowerCase()]!, unsigned: m[2] !== undefined };
  }
  if ((m = t.match(/^(double(?:\s+precision)?|real|float)(?:\s*\(\s*(\d+)\s*(?:,\s*\d+\s*)?\))?(?:\s+unsigned)?(?:\s+zerofill)?$/i))) {
    // FLOAT(p) with p > 24 is a double (MySQL)
    const single = /^float$/i.test(m[1]!) && (m[2] === undefined || Number(m[2]) <= 24);
    return { kind: 'float', bits: single ? 32 : 64 };
  }
  // PostgreSQL's own spellings (information_schema.columns) beside MySQL's.
  if ((m = t.match(/^timestamp(?:\s*\(\s*(\d+)\s*\))?(?:\s+without\s+time\s+zone)?$/i))) return { kind: 'datetime', precision: Number(m[1] ?? 0) };
  if ((m = t.match(/^character(?:\s+varying)?\s*\(\s*(\d+)\s*\)$/i))) return { kind: 'string', maxLength: Number(m[1]) };
  if (/^bytea$/i.test(t)) return { kind: 'bytes' };
  if (/^time(?:\s*\(\s*\d+\s*\))?(?:\s+without\s+time\s+zone)?$/i.test(t)) return { kind: 'time' };
  if (/^character\s+varying$/i.test(t)) return { kind: 'string' };
  if (/^year(?:\s*\(\s*4\s*\))?$/i.test(t)) return { kind: 'year' };
  if (/^(?:tiny|medium|long)?blob$/i.test(t) || /^(?:var)?binary\s*\(\s*\d+\s*\)$/i.test(t) || /^bit(?:\s*\(\s*\d+\s*\))?$/i.test(t)) {
    return { kind: 'bytes' };
  }
  if (/^(?:tiny|medium|long)?text$/i.test(t) || /^(?:var)?char\s*\(.+\)$/i.test(t) || /^set\s*\(.+\)$/is.test(t)) return { kind: 'string' };
  // codecs (codecs.py: parse "<name@store>")
  if ((m = t.match(/^<\s*([^@>]+?)\s*(@\s*([^>]*?)\s*)?>$/))) {
    const name = m[1]!;
    const inStore = m[2] !== undefined;
    if (!inStore && name === 'blob') return { kind: 'blob' };
    if (!inStore && name === 'attach') return { kind: 'attach' };
    return {
      kind: 'unsupported',
      reason: inStore
        ? `in-store codec ${t} needs object storage, which this runtime does not provide yet`
        : `codec ${t} is not available in this runtime`,
    };
  }
  return undefined;
}

/** The kind of an attribute: from its DataJoint type, else from its SQL type. */
export function kindOf(attr: AttributeLike): ValueKind {
  const byType = kindOfType(attr.type);
  if (byType !== undefined) return byType;
  const bySql = attr.sqlType !== undefined ? kindOfType(attr.sqlType) : undefined;
  if (bySql !== undefined) return bySql;
  return { kind: 'unsupported', reason: `type '${attr.type}' is not a DataJoint or SQL type this runtime knows` };
}

/** `'a','b'` -> [a, b], honouring doubled and backslash-escaped quotes inside values. */
export function parseEnumValues(list: string): string[] {
  const values: string[] = [];
  const re = /\s*(['"])((?:\\.|(?!\1).|\1\1)*)\1\s*(?:,|$)/gsy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(list)) !== null) {
    const q = m[1]!;
    values.push(m[2]!.replaceAll(q + q, q).replace(/\\(.)/gs, '$1'));
    end = re.lastIndex;
    if (end >= list.length) break;
  }
  return values;
}
