// The embedded database's password: one random secret per embedded folder, kept in
// `<dir>/password` (mode 0600, the folder 0700), which every process of the user that may use
// the database reads, and the server checks with SCRAM-SHA-256 (RFC 5802/7677, as PostgreSQL
// does it), so the password itself never travels on the socket.
//
// The file is created once, when the folder is first used, and stays: a long-running client
// (a DataJoint for Python worker given DJ_PASS) still authenticates after the serving process
// has changed. It is written to a private temporary file and hard-linked to its name, which
// fails if the name exists, so processes creating it at once all end up with the one secret
// that won. Nothing here loads PGlite (clients read the file too).
import { createHash, createHmac, pbkdf2Sync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DiscoveryError } from './discovery';

/** The password file of a data directory: `password` beside it (in the embedded folder). */
export function passwordFileFor(dataDir: string): string {
  return join(dirname(resolve(dataDir)), 'password');
}

/**
 * Creates the embedded folder `dir` (and missing parents) readable by its owner only, with a
 * `.gitignore` that keeps all of it (data, password) out of the project's repository, as a
 * virtual environment's folder does. An existing folder gets the `.gitignore` too when it is
 * the default `.datajoint` (made by an earlier release, or by hand); a folder of another
 * name the user pointed database.embedded_dir at is left as it is.
 */
export function makePrivateDir(dir: string): void {
  if (mkdirSync(dir, { recursive: true, mode: 0o700 }) === undefined && basename(dir) !== '.datajoint') return;
  try {
    writeFileSync(join(dir, '.gitignore'), '# The local DataJoint database of this project (its data and password): never committed.\n*\n', { flag: 'wx' });
  } catch {
    // Made meanwhile by another process, or a read-only place: nothing to add.
  }
}

/** Takes group and other permissions away from a file or folder of this user (best effort; not on Windows). */
export function restrictMode(path: string, mode: 0o600 | 0o700): void {
  if (process.platform === 'win32') return;
  try {
    const st = statSync(path);
    if ((st.mode & 0o077) !== 0 && st.uid === process.getuid?.()) chmodSync(path, mode);
  } catch {
    // Gone meanwhile, or not ours: whoever reads it says what is wrong.
  }
}

function readSecret(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DiscoveryError(`cannot read the embedded database's password file ${file}: ${(e as Error).message}`);
  }
  const secret = text.trim();
  if (!secret) throw new DiscoveryError(`the embedded database's password file ${file} is empty: remove it, and a new password is made on next use`);
  restrictMode(file, 0o600);
  return secret;
}

/**
 * The secret in `file`, created (24 random bytes, base64url) when there is none. Of several
 * processes creating it at once, all return the secret of the one whose file was linked first.
 */
