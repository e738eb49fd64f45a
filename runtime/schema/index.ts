// A schema is one database. Table classes are bound to it with `schema.register(…)`
// (synchronous, so a pipeline module needs no top-level await) and declared on first use
// or by `await schema.declare()`. Declaration parses and validates the definition with
// the shared grammar first, so nothing reaches the server from an invalid definition,
// and lays the table out exactly as the reference does (schemas.py, table.py: declare).
import { Catalog, fromCamelCase, type CatalogTable, type JobsTableInfo, type TableSummary } from '../catalog/index';
import { conn as defaultConnection, Connection } from '../connection/index';
import { checkTableDefinition, referencePaths } from '../declare/check';
import { compileTable, type ParentTable } from '../declare/compile';
import { compareWithExisting } from '../declare/compare';
import { writeLineage } from '../declare/lineage';
import { AccessError, DataJointError, DeclarationError, MissingSchemaError, TableConflictError, TransactionError, UsageError } from '../errors/index';
import { BINDING, bindingOf, isBound, tierOf, type TableBinding, type Tier } from '../table/binding';
import type { TableClass } from '../table/tiers';

export interface SchemaOptions {
  /** The connection to use; default: the process-wide one from settings. */
  connection?: Connection | Promise<Connection>;
  /** Create the database when missing (default true), else fail with a clear error. */
  createSchema?: boolean;
  /** Declare missing tables (default: settings database.create_tables, true). */
  createTables?: boolean;
  /**
   * Names usable in `->` references besides this schema's classes, e.g.
   * `{ subject: subjectSchema }` for `-> subject.Subject` (a Schema or an object of classes).
   */
  context?: Record<string, unknown>;
}

const SCHEMA_BRAND = Symbol.for('datajoint.schema');

interface Entry {
  cls: TableClass;
  tier: Tier;
  className: string;
  tableName: string;
  master?: Entry;
  parts: Entry[];
  declared?: Promise<CatalogTable>;
}

export class Schema {
  readonly [SCHEMA_BRAND] = true;
  readonly name: string;
  private readonly options: SchemaOptions;
  private connectionPromise: Promise<Connection> | undefined;
  private activated: Promise<void> | undefined;
  private catalogInstance: Catalog | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly byClass = new Map<TableClass, Entry>();

  constructor(name: string, options: SchemaOptions = {}) {
    if (!/^[A-Za-z0-9_$-]{1,64}$/.test(name)) throw new UsageError('usage', `Invalid schema name "${name}": use letters, digits, _ and $ (at most 64)`);
    this.name = name;
    this.options = options;
  }

