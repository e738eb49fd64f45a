// One grid cell from the value the driver returned (runtime/values: MYSQL2_TYPE_OPTIONS,
// pg-driver's raw text types), by the attribute's DataJoint type. Dates and datetimes are
// shown as the server's text: the server's zone, never converted here (DataJoint stores
// them without a zone). Blobs, attachments and bytes arrive as their first bytes and
// their length, long text and JSON as their first characters and their length (page.ts),
// so a cell never holds a whole large value.
import { decodeValue } from '../values/decode';
import { kindOf, type AttributeLike, type ValueKind } from '../values/kind';
import { byteSize, summarizeBlob } from './blob-summary';
import type { CellKind, RowsCell } from './types';

/** The longest text a cell shows; longer text ends with `…` and can be opened. */
export const MAX_CELL_TEXT = 200;

/** A value read as its first bytes and its length in bytes. */
export interface Prefixed {
  prefix: Uint8Array;
  length: number;
}

/** A text or JSON value read as its first characters and its length in characters. */
export interface PrefixedText {
  text: string;
  length: number;
}

/** The characters a page reads of a text or JSON value: all a cell shows, and one more to know it was cut. */
export const PREFIX_CHARS = MAX_CELL_TEXT + 1;

/** Attributes whose values a page reads as a prefix and a length: bytes of binary values, characters of text. */
export function readsPrefix(attr: AttributeLike): 'bytes' | 'chars' | undefined {
  const k = kindOf(attr);
  if (k.kind === 'blob' || k.kind === 'attach' || k.kind === 'bytes') return 'bytes';
  // Text that may be longer than a cell shows (text, longtext, a long varchar) and JSON.
  if (k.kind === 'json' || (k.kind === 'string' && (k.maxLength === undefined || k.maxLength > MAX_CELL_TEXT))) return 'chars';
  return undefined;
}

/** Sorting by them means something and needs no blob comparison. */
export function sortable(attr: AttributeLike): boolean {
  const k = kindOf(attr).kind;
  return k !== 'blob' && k !== 'attach' && k !== 'bytes' && k !== 'json' && k !== 'unsupported';
}

function capped(kind: CellKind, text: string, openableWhenLong = true): RowsCell {
  if (text.length <= MAX_CELL_TEXT) return { kind, text };
  return { kind, text: `${text.slice(0, MAX_CELL_TEXT - 1)}…`, title: `${text.length} characters`, openable: openableWhenLong };
}

/**
 * The cell of text read whole or as a prefix: a prefix shorter than the value (its length
 * is the server's count of characters) is cut as a long value is, with Open value for the
 * whole, as blobs are.
 */
function textCell(kind: CellKind, raw: unknown): RowsCell {
  if (!isPrefixedText(raw)) return capped(kind, asText(raw));
  const chars = [...raw.text];
  if (chars.length >= raw.length) return capped(kind, raw.text);
  return { kind, text: `${chars.slice(0, MAX_CELL_TEXT - 1).join('')}…`, title: `${raw.length} characters`, openable: true };
}

function isPrefixedText(raw: unknown): raw is PrefixedText {
  return typeof raw === 'object' && raw !== null && 'text' in raw && 'length' in raw && typeof (raw as PrefixedText).text === 'string';
}

function asText(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (raw instanceof Uint8Array) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  return String(raw);
}

/** The cell of `raw` (or of a prefixed read) for `attr`. */
export function cellOf(attr: AttributeLike, raw: unknown): RowsCell {
  if (raw === null || raw === undefined) return { kind: 'null', text: 'NULL' };
  const kind = kindOf(attr);
  try {
    return cellOfKind(attr, kind, raw);
  } catch (e) {
    return { kind: 'error', text: 'unreadable', title: (e as Error).message };
  }
}

function cellOfKind(attr: AttributeLike, kind: ValueKind, raw: unknown): RowsCell {
  switch (kind.kind) {
    case 'int':
    case 'float':
    case 'decimal':
    case 'year':
      return { kind: 'number', text: String(decodeValue(attr, raw)) };
    case 'bool':
      return { kind: 'bool', text: decodeValue(attr, raw) ? 'true' : 'false' };
    case 'uuid':
      return { kind: 'uuid', text: String(decodeValue(attr, raw)) };
    case 'date':
    case 'datetime':
    case 'time':
      // As the server gives it (no zone conversion); MySQL's zero date stays visible.
      return { kind: 'date', text: asText(raw) };
    case 'string':
    case 'enum':
      return textCell('text', raw);
    case 'json':
      return textCell('json', raw);
    case 'blob': {
      const p = prefixed(raw);
      const s = summarizeBlob(p.prefix, p.length);
      return { kind: s.error ? 'error' : 'blob', text: s.text, title: s.title, openable: !s.error };
    }
    case 'attach': {
      // attach.py: the file name, a NUL, the contents.
      const p = prefixed(raw);
      const bytes = Buffer.from(p.prefix.buffer, p.prefix.byteOffset, p.prefix.byteLength);
      const nul = bytes.indexOf(0);
      if (nul <= 0) return { kind: 'error', text: `attachment without a file name (${byteSize(p.length)})` };
      const name = bytes.subarray(0, nul).toString('utf8');
      const size = byteSize(p.length - nul - 1);
      return { kind: 'attach', text: `${name} (${size})`, title: `attachment ${JSON.stringify(name)}, ${size}` };
    }
    case 'bytes': {
      const p = prefixed(raw);
      const head = Buffer.from(p.prefix.buffer, p.prefix.byteOffset, Math.min(p.prefix.byteLength, 16)).toString('hex');
      return { kind: 'bytes', text: `${byteSize(p.length)}${p.length ? `: ${head}${p.length > 16 ? '…' : ''}` : ''}` };
    }
    case 'unsupported':
      return storedCell(attr, raw, kind.reason);
  }
}

function prefixed(raw: unknown): Prefixed {
  if (typeof raw === 'object' && raw !== null && 'prefix' in raw && 'length' in raw) return raw as Prefixed;
  if (raw instanceof Uint8Array) return { prefix: raw, length: raw.byteLength };
  throw new Error(`expected bytes from the server, got ${typeof raw}`);
}

/**
 * In-store codecs (`<filepath@store>`, `<blob@store>`, `<attach@store>`, `<object@store>`)
 * keep JSON metadata in the column (builtin_codecs/filepath.py: `{path, store, size,
 * timestamp}`); the cell names the file and its size, never the file's contents.
 */
function storedCell(attr: AttributeLike, raw: unknown, reason: string): RowsCell {
  const text = asText(raw);
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch {
    return { ...capped('stored', text, false), title: reason };
  }
  if (typeof meta !== 'object' || meta === null) return { ...capped('stored', text, false), title: reason };
  const m = meta as Record<string, unknown>;
  const path = typeof m.path === 'string' ? m.path : typeof m.filename === 'string' ? m.filename : typeof m.hash === 'string' ? m.hash : undefined;
  const size = typeof m.size === 'number' ? ` (${byteSize(m.size)})` : '';
  const store = typeof m.store === 'string' ? `@${m.store}` : '';
  const filepath = /^<\s*filepath\b/.test(attr.type);
  const cell = capped(filepath ? 'filepath' : 'stored', path !== undefined ? `${path}${size}` : text, false);
  return { ...cell, title: `${attr.type}${store ? ` in store ${store.slice(1)}` : ''}: ${text.length > 400 ? `${text.slice(0, 399)}…` : text}` };
}
