// What populate needs from an auto-populated table, as plain data and functions, so the
// engine works with the table classes of whichever copy of the runtime a pipeline module
// imported (the CLI bundle and a user's module loaded through tsx may hold two).
import type { JobKeyColumn } from '../jobs/definition';
import type { JobsSettingsLike } from '../jobs/queue';
import type { SqlSession } from '../jobs/session';
import type { KeySource } from './keysource';
import type { Restriction } from '../query/expression';

export type { Restriction };

export type Key = Record<string, unknown>;
export type MakeKwargs = Record<string, unknown>;

/** The make hooks of a Computed/Imported class, bound to it. */
export interface MakeHooks {
  make?: (key: Key, kwargs: MakeKwargs) => unknown | Promise<unknown>;
  /** Three-part make (autopopulate.py: make_fetch / make_compute / make_insert). */
  makeFetch?: (key: Key, kwargs: MakeKwargs) => unknown | Promise<unknown>;
  makeCompute?: (key: Key, fetched: unknown) => unknown | Promise<unknown>;
  makeInsert?: (key: Key, computed: unknown) => unknown | Promise<unknown>;
}

/** How to open the dedicated connection a worker keeps for the job queue. */
export interface ServerAddress {
  host: string;
  port: number;
  user: string;
  password: string;
  /** As the database.use_tls setting: null tries TLS and falls back to plain. */
  tls: boolean | null | Record<string, unknown>;
  /** Default: mysql. */
  backend?: 'mysql' | 'postgresql';
  /** The PostgreSQL database the schemas live in (database.name; default `postgres`). */
  database?: string;
  /**
   * The workspace's embedded database, kept in `dir` (database.embedded_dir): host and port
   * are where it was served when the target was made; a reconnect looks for its server
   * again (it may have exited and another taken over on another port).
   */
  embedded?: { dir: string };
}

export interface PopulateTarget {
  /** The class name, for messages and events. */
  name: string;
  database: string;
  /** e.g. `__analysis`. */
  tableName: string;
  primaryKey: readonly string[];
  /** Where make's queries run; queries inside `transaction()` belong to it. */
  session: SqlSession;
  /** True while the calling context is inside a transaction of `session`. */
  inTransaction(): boolean;
  /**
   * The key source restricted by `restrictions` (all combined with AND). Attributes of
   * object restrictions that are not in the key source are ignored, as in the reference,
   * with a warning (DJ_UNKNOWN_ATTRIBUTES).
   */
  keySource(restrictions: readonly Restriction[]): Promise<KeySource>;
  /** The attributes of the key source's heading: those an object restriction can name. */
  keySourceAttributes(): Promise<string[]>;
  /** The jobs table's key: the target's FK-derived primary-key attributes with their types. */
  jobKeyColumns(): Promise<JobKeyColumn[]>;
  /** The target carries the hidden `_job_start_time`, `_job_duration`, `_job_version` columns. */
  hasJobMetadata(): Promise<boolean>;
  /** A key as the database returned it, mapped to the values make receives (uuid text, bigint...). */
  decodeKey(raw: Key): Key;
  hooks: MakeHooks;
  /** Runs make with the target's insert guard lifted (table.py: the populate-only insert rule). */
  allowInserts<T>(fn: () => Promise<T>): Promise<T>;
  server: ServerAddress;
  jobs: JobsSettingsLike & { autoRefresh: boolean; versionMethod: string | null };
}
