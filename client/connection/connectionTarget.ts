// The connection's target (backend, host, port, user, TLS, PostgreSQL database) resolved
// from the VS Code settings the user set and the runtime's settings (DJ_* variables,
// datajoint.json and its secrets: runtime/config loadSettings), how it is named in the
// status bar, the key its password is kept under, and the recent connections of
// Switch Connection. No vscode import: unit-tested (test/unit/client/connection-target.test.ts).
// With no host, user, port or backend from any source (or datajoint.backend / DJ_BACKEND `embedded`) the target is
// the workspace's embedded PostgreSQL (runtime/embedded), as the runtime's own rule says.
import { join } from 'node:path';
import type { Settings } from '../../runtime/config/index';
import { databaseChoiceReason } from '../../runtime/config/database-choice';

/** `mysql` stands for MySQL and MariaDB (one wire protocol, one dialect in the runtime). */
export type Backend = 'mysql' | 'postgresql';

export const BACKENDS: readonly Backend[] = ['mysql', 'postgresql'];

/** The port a backend listens on when nobody says otherwise. */
export const DEFAULT_PORT: Readonly<Record<Backend, number>> = { mysql: 3306, postgresql: 5432 };

/** The database a PostgreSQL login opens when none is named (the runtime's and libpq's habit). */
export const DEFAULT_DATABASE_NAME = 'postgres';

/**
 * How the embedded database is named in the status bar, the views and the prompts: the
 * runtime's EMBEDDED_LABEL (runtime/connection, which this module must not import: it would
 * pull the database drivers into the activation bundle; a unit test checks they are equal).
 */
export const LOCAL_DATABASE_LABEL = 'Local database — this workspace';

/** What a target on the workspace's embedded database carries beyond the endpoint. */
export interface LocalDatabaseTarget {
  /** The folder holding it (database.embedded_dir, else `.datajoint` of the project). */
  dir: string;
  /** PGlite's data directory in it (exists once the database was created). */
  dataDir: string;
  /** Why the local database is the target, for the tooltip. */
  reason: string;
}

export interface ConnectionTarget {
  backend: Backend;
  host: string;
  port: number;
  user: string | undefined;
  /** PostgreSQL: the database whose schemas are the pipeline's; undefined with MySQL (schemas are databases there). */
  databaseName: string | undefined;
  /** undefined: try TLS and fall back (the runtime's default); true: require; false: off. */
  tls: boolean | undefined;
  /** A password from DJ_PASS or a secrets file, when the user keeps one there. */
  passwordFromEnvironment: string | undefined;
  /** Where each value came from, for the status tooltip (never the password). */
  sources: Record<string, string>;
  /**
   * Set when the target is the workspace's embedded database: then no password prompt and
   * no SecretStorage (the runtime reads the folder's password); the endpoint (host, port) is known once connected (the serving process
   * picks its port), so host and port here are placeholders.
   */
  local?: LocalDatabaseTarget;
}

/**
 * The `datajoint.*` settings someone set (user, workspace or folder level), undefined when
 * unset; `null` and `''` count as unset, as the settings editor writes them when cleared.
 */
export interface ExplicitSettings {
  host?: string | null;
  port?: number | null;
  user?: string | null;
  tls?: string | null;
  backend?: string | null;
  databaseName?: string | null;
}

const given = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null && v !== '';

/** The runtime's reading of a `host:port` host (runtime/config: loadSettings). */
const HOST_PORT = /^([^:[\]]+):(\d+)$/;

/** The setting values of datajoint.backend. */
const BACKEND_SETTING_VALUES = ['auto', 'mysql', 'postgresql', 'embedded'];

/** PGlite's data directory in an embedded database's folder (runtime/embedded/locate.ts). */
export function localDataDir(dir: string): string {
  return join(dir, 'pgdata');
}

