// Publishes diagnostics of open files: the definition checks of every site (reused
// where nothing they depend on changed), mapped from definition offsets to host ranges
// and to the right notebook cell. Checks run shortly after an edit; edits arriving
// meanwhile coalesce into one check per file.
import {
  DiagnosticSeverity,
  DiagnosticTag,
  type Connection,
  type Diagnostic,
  type DiagnosticRelatedInformation,
} from 'vscode-languageserver/node';
import type { Diagnostic as DjDiagnostic } from '../../runtime/definition/index';
import type { ClientSupport } from '../capabilities';
import { report } from '../safe';
import { checkSite, isChecked } from '../workspace/checker';
import type { Project } from '../workspace/project';
import type { Site } from '../workspace/sites';

/** Time for validating definitions that only inherit an edit, before the first publish. */
const FIRST_PASS_BUDGET_MS = 6;

const SEVERITY: Record<DjDiagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** One definition diagnostic as an LSP diagnostic, with the uri (document or cell) it belongs to. */
export function toLsp(project: Project, site: Site, d: DjDiagnostic, support: ClientSupport): { uri: string; diagnostic: Diagnostic } {
  const start = site.toHost(Math.max(0, d.span.start));
  const end = site.toHost(Math.max(d.span.start, Number.isFinite(d.span.end) ? d.span.end : d.span.start));
  const loc = site.file.location(start, Math.max(start, end));
  const diagnostic: Diagnostic = { range: loc.range, severity: SEVERITY[d.severity], code: d.code, source: 'datajoint', message: d.message };
  if (d.tags?.length && support.diagnosticTags) {
    diagnostic.tags = d.tags.map((t) => (t === 'deprecated' ? DiagnosticTag.Deprecated : DiagnosticTag.Unnecessary));
  }
  if (d.related?.length && support.relatedInformation) {
    const related: DiagnosticRelatedInformation[] = [];
    for (const r of d.related) {
      const other = r.table ? project.siteOfId(r.table) : site;
      if (!other) continue;
      const a = other.toHost(r.span.start);
      const b = other.toHost(Math.max(r.span.start, r.span.end));
      related.push({ location: other.file.location(a, Math.max(a, b)), message: r.message });
    }
    if (related.length) diagnostic.relatedInformation = related;
  }
  return { uri: loc.uri, diagnostic };
}

/**
 * All diagnostics of one file, grouped by document uri (one per notebook cell).
 * Definitions whose text changed are always validated. Definitions that only inherit a
 * change (a key their parent passes down) are validated within `budgetMs`; past it they
 * keep their previous diagnostics for now and `complete` is false, so that the edited
 * definition is answered at typing speed and the rest follows right after.
 */
export function fileDiagnostics(project: Project, key: string, support: ClientSupport, budgetMs = Infinity): { byUri: Map<string, Diagnostic[]>; complete: boolean } {
  const file = project.file(key);
  const byUri = new Map<string, Diagnostic[]>();
  if (!file) return { byUri, complete: true };
  for (const uri of file.uris) byUri.set(uri, []);
  const deadline = performance.now() + budgetMs;
  let complete = true;
  for (const site of project.sites(key)) {
    let diags: readonly DjDiagnostic[];
    if (site.checked && !isChecked(project, site) && performance.now() > deadline) {
      diags = site.checked.diagnostics;
      complete = false;
    } else {
      diags = checkSite(project, site);
    }
    for (const d of diags) {
      const { uri, diagnostic } = toLsp(project, site, d, support);
      byUri.get(uri)?.push(diagnostic);
    }
  }
  return { byUri, complete };
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

  /**
   * `always` (the edited file): publish now, even when unchanged, since the client waits
   * for the edited version; definitions left stale by the time budget follow in later
   * slices. Later slices (`always` false) validate within the same budget, yielding to
   * the event loop in between so new edits are taken first, and publish once complete
   * and only if something changed.
   */
  publish(key: string, always = true): void {
    const file = this.project.file(key);
    if (!file) return;
    const { byUri, complete } = fileDiagnostics(this.project, key, this.support(), FIRST_PASS_BUDGET_MS);
    if (!complete) {
      this.later.add(key);
      if (!this.laterTimer) this.laterTimer = setTimeout(() => this.flushLater(), 0);
      if (!always) return;
    }
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
