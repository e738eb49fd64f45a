// Text forms of DATE / DATETIME values as MySQL reads and writes them. DataJoint stores
// datetimes as UTC by convention (reference §2.2), so a JS Date maps to its UTC fields.

import { DateTime, validDate, validTime } from '../blob/types';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `YYYY-MM-DD` of a Date's UTC calendar day. */
export function formatDate(d: Date): string {
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/**
 * `YYYY-MM-DD HH:MM:SS[.ffffff]` in UTC; the fraction only when non-zero, as PyMySQL
 * writes Python datetimes (so the server rounds or truncates to the column's precision
 * exactly as it does for DataJoint for Python).
 */
export function formatDateTime(d: Date): string {
  const us = d instanceof DateTime ? d.microsecond : d.getUTCMilliseconds() * 1000;
  const base = `${formatDate(d)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return us === 0 ? base : `${base}.${pad(us, 6)}`;
}

export interface ParsedDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
}

const DATETIME_TEXT = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]00:?00)?)?$/;

/** Parses `YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]]][Z]`; undefined when malformed or not a real date. */
export function parseDateTime(text: string): ParsedDateTime | undefined {
  const m = DATETIME_TEXT.exec(text.trim());
  if (!m) return undefined;
  const p: ParsedDateTime = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    microsecond: Number((m[7] ?? '').padEnd(6, '0')),
  };
  if (!validDate(p.year, p.month, p.day) || !validTime(p.hour, p.minute, p.second, p.microsecond)) return undefined;
  return p;
}

export function hasTimeOfDay(text: string): boolean {
  return /[ T]\d/.test(text.trim());
}

export function toDateTime(p: ParsedDateTime): DateTime {
  return DateTime.fromParts(p.year, p.month, p.day, p.hour, p.minute, p.second, p.microsecond);
}
