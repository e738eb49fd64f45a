// The codec's only error class. Decoding errors carry the byte offset where the input
// stopped making sense; encoding errors carry the path of the value that cannot be packed
// (`$.trials[3].spikes`), so the user can find it in a large structure.

import { ValueError } from '../errors/index';

// A ValueError, so the CLI and the extension print it as a one-line user error.
export class BlobError extends ValueError {
  /** Byte offset in the (decompressed) blob where decoding failed. */
  readonly offset?: number;
  /** Path of the offending value inside the packed structure, e.g. `$.a[2]`. */
  readonly path?: string;

  constructor(message: string, where: { offset?: number; path?: string } = {}) {
    const suffix =
      where.offset !== undefined ? ` (at byte ${where.offset})` : where.path !== undefined ? ` (at ${where.path})` : '';
    super('value', message + suffix);
    this.offset = where.offset;
    this.path = where.path;
  }
}