  static isSchema(value: unknown): value is Schema {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SCHEMA_BRAND] === true;
  }

  connection(): Promise<Connection> {
    this.connectionPromise ??= Promise.resolve(this.options.connection ?? defaultConnection());
    return this.connectionPromise;
  }

  /**
   * Uses this connection from now on, e.g. for a schema created at module load before the
   * program connected (Python: schema.activate(connection=…)).
   */
  useConnection(connection: Connection | Promise<Connection>): this {
    this.connectionPromise = Promise.resolve(connection);
    this.catalogInstance = undefined;
    this.activated = undefined;
    return this;
  }

  async catalog(): Promise<Catalog> {
    this.catalogInstance ??= new Catalog(await this.connection());
    return this.catalogInstance;
  }

  /** The registered classes by class name (parts as `Master.Part`). */
  get tables(): ReadonlyMap<string, TableClass> {
    return new Map([...this.entries].map(([k, e]) => [k, e.cls]));
  }

  /**
   * Binds table classes to this schema, in dependency order as written; their parts
   * (static nested classes extending Part) come along. Returns the schema for chaining.
   */
  register(...classes: TableClass[]): this {
    for (const cls of classes) this.registerOne(cls, cls.name);
    return this;
  }

  /** Registers the classes given, then declares every registered table that is not yet declared. */
  async declare(...classes: TableClass[]): Promise<void> {
    this.register(...classes);
    for (const e of this.entries.values()) if (!e.master) await this.declareEntry(e, []);
  }

  private registerOne(cls: TableClass, className: string, master?: Entry): Entry {
    const existing = this.byClass.get(cls);
    if (existing) return existing;
    const tier = tierOf(cls);
    if (!tier) throw new UsageError('usage', `${className} is not a table class: extend Manual, Lookup, Imported, Computed or Part`);
    // schemas.py: the decorator is not for Part tables (D24).
    if (tier === 'Part' && !master) throw new UsageError('usage', `${className} is a Part table: register its master instead`);
    if (tier !== 'Part' && master) throw new UsageError('usage', `${master.className}.${className} is nested in a master but is not a Part`);
    if (isBound(cls) && bindingOf(cls).schemaName !== this.name) {
      throw new UsageError('usage', `${className} is already registered with schema ${bindingOf(cls).schemaName}`);
    }
    const snake = fromCamelCase(className);
    if (snake === undefined) throw new UsageError('usage', `Table class name \`${className}\` is invalid. Class names must be in CamelCase, starting with a capital letter.`);
    const prefix = tier === 'Lookup' ? '#' : tier === 'Imported' ? '_' : tier === 'Computed' ? '__' : '';
    const tableName = master ? `${master.tableName}__${snake}` : prefix + snake;
    // declare.py: declare — the full table name is limited to 64 characters (D14).
    if (tableName.length > 64) throw new UsageError('usage', `Table name \`${tableName}\` exceeds the max length of 64`);
    const entry: Entry = { cls, tier, className, tableName, parts: [] };
    if (master) entry.master = master;
    const key = master ? `${master.className}.${className}` : className;
    if (this.entries.has(key)) throw new UsageError('usage', `Schema ${this.name} already has a table class named ${key}`);
    this.entries.set(key, entry);
    this.byClass.set(cls, entry);
    Schema.owners.set(cls, this);
    const binding: TableBinding = {
      schemaName: this.name,
      className,
      tableName,
      connection: () => this.connection(),
      heading: () => this.declareEntry(entry, []),
      forget: () => {
        for (const e of [entry, ...entry.parts]) e.declared = undefined;
        this.catalogInstance?.invalidate(this.name);
      },
    };
    if (master) binding.master = master.cls;
    Object.defineProperty(cls, BINDING, { value: binding, configurable: true, enumerable: false });
    // schemas.py: _decorate_master — parts are class attributes starting with a capital letter.
    for (const key of Object.getOwnPropertyNames(cls)) {
      if (!/^[A-Z]/.test(key)) continue;
      const value = (cls as unknown as Record<string, unknown>)[key];
      if (tierOf(value) === 'Part') entry.parts.push(this.registerOne(value as TableClass, key, entry));
    }
    return entry;
  }

  /** Makes sure the database exists (schemas.py: activate). */
  private activate(): Promise<void> {
    this.activated ??= (async () => {
      const catalog = await this.catalog();
      if (await catalog.schemaExists(this.name)) return;
      if (this.options.createSchema === false) {
        throw new MissingSchemaError('unknownSchema', `Database \`${this.name}\` has not yet been declared. Set createSchema: true to create it.`);
      }
      const conn = await this.connection();
      refuseDdlInTransaction(conn.inTransaction);
      try {
        await conn.execute(conn.dialect.createSchema(this.name));
      } catch (e) {
        if (e instanceof DataJointError && e.code === 'access') {
          throw new AccessError('access', `Schema \`${this.name}\` does not exist and could not be created. Check permissions.`, { cause: e });
        }
        throw e;
      }
    })().catch((e: unknown) => {
      this.activated = undefined;
      throw e;
    });
    return this.activated;
  }

  /** True when the database exists. */
  async exists(): Promise<boolean> {
    return (await this.catalog()).schemaExists(this.name);
  }

  /** User tables of the database, in dependency order, parts after their masters. */
  async listTables(): Promise<TableSummary[]> {
    return (await this.catalog()).listTables(this.name);
  }

  async jobsTables(): Promise<JobsTableInfo[]> {
    return (await this.catalog()).jobsTables(this.name);
  }

  /** Drops the whole database and forgets what was declared. */
  async drop(): Promise<void> {
    const conn = await this.connection();
    await conn.execute(conn.dialect.dropSchema(this.name));
    for (const e of this.entries.values()) e.declared = undefined;
    this.activated = undefined;
    this.catalogInstance?.invalidate(this.name);
  }

  /** Finds a class by a `->` path as seen from `from` (schemas.py: _decorate_master namespaces). */
  private resolveClass(path: string[], from: Entry): { schema: Schema; entry: Entry } | undefined {
    const master = from.master;
    if (path.length === 1) {
      const [name] = path;
      if (name === 'master' || name === '(master)') return master ? { schema: this, entry: master } : undefined;
      const own = this.entries.get(name);
      if (own && !own.master) return { schema: this, entry: own };
      return this.fromContext([name]);
    }
    if (path.length === 2) {
      const [a, b] = path;
      const m = this.entries.get(a);
      if (m && !m.master) {
        const part = this.entries.get(`${a}.${b}`);
        return part ? { schema: this, entry: part } : undefined;
      }
      if (a === 'master' && master) {
        const part = this.entries.get(`${master.className}.${b}`);
        return part ? { schema: this, entry: part } : undefined;
      }
    }
    return this.fromContext(path);
  }

  private fromContext(path: string[]): { schema: Schema; entry: Entry } | undefined {
    let value: unknown = this.options.context;
    let i = 0;
    for (; i < path.length; i++) {
      if (Schema.isSchema(value)) break;
      if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
      value = (value as Record<string, unknown>)[path[i]];
    }
    if (Schema.isSchema(value)) {
      const rest = path.slice(i);
      const entry = value.entries.get(rest.join('.'));
      return entry ? { schema: value, entry } : undefined;
    }
    if (typeof value === 'function' && isBound(value)) {
      const schema = Schema.schemaOf(value as TableClass);
      const entry = schema?.byClass.get(value as TableClass);
      return schema && entry ? { schema, entry } : undefined;
    }
    return undefined;
  }

  private static readonly owners = new WeakMap<TableClass, Schema>();
  private static schemaOf(cls: TableClass): Schema | undefined {
    return Schema.owners.get(cls);
  }

  /** Declares one table (parents first), returns its heading; a no-op for an identical existing table. */
  private declareEntry(entry: Entry, stack: Entry[]): Promise<CatalogTable> {
    if (entry.declared) return entry.declared;
    // A part is declared by its master, right after it (schemas.py: _decorate_master).
    if (entry.master && !entry.master.declared) {
      return this.declareEntry(entry.master, stack).then(() => entry.declared ?? this.startDeclare(entry, stack));
    }
    return this.startDeclare(entry, stack);
  }

  private startDeclare(entry: Entry, stack: Entry[]): Promise<CatalogTable> {
    entry.declared ??= this.doDeclare(entry, stack).catch((e: unknown) => {
      entry.declared = undefined;
      throw e;
    });
    return entry.declared;
  }

  private async doDeclare(entry: Entry, stack: Entry[]): Promise<CatalogTable> {
    if (stack.includes(entry)) throw new DeclarationError(entry.className, `Cyclic foreign keys: ${[...stack, entry].map((e) => e.className).join(' -> ')}`);
    const definition = String((entry.cls as unknown as { definition?: unknown }).definition ?? '');
    const label = entry.master ? `${entry.master.className}.${entry.className}` : entry.className;
    // Refuse a definition with errors of its own before any SQL (references come below).
    checkTableDefinition(definition, { className: entry.className, tier: entry.tier, masterName: entry.master?.className, label });
    const conn = await this.connection();
    // Inside a transaction (a make() using a table for the first time) an existing table is
    // only read; anything that would run DDL is refused, since DDL commits the transaction.
    const inTransaction = conn.inTransaction;
    await this.activate();
    const catalog = await this.catalog();

    // Parents first: every `->` must resolve to a declared table whose heading we read.
    const parents = new Map<string, ParentTable & { tier: Tier; className: string; catalogTable: CatalogTable }>();
    for (const path of referencePaths(definition)) {
      const key = path.join('.');
      if (parents.has(key)) continue;
      const found = this.resolveClass(path, entry);
      if (!found) continue; // reported by validation as an unresolved reference
      const heading = await found.schema.declareEntry(found.entry, [...stack, entry]);
      parents.set(key, {
        schema: found.schema.name,
        table: found.entry.tableName,
        primaryKey: heading.primaryKey,
        attributes: heading.attributes.map((a) => ({ name: a.name, sqlType: a.sqlType, type: a.type, comment: a.comment })),
        tier: found.entry.tier,
        className: found.entry.className,
        catalogTable: heading,
      });
    }

    const ast = checkTableDefinition(definition, {
      className: entry.className,
      tier: entry.tier,
      masterName: entry.master?.className,
      label,
      parents,
    });
    const settings = conn.settings;
    const compiled = compileTable({
      ast,
      schema: this.name,
      table: entry.tableName,
      dialect: conn.dialect,
      resolve: (path) => parents.get(path.join('.')),
      addJobMetadata: settings.jobs.addJobMetadata,
    });

    catalog.invalidate(this.name);
    let created = false;
    if (await catalog.tableExists(this.name, entry.tableName)) {
      const existing = await catalog.describeTable(this.name, entry.tableName);
      const differences = compareWithExisting(compiled.spec, existing, conn.dialect);
      if (differences.length) throw new TableConflictError(`\`${this.name}\`.\`${entry.tableName}\``, differences);
    } else {
      refuseDdlInTransaction(inTransaction);
      if (this.options.createTables === false || settings.database.createTables === false) {
        throw new DataJointError('missingTable', `Table \`${this.name}\`.\`${entry.tableName}\` (${label}) is not declared and createTables is off`);
      }
      try {
        // One statement on MySQL; types, table, indexes and comments on PostgreSQL, in order,
        // in one transaction there (its DDL is transactional): a failure leaves no half table.
        const statements = conn.dialect.createTable(compiled.spec);
        const run = async () => {
          for (const statement of statements) await conn.execute(statement);
        };
        await (statements.length > 1 && !conn.inTransaction ? conn.transaction(run) : run());
      } catch (e) {
        if (e instanceof DataJointError && e.code === 'access') {
          throw new AccessError(
            'access',
            `Cannot declare table \`${this.name}\`.\`${entry.tableName}\`. Check that you have CREATE privilege on schema \`${this.name}\` and REFERENCES privilege on any referenced parent tables.`,
            { cause: e },
          );
        }
        if (e instanceof DataJointError) throw new DeclarationError(label, `Cannot declare ${label}: ${e.message}`);
        throw e;
      }
      created = true;
      catalog.invalidate(this.name);
    }
    try {
      // Bookkeeping of an existing table is left for a declaration outside the make's transaction.
      if (!inTransaction) await writeLineage(conn, this.name, entry.tableName, compiled.primaryKey, compiled.origins);
    } catch (e) {
      // Refreshing lineage of an existing table is bookkeeping: a read-only user may still use it.
      if (created || !(e instanceof DataJointError && e.code === 'access')) throw e;
    }
    const heading = await catalog.describeTable(this.name, entry.tableName);

    // user_tables.py: Lookup — contents are inserted when the table has fewer rows.
    const contents = (entry.cls as unknown as { contents?: unknown }).contents;
    if (entry.tier === 'Lookup' && Array.isArray(contents) && contents.length) {
      const count = await catalog.countRows(this.name, entry.tableName);
      if (count < contents.length) {
        if (heading.attributes.some((a) => a.autoIncrement)) {
          process.emitWarning(`Contents has changed but cannot be inserted because ${entry.tableName} has autoincrement.`);
        } else {
          entry.declared = Promise.resolve(heading);
          await entry.cls.insert(contents as Array<Record<string, unknown>>, { skipDuplicates: true });
        }
      }
    }
    entry.declared = Promise.resolve(heading);
    for (const part of entry.parts) await this.startDeclare(part, []);
    return heading;
  }
}

/** table.py: declare — DDL would commit an open transaction (D22). */
function refuseDdlInTransaction(inTransaction: boolean): void {
  if (inTransaction) throw new TransactionError('transaction', 'Cannot declare new tables inside a transaction, e.g. from inside a populate/make call');
}
