// A bare PostgreSQL wire-protocol client for the embedded server's tests: it can cut an
// extended-protocol sequence (Parse/Bind/Execute/Sync) across writes, or stop it half-way,
// which node-postgres and psycopg2 never do on their own.
import { connect as tcp, type Socket } from 'node:net';

const cstr = (s: string) => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
function msg(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}
export const parse = (sql: string, name = '') => msg('P', Buffer.concat([cstr(name), cstr(sql), Buffer.from([0, 0])]));
export const bind = (stmt = '') => msg('B', Buffer.concat([cstr(''), cstr(stmt), Buffer.from([0, 0, 0, 0, 0, 0])]));
export const execute = () => msg('E', Buffer.concat([cstr(''), Buffer.from([0, 0, 0, 0])]));
export const sync = () => msg('S', Buffer.alloc(0));
export const query = (sql: string) => msg('Q', cstr(sql));

export interface BackendMessage {
  type: string;
  body: Buffer;
}

export interface WireClient {
  socket: Socket;
  send(...messages: Buffer[]): void;
  /** Messages up to and including the next one of `type` (default ReadyForQuery). */
  until(type?: string): Promise<BackendMessage[]>;
  /** Resolves once the socket has closed. */
  closed: Promise<void>;
}

export function rows(ms: BackendMessage[]): (string | null)[][] {
  return ms
    .filter((m) => m.type === 'D')
    .map((m) => {
      const n = m.body.readInt16BE(0);
      const out: (string | null)[] = [];
      let o = 2;
      for (let i = 0; i < n; i++) {
        const l = m.body.readInt32BE(o);
        o += 4;
        out.push(l < 0 ? null : m.body.subarray(o, o + l).toString());
        o += Math.max(l, 0);
      }
      return out;
    });
}

export function status(ms: BackendMessage[]): string {
  const z = ms.filter((m) => m.type === 'Z').at(-1);
  return z ? String.fromCharCode(z.body[0]!) : '';
}

export async function connectWire(port: number): Promise<WireClient> {
  const socket = tcp({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let buf = Buffer.alloc(0);
  const inbox: BackendMessage[] = [];
  let wake: (() => void) | null = null;
  socket.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 5) {
      const len = buf.readInt32BE(1);
      if (buf.length < 1 + len) break;
      inbox.push({ type: String.fromCharCode(buf[0]!), body: Buffer.from(buf.subarray(5, 1 + len)) });
      buf = buf.subarray(1 + len);
    }
    wake?.();
  });
  socket.on('close', () => wake?.());
  const until = async (type = 'Z') => {
    const out: BackendMessage[] = [];
    for (;;) {
      const m = inbox.shift();
      if (!m) {
        if (socket.destroyed) throw new Error(`connection closed before a '${type}' message`);
        await new Promise<void>((r) => (wake = r));
        wake = null;
        continue;
      }
      out.push(m);
      if (m.type === type) return out;
    }
  };
  const startup = Buffer.concat([Buffer.from([0, 3, 0, 0]), cstr('user'), cstr('postgres'), cstr('database'), cstr('postgres'), Buffer.from([0])]);
  const len = Buffer.alloc(4);
  len.writeInt32BE(startup.length + 4);
  socket.write(Buffer.concat([len, startup]));
  await until();
  return { socket, send: (...m) => socket.write(Buffer.concat(m)), until, closed };
}
