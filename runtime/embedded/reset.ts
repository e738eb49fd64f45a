// Emptying an embedded database that a process serves (its other clients stay connected and
// see an empty database): every user schema dropped and an empty `public` given back, in one
// transaction. What `djx db reset` does on a served database and the extension's Reset Local
// Database, written once.
import type { Connection } from '../connection/index';
import { UsageError } from '../errors/index';
import { userSchemas } from './export';

export interface ResetOptions {
  /**
   * The schemas the user was told would go: when the database holds others by now (made by
   * another client meanwhile), nothing is dropped and the reset fails naming them.
   */
  expected?: readonly string[];
}

/** Drops every user schema and recreates `public`; returns the schemas dropped (public not counted). */
export async function resetSchemas(conn: Connection, options: ResetOptions = {}): Promise<string[]> {
  return conn.transaction(async () => {
    const schemas = await userSchemas(conn);
    if (options.expected) {
      const told = new Set(options.expected);
      const unforeseen = schemas.filter((s) => s !== 'public' && !told.has(s));
      if (unforeseen.length) {
        throw new UsageError('usage', `schemas were created since the question was asked: ${unforeseen.join(', ')}; nothing was dropped (reset again to drop them too)`);
      }
    }
    for (const s of schemas) await conn.execute(conn.dialect.dropSchema(s));
    await conn.execute(conn.dialect.createSchema('public'));
    return schemas.filter((s) => s !== 'public');
  });
}
