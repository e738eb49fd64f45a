// Settings for connecting, from the reference's sources (settings.py: _create_config,
// find_config_file, _load_secrets). Precedence, highest first:
//   1. an explicit object passed from code,
//   2. environment variables (DJ_HOST, DJ_USER, DJ_PASS, DJ_PORT, ...),
//   3. `datajoint.json`, searched upward from the working directory, stopping at a
//      folder holding `.git` or `.hg`,
//   4. the secrets directory (`.secrets/` next to that file, else /run/secrets/datajoint),
//      which only fills values still unset,
//   5. defaults (database.port: 3306, or 5432 when database.backend is "postgresql").
// With no host, user, port or backend from any of them (or database.backend "embedded") the runtime uses the
// workspace's embedded PostgreSQL (`database.embedded`, kept in `database.embedded_dir`).
// Our decision (reference notes, 11.3 #27): environment variables override the file for
// every key, not only the database ones.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors/index';
import { SERVER_KEYS } from './database-choice';

export { databaseChoiceReason } from './database-choice';

export type TlsSetting = boolean | null | Record<string, unknown>;

export interface DatabaseSettings {
  host: string;
  port: number;
  user: string | null;
  password: string | null;
  backend: 'mysql' | 'postgresql';
  /** null: try TLS, fall back to plain; true: require; false: off; object: mysql2 `ssl` options. */
  useTls: TlsSetting;
  reconnect: boolean;
  createTables: boolean;
  /** PostgreSQL database name (unused with MySQL); DJ_DATABASE_NAME. */
  name: string | null;
  /**
   * Use the workspace's embedded PostgreSQL (PGlite, runtime/embedded) instead of a server:
   * database.backend "embedded" (DJ_BACKEND=embedded), or no host, user, port or backend given by any source.
   */
  embedded: boolean;
  /**
   * Absolute path of the folder holding the embedded database: database.embedded_dir
   * (DJ_EMBEDDED_DIR; relative to the datajoint.json that names it, or to the working
   * directory), else `.datajoint` beside the datajoint.json found, else in the working directory.
   */
  embeddedDir: string;
}

export interface JobsSettings {
  autoRefresh: boolean;
  keepCompleted: boolean;
  staleTimeout: number;
  defaultPriority: number;
  versionMethod: string | null;
  allowNewPkFieldsInComputedTables: boolean;
  addJobMetadata: boolean;
}

export interface Settings {
  database: DatabaseSettings;
  jobs: JobsSettings;
  safemode: boolean;
  loglevel: string;
  /** Where each value came from (`env:DJ_HOST`, `file:/p/datajoint.json`, ...), for `djx` diagnostics. */
  sources: Record<string, string>;
  /** The `datajoint.json` read, if any. */
  configFile?: string;
}

/** What code may pass explicitly; any subset. */
export interface SettingsOverrides {
  database?: Partial<DatabaseSettings>;
  jobs?: Partial<JobsSettings>;
  safemode?: boolean;
  loglevel?: string;
}

export interface LoadOptions {
  /** Where the upward search for datajoint.json starts (default: process.cwd()). */
  cwd?: string;
  /** Environment to read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Values from code; they win over everything else. */
  overrides?: SettingsOverrides;
  /** Skip datajoint.json and secrets (also DJ_IGNORE_CONFIG_FILE=true). */
  ignoreConfigFile?: boolean;
  /** Secrets directory used when no `.secrets/` is next to the file (default /run/secrets/datajoint). */
  secretsDir?: string;
}

type Kind = 'string' | 'int' | 'bool' | 'tls' | 'backend' | 'nullableString' | 'path';
interface KeySpec {
  key: string;
  env?: string;
  kind: Kind;
}

// settings.py: the flat keys and the env vars mapped to them.
const KEYS: KeySpec[] = [
  { key: 'database.host', env: 'DJ_HOST', kind: 'string' },
  { key: 'database.user', env: 'DJ_USER', kind: 'nullableString' },
  { key: 'database.password', env: 'DJ_PASS', kind: 'nullableString' },
  { key: 'database.port', env: 'DJ_PORT', kind: 'int' },
  { key: 'database.backend', env: 'DJ_BACKEND', kind: 'backend' },
  { key: 'database.name', env: 'DJ_DATABASE_NAME', kind: 'nullableString' },
  { key: 'database.use_tls', env: 'DJ_USE_TLS', kind: 'tls' },
  { key: 'database.reconnect', env: 'DJ_RECONNECT', kind: 'bool' },
  { key: 'database.create_tables', env: 'DJ_CREATE_TABLES', kind: 'bool' },
  { key: 'database.embedded_dir', env: 'DJ_EMBEDDED_DIR', kind: 'path' },
  { key: 'safemode', env: 'DJ_SAFEMODE', kind: 'bool' },
  { key: 'loglevel', env: 'DJ_LOG_LEVEL', kind: 'string' },
  { key: 'jobs.auto_refresh', env: 'DJ_JOBS_AUTO_REFRESH', kind: 'bool' },
  { key: 'jobs.keep_completed', env: 'DJ_JOBS_KEEP_COMPLETED', kind: 'bool' },
  { key: 'jobs.stale_timeout', env: 'DJ_JOBS_STALE_TIMEOUT', kind: 'int' },
  { key: 'jobs.default_priority', env: 'DJ_JOBS_DEFAULT_PRIORITY', kind: 'int' },
  { key: 'jobs.version_method', env: 'DJ_JOBS_VERSION_METHOD', kind: 'nullableString' },
  { key: 'jobs.allow_new_pk_fields_in_computed_tables', env: 'DJ_JOBS_ALLOW_NEW_PK_FIELDS_IN_COMPUTED_TABLES', kind: 'bool' },
  { key: 'jobs.add_job_metadata', env: 'DJ_JOBS_ADD_JOB_METADATA', kind: 'bool' },
];