/**
 * Whether the settings name the workspace's embedded database rather than a server:
 *   - datajoint.backend `embedded`: yes, whatever else is set;
 *   - datajoint.backend `mysql` / `postgresql` (the user chose a server): no;
 *   - a datajoint.host, datajoint.user or datajoint.port setting (a server on localhost,
 *     the reference's default host, when only the account is given): no;
 *   - else the runtime's rule (runtime/config: no host, user, port or backend from DJ_* or
 *     datajoint.json, or DJ_BACKEND / database.backend `embedded`).
 * Undefined when a server is the target, else why the local database is.
 */
export function localDatabaseReason(own: ExplicitSettings, base: Settings): string | undefined {
  if (own.backend === 'embedded') return 'the setting datajoint.backend is "embedded"';
  if (given(own.backend) && own.backend !== 'auto') return undefined;
  if (given(own.host) && own.host.trim()) return undefined;
  if ((given(own.user) && own.user.trim()) || given(own.port)) return undefined;
  if (!base.database.embedded) return undefined;
  return databaseChoiceReason(base);
}

/**
 * Highest first: the setting the user set, then what the runtime read (environment,
 * datajoint.json, secrets), then the default. The port's default follows the backend
 * (5432 for PostgreSQL) whenever no source gave a port, also when the backend comes from
 * a setting while the runtime's reading defaulted to MySQL's 3306.
 * Throws on a backend setting outside the enum (a hand-edited settings.json).
 */
export function resolveTarget(own: ExplicitSettings, base: Settings): ConnectionTarget {
  const sources: Record<string, string> = {};
  const from = (runtimeKey: string) => base.sources[runtimeKey] ?? 'default';
  if (given(own.backend) && !BACKEND_SETTING_VALUES.includes(own.backend)) {
    throw new Error(`the setting datajoint.backend must be "auto", "mysql", "postgresql" or "embedded", not "${own.backend}"`);
  }
  const reason = localDatabaseReason(own, base);
  if (reason !== undefined) {
    const dir = base.database.embeddedDir;
    const where = `embedded:${dir}`;
    return {
      backend: 'postgresql',
      host: '127.0.0.1',
      port: 0,
      user: 'postgres',
      databaseName: DEFAULT_DATABASE_NAME,
      tls: false,
      passwordFromEnvironment: undefined,
      sources: { backend: own.backend === 'embedded' ? 'setting' : from('database.backend'), host: where, port: where, user: where, databaseName: where },
      local: { dir, dataDir: localDataDir(dir), reason },
    };
  }

  let backend: Backend;
  if (given(own.backend) && own.backend !== 'auto') {
    backend = own.backend as Backend;
    sources.backend = 'setting';
  } else {
    backend = base.database.backend;
    sources.backend = from('database.backend');
  }

  // A `host:port` setting carries its port, over the port setting, as the runtime reads
  // DJ_HOST and datajoint.json (settings.py does the same).
  let host: string;
  let portOfHost: number | undefined;
  if (given(own.host)) {
    const hostPort = HOST_PORT.exec(own.host.trim());
    host = hostPort ? hostPort[1] : own.host.trim();
    portOfHost = hostPort ? Number(hostPort[2]) : undefined;
    sources.host = 'setting';
  } else {
    host = base.database.host;
    sources.host = from('database.host');
  }

  let port: number;
  if (portOfHost !== undefined) {
    port = portOfHost;
    sources.port = 'setting (host)';
  } else if (given(own.port)) {
    port = own.port;
    sources.port = 'setting';
  } else if (base.sources['database.port'] !== undefined) {
    port = base.database.port;
    sources.port = from('database.port');
  } else {
    port = DEFAULT_PORT[backend];
    sources.port = 'default';
  }

  let user: string | undefined;
  if (given(own.user)) {
    user = own.user.trim();
    sources.user = 'setting';
  } else {
    user = base.database.user ?? undefined;
    sources.user = from('database.user');
  }

  let databaseName: string | undefined;
  if (backend === 'postgresql') {
    if (given(own.databaseName) && own.databaseName.trim()) {
      databaseName = own.databaseName.trim();
      sources.databaseName = 'setting';
    } else {
      databaseName = base.database.name || DEFAULT_DATABASE_NAME;
      sources.databaseName = base.database.name ? from('database.name') : 'default';
    }
  }

  const runtimeTls = base.database.useTls;
  const tls =
    own.tls === 'on' ? true : own.tls === 'off' ? false : own.tls === 'auto' ? undefined : typeof runtimeTls === 'boolean' ? runtimeTls : undefined;

  return { backend, host, port, user, databaseName, tls, passwordFromEnvironment: base.database.password ?? undefined, sources };
}

