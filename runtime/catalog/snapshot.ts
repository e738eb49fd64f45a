// The declared tables of a server as one JSON value: what the VS Code client sends the
// language server when it connects (server/protocol.ts: CATALOG_NOTIFICATION), so that
// references the workspace cannot resolve resolve against the database, and definitions
// are compared with the tables declared from them. Works on both backends: it reads the
// catalog through the dialect, as the Tables view does. `parseCatalogSnapshot` is the
// receiving side's check of such a value (it comes over a wire).
import type { CatalogAttribute, CatalogForeignKey, CatalogIndex, CatalogTable } from './types';

export interface CatalogSnapshot {
  /** Where it was read, for messages: `user@host:port` (the connection's label). */
  label: string;
  backend: 'mysql' | 'postgresql';
  /** The schemas read (those the snapshot was asked for that exist, else every schema). */
  schemas: string[];
  /** Every user table of those schemas, parts included, fully described. */
  tables: CatalogTable[];
  /** Some tables were left out (`maxTables`), or some schemas could not be read: why. */
  incomplete?: string[];
}

export interface SnapshotOptions {
  label: string;
  backend: 'mysql' | 'postgresql';
  /** Only these schemas (the `datajoint.schemas` setting); default every schema of the server. */
  schemas?: readonly string[];
  /** At most this many tables (default 5000): a snapshot is sent whole. */
  maxTables?: number;
}

/**
 * What a snapshot reads: a `Catalog` (index.ts) is one. Named by its shape, because
 * index.ts, the catalog's entry module, exports this module.
 */
export interface SchemaReader {
  listSchemas(): Promise<string[]>;
  describeSchema(schema: string): Promise<CatalogTable[]>;
}