/** The default port when database.backend is `postgresql` (3306, MySQL's, otherwise). */
const POSTGRES_PORT = 5432;

/** The embedded database's folder in a project folder. */
export const EMBEDDED_DIR_NAME = '.datajoint';

/** `database.backend` values: the two servers' wire protocols, and the embedded PostgreSQL. */
type BackendChoice = 'mysql' | 'postgresql' | 'embedded';

export function defaultSettings(): Settings {
  return {
    database: {
      host: 'localhost',
      port: 3306,
      user: null,
      password: null,
      backend: 'mysql',
      useTls: null,
      reconnect: true,
      createTables: true,
      name: null,
      // Nothing configured: the embedded database of the working directory.
      embedded: true,
      embeddedDir: join(process.cwd(), EMBEDDED_DIR_NAME),
    },
    jobs: {
      autoRefresh: true,
      keepCompleted: false,
      staleTimeout: 3600,
      defaultPriority: 5,
      versionMethod: null,
      allowNewPkFieldsInComputedTables: false,
      addJobMetadata: false,
    },
    safemode: true,
    loglevel: 'INFO',
    sources: {},
  };
}

/** Finds datajoint.json from `start` upward, stopping at a repository root (settings.py: find_config_file). */
export function findConfigFile(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, 'datajoint.json');
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(dir, '.git')) || existsSync(join(dir, '.hg'))) return undefined;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Nested (`{"database": {"host": …}}`) and flat (`{"database.host": …}`) forms both accepted. */
function flatten(obj: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && key !== 'database.use_tls' && key !== 'stores') {
      flatten(v as Record<string, unknown>, key, out);
    } else {
      out[key] = v;
    }
  }
  return out;
}

function parseBool(text: string, where: string): boolean {
  const t = text.trim().toLowerCase();
  if (['true', '1', 'yes', 'on', 'y', 't'].includes(t)) return true;
  if (['false', '0', 'no', 'off', 'n', 'f'].includes(t)) return false;
  throw new ConfigError(`${where}: expected true or false, got "${text}"`);
}

function coerce(spec: KeySpec, value: unknown, where: string): unknown {
  if (value === null || value === undefined) {
    if (spec.kind === 'nullableString' || spec.kind === 'tls') return null;
    throw new ConfigError(`${where}: a value is required for ${spec.key}`);
  }
  switch (spec.kind) {
    case 'string':
    case 'path':
    case 'nullableString':
      if (typeof value === 'string') return value;
      if (typeof value === 'number') return String(value);
      break;
    case 'int': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
      if (Number.isInteger(n)) return n;
      break;
    }
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string') return parseBool(value, where);
      if (value === 0 || value === 1) return value === 1;
      break;
    case 'tls':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string') return parseBool(value, where);
      if (typeof value === 'object') return value;
      break;
    case 'backend':
      if (value === 'mysql' || value === 'postgresql' || value === 'embedded') return value;
      throw new ConfigError(`${where}: database.backend must be "mysql", "postgresql" or "embedded", got "${String(value)}"`);
  }
  throw new ConfigError(`${where}: invalid value for ${spec.key}`);
}

function assign(settings: Settings, key: string, value: unknown): void {
  const [head, tail] = key.includes('.') ? [key.slice(0, key.indexOf('.')), key.slice(key.indexOf('.') + 1)] : [key, ''];
  const camel = tail.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  if (head === 'database') {
    (settings.database as unknown as Record<string, unknown>)[camel] = value;
  } else if (head === 'jobs') {
    (settings.jobs as unknown as Record<string, unknown>)[camel] = value;
  } else {
    (settings as unknown as Record<string, unknown>)[key] = value;
  }
}

function readSecrets(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['database.user', 'database.password']) {
    const file = join(dir, key);
    try {
      if (statSync(file).isFile()) out[key] = readFileSync(file, 'utf8').trim();
    } catch {
      /* absent secret: nothing to fill */
    }
  }
  return out;
}

