// A Computed/Imported class of the runtime core, seen as a PopulateTarget. Everything is
// reached through registered symbols and the class's own statics, so a class from a
// pipeline module that loaded its own copy of the runtime works here too.
import { Catalog, type CatalogAttribute, type CatalogTable } from '../catalog/index';
import type { Connection } from '../connection/index';
import { QueryExpression, type QuerySource, type Restriction } from '../query/expression';
import { decodeValue } from '../query/values';
import { unknownAttributes, unknownAttributesMessage } from '../query/unknown-attributes';
import { withDirectInsert } from '../table/shared';
import { BINDING, TIER, type TableBinding } from '../table/binding';
import type { JobKeyColumn } from '../jobs/definition';
import type { SqlSession } from '../jobs/session';
import { fragmentsFor } from '../dialect/fragments';
import type { KeySource } from './keysource';
import type { Key, MakeHooks, PopulateTarget } from './target';

/** What populate reads from an auto-populated table class. */
export interface AutoPopulatedClass {
  name: string;
  make?: unknown;
  makeFetch?: unknown;
  makeCompute?: unknown;
  makeInsert?: unknown;
  keySource?: QuerySource | undefined;
}

export function isAutoPopulatedClass(value: unknown): value is AutoPopulatedClass {
  if (typeof value !== 'function') return false;
  const tier = (value as unknown as Record<symbol, unknown>)[TIER];
  return tier === 'Computed' || tier === 'Imported';
}

function binding(cls: AutoPopulatedClass): TableBinding {
  const b = Object.prototype.hasOwnProperty.call(cls, BINDING) ? (cls as unknown as Record<symbol, TableBinding>)[BINDING] : undefined;
  if (!b) throw new Error(`Table class ${cls.name} is not registered with a schema: call schema.register(${cls.name}).`);
  return b;
}

function sessionOf(conn: Connection): SqlSession {
  const sql = fragmentsFor(conn.backend, { embedded: conn.embedded !== undefined });
  return {
    sql,
    query: (sql, params = []) => conn.query(sql, [...params]),
    execute: (sql, params = []) => conn.execute(sql, [...params]),
    transaction: (fn) => conn.transaction(fn),
    // The series keeps one pooled session for the run: a pool of one would leave none
    // for make's statements outside the transaction (a three-part make's fetch). So the
    // embedded database (a pool of one) runs each key in a transaction() of its own.
    ...(conn.poolLimit >= 2 ? { series: () => conn.openTransactionSeries() } : {}),
    // The embedded server runs one transaction at a time: ending the make's session from the
    // control connection would wait behind that very transaction (runner.ts).
    ...(conn.embedded ? { abortTransaction: () => conn.abortTransactions() } : {}),
    connectionId: async () => Number((await conn.query<{ id: unknown }>(`SELECT ${sql.sessionId} AS id`))[0]?.id ?? 0),
  };
}

/**
 * The hooks the class defines itself (the base class's make only throws). Throws when the
 * class has no make or no definition: checked before anything touches the database, since
 * declaring such a table would leave behind a table no run can fill.
 */
export function hooksOf(cls: AutoPopulatedClass): MakeHooks {
  const definition = (cls as { definition?: unknown }).definition;
  if (typeof definition !== 'string' || definition.trim() === '') throw new Error(`${cls.name} has no definition: give it a static definition string.`);
  const own = (name: 'make' | 'makeFetch' | 'makeCompute' | 'makeInsert') => {
    // Walk up to, but not into, the runtime's own AutoPopulated base class.
    for (let c: unknown = cls; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
      const tier = Object.prototype.hasOwnProperty.call(c, TIER);
      if (tier) break;
      if (Object.prototype.hasOwnProperty.call(c, name)) {
        const fn = (c as unknown as Record<string, unknown>)[name];
        if (typeof fn === 'function') return (fn as (...a: unknown[]) => unknown).bind(cls);
      }
    }
    return undefined;
  };
  const hooks: MakeHooks = {};
  const make = own('make');
  const fetch = own('makeFetch');
  const compute = own('makeCompute');
  const insert = own('makeInsert');
  if (make) hooks.make = make as MakeHooks['make'];
  if (fetch && compute && insert) {
    hooks.makeFetch = fetch as MakeHooks['makeFetch'];
    hooks.makeCompute = compute as MakeHooks['makeCompute'];
    hooks.makeInsert = insert as MakeHooks['makeInsert'];
  } else if (fetch || compute || insert) {
    throw new Error(`${cls.name}: a three-part make needs all of makeFetch, makeCompute and makeInsert.`);
  }
  if (!hooks.make && !hooks.makeFetch) throw new Error(`${cls.name} defines no make(key) (nor makeFetch, makeCompute and makeInsert).`);
  return hooks;
}

/**
 * autopopulate.py: key_source — the join of the primary-key parents' keys, each
 * projected to its primary key, renamed where the foreign key renames (notes §6.1).
 */
function defaultKeySource(conn: Connection, catalog: Catalog, heading: CatalogTable, className: string): QueryExpression {
  const parents = heading.foreignKeys.filter((fk) => fk.primary);
  if (parents.length === 0) {
    throw new Error(`${className}: a table must have dependencies from its primary key for auto-populate to work.`);
  }
  let ks: QueryExpression | undefined;
  for (const fk of parents) {
    const leaf = QueryExpression.table(`${fk.parentSchema}.${fk.parentTable}`, async () => ({
      connection: conn,
      schema: fk.parentSchema,
      table: fk.parentTable,
      heading: await catalog.describeTable(fk.parentSchema, fk.parentTable),
    }));
    const renames: Record<string, string> = {};
    for (const [child, parent] of Object.entries(fk.attrMap)) if (child !== parent) renames[child] = parent;
    const projected = Object.keys(renames).length ? leaf.proj(renames) : leaf.proj();
    ks = ks ? ks.join(projected) : projected;
  }
  return ks!;
}

