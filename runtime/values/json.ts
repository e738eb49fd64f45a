// JSON text for `json` attributes with exact integers: Python's json module reads and
// writes integers of any size, JSON.parse rounds those beyond 2^53. Integers beyond the
// safe range therefore come back as bigint, and a bigint is written as its digits.

/** JSON text of a value (json.dumps-compatible); throws TypeError naming the bad key. */
export function stringifyJson(value: unknown): string {
  const out = write(value, '$', new Set());
  if (out === undefined) throw new TypeError(`the value is ${describe(value)}, which JSON cannot hold`);
  return out;
}

function describe(v: unknown): string {
  return typeof v === 'object' && v !== null ? `a ${v.constructor?.name ?? 'Object'}` : typeof v === 'number' ? String(v) : `a ${typeof v}`;
}

function write(v: unknown, path: string, open: Set<object>): string | undefined {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return JSON.stringify(v);
    case 'bigint':
      return v.toString();
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`${path} is ${v}, which JSON cannot hold`);
      // An unsafe integral double keeps a '.0' (as Python writes floats) so it reads back as a number, not a bigint.
      return Number.isSafeInteger(v) || !Number.isInteger(v) || /e/.test(String(v)) ? JSON.stringify(v) : `${JSON.stringify(v)}.0`;
    case 'undefined':
      return undefined;
    case 'function':
    case 'symbol':
      throw new TypeError(`${path} is a ${typeof v}`);
  }
  const o = v as object;
  if (typeof (o as { toJSON?: unknown }).toJSON === 'function') return write((o as { toJSON(): unknown }).toJSON(), path, open);
  if (o instanceof Map || o instanceof Set) throw new TypeError(`${path} is a ${o.constructor.name}; use a plain object or array`);
  if (ArrayBuffer.isView(o)) throw new TypeError(`${path} is a ${o.constructor.name}; use a plain array`);
  if (open.has(o)) throw new TypeError(`${path} refers to itself`);
  open.add(o);
  try {
    if (Array.isArray(o)) return `[${o.map((e, i) => write(e, `${path}[${i}]`, open) ?? 'null').join(',')}]`;
    const parts: string[] = [];
    for (const [k, e] of Object.entries(o)) {
      const s = write(e, `${path}.${k}`, open);
      if (s !== undefined) parts.push(`${JSON.stringify(k)}:${s}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    open.delete(o);
  }
}

/** Parses JSON text; integers beyond ±(2^53 - 1) become bigint. Throws SyntaxError with the offset. */
export function parseJson(text: string): unknown {
  // Fast path: without a long digit run no integer can be unsafe.
  if (!/\d{16}/.test(text)) return JSON.parse(text) as unknown;
  const p = new Parser(text);
  p.ws();
  const v = p.value(0);
  p.ws();
  if (p.i !== text.length) p.fail('unexpected text after the value');
  return v;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const MAX_DEPTH = 1000;

class Parser {
  i = 0;
  constructor(private readonly s: string) {}
  fail(message: string): never {
    throw new SyntaxError(`${message} at position ${this.i} of the JSON text`);
  }
  ws(): void {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i]!)) this.i++;
  }
  private token(re: RegExp): string | undefined {
    re.lastIndex = this.i;
    const m = re.exec(this.s);
    if (!m) return undefined;
    this.i = re.lastIndex;
    return m[0];
  }
  value(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail('JSON nests too deeply');
    const c = this.s[this.i];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return JSON.parse(this.token(STRING) ?? this.fail('malformed string')) as string;
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
    }
    const n = this.token(NUMBER);
    if (n === undefined) this.fail('unexpected character');
    if (/^-?\d+$/.test(n)) {
      const big = BigInt(n);
      if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) return big;
    }
    return Number(n);
  }
  private object(depth: number): Record<string, unknown> {
    this.i++;
    const o: Record<string, unknown> = {};
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return o;
    }
    for (;;) {
      this.ws();
      const k = this.token(STRING);
      if (k === undefined) this.fail('expected a property name');
      this.ws();
      if (this.s[this.i] !== ':') this.fail("expected ':'");
      this.i++;
      this.ws();
      Object.defineProperty(o, JSON.parse(k) as string, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true });
      this.ws();
      const c = this.s[this.i];
      if (c !== ',' && c !== '}') this.fail("expected ',' or '}'");
      this.i++;
      if (c === '}') return o;
    }
  }
  private array(depth: number): unknown[] {
    this.i++;
    const a: unknown[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return a;
    }
    for (;;) {
      this.ws();
      a.push(this.value(depth + 1));
      this.ws();
      const c = this.s[this.i];
      if (c !== ',' && c !== ']') this.fail("expected ',' or ']'");
      this.i++;
      if (c === ']') return a;
    }
  }
}
