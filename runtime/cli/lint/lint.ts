// The lint run: index every file, check every definition, format the findings.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { TableIndex, type HostDiagnostic } from '../../project';
import type { Definition } from '../../definition/ast';
import { chooseTarget, definitionEvidence, PinLookup, projectFolderOf, type DefinitionEvidence, type FolderTarget, type TargetSetting } from '../../project/datajoint-target';
import type { DataJointTarget } from '../../definition/types';
import { UsageError } from '../exit';
import { collectFiles } from './files';
import { applyEdits, preferredFixes } from '../../project/fixes';
import { CLI_NAME } from '../name';

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
  /** The targets the Python files were checked against, with how each was decided. */
  targets: FolderTarget[];
  /** Files `fix` rewrote, relative to the working directory, with the number of edits. */
  fixed: Array<{ path: string; edits: number }>;
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
  /** The DataJoint the Python files are written for; `auto` (default) detects it per file. */
  target?: TargetSetting;
  /** Apply every preferred fix to the files, then report what is left. */
  fix?: boolean;
}

/** At most this many rounds of fixes: a fix may reveal another (eslint's limit). */
const FIX_ROUNDS = 10;

const SEVERITY_ORDER = { error: 0, warning: 1, information: 2, hint: 3 } as const;

export async function lint(args: readonly string[], options: LintOptions): Promise<LintResult> {
  const files = await collectFiles(args.length ? args : ['.'], options.cwd);
  const texts = new Map<string, string>();
  for (const f of files) {
    try {
      texts.set(f, readFileSync(f, 'utf8'));
    } catch (err) {
      throw new UsageError(`cannot read ${rel(options.cwd, f)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  const pins = new PinLookup();
  const auto = !options.target || options.target === 'auto';
  // Without a pin, a project's definitions say which DataJoint they were written for.
  const evidence = new Map<string, DefinitionEvidence>();
  const targets = new Map<string, FolderTarget>();
  const targetOf = (file: string): DataJointTarget => {
    const pin = auto ? pins.forFile(file) : undefined;
    let e: DefinitionEvidence | undefined;
    if (auto && !pin) {
      const project = projectFolderOf(file);
      e = evidence.get(project);
      if (!e) evidence.set(project, (e = evidenceOf(index, files.filter((f) => f.startsWith(project + path.sep)))));
    }
    const chosen = chooseTarget({ setting: options.target ?? 'auto', ...(pin ? { pin: { ...pin, file: rel(options.cwd, path.join(pin.folder, pin.file)) } } : {}), ...(e ? { evidence: e } : {}) });
    targets.set(`${chosen.target}|${chosen.detail}`, chosen);
    return chosen.target;
  };
  const index = new TableIndex({ roots: [options.cwd], target: targetOf });
  for (const [f, text] of texts) index.setFile(f, text);
  const fixed = new Map<string, number>();
  if (options.fix) {
    const seen = new Map<string, Set<string>>();
    for (let round = 0; round < FIX_ROUNDS; round++) {
      let changed = false;
      for (const f of files) {
        const text = texts.get(f)!;
        const { text: next, edits } = applyPreferredFixes(text, index.check(f));
        // A text seen before means fixes undo each other: stop there rather than flip.
        if (edits === 0 || seen.get(f)?.has(next)) continue;
        (seen.get(f) ?? seen.set(f, new Set([text])).get(f)!).add(next);
        writeFileSync(f, next);
        texts.set(f, next);
        index.setFile(f, next);
        fixed.set(f, (fixed.get(f) ?? 0) + edits);
        changed = true;
      }
      if (!changed) break;
    }
  }
  const findings: LintFinding[] = [];
  for (const f of files) {
    for (const d of index.check(f)) {
      // Hints are editor affordances (legacy types, style): on the command line only on request,
      // so that a pipeline full of 0.x types is not buried under them.
      if ((d.severity === 'hint' && !options.hints) || (options.quiet && d.severity !== 'error')) continue;
      findings.push({
        path: rel(options.cwd, d.path),
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
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : w.endsWith('x') ? 'es' : 's'}`;
  const python = files.some((f) => index.targetOfFile(f) !== '2' || /\.pyi?$/.test(f));
  const used = [...targets.values()];
  const against = python && used.length ? `\n${CLI_NAME} lint: Python definitions checked against ${used.map((t) => `DataJoint ${t.target} (${t.detail})`).join(', ')}` : '';
  const fixedList = [...fixed].map(([f, edits]) => ({ path: rel(options.cwd, f), edits }));
  const fixedLine = options.fix ? `\n${CLI_NAME} lint --fix: ${fixedList.length ? `${plural(fixedList.reduce((n, f) => n + f.edits, 0), 'fix')} applied in ${plural(fixedList.length, 'file')}; what is listed above is what cannot be fixed mechanically` : 'nothing to fix'}` : '';
  const summary = `${CLI_NAME} lint: ${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(tables, 'definition')} of ${plural(files.length, 'file')}${against}${fixedLine}`;
  return { findings, targets: used, fixed: fixedList, errors, warnings, files: files.length, tables, output, summary };
}

function rel(cwd: string, file: string): string {
  return (path.relative(cwd, file) || file).split(path.sep).join('/');
}

/** The version-specific types of every Python definition linted, when no pin decides. */
function evidenceOf(index: TableIndex, files: readonly string[]): DefinitionEvidence {
  const defs: Definition[] = [];
  for (const f of files) {
    if (!/\.pyi?$/.test(f)) continue;
    // The index's parse of each definition, which its checks use too.
    for (const t of index.tablesIn(f)) if (t.record) defs.push(t.record.ast);
  }
  return definitionEvidence(defs);
}

/** The text with the preferred fix of every diagnostic applied (runtime/project/fixes.ts). */
export function applyPreferredFixes(text: string, diagnostics: readonly HostDiagnostic[]): { text: string; edits: number } {
  const edits = preferredFixes(diagnostics);
  return { text: applyEdits(text, edits), edits: edits.length };
}

function fixTitle(d: HostDiagnostic): string | undefined {
  const fixes = d.fixes ?? [];
  return (fixes.find((f) => f.preferred) ?? fixes[0])?.title;
}
