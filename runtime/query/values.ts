// Value mapping between JS values and column values, by DataJoint type (notes §2.6).
// Kept behind two functions so the per-type rules can move to runtime/values and the
// `<blob>` codec can plug in without touching queries or tables.
import type { CatalogAttribute } from '../catalog/index';
import { ValueError } from '../errors/index';

/** Turns `<blob>` values into bytes and back; installed by the blob codec module. */
export interface BlobCodec {
  pack(value: unknown): Buffer;
  unpack(bytes: Buffer): unknown;
}
let blobCodec: BlobCodec | undefined;
export function setBlobCodec(codec: BlobCodec | undefined): void {
  blobCodec = codec;
}

type Attr = Pick<CatalogAttribute, 'name' | 'type' | 'sqlType' | 'category'>;

const UUID_RE = /^(?:urn:uuid:)?\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;

/** The kind of value a column holds, from its DataJoint type or, for native columns, its SQL type. */
export function valueKind(attr: Attr): string {
  const t = (attr.category === 'native' ? attr.sqlType : attr.type).toLowerCase().trim();
  if (t.startsWith('<blob')) return t.includes('@') ? 'json' : 'blob';
  if (t.startsWith('<')) return 'bytes';
  if (t === 'bool') return 'bool';
  if (t === 'int64' || /^bigint\b/.test(t) || t === 'serial') return 'int64';
  if (/^(int8|int16|int32)$/.test(t) || /^(tiny|small|medium)?int(eger)?\b/.test(t)) return 'int';
  if (/^(float32|float64)$/.test(t) || /^(float|double|real)\b/.test(t)) return 'float';
  if (/^(decimal|numeric)/.test(t)) return 'decimal';
  if (t === 'uuid') return 'uuid';
  if (t === 'json') return 'json';
  if (t === 'bytes' || /blob$/.test(t) || /^(var)?binary/.test(t)) return 'bytes';
  if (t === 'date') return 'date';
  if (/^datetime/.test(t) || /^timestamp/.test(t)) return 'datetime';
  return 'string';
}

function fail(attr: Attr, value: unknown, expected: string): never {
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value) : typeof value === 'bigint' ? `${value}n` : String(value);
  throw new ValueError('value', `Attribute \`${attr.name}\` (${attr.type}) expects ${expected}, got ${shown}`);
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** `null`/`undefined` mean "use the column default" and are handled by the caller. */
export function encodeValue(attr: Attr, value: unknown): unknown {
  const kind = valueKind(attr);
  switch (kind) {
    case 'bool':
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (value === 0 || value === 1) return value;
      return fail(attr, value, 'a boolean');
    case 'int':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      if (typeof value === 'bigint') return value.toString();
      if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return value.trim();
      if (typeof value === 'boolean') return value ? 1 : 0;
      return fail(attr, value, 'an integer');
    case 'int64':
      // Sent as text so that values beyond 2^53 arrive exactly.
      if (typeof value === 'bigint') return value.toString();
      if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
      if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return value.trim();
      return fail(attr, value, 'an integer (bigint for values beyond 2^53)');
    case 'float':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      return fail(attr, value, 'a finite number');
    case 'decimal':
      if (typeof value === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value.trim())) return value.trim();
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      if (typeof value === 'bigint') return value.toString();
      return fail(attr, value, 'a decimal number (string or number)');
    case 'uuid': {
      if (Buffer.isBuffer(value) && value.length === 16) return value;
      if (value instanceof Uint8Array && value.length === 16) return Buffer.from(value);
      const m = typeof value === 'string' ? UUID_RE.exec(value.trim()) : null;
      if (!m) return fail(attr, value, 'a UUID string');
      return Buffer.from(m.slice(1).join(''), 'hex');
    }
    case 'json':
      if (value === undefined) return fail(attr, value, 'a JSON value');
      return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    case 'bytes':
      if (Buffer.isBuffer(value)) return value;
      if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      return fail(attr, value, 'bytes (Buffer or Uint8Array)');
    case 'blob':
      if (!blobCodec) throw new ValueError('value', `Attribute \`${attr.name}\`: the <blob> codec is not available`);
      return blobCodec.pack(value);
    case 'date':
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) return fail(attr, value, 'a valid date');
        return `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
      }
      if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value.trim())) return value.trim();
      return fail(attr, value, "a date ('YYYY-MM-DD' or Date)");
    case 'datetime':
      if (value instanceof Date) {
        // DataJoint stores datetimes as given, UTC by convention (notes §2.2).
        if (Number.isNaN(value.getTime())) return fail(attr, value, 'a valid date');
        return (
          `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())} ` +
          `${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}:${pad(value.getUTCSeconds())}.${pad(value.getUTCMilliseconds(), 3)}`
        );
      }
      if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?$/.test(value.trim())) return value.trim().replace('T', ' ');
      return fail(attr, value, "a datetime ('YYYY-MM-DD HH:MM:SS' or Date)");
    default:
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'bigint') return String(value);
      return fail(attr, value, 'a string');
  }
}

/** Column value as mysql2 returns it (our pool options: exact strings) -> JS value. */
export function decodeValue(attr: Attr, raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  switch (valueKind(attr)) {
    case 'bool':
      return Number(raw) !== 0;
    case 'int':
      return typeof raw === 'number' ? raw : Number(raw);
    case 'int64':
      return BigInt(String(raw));
    case 'float':
      return typeof raw === 'number' ? raw : Number(raw);
    case 'decimal':
      return String(raw);
    case 'uuid': {
      const h = Buffer.isBuffer(raw) ? raw.toString('hex') : String(raw);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    }
    case 'json':
      return JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw));
    case 'blob':
      if (!blobCodec) throw new ValueError('value', `Attribute \`${attr.name}\`: the <blob> codec is not available`);
      return blobCodec.unpack(raw as Buffer);
    case 'bytes':
      return Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw));
    case 'date':
      return String(raw);
    case 'datetime': {
      const s = String(raw);
      const d = new Date(s.replace(' ', 'T') + (s.length > 10 ? 'Z' : 'T00:00:00Z'));
      return Number.isNaN(d.getTime()) ? s : d;
    }
    default:
      return Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
  }
}
