// The jobs table's `error_stack` column is a `<blob>`: DataJoint for Python writes the
// formatted traceback as one blob string (jobs.py: error; reference §7.5), compressed by
// the codec when longer than 1000 bytes. Python's jobs viewers unpack it and print it.

import { packBlob } from './pack';

/** Encodes a stack trace for `error_stack` exactly as DataJoint for Python does. */
export function packErrorStack(stack: string): Buffer {
  return packBlob(stack, { compress: true });
}

/**
 * Readable text of an unpacked `error_stack`: a string as is; a list of lines (older
 * clients stored `traceback.format_exc().splitlines()`-style lists) joined by newlines;
 * anything else rendered as JSON so the user still sees it.
 */
export function errorStackText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join('\n');
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
  } catch {
    return String(value);
  }
}
