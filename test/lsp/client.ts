// A minimal LSP client for protocol tests and benchmarks: spawns the bundled server
// (`node dist/server.js --stdio`) as an editor would, speaks JSON-RPC over its stdio,
// answers the server's own requests (registration, configuration, progress) and keeps
// every published diagnostic so tests can wait for the ones they expect.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SERVER_NODE_ARGS } from '../../server/launch';
import { INDEX_READY_NOTIFICATION, TARGETS_NOTIFICATION, type FolderTargets } from '../../server/protocol';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type Diagnostic,
  type InitializeResult,
  type Position,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';

export const ROOT = resolve(__dirname, '..', '..');
export const SERVER = join(ROOT, 'dist', 'server.js');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'workspaces');

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newestMtime(p));
    else if (e.name.endsWith('.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/** What dist/server.js bundles from this repository. */
const BUNDLED = ['server', 'runtime/definition', 'runtime/hosts', 'runtime/project'];

function sourcesNewerThanBundle(): boolean {
  const built = existsSync(SERVER) ? statSync(SERVER).mtimeMs : 0;
  return Math.max(...BUNDLED.map((d) => (existsSync(join(ROOT, d)) ? newestMtime(join(ROOT, d)) : 0))) > built;
}

/**
 * Rebuilds dist/server.js when a bundled source is newer than it. Test files run in
 * parallel processes, so the build is serialised with a lock folder (mkdir is atomic)
 * and the others wait for it rather than spawn a half-written bundle.
 */
export function ensureBuilt(): void {
  if (!sourcesNewerThanBundle()) return;
  const lock = join(ROOT, 'dist', '.server-build.lock');
  const sleep = (ms: number): void => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms) as unknown as void;
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 60_000) rmSync(lock, { recursive: true, force: true }); // a crashed builder
      sleep(100);
    }
  }
  try {
    if (!sourcesNewerThanBundle()) return;
    const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('build failed');
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export const CLIENT_CAPABILITIES: ClientCapabilities = {
  workspace: {
    workspaceFolders: true,
    configuration: true,
    didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
    symbol: { dynamicRegistration: false },
    workspaceEdit: { documentChanges: true },
  },
  window: { workDoneProgress: true },
  textDocument: {
    synchronization: { dynamicRegistration: false, didSave: true },
    publishDiagnostics: { relatedInformation: true, tagSupport: { valueSet: [1, 2] }, codeDescriptionSupport: true, versionSupport: true },
    completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source.fixAll', 'source.fixAll.datajoint'] } }, isPreferredSupport: true },
    formatting: {},
    rangeFormatting: {},
    definition: { linkSupport: false },
    references: {},
  },
  notebookDocument: { synchronization: { dynamicRegistration: false } },
};

export interface Received {
  progress: unknown[];
  registrations: Array<{ id?: string; method: string; registerOptions?: unknown }>;
  unregistrations: Array<{ id: string; method: string }>;
  /** workspace/applyEdit requests, answered with `applyEdits`. */
  edits: Array<{ label?: string; edit: unknown }>;
  logs: string[];
  /** window/showMessage notifications. */
  messages: Array<{ type: number; message: string }>;
  /** datajoint/targets notifications. */
  targets: FolderTargets[];
}

export interface IndexReadyParams {
  files: number;
  tables: number;
  ms: number;
  skipped: Array<{ path: string; bytes: number }>;
}

export class LspClient {
  readonly conn: ProtocolConnection;
  readonly received: Received = { progress: [], registrations: [], unregistrations: [], edits: [], logs: [], messages: [], targets: [] };
  /** Answers to workspace/configuration by section (null when absent, as for an unset setting). */
  readonly settings = new Map<string, unknown>();
  /** What workspace/applyEdit answers. */
  applyEdits = true;
  private readonly diags = new Map<string, PublishDiagnosticsParams>();
  private waiters: Array<{ check: () => boolean; done: () => void }> = [];
  private versions = new Map<string, number>();
  indexReady?: IndexReadyParams;
  private exited = false;

  private constructor(readonly proc: ChildProcess) {
    this.conn = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    proc.stderr!.on('data', (d: Buffer) => this.received.logs.push(d.toString()));
    proc.on('exit', () => {
      this.exited = true;
      this.poke();
    });
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diags.set(p.uri, p);
      this.poke();
    });
    this.conn.onNotification(TARGETS_NOTIFICATION, (p: FolderTargets) => {
      this.received.targets.push(p);
      this.poke();
    });
    this.conn.onNotification(INDEX_READY_NOTIFICATION, (p: IndexReadyParams) => {
      this.indexReady = p;
      this.poke();
    });
    this.conn.onNotification('window/logMessage', (p: { message: string }) => {
      this.received.logs.push(p.message);
      this.poke();
    });
    this.conn.onNotification('window/showMessage', (p: { type: number; message: string }) => {
      this.received.messages.push(p);
      this.poke();
    });
    this.conn.onNotification('$/progress', (p: unknown) => {
      this.received.progress.push(p);
    });
    this.conn.onRequest('window/workDoneProgress/create', () => null);
    this.conn.onRequest('client/registerCapability', (p: { registrations: Array<{ id?: string; method: string; registerOptions?: unknown }> }) => {
      this.received.registrations.push(...p.registrations);
      this.poke();
      return null;
    });
    this.conn.onRequest('client/unregisterCapability', (p: { unregisterations: Array<{ id: string; method: string }> }) => {
      this.received.unregistrations.push(...p.unregisterations); // sic: the protocol's spelling
      this.poke();
      return null;
    });
    this.conn.onRequest('workspace/applyEdit', (p: { label?: string; edit: unknown }) => {
      this.received.edits.push(p);
      this.poke();
      return { applied: this.applyEdits };
    });
    this.conn.onRequest('workspace/configuration', (p: { items: Array<{ section?: string }> }) => p.items.map((i) => this.settings.get(i.section ?? '') ?? null));
    this.conn.onRequest('workspace/workspaceFolders', () => null);
    this.conn.listen();
  }

  get alive(): boolean {
    return !this.exited;
  }

  static async start(
    root: string | undefined,
    opts: { capabilities?: ClientCapabilities; initializationOptions?: unknown; /** Added after the server's own flags (launch.ts), e.g. `--cpu-prof`. */ nodeArgs?: string[] } = {},
  ): Promise<{ client: LspClient; init: InitializeResult }> {
    const proc = spawn(process.execPath, [...SERVER_NODE_ARGS, ...(opts.nodeArgs ?? []), SERVER, '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const client = new LspClient(proc);
    const rootUri = root ? pathToFileURL(root).href : null;
    const init = (await client.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri,
      capabilities: opts.capabilities ?? CLIENT_CAPABILITIES,
      workspaceFolders: root ? [{ uri: rootUri, name: 'fixture' }] : null,
      initializationOptions: opts.initializationOptions,
    })) as InitializeResult;
    await client.conn.sendNotification('initialized', {});
    return { client, init };
  }

  private poke(): void {
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.check() || this.exited) w.done();
      else still.push(w);
    }
    this.waiters = still;
  }

  /** Resolves when `check` holds (checked on every message), rejects after `ms`. */
  until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`timed out waiting for ${what}`)), ms);
      this.waiters.push({
        check,
        done: () => {
          clearTimeout(timer);
          if (check()) res();
          else rej(new Error(`server exited while waiting for ${what}`));
        },
      });
    });
  }

  waitIndexed(ms = 20_000): Promise<void> {
    return this.until('index ready', () => this.indexReady !== undefined, ms);
  }

  diagnostics(uri: string): Diagnostic[] | undefined {
    return this.diags.get(uri)?.diagnostics;
  }

  /** Waits for diagnostics of `uri` published for the latest version sent (and matching `pred`). */
  async waitDiagnostics(uri: string, pred: (d: Diagnostic[]) => boolean = () => true, ms = 10_000): Promise<Diagnostic[]> {
    const v = this.versions.get(uri);
    await this.until(`diagnostics of ${uri}`, () => {
      const p = this.diags.get(uri);
      return !!p && (v === undefined || p.version === undefined || p.version === v) && pred(p.diagnostics);
    }, ms);
    return this.diags.get(uri)!.diagnostics;
  }

  clearDiagnostics(uri: string): void {
    this.diags.delete(uri);
  }

  open(uri: string, text: string, languageId = languageOf(uri)): void {
    this.versions.set(uri, 1);
    void this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  openFile(path: string): { uri: string; text: string } {
    const text = readFileSync(path, 'utf8');
    const uri = pathToFileURL(path).href;
    this.open(uri, text);
    return { uri, text };
  }

  /** Replaces `range` (or the whole text when no range is given) in an open document. */
  change(uri: string, text: string, range?: { start: Position; end: Position }): number {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [range ? { range, text } : { text }],
    });
    return version;
  }

  close(uri: string): void {
    this.versions.delete(uri);
    void this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  notify(method: string, params: unknown): void {
    void this.conn.sendNotification(method, params);
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.conn.sendRequest(method, params) as Promise<R>;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    try {
      await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      void this.conn.sendNotification('exit');
    } catch {
      // already gone
    }
    await new Promise<void>((res) => {
      if (this.exited) return res();
      const t = setTimeout(() => {
        this.proc.kill();
        res();
      }, 2000);
      this.proc.on('exit', () => {
        clearTimeout(t);
        res();
      });
    });
    this.conn.dispose();
  }
}

export function languageOf(uri: string): string {
  if (/\.(py|ipynb)$/.test(uri)) return 'python';
  if (/\.tsx?$/.test(uri)) return 'typescript';
  return 'javascript';
}

/** Removes the `<|>` cursor marker from a text; returns the text and the marker's position. */
export function cursor(textWithMarker: string, marker = '<|>'): { text: string; position: Position; offset: number } {
  const offset = textWithMarker.indexOf(marker);
  if (offset < 0) throw new Error(`no ${marker} marker`);
  const text = textWithMarker.slice(0, offset) + textWithMarker.slice(offset + marker.length);
  return { text, offset, position: positionAt(text, offset) };
}

export function positionAt(text: string, offset: number): Position {
  let line = 0;
  let last = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i + 1;
    }
  }
  return { line, character: offset - last };
}

/** The position of the n-th occurrence of `needle` in `text`, plus `delta` characters. */
export function positionOf(text: string, needle: string, delta = 0, nth = 0): Position {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' not found`);
  }
  return positionAt(text, at + delta);
}

export function fileUri(path: string): string {
  return pathToFileURL(path).href;
}
