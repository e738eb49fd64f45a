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
export function tlsAttempts(tls: TlsSetting): Array<Record<string, unknown> | undefined> {
  if (tls === false) return [undefined];
  if (tls === true) return [{}];
  if (tls === null) return [{ rejectUnauthorized: false }, undefined];
  return [tls];
}