export type TargetName = Pick<ConnectionTarget, 'host' | 'port' | 'user'> & Partial<Pick<ConnectionTarget, 'backend' | 'databaseName' | 'local'>>;

/**
 * The target as the status bar, its tooltip, the log and the prompts name it:
 * `user@host:3306` for MySQL (as before PostgreSQL came), and for PostgreSQL the URI its
 * users know from psql (`postgresql://user@host:5432/db`), which also says which database
 * the Tables view shows. A target without a backend is a MySQL one (older callers).
 */
export function describeTarget(t: TargetName): string {
  if (t.local) return LOCAL_DATABASE_LABEL;
  const login = `${t.user ?? '?'}@${t.host}:${t.port}`;
  return t.backend === 'postgresql' ? `postgresql://${login}/${t.databaseName ?? DEFAULT_DATABASE_NAME}` : login;
}

/**
 * The SecretStorage key of a target's password. MySQL keeps the key of the releases before
 * PostgreSQL (`datajoint.password/user@host:port`), so passwords stored then are still
 * found. PostgreSQL's key names the backend (the same host:port:user on the other backend
 * is another login) but not the database: a PostgreSQL role has one password for every
 * database of its server.
 */
export function passwordKey(t: TargetName): string {
  const login = `${t.user ?? '?'}@${t.host}:${t.port}`;
  return `datajoint.password/${t.backend === 'postgresql' ? `postgresql://${login}` : login}`;
}

/** A target Switch Connection offers again; saved in globalState. */
export interface RecentConnection {
  backend: Backend;
  host: string;
  port: number;
  user: string;
  /** PostgreSQL only. */
  databaseName?: string;
}

/**
 * The recent connections as stored, checked entry by entry: entries written before
 * PostgreSQL came have no backend and are MySQL ones; anything unreadable is left out
 * (globalState is ours, but an older or newer release may have written it).
 */
export function parseRecents(stored: unknown): RecentConnection[] {
  if (!Array.isArray(stored)) return [];
  const out: RecentConnection[] = [];
  for (const r of stored as unknown[]) {
    if (r === null || typeof r !== 'object') continue;
    const { backend = 'mysql', host, port, user, databaseName } = r as Record<string, unknown>;
    if (typeof backend !== 'string' || !(BACKENDS as readonly string[]).includes(backend)) continue;
    if (typeof host !== 'string' || !host || typeof user !== 'string' || !user) continue;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) continue;
    const entry: RecentConnection = { backend: backend as Backend, host, port, user };
    if (entry.backend === 'postgresql') entry.databaseName = typeof databaseName === 'string' && databaseName ? databaseName : DEFAULT_DATABASE_NAME;
    out.push(entry);
  }
  return out;
}

/** The recent entry of a target (undefined without a user: nothing to offer again). */
export function recentOf(t: TargetName): RecentConnection | undefined {
  // The local database is always offered by Switch Connection: no recent entry.
  if (!t.user || t.local) return undefined;
  const backend = t.backend ?? 'mysql';
  const entry: RecentConnection = { backend, host: t.host, port: t.port, user: t.user };
  if (backend === 'postgresql') entry.databaseName = t.databaseName ?? DEFAULT_DATABASE_NAME;
  return entry;
}

/** Whether two targets name the same login and database (what a recent entry stands for). */
export function sameConnection(a: TargetName, b: TargetName): boolean {
  return describeTarget(a) === describeTarget(b);
}

/** The list after connecting to `entry`: it first, no duplicate, at most `max` entries. */
export function rememberRecent(stored: unknown, entry: RecentConnection, max = 8): RecentConnection[] {
  return [entry, ...parseRecents(stored).filter((r) => !sameConnection(r, entry))].slice(0, max);
}
