// Publishes diagnostics of open files: the shared index's checks (the same as `djx lint`),
// placed in the editor's documents (a notebook's diagnostics go to the cell that holds
// the definition). Checks run right after an edit; edits arriving together coalesce.
import {
  DiagnosticSeverity,
  DiagnosticTag,
  type Connection,
  type Diagnostic,
  type DiagnosticRelatedInformation,
} from 'vscode-languageserver/node';
import type { HostDiagnostic } from '../../runtime/project/index';
import type { ClientSupport } from '../capabilities';
import type { HostFile } from '../documents/hostFile';
import { report } from '../safe';
import type { Project } from '../workspace/project';

const SEVERITY: Record<HostDiagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** One index diagnostic as an LSP diagnostic, with the uri (document or cell) it belongs to. */
export function toLsp(project: Project, file: HostFile, d: HostDiagnostic, support: ClientSupport): { uri: string; diagnostic: Diagnostic } {
  const loc = file.location(d.start, Math.max(d.start, d.end));
  const diagnostic: Diagnostic = { range: loc.range, severity: SEVERITY[d.severity], code: d.code, source: 'datajoint', message: d.message };
  if (d.tags?.length && support.diagnosticTags) {
    diagnostic.tags = d.tags.map((t) => (t === 'deprecated' ? DiagnosticTag.Deprecated : DiagnosticTag.Unnecessary));
  }
  if (d.related?.length && support.relatedInformation) {
    const related: DiagnosticRelatedInformation[] = [];
    for (const r of d.related) {
      const other = project.file(r.path);
      if (!other) continue;
      related.push({ location: other.location(r.start, Math.max(r.start, r.end)), message: r.message });
    }
    if (related.length) diagnostic.relatedInformation = related;
  }
  return { uri: loc.uri, diagnostic };
}

/** All diagnostics of one file, grouped by document uri (one per notebook cell). */
export function fileDiagnostics(project: Project, key: string, support: ClientSupport): Map<string, Diagnostic[]> {
  const file = project.file(key);
  const byUri = new Map<string, Diagnostic[]>();
  if (!file) return byUri;
  for (const uri of file.uris) byUri.set(uri, []);
  for (const d of project.check(key)) {
    const { uri, diagnostic } = toLsp(project, file, d, support);
    byUri.get(uri)?.push(diagnostic);
  }
  return byUri;
}

export class DiagnosticsScheduler {
  private readonly pending = new Set<string>();
  private readonly later = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private laterTimer: NodeJS.Timeout | undefined;
  /** Set once the initial workspace index is built. */
  ready = false;
  /** What each document shows now, to clear removed cells and skip unchanged re-publishes. */
  private readonly shown = new Map<string, Map<string, string>>();

  constructor(
    private readonly connection: Connection,
    private readonly project: Project,
    private readonly support: () => ClientSupport,
    private readonly delay: () => number,
  ) {}

  /**
   * Checks `keys` soon. The first key is the edited file; the others may depend on it
   * and are checked a little later, so the file being typed in is answered first.
   */
  schedule(keys: readonly string[], delay = this.delay()): void {
    if (!keys.length) return;
    if (!this.ready) {
      // Until the workspace is indexed, references to tables not read yet would flash
      // as unresolved; indexing ends by re-checking every open file.
      return;
    }
    this.pending.add(keys[0]);
    for (const k of keys.slice(1)) this.later.add(k);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), delay);
  }

  private flush(): void {
    this.timer = undefined;
    const keys = [...this.pending];
    this.pending.clear();
    for (const key of keys) {
      this.later.delete(key);
      this.publishSafe(key, true);
    }
    if (this.later.size && !this.laterTimer) this.laterTimer = setTimeout(() => this.flushLater(), 50);
  }

  private publishSafe(key: string, always: boolean): void {
    if (!this.project.isOpen(key)) return;
    try {
      this.publish(key, always);
    } catch (e) {
      report(this.connection.console, 'diagnostics', e);
    }
  }

  /** `always` (the edited file): publish even when unchanged, since the client waits for that version. */
  publish(key: string, always = true): void {
    const file = this.project.file(key);
    if (!file) return;
    const byUri = fileDiagnostics(this.project, key, this.support());
    const before = this.shown.get(key) ?? new Map<string, string>();
    const now = new Map<string, string>();
    for (const [uri] of before) if (!byUri.has(uri)) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    for (const [uri, diagnostics] of byUri) {
      const json = JSON.stringify(diagnostics);
      now.set(uri, json);
      if (!always && before.get(uri) === json) continue;
      const version = file.versionOf(uri);
      void this.connection.sendDiagnostics({ uri, diagnostics, ...(version !== undefined ? { version } : {}) });
    }
    this.shown.set(key, now);
  }

  private flushLater(): void {
    this.laterTimer = undefined;
    const rest = [...this.later];
    this.later.clear();
    for (const k of rest) this.publishSafe(k, false);
  }

  clear(uris: readonly string[]): void {
    for (const uri of uris) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    for (const shown of this.shown.values()) for (const uri of uris) shown.delete(uri);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.laterTimer) clearTimeout(this.laterTimer);
  }
}
