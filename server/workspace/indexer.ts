// Builds the workspace index at start: streams the workspace folders' source files into
// the project in small batches, yielding to the event loop between batches so requests
// on open documents are served meanwhile, and reports progress to the client.
import { promises as fs } from 'node:fs';
import { MessageType, ShowMessageNotification, type Connection, type WorkDoneProgressServerReporter } from 'vscode-languageserver/node';
import type { ClientSupport } from '../capabilities';
import { HostFile } from '../documents/hostFile';
import { hostLanguageOfPath } from '../documents/languages';
import type { HostLanguage } from '../../runtime/hosts/types';
import { uriOfKey } from '../documents/uris';
import type { Project } from './project';
import { sourceFiles } from './scan';
import { INDEX_READY_NOTIFICATION } from '../protocol';

/**
 * Files above this size are taken for generated or vendored code, not pipelines, and not
 * indexed; the setting `datajoint.maxFileSize` (initialization option `maxFileSize`, in
 * megabytes, 0 for no limit) moves it. `djx lint` has no limit.
 */
export const DEFAULT_MAX_FILE_MB = 2;
const BATCH = 64;

export interface SkippedFile {
  path: string;
  bytes: number;
}

export interface IndexReady {
  files: number;
  tables: number;
  ms: number;
  /** Files over the size limit, not indexed: their tables do not resolve. */
  skipped: SkippedFile[];
}

/** The limit in bytes for a `maxFileSize` option in megabytes (Infinity for 0). */
export function maxFileBytes(megabytes: number | undefined): number {
  const mb = typeof megabytes === 'number' && Number.isFinite(megabytes) && megabytes >= 0 ? megabytes : DEFAULT_MAX_FILE_MB;
  return mb === 0 ? Infinity : mb * 1024 * 1024;
}

const megabytes = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

/** The line logged (and shown) for a file skipped for its size. */
export function skippedMessage(file: SkippedFile, limit: number): string {
  return `datajoint: ${file.path} (${megabytes(file.bytes)}) is over datajoint.maxFileSize (${megabytes(limit)}) and is not indexed: its tables do not resolve in the editor`;
}

/**
 * A skipped file in the index: known to be there (imports of it resolve), without its
 * text, so that a reference to one of its tables says why it is unknown.
 */
export function skippedPlaceholder(file: SkippedFile, limit: number, language: HostLanguage): HostFile {
  return new HostFile(file.path, language, [{ uri: uriOfKey(file.path), text: '' }], `${megabytes(file.bytes)}, over datajoint.maxFileSize: ${megabytes(limit)}`);
}

/** A source file's text, or why there is none: over the size limit, or unreadable. */
export async function readIndexable(path: string, limit: number): Promise<{ text: string } | { skipped: SkippedFile } | undefined> {
  try {
    const st = await fs.stat(path);
    if (st.size > limit) return { skipped: { path, bytes: st.size } };
    return { text: await fs.readFile(path, 'utf8') };
  } catch {
    return undefined;
  }
}

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

export async function indexWorkspace(
  connection: Connection,
  project: Project,
  roots: readonly string[],
  support: ClientSupport,
  recheck: (keys: string[]) => void,
  /** False when adding folders to a running server: the project's roots are already set. */
  initial = true,
  limit = maxFileBytes(undefined),
): Promise<IndexReady> {
  const t0 = performance.now();
  if (initial) project.setRoots([...roots]);
  let progress: WorkDoneProgressServerReporter | undefined;
  if (support.workDoneProgress && roots.length) {
    try {
      progress = await connection.window.createWorkDoneProgress();
      progress.begin('DataJoint: indexing tables', undefined, 'scanning…', false);
    } catch {
      progress = undefined; // the client refused; index silently
    }
  }
  let files = 0;
  const skipped: SkippedFile[] = [];
  const paths: string[] = [];
  for (const root of roots) for await (const p of sourceFiles(root)) paths.push(p);
  for (let i = 0; i < paths.length; i += BATCH) {
    const batch = paths.slice(i, i + BATCH);
    const read = await Promise.all(batch.map((p) => readIndexable(p, limit)));
    batch.forEach((p, j) => {
      const r = read[j];
      const language = hostLanguageOfPath(p);
      if (!r || !language || project.isOpen(p)) return;
      if ('skipped' in r) {
        skipped.push(r.skipped);
        connection.console.warn(skippedMessage(r.skipped, limit));
        project.setFile(skippedPlaceholder(r.skipped, limit, language), false, true);
        return;
      }
      // Files without tables still count: they are modules that imports go through.
      project.setFile(new HostFile(p, language, [{ uri: uriOfKey(p), text: r.text }]), false, true);
      files++;
    });
    progress?.report(Math.round(((i + batch.length) / paths.length) * 100), `${i + batch.length}/${paths.length} files`);
    await yieldToLoop();
  }
  let tables = 0;
  for (const _ of project.allSites()) tables++;
  const ready: IndexReady = { files, tables, ms: Math.round(performance.now() - t0), skipped };
  progress?.done();
  connection.console.log(`datajoint: indexed ${tables} tables in ${files} files (${ready.ms} ms)`);
  if (skipped.length) {
    // Once per indexing, not per file: a vendored folder may hold many.
    const names = skipped.slice(0, 3).map((f) => `${f.path} (${megabytes(f.bytes)})`).join(', ') + (skipped.length > 3 ? `, and ${skipped.length - 3} more` : '');
    // A notification, not showWarningMessage's request: there is nothing to answer.
    void connection.sendNotification(ShowMessageNotification.type, {
      type: MessageType.Warning,
      message: `DataJoint: ${skipped.length === 1 ? '1 file is' : `${skipped.length} files are`} over datajoint.maxFileSize (${megabytes(limit)}) and not indexed, so tables defined there do not resolve: ${names}. Raise the setting to index ${skipped.length === 1 ? 'it' : 'them'}.`,
    });
  }
  void connection.sendNotification(INDEX_READY_NOTIFICATION, ready);
  recheck(project.openKeys());
  return ready;
}