export async function targetFromTable(cls: AutoPopulatedClass): Promise<PopulateTarget> {
  if (!isAutoPopulatedClass(cls)) throw new Error(`${(cls as { name?: string } | undefined)?.name ?? String(cls)} is not a Computed or Imported table class.`);
  const b = binding(cls);
  const hooks = hooksOf(cls);
  const conn = await b.connection();
  const heading = await b.heading();
  // Tables are declared (or their headings read) lazily, which the runtime refuses inside
  // a transaction; make() writes the parts, so resolve them here, before any make.
  for (const key of Object.getOwnPropertyNames(cls)) {
    const part = (cls as unknown as Record<string, unknown>)[key];
    if (typeof part === 'function' && (part as unknown as Record<symbol, unknown>)[TIER] === 'Part' && Object.prototype.hasOwnProperty.call(part, BINDING)) {
      await (part as unknown as Record<symbol, TableBinding>)[BINDING].heading();
    }
  }
  return buildTarget(cls.name, conn, b.schemaName, b.tableName, heading, hooks, cls.keySource);
}

/**
 * A table known only from the database (no class, hence no make): enough for progress
 * and for its jobs table, e.g. `djx jobs <schema>`.
 */
export async function targetFromCatalog(conn: Connection, schema: string, table: string): Promise<PopulateTarget> {
  const heading = await new Catalog(conn).describeTable(schema, table);
  if (heading.tier !== 'Computed' && heading.tier !== 'Imported') throw new Error(`${schema}.${table} is not a Computed or Imported table.`);
  return buildTarget(heading.className, conn, schema, table, heading, {}, undefined);
}

function buildTarget(
  name: string,
  conn: Connection,
  schemaName: string,
  tableName: string,
  heading: CatalogTable,
  hooks: MakeHooks,
  custom: QuerySource | undefined,
): PopulateTarget {
  const catalog = new Catalog(conn);
  const session = sessionOf(conn);
  const byName = new Map<string, CatalogAttribute>(heading.attributes.map((a) => [a.name, a]));
  const primaryKey = heading.primaryKey.filter((k) => !k.startsWith('_'));
  let base: QueryExpression | undefined;
  const keySourceQuery = () => (base ??= custom ? custom.toQuery() : defaultKeySource(conn, catalog, heading, name));
  const keySourceAttributes = async () => (await keySourceQuery().heading()).map((a) => a.name);
  const db = conn.settings.database;

  return {
    name,
    database: schemaName,
    tableName,
    primaryKey,
    session,
    inTransaction: () => conn.inTransaction,
    async keySource(restrictions: readonly Restriction[]): Promise<KeySource> {
      let q: QueryExpression = keySourceQuery();
      for (const r of restrictions) q = q.restrict(r);
      const known = restrictions.some((r) => typeof r === 'object' && r !== null) ? await keySourceAttributes() : [];
      const unknown = unknownAttributes(restrictions, known);
      if (unknown.length) {
        process.emitWarning(`populate ${name}: ${unknownAttributesMessage(unknown, known, 'its key source')}.`, { code: 'DJ_UNKNOWN_ATTRIBUTES' });
      }
      // autopopulate.py: only the key source's primary key is used (key_source.proj()).
      const pk = await q.primaryKey();
      for (const a of pk) {
        if (!byName.has(a)) throw new Error(`The populate target ${name} lacks attribute ${a} from the primary key of its key source.`);
      }
      const sql = await q.toSql({ attributes: pk });
      // The default key source, a join of the parents' primary keys, cannot repeat a key:
      // DISTINCT would only make the server materialize it (a million keys: seconds).
      if (!custom) sql.sql = sql.sql.replace(/^SELECT DISTINCT /i, 'SELECT ');
      return { sql, primaryKey: pk, attributes: pk, unique: true };
    },
    keySourceAttributes,
    async jobKeyColumns(): Promise<JobKeyColumn[]> {
      // jobs.py: _get_fk_derived_pk_attrs — FK-derived key attributes, typed by their
      // own marker when they have one (uuid), else by their SQL type.
      const fkDerived = new Set(heading.foreignKeys.filter((fk) => fk.primary).flatMap((fk) => Object.keys(fk.attrMap)));
      return primaryKey
        .filter((k) => fkDerived.has(k))
        .map((k) => {
          const a = byName.get(k)!;
          return { name: k, type: a.typeSource === 'marker' ? a.type : a.sqlType };
        });
    },
    hasJobMetadata: async () => byName.has('_job_start_time'),
    decodeKey(raw: Key): Key {
      const out: Key = {};
      for (const [k, v] of Object.entries(raw)) {
        const a = byName.get(k);
        out[k] = a && v !== null && v !== undefined ? decodeValue(a, v) : v;
      }
      return out;
    },
    hooks,
    allowInserts: (fn) => withDirectInsert(fn),
    server: {
      host: db.host,
      port: db.port,
      user: db.user ?? '',
      password: db.password ?? '',
      tls: db.useTls,
      backend: db.backend,
      ...(db.name ? { database: db.name } : {}),
      ...(conn.embedded ? { embedded: { dir: conn.embedded.dir } } : {}),
    },
    jobs: conn.settings.jobs,
  };
}
