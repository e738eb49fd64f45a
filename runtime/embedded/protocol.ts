// Just enough of the PostgreSQL wire protocol (v3) for the embedded server: cutting a
// client's byte stream into messages, and reading the backend's replies closely enough to
// know when a client's unit of work (a statement, an extended-protocol sequence up to Sync,
// a transaction, a COPY) has ended. Nothing here interprets SQL.

/** Codes of the length-prefixed packets a client may send before its startup message. */
export const SSL_REQUEST = 80877103;
export const GSSENC_REQUEST = 80877104;
export const CANCEL_REQUEST = 80877102;
/** Protocol major version 3 in the startup message's version field (minor in the low 16 bits). */
const PROTOCOL_MAJOR_3 = 3;
/** PostgreSQL refuses messages above 1 GiB; a longer length is a framing error, not data. */
const MAX_MESSAGE = 0x4000_0000;
/**
 * Before a client has authenticated, every packet it may send is small (PostgreSQL: startup
 * packets up to 10000 bytes, SASL tokens up to 65535): a longer one is refused, so that
 * whoever reaches the port cannot make the server hold large buffers without the password.
 */
export const MAX_UNAUTHENTICATED_MESSAGE = 0x1_0000;

export type ClientPacket =
  | { kind: 'ssl' }
  | { kind: 'gssenc' }
  | { kind: 'cancel' }
  | { kind: 'startup'; bytes: Buffer }
  | { kind: 'message'; type: string; bytes: Buffer };

/**
 * Cuts a client's stream into packets. Before startup, packets have no type byte; after it,
 * each message is a type byte and an int32 length that counts itself but not the type.
 */
export class ClientReader {
  private buf: Buffer = Buffer.alloc(0);
  private started = false;
  private limit = MAX_UNAUTHENTICATED_MESSAGE;

  /** Lifts the limit of an unauthenticated client's packets (call once it has authenticated). */
  authenticated(): void {
    this.limit = MAX_MESSAGE;
  }

  /** Appends `data` and returns the complete packets now available, in order. */
  push(data: Buffer): ClientPacket[] {
    this.buf = this.buf.length === 0 ? data : Buffer.concat([this.buf, data]);
    const out: ClientPacket[] = [];
    for (;;) {
      if (!this.started) {
        if (this.buf.length < 8) break;
        const len = this.buf.readInt32BE(0);
        if (len < 8 || len > this.limit) throw new ProtocolError(`bad startup packet length ${len}`);
        if (this.buf.length < len) break;
        const code = this.buf.readInt32BE(4);
        const bytes = this.take(len);
        if (code === SSL_REQUEST) out.push({ kind: 'ssl' });
        else if (code === GSSENC_REQUEST) out.push({ kind: 'gssenc' });
        else if (code === CANCEL_REQUEST) out.push({ kind: 'cancel' });
        else if (code >>> 16 === PROTOCOL_MAJOR_3) {
          this.started = true;
          out.push({ kind: 'startup', bytes });
        } else throw new ProtocolError(`unsupported protocol version ${code >>> 16}.${code & 0xffff}`);
        continue;
      }
      if (this.buf.length < 5) break;
      const len = this.buf.readInt32BE(1);
      if (len < 4 || len > this.limit) throw new ProtocolError(`bad message length ${len}${this.limit < MAX_MESSAGE ? ' before authentication' : ''}`);
      if (this.buf.length < 1 + len) break;
      const type = String.fromCharCode(this.buf[0]!);
      out.push({ kind: 'message', type, bytes: this.take(1 + len) });
    }
    return out;
  }

  private take(n: number): Buffer {
    // A copy, so that the packet does not pin the (possibly large) receive buffer.
    const bytes = Buffer.from(this.buf.subarray(0, n));
    this.buf = this.buf.subarray(n);
    return bytes;
  }
}

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** Transaction status of a ReadyForQuery: idle, in a transaction block, in a failed one. */
export type TxStatus = 'I' | 'T' | 'E';

