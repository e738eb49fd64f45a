// A bare PostgreSQL wire-protocol client for the embedded server's tests: it can cut an
// extended-protocol sequence (Parse/Bind/Execute/Sync) across writes, or stop it half-way,
// which node-postgres and psycopg2 never do on their own.
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
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
  /** The next message; null once the socket has closed with nothing more received. */
  next(): Promise<BackendMessage | null>;
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

/** A socket to the server that has sent its startup message and nothing else yet. */
export async function startWire(port: number): Promise<WireClient> {
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
  const next = async (): Promise<BackendMessage | null> => {
    for (;;) {
      const m = inbox.shift();
      if (m) return m;
      if (socket.destroyed) return null;
      await new Promise<void>((r) => (wake = r));
      wake = null;
    }
  };
  const until = async (type = 'Z') => {
    const out: BackendMessage[] = [];
    for (;;) {
      const m = await next();
      if (!m) throw new Error(`connection closed before a '${type}' message`);
      out.push(m);
      if (m.type === type) return out;
    }
  };
  const startup = Buffer.concat([Buffer.from([0, 3, 0, 0]), cstr('user'), cstr('postgres'), cstr('database'), cstr('postgres'), Buffer.from([0])]);
  const len = Buffer.alloc(4);
  len.writeInt32BE(startup.length + 4);
  socket.write(Buffer.concat([len, startup]));
  return { socket, send: (...m) => socket.write(Buffer.concat(m)), until, next, closed };
}

/** The fields of an ErrorResponse: severity, SQLSTATE, message. */
export function errorFields(m: BackendMessage): { severity: string; code: string; message: string } {
  const f: Record<string, string> = {};
  for (let o = 0; o < m.body.length && m.body[o] !== 0; ) {
    const end = m.body.indexOf(0, o + 1);
    f[String.fromCharCode(m.body[o]!)] = m.body.toString('utf8', o + 1, end);
    o = end + 1;
  }
  return { severity: f.V ?? f.S ?? '', code: f.C ?? '', message: f.M ?? '' };
}

const authCode = (m: BackendMessage) => m.body.readInt32BE(0);
const hmac = (key: Buffer, s: string) => createHmac('sha256', key).update(s).digest();
/** SASLInitialResponse: the mechanism, then the client-first message. */
const saslInitial = (mechanism: string, data: string) => {
  const d = Buffer.from(data);
  const n = Buffer.alloc(4);
  n.writeInt32BE(d.length);
  return msg('p', Buffer.concat([cstr(mechanism), n, d]));
};

/**
 * The client's side of SCRAM-SHA-256 (RFC 5802/7677) with `password`, on a socket that has
 * sent its startup message: the messages after the last one sent, i.e. the server's answer to
 * the proof (AuthenticationSASLFinal and the rest of the startup reply up to ReadyForQuery,
 * or an ErrorResponse). Throws if the server's signature is wrong.
 */
export async function scramLogin(w: WireClient, password: string): Promise<BackendMessage[]> {
  const sasl = await w.next();
  assert.equal(sasl?.type, 'R');
  assert.equal(authCode(sasl), 10, 'AuthenticationSASL');
  assert.ok(sasl.body.subarray(4).toString().split('\0').includes('SCRAM-SHA-256'));
  const clientNonce = randomBytes(18).toString('base64');
  const clientFirstBare = `n=,r=${clientNonce}`;
  w.send(saslInitial('SCRAM-SHA-256', `n,,${clientFirstBare}`));
  const reply = await w.next();
  assert.equal(reply?.type, 'R');
  assert.equal(authCode(reply), 11, 'AuthenticationSASLContinue');
  const serverFirst = reply.body.subarray(4).toString();
  const attrs = Object.fromEntries(serverFirst.split(',').map((a) => [a[0], a.slice(2)]));
  assert.ok(attrs.r!.startsWith(clientNonce));
  const salted = pbkdf2Sync(password, Buffer.from(attrs.s!, 'base64'), Number(attrs.i), 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  const withoutProof = `c=${Buffer.from('n,,').toString('base64')},r=${attrs.r}`;
  const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
  const signature = hmac(createHash('sha256').update(clientKey).digest(), authMessage);
  const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
  w.send(msg('p', Buffer.from(`${withoutProof},p=${proof.toString('base64')}`)));
  const final = await w.next();
  if (!final) throw new Error('connection closed before the answer to the proof');
  if (final.type === 'E') return [final];
  assert.equal(final.type, 'R');
  assert.equal(authCode(final), 12, 'AuthenticationSASLFinal');
  const expected = `v=${hmac(hmac(salted, 'Server Key'), authMessage).toString('base64')}`;
  assert.equal(final.body.subarray(4).toString(), expected, "the server's signature proves it knows the password");
  return [final, ...(await w.until())];
}

/** A client that has authenticated with `password` and is ready for queries. */
export async function connectWire(port: number, password: string): Promise<WireClient> {
  const w = await startWire(port);
  const after = await scramLogin(w, password);
  if (after[0]!.type === 'E') throw new Error(`refused: ${errorFields(after[0]!).message}`);
  return w;
}
