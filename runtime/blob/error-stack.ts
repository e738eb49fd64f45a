// The jobs table's `error_stack` column is a `<blob>`: DataJoint for Python writes the
// formatted traceback as one blob string (jobs.py: error; reference §7.5), compressed by
// the codec when longer than 1000 bytes. Python's jobs viewers unpack it and print it.

import { BlobError } from './errors';
import { packBlob } from './pack';
import { unpackBlob } from './unpack';

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

/**
 * The text of a stored `error_stack` (bytes as read from the column), written by us, by
 * Python or by an older client; undefined for NULL or for bytes that are not a blob.
 * Never throws: a damaged stack must not hide the job it belongs to.
 */
export function readErrorStack(data: Uint8Array | null | undefined): string | undefined {
  if (data === null || data === undefined) return undefined;
  try {
    return errorStackText(unpackBlob(data));
  } catch (e) {
    if (e instanceof BlobError) return undefined;
    throw e;
  }
}
