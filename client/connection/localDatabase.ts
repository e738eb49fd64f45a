// The workspace's local (embedded) database as the extension looks after it: whether it
// exists, what a reset drops and how it is asked, the export's file name and header, and
// the reset and export themselves through the runtime (runtime/embedded/export.ts's
// userSchemas and exportDatabase, the functions `djx db reset|export` use; the dialect's
// own DROP/CREATE SCHEMA: the client writes no SQL). No vscode import: the pure parts are
// unit-tested (test/unit/client/local-database.test.ts); the rest runs in
// test/extension/suite/local-database.suite.ts.
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Connection } from '../../runtime/connection/index';
import type { ExportSummary } from '../../runtime/embedded/export';
import { LOCAL_DATABASE_LABEL, localDataDir } from './connectionTarget';

/** What the tooltip and the view say about work across machines. */
export const MULTI_MACHINE_NOTE = 'Multi-machine work (several machines, SLURM) needs a MySQL or PostgreSQL server: DataJoint: Connect…';

/** Whether the local database in `dir` was ever created (PGlite's initdb leaves PG_VERSION; `djx db status` checks the same). */
export function localDatabaseExists(dir: string): boolean {
  return existsSync(join(localDataDir(dir), 'PG_VERSION'));
}

/** The status bar tooltip's lines on the local database: where, who serves it, why it is used, and that it is this machine's only. */
export function localStatusLines(info: { dataDir: string; serverPid?: number; reason: string }): string[] {
  return [
    `Data: ${info.dataDir}`,
    ...(info.serverPid ? [`Served by process ${info.serverPid} (this machine only)`] : []),
    `Used because ${info.reason}.`,
    MULTI_MACHINE_NOTE,
  ];
}

/** The schemas a reset drops: every one but `public`, which is emptied and kept. */
export function droppedSchemas(schemas: readonly string[]): string[] {
  return schemas.filter((s) => s !== 'public');
}

/** The modal question of Reset Local Database: what exactly is deleted. */
export function resetQuestion(dataDir: string, schemas: readonly string[]): string {
  const dropped = droppedSchemas(schemas);
  const what = dropped.length
    ? `${dropped.length === 1 ? 'the schema' : `${dropped.length} schemas`} ${dropped.join(', ')} with all their tables, rows and jobs`
    : 'everything in it (it has no schemas yet)';
  return `Reset the ${LOCAL_DATABASE_LABEL.toLowerCase()}? This deletes ${what}, in ${dataDir}. It cannot be undone (Export Local Database… first to keep a copy).`;
}

/** The file name the export's save dialog proposes: `<folder>-local-database.sql`. */
export function exportFileName(workspaceFolder: string | undefined): string {
  const name = (workspaceFolder ? basename(workspaceFolder) : '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return `${name || 'datajoint'}-local-database.sql`;
}

/** The export's header lines (as `djx db export` writes them). */
export function exportHeader(dataDir: string, serverVersion: string, when: Date): string[] {
  return [
    `DataJoint: ${LOCAL_DATABASE_LABEL.toLowerCase()}, ${dataDir}`,
    `${serverVersion}, exported ${when.toISOString()}`,
    'Load into PostgreSQL 15 or later: psql -v ON_ERROR_STOP=1 -f <this file> <database>',
  ];
}

/** What the export notification says at its end. */
export function exportSummaryText(file: string, s: ExportSummary): string {
  return `Exported the ${LOCAL_DATABASE_LABEL.toLowerCase()} to ${file}: ${s.schemas.length} schema(s), ${s.tables} table(s), ${s.rows} row(s).`;
}

/** The runtime functions this module needs (client/connection/clientRuntime.ts has them). */
export interface LocalDatabaseRuntime {
  userSchemas(conn: Connection): Promise<string[]>;
  resetSchemas(conn: Connection, options?: { expected?: readonly string[] }): Promise<string[]>;
}

/** The schemas of the local database (for the reset question). */
export function schemasOf(rt: LocalDatabaseRuntime, conn: Connection): Promise<string[]> {
  return rt.userSchemas(conn);
}

/**
 * Drops every schema of the local database, as `djx db reset` does on a database some
 * process serves (runtime/embedded/reset.ts; the window's own connection keeps it served):
 * the other clients stay connected and see an empty database. `asked`: the schemas the
 * user was shown; when others appeared since, nothing is dropped and it fails naming them.
 * Returns the schemas dropped (public not counted).
 */
export function resetLocalDatabase(rt: LocalDatabaseRuntime, conn: Connection, asked?: readonly string[]): Promise<string[]> {
  return rt.resetSchemas(conn, asked ? { expected: asked } : {});
}
