// Table tiers as classes: `class Subject extends Manual { static definition = `…` }`.
// Everything is static, as in the reference where a table class is used directly
// (`Subject.insert1(…)`, `Session.restrict(key).fetch()`). Tiers are recognised by a
// registered symbol rather than instanceof, because two copies of the runtime may meet
// in one process (the CLI bundle and a user's pipeline module).
import { Catalog, describeDefinition, type CatalogTable } from '../catalog/index';
import type { Connection } from '../connection/index';
import { DataJointError, UsageError } from '../errors/index';
import { QueryExpression, type FetchOptions, type QuerySource, type Restriction, type Row } from '../query/expression';
import type { DeleteOptions, DeleteResult } from '../query/delete';
import { insertRows, updateRow, type InsertOptions } from './insert';
import { TIER, bindingOf, type Tier } from './binding';

/** A table class (the constructor, which carries all the behaviour as statics). */
export type TableClass = typeof Table;

export abstract class Table {
  /** The definition, in the same language as DataJoint for Python. */
  static definition = '';

  /** SQL table name, e.g. `__processed_data`. */
  static get tableName(): string {
    return bindingOf(this).tableName;
  }

  /** `` `schema`.`table` `` */
  static get fullTableName(): string {
    const b = bindingOf(this);
    return `\`${b.schemaName}\`.\`${b.tableName}\``;
  }

  static get schemaName(): string {
    return bindingOf(this).schemaName;
  }

  static connection(): Promise<Connection> {
    return bindingOf(this).connection();
  }

  /** The heading as read from the server (declaring the table first if needed). */
  static describeTable(): Promise<CatalogTable> {
    return bindingOf(this).heading();
  }

  /** The definition as read back from the server, in the reference's format (table.py: describe). */
  static async describe(): Promise<string> {
    return describeDefinition(await this.describeTable());
  }

  static toQuery(): QueryExpression {
    const cls = this;
    const b = bindingOf(cls);
    return QueryExpression.table(b.className, async () => {
      const heading = await b.heading();
      return { connection: await b.connection(), schema: b.schemaName, table: b.tableName, heading };
    });
  }

  static restrict(cond: Restriction): QueryExpression {
    return this.toQuery().restrict(cond);
  }
  static minus(cond: Restriction): QueryExpression {
    return this.toQuery().minus(cond);
  }
  static join(other: QuerySource): QueryExpression {
    return this.toQuery().join(other);
  }
  static proj(...args: Array<string | Record<string, string>>): QueryExpression {
    return this.toQuery().proj(...args);
  }
  static aggr(other: QuerySource, computed: Record<string, string>, options?: { keepAllRows?: boolean }): QueryExpression {
    return this.toQuery().aggr(other, computed, options);
  }
  static fetch<T extends Row = Row>(options?: FetchOptions): Promise<T[]> {
    return this.toQuery().fetch<T>(options);
  }
  static fetch1<T extends Row = Row>(options?: Omit<FetchOptions, 'limit' | 'offset'>): Promise<T> {
    return this.toQuery().fetch1<T>(options);
  }
  static count(): Promise<number> {
    return this.toQuery().count();
  }
  static keys(options?: Omit<FetchOptions, 'attributes'>): Promise<Row[]> {
    return this.toQuery().keys(options);
  }
  static async primaryKey(): Promise<string[]> {
    return (await this.describeTable()).primaryKey.filter((k) => !k.startsWith('_'));
  }

  /** Inserts rows (objects, or arrays in heading order). */
  static async insert(rows: Iterable<Row | unknown[]> | QueryExpression, options: InsertOptions = {}): Promise<number> {
    return insertRows(this, rows, options);
  }

  static async insert1(row: Row | unknown[], options: InsertOptions = {}): Promise<number> {
    return insertRows(this, [row], options);
  }

  /** Corrects secondary attributes of one existing row, found by its primary key (table.py: update1). */
  static async update1(row: Row): Promise<void> {
    return updateRow(this, row);
  }

  /**
   * Drops the table and its parts. Tables of other masters that depend on it must be
   * dropped first; they are named in the error (table.py: drop, without the prompt).
   */
  static async drop(): Promise<void> {
    const b = bindingOf(this);
    const conn = await b.connection();
    await b.heading();
    const catalog = new Catalog(conn);
    const own = [b.tableName, ...(await catalog.listTables(b.schemaName)).filter((t) => t.master === b.tableName).map((t) => t.name)];
    const blockers: string[] = [];
    for (const t of own) {
      for (const child of await catalog.children(b.schemaName, t)) {
        if (!(child.schema === b.schemaName && own.includes(child.table))) blockers.push(`\`${child.schema}\`.\`${child.table}\``);
      }
    }
    if (blockers.length) {
      throw new DataJointError('integrity', `Cannot drop ${this.fullTableName}: dependent tables must be dropped first: ${[...new Set(blockers)].join(', ')}`);
    }
    for (const t of own.slice(1).concat(own[0])) await conn.execute(conn.dialect.dropTable(b.schemaName, t));
    await conn.execute(`DELETE FROM ${conn.dialect.qualified(b.schemaName, '~lineage')} WHERE table_name IN (${own.map(() => '?').join(', ')})`, own).catch(() => 0);
    b.forget?.();
  }

  /** Deletes all rows, cascading to dependent tables (restrict first to delete some). */
  static delete(options?: DeleteOptions): Promise<DeleteResult> {
    return this.toQuery().delete(options);
  }
}

export abstract class Manual extends Table {
  static readonly [TIER]: Tier = 'Manual';
}

export abstract class Lookup extends Table {
  static readonly [TIER]: Tier = 'Lookup';
  /** Rows inserted (skipping duplicates) when the table is declared (user_tables.py: Lookup). */
  static contents: ReadonlyArray<Row | unknown[]> = [];
}

/** Shared by Imported and Computed: the hooks populate() calls. */
export abstract class AutoPopulated extends Table {
  /**
   * Computes and inserts the rows for one key of keySource. Runs inside a transaction;
   * inserts into this table and its parts are allowed there.
   */
  static async make(key: Row): Promise<void> {
    throw new UsageError('usage', `${this.name}.make() is not implemented (key ${JSON.stringify(key, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))})`);
  }

  /**
   * The keys to populate. Default: undefined, meaning the join of the primary-key
   * projections of the parents referenced in the primary key (autopopulate.py:
   * key_source); override with a getter returning a query.
   */
  static get keySource(): QuerySource | undefined {
    return undefined;
  }
}

export abstract class Imported extends AutoPopulated {
  static readonly [TIER]: Tier = 'Imported';
}

export abstract class Computed extends AutoPopulated {
  static readonly [TIER]: Tier = 'Computed';
}

/** A part of a master, nested as a static class: `static Trial = class extends Part { … }`. */
export abstract class Part extends Table {
  static readonly [TIER]: Tier = 'Part';

  /** The master class. */
  static get master(): TableClass {
    const m = bindingOf(this).master;
    if (!m) throw new UsageError('usage', `${this.name} has no master`);
    // Schema.register binds a part to its master's class, a TableClass.
    return m as TableClass;
  }
}
