// Builds the workspace index at start: streams the workspace folders' source files into
// the project in small batches, yielding to the event loop between batches so requests
// on open documents are served meanwhile, and reports progress to the client.
import { promises as fs } from 'node:fs';
import type { Connection, WorkDoneProgressServerReporter } from 'vscode-languageserver/node';
import type { ClientSupport } from '../capabilities';
import { HostFile } from '../documents/hostFile';
import { hostLanguageOfPath } from '../documents/languages';
import { uriOfKey } from '../documents/uris';
import type { Project } from './project';
import { sourceFiles } from './scan';

/** Files above this size are generated or vendored code, not pipelines. */
const MAX_FILE_BYTES = 2 * 1024 * 1024;
const BATCH = 64;

export interface IndexReady {
  files: number;
  tables: number;
  ms: number;
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
  const paths: string[] = [];
  for (const root of roots) for await (const p of sourceFiles(root)) paths.push(p);
  for (let i = 0; i < paths.length; i += BATCH) {
    const batch = paths.slice(i, i + BATCH);
    const texts = await Promise.all(
      batch.map(async (p) => {
        try {
          const st = await fs.stat(p);
          return st.size > MAX_FILE_BYTES ? undefined : await fs.readFile(p, 'utf8');
        } catch {
          return undefined;
        }
      }),
    );
    batch.forEach((p, j) => {
      const text = texts[j];
      const language = hostLanguageOfPath(p);
      // Files without tables still count: they are modules that imports go through.
      if (text === undefined || !language || project.isOpen(p)) return;
      project.setFile(new HostFile(p, language, [{ uri: uriOfKey(p), text }]), false, true);
      files++;
    });
    progress?.report(Math.round(((i + batch.length) / paths.length) * 100), `${i + batch.length}/${paths.length} files`);
    await yieldToLoop();
  }
  let tables = 0;
  for (const _ of project.allSites()) tables++;
  const ready: IndexReady = { files, tables, ms: Math.round(performance.now() - t0) };
  progress?.done();
  connection.console.log(`datajoint: indexed ${tables} tables in ${files} files (${ready.ms} ms)`);
  void connection.sendNotification('datajoint/indexReady', ready);
  recheck(project.openKeys());
  return ready;
}
