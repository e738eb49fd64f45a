// Which errors mean that a statement's server session is gone, on either backend.
import { isPgSessionLost } from '../dialect/postgres-errors';

/** The error of a statement whose session is gone (translated or straight from the driver). */
export function isLostSession(e: unknown): boolean {
  const err = e as { code?: unknown; fatal?: unknown; serverCode?: unknown; errno?: unknown; message?: unknown };
  // 1927: ER_CONNECTION_KILLED (MariaDB), the session ended by KILL. PostgreSQL, straight
  // from node-postgres (the control connection): 57P01-57P03 the session ended by
  // pg_terminate_backend or a shutdown, class 08 connection failures, and pg's own
  // messages for a client whose socket is gone (they carry no code).
  return (
    err?.code === 'lostConnection' ||
    err?.code === 'unreachable' ||
    err?.fatal === true ||
    err?.code === 'PROTOCOL_CONNECTION_LOST' ||
    err?.code === 'ECONNREFUSED' ||
    err?.code === 'ECONNRESET' ||
    err?.serverCode === 1927 ||
    err?.errno === 1927 ||
    isPgSessionLost(e)
  );
}
