// The text "Open value" shows for one decoded value: JSON-like (objects, lists, numbers,
// strings as JSON writes them) with DataJoint's blob types spelled out (an array as its
// dtype, shape and nested rows, as NumPy's tolist() orders them; bytes as their size and
// first bytes). Numbers JSON cannot write (NaN, Infinity, int64 beyond 2^53) are written as
// they are, hence JSON-like. A value of more than MAX_ELEMENTS elements is cut there, and
// the text says so.
import { BlobTuple, Complex, DateTime, Decimal, LocalDate, LocalTime, MatCell, MatStruct, NDArray, StructuredArray, Uuid } from '../blob/types';
import { byteSize } from './blob-summary';

/** Elements written before the rest is left out. */
export const MAX_ELEMENTS = 200_000;

interface Budget {
  left: number;
  cut: number;
}

export function valueText(value: unknown, maxElements = MAX_ELEMENTS): string {
  const budget: Budget = { left: maxElements, cut: 0 };
  const text = write(value, '', budget);
  return budget.cut > 0 ? `${text}\n\n// ${budget.cut} more elements not shown (the first ${maxElements} are)` : text;
}

const INDENT = '  ';

/** Text written as it is, outside the element budget (an array's shape). */
class Raw {
  constructor(readonly text: string) {}
}
const shapeOf = (shape: readonly number[]) => new Raw(`[${shape.join(', ')}]`);

function scalar(v: unknown): string | undefined {
  if (v instanceof Raw) return v.text;
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Complex) return JSON.stringify(`${v.re}${v.im < 0 ? '-' : '+'}${Math.abs(v.im)}j`);
  if (v instanceof Decimal || v instanceof Uuid || v instanceof LocalDate || v instanceof LocalTime) return JSON.stringify(v.toString());
  if (v instanceof DateTime) return JSON.stringify(v.toIsoMicro());
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (v instanceof Uint8Array) {
    const shown = Buffer.from(v.buffer, v.byteOffset, Math.min(v.byteLength, 32)).toString('hex');
    return JSON.stringify(`<bytes ${byteSize(v.byteLength)}: ${shown}${v.byteLength > 32 ? '…' : ''}>`);
  }
  return undefined;
}

function write(v: unknown, indent: string, budget: Budget): string {
  const s = scalar(v);
  if (s !== undefined) return s;
  if (v instanceof NDArray) {
    const fields: Array<[string, unknown]> = [
      ['dtype', v.dtype],
      ['shape', shapeOf(v.shape)],
    ];
    const nested = v.toNested();
    if (v.imag) {
      const imag = new NDArray(v.dtype, v.shape, v.imag).toNested();
      fields.push(['real', nested], ['imag', imag]);
    } else fields.push(['data', nested]);
    return object(fields, indent, budget);
  }
  if (v instanceof StructuredArray) return object([['fields', Object.fromEntries(v.names.map((n, i) => [n, v.fields[i]]))]], indent, budget);
  if (v instanceof MatStruct) return object([['shape', shapeOf(v.shape)], ['fields', [...v.fieldNames]], ['elements', [...v.elements]]], indent, budget);
  if (v instanceof MatCell) return object([['cell', shapeOf(v.shape)], ['data', [...v.data]]], indent, budget);
  if (v instanceof Set) return object([['set', [...v]]], indent, budget);
  if (v instanceof Map) return object([...v].map(([k, x]): [string, unknown] => [typeof k === 'string' ? k : (scalar(k) ?? String(k)), x]), indent, budget);
  if (v instanceof BlobTuple) return object([['tuple', [...v]]], indent, budget);
  if (Array.isArray(v)) return list(v, indent, budget);
  if (typeof v === 'object') return object(Object.entries(v as Record<string, unknown>), indent, budget);
  return JSON.stringify(String(v));
}

function list(items: readonly unknown[], indent: string, budget: Budget): string {
  if (items.length === 0) return '[]';
  const inner = indent + INDENT;
  // A list of numbers (an array's row) on one line; anything else one item per line.
  const flat = items.every((x) => scalar(x) !== undefined);
  const parts: string[] = [];
  for (let i = 0; i < items.length; i++) {
    if (budget.left <= 0) {
      budget.cut += countElements(items.slice(i));
      parts.push('…');
      break;
    }
    // Each list item counts, nested lists' items too: an array's rows cost their elements.
    if (!Array.isArray(items[i])) budget.left--;
    parts.push(write(items[i], inner, budget));
  }
  return flat ? `[${parts.join(', ')}]` : `[\n${parts.map((p) => inner + p).join(',\n')}\n${indent}]`;
}

function object(entries: ReadonlyArray<readonly [string, unknown]>, indent: string, budget: Budget): string {
  if (entries.length === 0) return '{}';
  const inner = indent + INDENT;
  return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${write(x, inner, budget)}`).join(',\n')}\n${indent}}`;
}

function countElements(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + countElements(x), 0);
  return 1;
}
