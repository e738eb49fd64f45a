// The three-part make re-fetches its inputs inside the transaction and compares them
// with what make_compute used (autopopulate.py: _populate1 with DeepHash). Any
// deterministic canonical hash will do (reference notes 11.3 #15): SHA-256 over a
// type-tagged serialization, object keys sorted, arrays in order.
import { createHash, type Hash } from 'node:crypto';

export function canonicalHash(value: unknown): string {
  const h = createHash('sha256');
  feed(h, value, new Set());
  return h.digest('hex');
}

function feed(h: Hash, v: unknown, seen: Set<object>): void {
  if (v === null) return void h.update('n;');
  switch (typeof v) {
    case 'undefined':
      return void h.update('u;');
    case 'boolean':
      return void h.update(v ? 'T;' : 'F;');
    case 'number':
      return void h.update(`d${Object.is(v, -0) ? '-0' : String(v)};`);
    case 'bigint':
      return void h.update(`i${v.toString()};`);
    case 'string':
      return void h.update(`s${Buffer.byteLength(v)}:`).update(v);
    case 'symbol':
    case 'function':
      return void h.update(`${typeof v}${String(v)};`);
  }
  const o = v as object;
  if (seen.has(o)) throw new TypeError('makeFetch returned a cyclic structure, which cannot be compared.');
  seen.add(o);
  try {
    if (o instanceof Date) h.update(`t${Number.isNaN(o.getTime()) ? 'NaN' : o.toISOString()};`);
    else if (ArrayBuffer.isView(o)) {
      const bytes = new Uint8Array(o.buffer, o.byteOffset, o.byteLength);
      h.update(`b${o.constructor.name}${bytes.length}:`).update(bytes);
    } else if (o instanceof ArrayBuffer) h.update(`B${o.byteLength}:`).update(new Uint8Array(o));
    else if (Array.isArray(o)) {
      h.update(`a${o.length}[`);
      for (const x of o) feed(h, x, seen);
      h.update(']');
    } else if (o instanceof Map) {
      const entries = [...o.entries()].map(([k, x]) => [canonicalHash(k), x] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      h.update(`m${entries.length}{`);
      for (const [k, x] of entries) {
        h.update(k);
        feed(h, x, seen);
      }
      h.update('}');
    } else if (o instanceof Set) {
      const items = [...o].map((x) => canonicalHash(x)).sort();
      h.update(`S${items.length}{${items.join(',')}}`);
    } else {
      const keys = Object.keys(o).sort();
      h.update(`o${o.constructor?.name ?? ''}${keys.length}{`);
      for (const k of keys) {
        h.update(`${k.length}:${k}`);
        feed(h, (o as Record<string, unknown>)[k], seen);
      }
      h.update('}');
    }
  } finally {
    seen.delete(o);
  }
}
