// The lint run: index every file, check every definition, format the findings.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TableIndex, type HostDiagnostic } from '../../project';
import { UsageError } from '../program';
import { collectFiles } from './files';

export type LintFormat = 'text' | 'json';

export interface LintFinding {
  /** Relative to the working directory, with forward slashes. */
  path: string;
  /** 1-based. */
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  severity: HostDiagnostic['severity'];
  code: string;
  message: string;
  table: string;
  /** The preferred machine-applicable fix's title, when there is one. */
  fix?: string;
}

export interface LintResult {
  findings: LintFinding[];
  errors: number;
  warnings: number;
  files: number;
  tables: number;
  output: string;
  summary: string;
}

export interface LintOptions {
  cwd: string;
  format: LintFormat;
  /** Errors only. */
  quiet: boolean;
  /** Also report hints (legacy and native types with their core replacement). */
  hints?: boolean;
}

const SEVERITY_ORDER = { error: 0, warning: 1, information: 2, hint: 3 } as const;

export async function lint(args: readonly string[], options: LintOptions): Promise<LintResult> {
  const files = await collectFiles(args.length ? args : ['.'], options.cwd);
  const index = new TableIndex({ roots: [options.cwd] });
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${path.relative(options.cwd, f) || f}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    index.setFile(f, text);
  }
  const findings: LintFinding[] = [];
  for (const f of files) {
    for (const d of index.check(f)) {
      // Hints are editor affordances (legacy types, style): on the command line only on request,
      // so that a pipeline full of 0.x types is not buried under them.
      if ((d.severity === 'hint' && !options.hints) || (options.quiet && d.severity !== 'error')) continue;
      findings.push({
        path: path.relative(options.cwd, d.path).split(path.sep).join('/'),
        line: d.range.start.line + 1,
        col: d.range.start.character + 1,
        endLine: d.range.end.line + 1,
        endCol: d.range.end.character + 1,
        severity: d.severity,
        code: d.code,
        message: d.message,
        table: d.table,
        ...(fixTitle(d) ? { fix: fixTitle(d) } : {}),
      });
    }
  }
  findings.sort(
    (a, b) =>
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
      a.line - b.line ||
      a.col - b.col ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.code.localeCompare(b.code),
  );
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  const tables = index.tables().filter((t) => t.definition).length;
  const output =
    options.format === 'json'
      ? JSON.stringify(findings, null, 2) + '\n'
      : findings.map((f) => `${f.path}:${f.line}:${f.col} ${f.severity} ${f.code} ${f.message}${f.fix ? ` (fix: ${f.fix})` : ''}`).join('\n') + (findings.length ? '\n' : '');
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
  const summary = `djx lint: ${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(tables, 'definition')} of ${plural(files.length, 'file')}`;
  return { findings, errors, warnings, files: files.length, tables, output, summary };
}

function fixTitle(d: HostDiagnostic): string | undefined {
  const fixes = d.fixes ?? [];
  return (fixes.find((f) => f.preferred) ?? fixes[0])?.title;
}
