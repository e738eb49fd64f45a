import type { TlsSetting } from '../config/index';

export interface OpenOptions {
  connectionLimit: number;
  connectTimeout: number;
}

/**
 * The TLS options to try in order (connection.py: connect): `true` requires TLS, `false`
 * refuses it, unset tries TLS without verifying the certificate and falls back to plain
 * when the server offers none; an object is passed to the driver as given.
 */
function tlsAttempts(tls: TlsSetting): Array<Record<string, unknown> | undefined> {
  if (tls === false) return [undefined];
  if (tls === true) return [{}];
  if (tls === null) return [{ rejectUnauthorized: false }, undefined];
  return [tls];
}

/** The error says the TLS handshake itself failed (the server offers none, or refused it). */
function isTlsFailure(e: unknown): boolean {
  const code = String((e as { code?: unknown } | null)?.code ?? '');
  return /SSL|TLS|HANDSHAKE/i.test(code) || /ssl|tls/i.test(String((e as Error | null)?.message ?? ''));
}

/**
 * `open` with each TLS option of `tls` in turn: the plain attempt follows only when TLS was
 * left unset and the TLS one failed at TLS; any other failure (a wrong password, a refused
 * connection) is thrown as it is, untranslated.
 */
export async function openWithTls<T>(tls: TlsSetting, open: (ssl: Record<string, unknown> | undefined) => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (const ssl of tlsAttempts(tls)) {
    try {
      return await open(ssl);
    } catch (e) {
      lastError = e;
      if (!(tls === null && ssl !== undefined && isTlsFailure(e))) break;
    }
  }
  throw lastError;
}