export function ensurePassword(file: string): string {
  for (let attempt = 0; ; attempt++) {
    const existing = readSecret(file);
    if (existing !== undefined) return existing;
    makePrivateDir(dirname(file));
    const tmp = `${file}.${randomUUID()}.tmp`;
    writeFileSync(tmp, randomBytes(24).toString('base64url'), { mode: 0o600, flag: 'wx' });
    try {
      linkSync(tmp, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      try {
        unlinkSync(tmp);
      } catch {
        // Already gone.
      }
    }
    // Removed again between the link and this read (a reset by hand): make it once more.
    if (attempt >= 3) throw new DiscoveryError(`the embedded database's password file ${file} keeps disappearing`);
  }
}

/** The secret in `file` if it exists (a server reading it again before each client), else undefined. */
export function readPassword(file: string): string | undefined {
  return readSecret(file);
}

// --- SCRAM-SHA-256, server side ---------------------------------------------------------------

export const SCRAM_MECHANISM = 'SCRAM-SHA-256';
/** PostgreSQL's default (scram_iterations). */
const ITERATIONS = 4096;

/** What a server keeps of a password (PostgreSQL's pg_authid.rolpassword). */
export interface ScramVerifier {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text, 'utf8').digest();
const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();

/**
 * The verifier of `password` (ASCII, as the secrets made here are: SASLprep leaves such a
 * password unchanged, so clients that apply it and clients that do not agree).
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = ITERATIONS): ScramVerifier {
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  return { salt, iterations, storedKey: sha256(hmac(salted, 'Client Key')), serverKey: hmac(salted, 'Server Key') };
}

/** A SCRAM message the client sent that does not follow RFC 5802 (a protocol error, not a wrong password). */
export class ScramError extends Error {
  override name = 'ScramError';
}

/** `a=value` attributes of a SCRAM message, in order. */
function attributes(message: string): [string, string][] {
  return message.split(',').map((part) => {
    if (!/^[A-Za-z]=/.test(part)) throw new ScramError(`malformed SCRAM message (attribute "${part.slice(0, 20)}")`);
    return [part[0]!, part.slice(2)];
  });
}

/** One client's exchange: client-first → server-first, client-final → server-final or refusal. */
export class ScramExchange {
  private gs2Header = '';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';

  constructor(private readonly verifier: ScramVerifier) {}

  /** The server-first message answering `clientFirst` (the data of a SASLInitialResponse). */
  first(clientFirst: string): string {
    // gs2-header: channel-binding flag, authzid, then the bare message.
    const m = /^(n|y|p=[^,]*),(a=[^,]*)?,(.*)$/s.exec(clientFirst);
    if (!m) throw new ScramError('malformed SCRAM message (no GS2 header)');
    if (m[1]!.startsWith('p=')) throw new ScramError('channel binding is not supported: the embedded database has no TLS');
    if (m[2]) throw new ScramError('an authorization identity is not supported');
    this.gs2Header = `${m[1]},,`;
    this.clientFirstBare = m[3]!;
    const attrs = attributes(this.clientFirstBare);
    if (attrs[0]?.[0] === 'm') throw new ScramError('SCRAM extensions are not supported');
    // The user name (n=) is not checked: PostgreSQL takes the startup message's, and here every client is postgres.
    if (attrs[0]?.[0] !== 'n' || attrs[1]?.[0] !== 'r') throw new ScramError('malformed SCRAM message (expected n= and r=)');
    const clientNonce = attrs[1][1];
    if (!/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce)) throw new ScramError('malformed SCRAM message (client nonce)');
    this.nonce = clientNonce + randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${this.verifier.salt.toString('base64')},i=${this.verifier.iterations}`;
    return this.serverFirst;
  }

  /**
   * The server-final message (`v=` the server's signature) when `clientFinal` proves the
   * password, null when it does not; a ScramError when it is malformed.
   */
  final(clientFinal: string): string | null {
    if (!this.serverFirst) throw new ScramError('SCRAM client-final message before the client-first one');
    const at = clientFinal.lastIndexOf(',p=');
    if (at < 0) throw new ScramError('malformed SCRAM message (no proof)');
    const withoutProof = clientFinal.slice(0, at);
    const attrs = attributes(withoutProof);
    if (attrs[0]?.[0] !== 'c' || attrs[1]?.[0] !== 'r') throw new ScramError('malformed SCRAM message (expected c= and r=)');
    if (Buffer.from(attrs[0][1], 'base64').toString('latin1') !== this.gs2Header) throw new ScramError('SCRAM channel binding check failed');
    if (attrs[1][1] !== this.nonce) throw new ScramError('SCRAM nonce mismatch');
    const proof = Buffer.from(clientFinal.slice(at + 3), 'base64');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const signature = hmac(this.verifier.storedKey, authMessage);
    if (proof.length !== signature.length) return null;
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ signature[i]!;
    if (!timingSafeEqual(sha256(clientKey), this.verifier.storedKey)) return null;
    return `v=${hmac(this.verifier.serverKey, authMessage).toString('base64')}`;
  }
}