/**
 * Follows the framing of the backend's replies across the chunks PGlite streams them in, and
 * remembers the last complete message: its type, and for ReadyForQuery its status byte.
 */
export class BackendTail {
  /** Type of the last complete message; a fresh backend is idle, as after a ReadyForQuery. */
  lastType = 'Z';
  /** Status of the last ReadyForQuery seen (valid when lastType is 'Z'). */
  status: TxStatus = 'I';
  /** Whether an ErrorResponse came after the last ReadyForQuery. */
  errorSinceReady = false;
  private header = Buffer.alloc(5);
  private headerLen = 0;
  private remaining = 0;
  private type = '';
  private firstBodyByte = -1;

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining === 0 && this.headerLen < 5) {
        const n = Math.min(5 - this.headerLen, chunk.length - i);
        this.header.set(chunk.subarray(i, i + n), this.headerLen);
        this.headerLen += n;
        i += n;
        if (this.headerLen < 5) return;
        this.type = String.fromCharCode(this.header[0]!);
        this.remaining = this.header.readInt32BE(1) - 4;
        this.firstBodyByte = -1;
        if (this.remaining <= 0) this.finish();
        continue;
      }
      if (this.firstBodyByte < 0) this.firstBodyByte = chunk[i]!;
      const n = Math.min(this.remaining, chunk.length - i);
      this.remaining -= n;
      i += n;
      if (this.remaining === 0) this.finish();
    }
  }

  /** True when the last message was a ReadyForQuery and nothing is half-received. */
  get atReady(): boolean {
    return this.lastType === 'Z' && this.headerLen === 0;
  }

  private finish(): void {
    this.lastType = this.type;
    if (this.type === 'Z') {
      const s = String.fromCharCode(this.firstBodyByte);
      this.status = s === 'T' || s === 'E' ? s : 'I';
      this.errorSinceReady = false;
    } else if (this.type === 'E') {
      this.errorSinceReady = true;
    }
    this.headerLen = 0;
    this.remaining = 0;
  }
}

/**
 * Client message types after which the backend answers with ReadyForQuery (or, for a Query
 * that starts a COPY, with a Copy response): the points where a unit of work may have ended
 * and another client may take its turn. Query, Sync, FunctionCall, CopyDone, CopyFail.
 */
export const UNIT_ENDING = new Set(['Q', 'S', 'F', 'c', 'f']);

function cstring(s: string): Buffer {
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
}

