// `djx populate/jobs/progress` name their tables by a pipeline module (a .ts/.js file,
// loaded without a build step) or by a schema (read from the database catalog).
import { existsSync } from 'node:fs';
import { Connection } from '../../connection/index';
import { Catalog } from '../../catalog/index';
import { autoPopulatedTables, loadPipelineModule, PipelineLoadError } from '../../populate/load';
import { isAutoPopulatedClass, targetFromCatalog, targetFromTable } from '../../populate/adapter';
import type { PopulateTarget } from '../../populate/target';

export interface ResolvedTargets {
  targets: PopulateTarget[];
  close(): Promise<void>;
}

/** Whether `arg` names a module file rather than a schema. */
export function isModulePath(arg: string): boolean {
  return /\.[cm]?[jt]sx?$/i.test(arg) || existsSync(arg);
}

export async function resolveTargets(arg: string, table?: string): Promise<ResolvedTargets> {
  if (isModulePath(arg)) {
    const mod = await loadPipelineModule(arg);
    let classes = autoPopulatedTables(mod);
    if (table) classes = classes.filter((c) => c.name === table);
    if (classes.length === 0) {
      throw new PipelineLoadError(table ? `No Computed or Imported table named ${table} in ${arg}.` : `${arg} exports no Computed or Imported table.`);
    }
    const targets: PopulateTarget[] = [];
    const connections = new Set<{ close(): Promise<void> }>();
    for (const c of classes) {
      if (!isAutoPopulatedClass(c)) continue;
      targets.push(await targetFromTable(c));
      const conn = await (c as unknown as { connection(): Promise<{ close(): Promise<void> }> }).connection();
      connections.add(conn);
    }
    return { targets, close: async () => void (await Promise.all([...connections].map((c) => c.close()))) };
  }
  const conn = await Connection.connect();
  try {
    const catalog = new Catalog(conn);
    if (!(await catalog.schemaExists(arg))) throw new PipelineLoadError(`No pipeline module file or schema named ${arg}.`);
    const tables = (await catalog.listTables(arg)).filter((t) => (t.tier === 'Computed' || t.tier === 'Imported') && !t.master);
    const chosen = table ? tables.filter((t) => t.className === table || t.name === table) : tables;
    if (table && chosen.length === 0) throw new PipelineLoadError(`Schema ${arg} has no Computed or Imported table ${table}.`);
    const targets: PopulateTarget[] = [];
    for (const t of chosen) targets.push(await targetFromCatalog(conn, arg, t.name));
    return { targets, close: () => conn.close() };
  } catch (e) {
    await conn.close();
    throw e;
  }
}