/** Reads the settings from all sources; throws ConfigError with the file or variable at fault. */
export function loadSettings(options: LoadOptions = {}): Settings {
  const env = options.env ?? process.env;
  const cwd = resolve(options.cwd ?? process.cwd());
  const settings = defaultSettings();
  const seen = new Set<string>();
  // database.backend as the sources said it, "embedded" included (settings.database.backend
  // names a wire protocol: the embedded database speaks PostgreSQL's).
  let backendChoice: BackendChoice | undefined;
  // A relative embedded_dir is read against the folder of the source that gave it.
  let embeddedDirBase = cwd;
  const take = (spec: KeySpec, value: unknown, base: string) => {
    if (spec.key === 'database.backend') {
      backendChoice = value as BackendChoice;
      if (value === 'embedded') return;
    }
    if (spec.key === 'database.embedded_dir') embeddedDirBase = base;
    assign(settings, spec.key, value);
  };
  const ignoreFile = options.ignoreConfigFile ?? (env.DJ_IGNORE_CONFIG_FILE ? parseBool(env.DJ_IGNORE_CONFIG_FILE, 'DJ_IGNORE_CONFIG_FILE') : false);

  // 3. the file (lower precedence than env, so applied first).
  let fileDir: string | undefined;
  if (!ignoreFile) {
    const file = findConfigFile(cwd);
    if (file) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        throw new ConfigError(`${file}: not valid JSON (${(e as Error).message})`);
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`${file}: expected a JSON object`);
      const flat = flatten(parsed as Record<string, unknown>);
      for (const spec of KEYS) {
        if (!(spec.key in flat)) continue;
        take(spec, coerce(spec, flat[spec.key], `${file}: ${spec.key}`), dirname(file));
        settings.sources[spec.key] = `file:${file}`;
        seen.add(spec.key);
      }
      settings.configFile = file;
      fileDir = dirname(file);
    }
  }

  // 2. environment variables override the file for every key (our decision, 11.3 #27).
  for (const spec of KEYS) {
    const raw = spec.env ? env[spec.env] : undefined;
    if (raw === undefined || raw === '') continue;
    take(spec, coerce(spec, raw, spec.env!), cwd);
    settings.sources[spec.key] = `env:${spec.env}`;
    seen.add(spec.key);
  }
  // settings.py: a `host:port` host carries the port and overrides database.port.
  const hostPort = /^([^:\[\]]+):(\d+)$/.exec(settings.database.host);
  if (hostPort) {
    settings.database.host = hostPort[1];
    settings.database.port = Number(hostPort[2]);
    settings.sources['database.port'] = settings.sources['database.host'];
  }

  // 4. secrets fill what is still unset.
  if (!ignoreFile) {
    const secretsDir = fileDir && existsSync(join(fileDir, '.secrets')) ? join(fileDir, '.secrets') : (options.secretsDir ?? '/run/secrets/datajoint');
    for (const [key, value] of Object.entries(readSecrets(secretsDir))) {
      const current = key === 'database.user' ? settings.database.user : settings.database.password;
      if (current === null) {
        assign(settings, key, value);
        settings.sources[key] = `secret:${join(secretsDir, key)}`;
      }
    }
  }

  // 1. values from code win.
  const o = options.overrides;
  if (o) {
    for (const [k, v] of Object.entries(o.database ?? {})) {
      if (v === undefined) continue;
      if (k === 'backend') backendChoice = v as BackendChoice;
      if (k === 'embeddedDir') embeddedDirBase = cwd;
      (settings.database as unknown as Record<string, unknown>)[k] = v;
      settings.sources[`database.${k === 'embeddedDir' ? 'embedded_dir' : k}`] = 'code';
    }
    for (const [k, v] of Object.entries(o.jobs ?? {})) {
      if (v === undefined) continue;
      (settings.jobs as unknown as Record<string, unknown>)[k] = v;
      settings.sources[`jobs.${k}`] = 'code';
    }
    if (o.safemode !== undefined) settings.safemode = o.safemode;
    if (o.loglevel !== undefined) settings.loglevel = o.loglevel;
  }

  // The embedded database: asked for by name, or nothing names a server — no host, user,
  // port or backend from any source (code may also set `embedded` itself). A user or port
  // alone means a server on the reference's default host, localhost, as DataJoint for
  // Python reads it. Its folder: `.datajoint` of the project, i.e. beside the
  // datajoint.json found, else in the working directory.
  if (backendChoice === 'embedded') settings.database.backend = 'postgresql';
  if (o?.database?.embedded === undefined) {
    settings.database.embedded = backendChoice === 'embedded' || !SERVER_KEYS.some((k) => settings.sources[k] !== undefined);
  }
  settings.database.embeddedDir =
    settings.sources['database.embedded_dir'] !== undefined ? resolve(embeddedDirBase, settings.database.embeddedDir) : join(fileDir ?? cwd, EMBEDDED_DIR_NAME);

  // 5. the default port follows the backend: PostgreSQL's 5432 when no source gave one
  // (a `host:port` host counts as giving one).
  if (settings.database.backend === 'postgresql' && settings.sources['database.port'] === undefined) {
    settings.database.port = POSTGRES_PORT;
  }
  return settings;
}

/** The settings without the password, for logs and `djx config`. */
export function redact(settings: Settings): Settings {
  return { ...settings, database: { ...settings.database, password: settings.database.password === null ? null : '***' } };
}
