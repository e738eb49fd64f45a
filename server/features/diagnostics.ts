// Publishes diagnostics of open files: the definition checks of every site, mapped from
// definition offsets to host ranges (and to the right notebook cell). Checks run shortly
// after an edit; edits arriving meanwhile coalesce into one check per file.
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
import { siteOfId, validateSite } from '../workspace/checker';
import type { Project } from '../workspace/project';
import type { Site } from '../workspace/sites';

const SEVERITY: Record<DjDiagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Diagnostics of a site as LSP diagnostics, each with the uri (cell) it belongs to. */
export function siteDiagnostics(project: Project, site: Site, support: ClientSupport, diags: readonly DjDiagnostic[]): Array<{ uri: string; diagnostic: Diagnostic }> {
  const out: Array<{ uri: string; diagnostic: Diagnostic }> = [];
  for (const d of diags) {
    const start = site.toHost(Math.max(0, d.span.start));
    const end = site.toHost(Math.max(d.span.start, Number.isFinite(d.span.end) ? d.span.end : d.span.start));
    const loc = site.file.location(start, Math.max(start, end));
    const diagnostic: Diagnostic = {
      range: loc.range,
      severity: SEVERITY[d.severity],
      code: d.code,
      source: 'datajoint',
      message: d.message,
    };
    if (d.tags?.length && support.diagnosticTags) {
      diagnostic.tags = d.tags.map((t) => (t === 'deprecated' ? DiagnosticTag.Deprecated : DiagnosticTag.Unnecessary));
    }
    if (d.related?.length && support.relatedInformation) {
      const related: DiagnosticRelatedInformation[] = [];
      for (const r of d.related) {
        const other = r.table ? siteOfId(project, r.table) : site;
        if (!other) continue;
        const a = other.toHost(r.span.start);
        const b = other.toHost(Math.max(r.span.start, r.span.end));
        related.push({ location: other.file.location(a, Math.max(a, b)), message: r.message });
      }
      if (related.length) diagnostic.relatedInformation = related;
    }
    out.push({ uri: loc.uri, diagnostic });
  }
  return out;
}

/** All diagnostics of one file, grouped by document uri (one per notebook cell). */
export function fileDiagnostics(project: Project, key: string, support: ClientSupport): Map<string, Diagnostic[]> {
  const file = project.file(key);
  const byUri = new Map<string, Diagnostic[]>();
  if (!file) return byUri;
  for (const uri of file.uris) byUri.set(uri, []);
  const consulted = new Set<string>();
  for (const site of project.sites(key)) {
    for (const { uri, diagnostic } of siteDiagnostics(project, site, support, validateSite(project, site, consulted))) {
      byUri.get(uri)?.push(diagnostic);
    }
  }
  consulted.delete(key);
  project.recordDeps(key, consulted);
  return byUri;
}

export class DiagnosticsScheduler {
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  /** uris that currently show diagnostics, per file, so removed cells get cleared. */
  private readonly shown = new Map<string, Set<string>>();

  constructor(
    private readonly connection: Connection,
    private readonly project: Project,
    private readonly support: () => ClientSupport,
    private readonly delay: () => number,
  ) {}

  schedule(keys: readonly string[], delay = this.delay()): void {
    for (const k of keys) this.pending.add(k);
    if (!this.pending.size) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), delay);
  }

  private flush(): void {
    this.timer = undefined;
    const keys = [...this.pending];
    this.pending.clear();
    for (const key of keys) {
      if (!this.project.isOpen(key)) continue;
      try {
        this.publish(key);
      } catch (e) {
        report(this.connection.console, 'diagnostics', e);
      }
    }
    // Dependents after the edited files, so the file being typed in is answered first.
    const dependents = new Set<string>();
    for (const key of keys) for (const d of this.project.dependents(key)) if (!keys.includes(d) && this.project.isOpen(d)) dependents.add(d);
    if (dependents.size) this.schedule([...dependents], 50);
  }

  publish(key: string): void {
    const file = this.project.file(key);
    if (!file) return;
    const byUri = fileDiagnostics(this.project, key, this.support());
    const before = this.shown.get(key) ?? new Set<string>();
    for (const uri of before) if (!byUri.has(uri)) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    for (const [uri, diagnostics] of byUri) {
      const version = file.versionOf(uri);
      void this.connection.sendDiagnostics({ uri, diagnostics, ...(version !== undefined ? { version } : {}) });
    }
    this.shown.set(key, new Set(byUri.keys()));
  }

  clear(uris: readonly string[]): void {
    for (const uri of uris) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
