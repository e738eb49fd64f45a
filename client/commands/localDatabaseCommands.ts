// The workspace's local (embedded) database: Create, Open, Reset and Export.
//   Create / Open: connect the window to it (Open also switches from a server: it writes
//     datajoint.backend = embedded into the workspace settings when the settings name a
//     server); the runtime creates it in `.datajoint/` on first use.
//   Reset: asks (a modal naming what is deleted), then drops every schema as `djx db reset`
//     does on a served database; the views reload.
//   Export…: a save dialog, then the SQL of `djx db export` (runtime/embedded/export.ts)
//     with a progress notification; Open File / Reveal at its end.
// Reset and Export work on the window's connection when it is the local database, else on a
// connection of their own to it (never creating one that does not exist yet).
import { createWriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { Connection } from '../../runtime/connection/index';
import { CREATE_LOCAL_DATABASE_COMMAND, EXPORT_LOCAL_DATABASE_COMMAND, OPEN_LOCAL_DATABASE_COMMAND, RESET_LOCAL_DATABASE_COMMAND } from '../commandNames';
import type { ConnectionManager } from '../connection/connectionManager';
import { localDatabaseDir, resolveConnectionTarget } from '../connection/connectionSettings';
import { LOCAL_DATABASE_LABEL } from '../connection/connectionTarget';
import { exportFileName, exportHeader, exportSummaryText, localDatabaseExists, MULTI_MACHINE_NOTE, resetLocalDatabase, resetQuestion } from '../connection/localDatabase';
import { loadRuntime } from '../connection/loadRuntime';
import type { Notices } from '../notices';

const LABEL = LOCAL_DATABASE_LABEL.toLowerCase();
const RESET = 'Reset';

/** Reset's optional argument (an API caller or a test that has asked the user itself). */
export interface ResetArgs {
  confirmed?: boolean;
}

/** Export's optional argument: the file, instead of the save dialog. */
export type ExportArg = vscode.Uri | { file?: vscode.Uri } | undefined;

export interface LocalDatabaseCommands {
  /** Connects the window to the local database (created on first use); whether connected. */
  open(create: boolean): Promise<boolean>;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function registerLocalDatabaseCommands(
  context: vscode.ExtensionContext,
  connection: ConnectionManager,
  notices: Notices,
  output: vscode.LogOutputChannel,
): LocalDatabaseCommands {
  const folder = () => vscode.workspace.workspaceFolders?.[0]?.uri;

  const open = async (create: boolean): Promise<boolean> => {
    if (!folder()) {
      notices.show('error', `The ${LABEL} is kept in the workspace folder (.datajoint/): open a folder first.`);
      return false;
    }
    let target = await resolveConnectionTarget(folder()).catch(() => undefined);
    if (!target?.local) {
      // The settings name a server: this workspace switches to its local database (the
      // Switch Connection list or the Connect form switch back).
      await connection.writingSettings(() => Promise.resolve(vscode.workspace.getConfiguration('datajoint').update('backend', 'embedded', vscode.ConfigurationTarget.Workspace)), {
        backend: 'embedded',
      });
      try {
        target = await resolveConnectionTarget(folder());
      } catch (e) {
        notices.show('error', `Cannot read the connection settings: ${messageOf(e)}`);
        return false;
      }
    }
    const local = target.local;
    if (!local) {
      // A folder-level datajoint.backend still names a server.
      notices.show('error', `The settings of this folder name a database server, not the ${LABEL}: set datajoint.backend to "embedded" there.`, [
        { title: 'Open Settings', run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'datajoint.backend') },
      ]);
      return false;
    }
    const existed = localDatabaseExists(local.dir);
    const ok = await connection.connect({ interactive: true });
    if (!ok) {
      notices.show('error', connection.lastError ?? `Cannot open the ${LABEL}.`, [{ title: 'Show Log', run: () => output.show() }]);
      return false;
    }
    if (create) {
      notices.show('info', existed ? `Opened the ${LABEL} (${local.dir}): it existed already.` : `Created the ${LABEL} in ${local.dir}. ${MULTI_MACHINE_NOTE}`);
    }
    return true;
  };

  /** `fn` on the workspace's local database (connectionManager.ts withLocalDatabase). */
  const onLocal = async <T>(fn: (conn: Connection, dataDir: string) => Promise<T>): Promise<{ value: T } | undefined> =>
    connection.withLocalDatabase(connection.local?.dir ?? (await localDatabaseDir(folder())), fn);

  const notCreated = async () => {
    const dir = await localDatabaseDir(folder()).catch(() => '.datajoint');
    notices.show('info', `The ${LABEL} has not been created yet (${dir}): nothing to do.`, [{ title: 'Create Local Database', run: () => open(true) }]);
  };

  const reset = async (args?: ResetArgs): Promise<string[] | undefined> => {
    try {
      const rt = await loadRuntime();
      const done = await onLocal(async (conn, dataDir) => {
        const schemas = await rt.userSchemas(conn);
        if (!args?.confirmed) {
          const answer = await vscode.window.showWarningMessage(resetQuestion(dataDir, schemas), { modal: true }, RESET);
          if (answer !== RESET) return undefined;
        }
        const dropped = await resetLocalDatabase(rt, conn, args?.confirmed ? undefined : schemas);
        output.info(`Reset the ${LABEL} (${dataDir}): dropped ${dropped.length} schema(s)${dropped.length ? `: ${dropped.join(', ')}` : ''}`);
        return dropped;
      });
      if (!done) {
        await notCreated();
        return undefined;
      }
      if (done.value === undefined) return undefined;
      if (connection.local) connection.dataChanged();
      notices.show('info', `Reset the ${LABEL}: ${done.value.length ? `dropped ${done.value.join(', ')}` : 'it was empty'}.`);
      return done.value;
    } catch (e) {
      notices.show('error', `Reset of the ${LABEL} failed: ${messageOf(e)}`);
      return undefined;
    }
  };

  const exportTo = async (arg?: ExportArg): Promise<vscode.Uri | undefined> => {
    const given = arg instanceof vscode.Uri ? arg : arg?.file;
    const root = folder();
    const file =
      given ??
      (await vscode.window.showSaveDialog({
        title: `Export the ${LABEL} as SQL`,
        saveLabel: 'Export',
        defaultUri: root ? vscode.Uri.joinPath(root, exportFileName(root.fsPath)) : undefined,
        filters: { 'SQL (PostgreSQL 15+)': ['sql'] },
      }));
    if (!file) return undefined;
    try {
      const rt = await loadRuntime();
      const done = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Exporting the ${LABEL}`, cancellable: false }, (progress) =>
        onLocal(async (conn, dataDir) => {
          const out = createWriteStream(file.fsPath);
          const failed = new Promise<never>((_, reject) => out.once('error', reject));
          let tables = 0;
          // Backpressure: a large table's INSERTs wait for the file to take them.
          const write = (chunk: string) => {
            if (chunk.startsWith('CREATE TABLE')) progress.report({ message: `${++tables} table(s)` });
            return out.write(chunk) ? undefined : Promise.race([failed, new Promise<void>((r) => out.once('drain', () => r()))]);
          };
          try {
            const summary = await Promise.race([failed, rt.exportDatabase(conn, write, { header: exportHeader(dataDir, conn.serverVersion, new Date()) })]);
            await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
            return summary;
          } catch (e) {
            out.destroy();
            throw e;
          }
        }),
      );
      if (!done) {
        await notCreated();
        return undefined;
      }
      output.info(exportSummaryText(file.fsPath, done.value));
      notices.show('info', exportSummaryText(basename(file.fsPath), done.value), [
        { title: 'Open File', run: () => vscode.window.showTextDocument(file, { preview: true }) },
        { title: 'Reveal', run: () => vscode.commands.executeCommand('revealFileInOS', file) },
      ]);
      return file;
    } catch (e) {
      notices.show('error', `Export of the ${LABEL} to ${join(basename(dirname(file.fsPath)), basename(file.fsPath))} failed: ${messageOf(e)}`);
      return undefined;
    }
  };

  context.subscriptions.push(
    vscode.commands.registerCommand(CREATE_LOCAL_DATABASE_COMMAND, () => open(true)),
    vscode.commands.registerCommand(OPEN_LOCAL_DATABASE_COMMAND, () => open(false)),
    vscode.commands.registerCommand(RESET_LOCAL_DATABASE_COMMAND, (args?: ResetArgs) => reset(args)),
    vscode.commands.registerCommand(EXPORT_LOCAL_DATABASE_COMMAND, (arg?: ExportArg) => exportTo(arg)),
  );
  return { open };
}
