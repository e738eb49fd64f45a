// How a table class says what it is: its tier and the binding Schema.register attaches, as
// registered symbols (two copies of the runtime may meet in one process). Apart from the
// tier classes (tiers.ts) so that insert.ts reads them without importing the classes.
import type { Connection } from '../connection/index';
import type { CatalogTable } from '../catalog/types';
import { UsageError } from '../errors/index';

export type Tier = 'Manual' | 'Lookup' | 'Imported' | 'Computed' | 'Part';

/** Static property holding a class's tier, shared by all copies of the runtime. */
export const TIER = Symbol.for('datajoint.tier');
/** Static property holding the binding made by Schema.register. */
export const BINDING = Symbol.for('datajoint.binding');

/** What a schema attaches to each registered class. */
export interface TableBinding {
  schemaName: string;
  className: string;
  tableName: string;
  /** For parts: the master class (a tiers.ts `TableClass`). */
  master?: BindableClass;
  connection(): Promise<Connection>;
  /** Declares the table (and what it depends on) unless done; then reads its heading. */
  heading(): Promise<CatalogTable>;
  /** Forgets the declared state of the table and its parts (after a drop). */
  forget?(): void;
}

/**
 * A table class as its binding sees it: a class carrying the TIER and BINDING statics.
 * The tier classes (tiers.ts: `TableClass`) are such; typed by shape so that this module
 * and insert.ts need not import them.
 */
export type BindableClass = abstract new (...args: never[]) => unknown;

export function tierOf(cls: unknown): Tier | undefined {
  if (typeof cls !== 'function') return undefined;
  const t = (cls as unknown as Record<symbol, unknown>)[TIER];
  return t === 'Manual' || t === 'Lookup' || t === 'Imported' || t === 'Computed' || t === 'Part' ? t : undefined;
}

export function bindingOf(cls: BindableClass): TableBinding {
  const b = Object.prototype.hasOwnProperty.call(cls, BINDING) ? (cls as unknown as Record<symbol, TableBinding>)[BINDING] : undefined;
  if (!b) throw new UsageError('usage', `Table class ${cls.name} is not registered with a schema: call schema.register(${cls.name})`);
  return b;
}

export function isBound(cls: unknown): boolean {
  return typeof cls === 'function' && Object.prototype.hasOwnProperty.call(cls, BINDING);
}
