// Table names <-> tiers and class names (reference: user_tables.py tier regexes,
// utils.py from_camel_case / to_camel_case; notes §4.2, §5.2).

export type Tier = 'Manual' | 'Lookup' | 'Imported' | 'Computed' | 'Part';

const BASE = '[a-z][a-z0-9]*(?:_[a-z][a-z0-9]*)*';
const MASTER = `(?:${BASE}|#${BASE}|__${BASE}|_${BASE})`;
const PATTERNS: Array<[Exclude<Tier, 'Part'>, RegExp]> = [
  ['Manual', new RegExp(`^${BASE}$`)],
  ['Lookup', new RegExp(`^#${BASE}$`)],
  ['Computed', new RegExp(`^__${BASE}$`)],
  ['Imported', new RegExp(`^_${BASE}$`)],
];
const PART = new RegExp(`^(${MASTER})__(${BASE})$`);

export interface TableName {
  tier: Tier;
  /** CamelCase class name, e.g. `ProcessedData`, or `Trial` for a part. */
  className: string;
  /** For parts: the master's table name, e.g. `__processed_data`. */
  master?: string;
}

/** Tier and class name from a table name; undefined for hidden tables (`~lineage`, `~~jobs`) and non-DataJoint names. */
export function parseTableName(table: string): TableName | undefined {
  // user_tables.py: Manual, Lookup, Computed, Imported, then Part; first full match wins.
  for (const [tier, re] of PATTERNS) {
    if (re.test(table)) return { tier, className: toCamelCase(table) };
  }
  const m = PART.exec(table);
  if (m) return { tier: 'Part', className: toCamelCase(m[2]), master: m[1] };
  return undefined;
}

/** `__processed_data` -> `ProcessedData`; `my_table_a_b_c` -> `MyTableABC`. */
export function toCamelCase(table: string): string {
  return table.replace(/^[#_]+/, '').replace(/(?:^|_+)([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * `SessionTrial` -> `session_trial`, `ProcessedEMG` -> `processed_e_m_g` (utils.py:
 * from_camel_case; underscores are removed first, with a warning in the reference).
 * Returns undefined for a name that is not CamelCase.
 */
export function fromCamelCase(className: string): string | undefined {
  const s = className.replace(/_/g, '');
  if (!/^[A-Z][A-Za-z0-9]*$/.test(s)) return undefined;
  return s.replace(/[A-Z]/g, (c, i: number) => (i === 0 ? '' : '_') + c.toLowerCase());
}

const PREFIX: Record<Exclude<Tier, 'Part'>, string> = { Manual: '', Lookup: '#', Imported: '_', Computed: '__' };

/** The SQL table name of a class of a tier; parts need their master's table name. */
export function tableNameFor(tier: Tier, className: string, masterTable?: string): string | undefined {
  const snake = fromCamelCase(className);
  if (snake === undefined) return undefined;
  if (tier === 'Part') return masterTable === undefined ? undefined : `${masterTable}__${snake}`;
  return PREFIX[tier] + snake;
}

/** jobs.py: `~~` + the target table name without its leading underscores. */
export function jobsTableName(table: string): string {
  return '~~' + table.replace(/^_+/, '');
}