/** Reads the declared tables of the server (or of `schemas`) as a serialisable snapshot. */
export async function catalogSnapshot(catalog: SchemaReader, options: SnapshotOptions): Promise<CatalogSnapshot> {
  const max = options.maxTables ?? 5000;
  const all = await catalog.listSchemas();
  const wanted = options.schemas?.length ? all.filter((s) => options.schemas!.includes(s)) : all;
  const tables: CatalogTable[] = [];
  const incomplete: string[] = [];
  const schemas: string[] = [];
  for (const schema of wanted) {
    if (tables.length >= max) {
      incomplete.push(`more than ${max} tables: \`${schema}\` and the schemas after it are left out`);
      break;
    }
    try {
      const described = await catalog.describeSchema(schema);
      schemas.push(schema);
      const room = max - tables.length;
      tables.push(...described.slice(0, room));
      if (described.length > room) incomplete.push(`\`${schema}\`: only its first ${room} tables are read`);
    } catch (e) {
      // A schema this account cannot read (or dropped meanwhile): the others still count.
      incomplete.push(`\`${schema}\`: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const out: CatalogSnapshot = { label: options.label, backend: options.backend, schemas, tables };
  if (incomplete.length) out.incomplete = incomplete;
  return out;
}

// ---- receiving side -----------------------------------------------------------------

const isStr = (v: unknown): v is string => typeof v === 'string';
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const TIERS = new Set(['Manual', 'Lookup', 'Imported', 'Computed', 'Part']);

function attribute(v: unknown, at: string): CatalogAttribute {
  if (!isObj(v) || !isStr(v.name) || !isStr(v.type)) throw new Error(`${at}: an attribute needs a name and a type`);
  const a: CatalogAttribute = {
    name: v.name,
    sqlType: isStr(v.sqlType) ? v.sqlType : v.type,
    type: v.type,
    category: v.category === 'core' || v.category === 'codec' ? v.category : 'native',
    typeSource: v.typeSource === 'marker' || v.typeSource === 'foreignKey' ? v.typeSource : 'sql',
    nullable: v.nullable === true,
    default: isStr(v.default) ? v.default : null,
    inKey: v.inKey === true,
    comment: isStr(v.comment) ? v.comment : '',
    autoIncrement: v.autoIncrement === true,
    hidden: isBool(v.hidden) ? v.hidden : v.name.startsWith('_'),
  };
  return a;
}

function foreignKey(v: unknown, at: string): CatalogForeignKey {
  if (!isObj(v) || !isStr(v.parentSchema) || !isStr(v.parentTable) || !isObj(v.attrMap)) throw new Error(`${at}: a foreign key needs parentSchema, parentTable and attrMap`);
  const attrMap: Record<string, string> = {};
  for (const [k, x] of Object.entries(v.attrMap)) if (isStr(x)) attrMap[k] = x;
  const columns = Array.isArray(v.columns) && v.columns.every(isStr) ? (v.columns as string[]) : Object.keys(attrMap);
  return {
    constraint: isStr(v.constraint) ? v.constraint : '',
    parentSchema: v.parentSchema,
    parentTable: v.parentTable,
    attrMap,
    columns,
    primary: v.primary === true,
    aliased: v.aliased === true,
    nullable: v.nullable === true,
    unique: v.unique === true,
  };
}

function index(v: unknown): CatalogIndex | undefined {
  if (!isObj(v) || !Array.isArray(v.columns) || !v.columns.every(isStr)) return undefined;
  return { name: isStr(v.name) ? v.name : '', columns: v.columns as string[], unique: v.unique === true };
}

function table(v: unknown, i: number): CatalogTable {
  const at = `tables[${i}]`;
  if (!isObj(v) || !isStr(v.schema) || !isStr(v.name) || !isStr(v.className) || !isStr(v.tier) || !TIERS.has(v.tier)) {
    throw new Error(`${at}: a table needs schema, name, className and a tier`);
  }
  if (!Array.isArray(v.attributes)) throw new Error(`${at}: attributes is not a list`);
  const attributes = v.attributes.map((a, k) => attribute(a, `${at}.attributes[${k}]`));
  const names = new Set(attributes.map((a) => a.name));
  const primaryKey = Array.isArray(v.primaryKey) && v.primaryKey.every(isStr) ? (v.primaryKey as string[]).filter((n) => names.has(n)) : attributes.filter((a) => a.inKey).map((a) => a.name);
  const t: CatalogTable = {
    schema: v.schema,
    name: v.name,
    tier: v.tier as CatalogTable['tier'],
    className: v.className,
    comment: isStr(v.comment) ? v.comment : '',
    estimatedRows: typeof v.estimatedRows === 'number' ? v.estimatedRows : 0,
    attributes,
    primaryKey,
    foreignKeys: Array.isArray(v.foreignKeys) ? v.foreignKeys.map((f, k) => foreignKey(f, `${at}.foreignKeys[${k}]`)) : [],
    indexes: Array.isArray(v.indexes) ? v.indexes.map(index).filter((x): x is CatalogIndex => !!x) : [],
  };
  if (isStr(v.master)) t.master = v.master;
  if (isStr(v.jobsTable)) t.jobsTable = v.jobsTable;
  return t;
}

/**
 * A snapshot received from elsewhere, checked: null stays null (disconnected); anything
 * that is not a snapshot throws an Error saying what is wrong (the receiver logs it and
 * keeps what it had).
 */
export function parseCatalogSnapshot(value: unknown): CatalogSnapshot | null {
  if (value === null || value === undefined) return null;
  if (!isObj(value)) throw new Error('the catalog is not an object');
  if (!Array.isArray(value.tables)) throw new Error('the catalog has no `tables` list');
  const backend = value.backend === 'postgresql' ? 'postgresql' : value.backend === 'mysql' || value.backend === undefined ? 'mysql' : undefined;
  if (!backend) throw new Error(`unknown backend ${JSON.stringify(value.backend)}`);
  const tables = value.tables.map(table);
  const schemas = Array.isArray(value.schemas) && value.schemas.every(isStr) ? (value.schemas as string[]) : [...new Set(tables.map((t) => t.schema))];
  const out: CatalogSnapshot = { label: isStr(value.label) ? value.label : 'database', backend, schemas, tables };
  if (Array.isArray(value.incomplete) && value.incomplete.every(isStr)) out.incomplete = value.incomplete as string[];
  return out;
}
