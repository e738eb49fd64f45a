import type { Tier } from './types';

const TIERS: ReadonlySet<string> = new Set(['Manual', 'Lookup', 'Imported', 'Computed', 'Part']);

/**
 * The tier named by a base class as written: `dj.Manual`, `Manual`, `datajoint.Part`,
 * `dj.Computed()` (a TS mixin call) or `Manual<Row>`: the last dotted name decides.
 */
export function tierOfBase(base: string): Tier | undefined {
  const m = /([A-Za-z_$][\w$]*)\s*(?:<[^]*>|\(\s*\))?\s*$/.exec(base);
  return m && TIERS.has(m[1]) ? (m[1] as Tier) : undefined;
}

export function tierOfBases(bases: readonly string[]): Tier | undefined {
  for (const b of bases) {
    const t = tierOfBase(b);
    if (t) return t;
  }
  return undefined;
}

/** `'manual'`, `'Manual'` as a TS `static tier` value. */
export function tierOfWord(word: string): Tier | undefined {
  const w = word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
  return TIERS.has(w) ? (w as Tier) : undefined;
}