function frame(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

/**
 * COPY ... FROM STDIN kills PGlite (0.5.14): the statement ends its WebAssembly program
 * ("Program terminated with exit(1)") and every later call on the instance hangs, which
 * would end the database for every client. Such statements are detected by their text
 * (after COPY, FROM STDIN before the statement's end; a literal that merely contains those
 * words is refused too, which errs on the safe side) and replaced before they reach PGlite.
 */
const COPY_FROM_STDIN = /\bcopy\b[^;]*?\bfrom\s+stdin\b/i;

const COPY_REFUSAL =
  "DO $refused$ BEGIN RAISE EXCEPTION 'COPY FROM STDIN is not supported by the embedded database (PGlite); insert the rows with INSERT' " +
  "USING ERRCODE = 'feature_not_supported'; END $refused$";

/**
 * The message to run instead of `bytes` (a client's Query or Parse), or `bytes` itself. The
 * replacement raises an ordinary error inside PostgreSQL, so that the client sees an
 * ErrorResponse and its transaction, if any, is aborted as for any failed statement.
 */
export function guardMessage(type: string, bytes: Buffer): Buffer {
  if (type === 'Q') {
    const sql = bytes.toString('utf8', 5, bytes.length - 1);
    return COPY_FROM_STDIN.test(sql) ? queryMessage(COPY_REFUSAL) : bytes;
  }
  if (type === 'P') {
    const nameEnd = bytes.indexOf(0, 5);
    const sqlEnd = bytes.indexOf(0, nameEnd + 1);
    if (nameEnd < 0 || sqlEnd < 0 || !COPY_FROM_STDIN.test(bytes.toString('utf8', nameEnd + 1, sqlEnd))) return bytes;
    // Same statement name, no parameter types: Bind or Execute then fails with an error.
    return frame('P', Buffer.concat([bytes.subarray(5, nameEnd + 1), cstring(COPY_REFUSAL), Buffer.from([0, 0])]));
  }
  return bytes;
}

/** A protocol 3.0 StartupMessage for `user` and `database`. */
export function startupMessage(user: string, database: string): Buffer {
  const body = Buffer.concat([Buffer.from([0, 3, 0, 0]), cstring('user'), cstring(user), cstring('database'), cstring(database), Buffer.from([0])]);
  const len = Buffer.alloc(4);
  len.writeInt32BE(body.length + 4);
  return Buffer.concat([len, body]);
}

/** A simple-protocol Query message. */
export const queryMessage = (sql: string): Buffer => frame('Q', cstring(sql));
/** Sync: ends an extended-protocol sequence (and leaves the error-skipping state). */
export const syncMessage = (): Buffer => frame('S', Buffer.alloc(0));
/** CopyFail: aborts a COPY FROM STDIN. */
export const copyFailMessage = (reason: string): Buffer => frame('f', cstring(reason));

/**
 * An ErrorResponse of severity FATAL, as PostgreSQL sends before it closes a connection
 * (for instance 57P01 admin_shutdown); clients report its message (and detail, if any).
 */
export function fatalMessage(code: string, message: string, detail?: string): Buffer {
  return frame(
    'E',
    Buffer.concat([
      Buffer.from('S'), cstring('FATAL'),
      Buffer.from('V'), cstring('FATAL'),
      Buffer.from('C'), cstring(code),
      Buffer.from('M'), cstring(message),
      ...(detail ? [Buffer.from('D'), cstring(detail)] : []),
      Buffer.from([0]),
    ]),
  );
}

/** The Authentication request codes of the SASL exchange (AuthenticationSASL, …Continue, …Final). */
const AUTH_SASL = 10;
const AUTH_SASL_CONTINUE = 11;
const AUTH_SASL_FINAL = 12;

function authentication(code: number, data: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeInt32BE(code);
  return frame('R', Buffer.concat([head, data]));
}

/** AuthenticationSASL offering `mechanisms`. */
export const authenticationSASL = (mechanisms: string[]): Buffer => authentication(AUTH_SASL, Buffer.concat([...mechanisms.map(cstring), Buffer.from([0])]));
/** AuthenticationSASLContinue carrying the server-first message. */
export const authenticationSASLContinue = (data: string): Buffer => authentication(AUTH_SASL_CONTINUE, Buffer.from(data, 'utf8'));
/** AuthenticationSASLFinal carrying the server-final message. */
export const authenticationSASLFinal = (data: string): Buffer => authentication(AUTH_SASL_FINAL, Buffer.from(data, 'utf8'));

/**
 * The mechanism and data of a SASLInitialResponse (a 'p' message answering
 * AuthenticationSASL), or null when the message is not one.
 */
export function parseSASLInitialResponse(bytes: Buffer): { mechanism: string; data: string } | null {
  const end = bytes.indexOf(0, 5);
  if (end < 0 || end + 5 > bytes.length) return null;
  const mechanism = bytes.toString('utf8', 5, end);
  const len = bytes.readInt32BE(end + 1);
  const start = end + 5;
  if (len === -1) return { mechanism, data: '' };
  if (len < 0 || start + len !== bytes.length) return null;
  return { mechanism, data: bytes.toString('utf8', start, start + len) };
}

/** The data of a SASLResponse (the 'p' message that continues the exchange). */
export const saslResponseData = (bytes: Buffer): string => bytes.toString('utf8', 5);
