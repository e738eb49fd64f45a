// Error triage: a table's failed jobs grouped by exception type and message pattern.
// Both sides write `error_message` as `ExceptionClass: message` (or the class alone):
// DataJoint for Python in autopopulate.py (_populate1), its runner
// python/datajoint_vscode_runner.py (error_message), and ours in runtime/populate/runner.ts
// (errorMessage); jobs.py cuts a message longer than 2047 characters to 2035 plus
// `...truncated`. The pattern is the message's first line with what varies from key to
// key folded to placeholders: keys (`{...}`), quoted strings, paths, uuids, hex ids, times
// and numbers. Pure: no database, no vscode.
// definition.ts's TRUNCATION_APPENDIX, not imported: the client bundles this module, and
// definition.ts brings the declaration code with it.
const TRUNCATION_APPENDIX = '...truncated';

/** What grouping needs of a job row (a JobRow, or a lighter ErrorEntry). */
export interface ErrorLike {
  key: Record<string, unknown>;
  errorMessage: string;
  /** As the driver gives it: a Date, or a datetime's text. */
  completedTime?: Date | string | null;
}

export interface ErrorGroup<T extends ErrorLike = ErrorLike> {
  /** Stable id of the group: type and pattern. */
  id: string;
  /** The exception's class (`ValueError`, `DataJointError`, `Error`), '' when the message names none. */
  type: string;
  /** The message with what varies folded (`bad value <n> for <key>`), without the type. */
  pattern: string;
  count: number;
  keys: Array<T['key']>;
  /** The rows of the group, in the order given (keys[i] is rows[i].key). */
  rows: T[];
  /** The group's most recent error (the first listed when no times are known). */
  sample: T;
  /** Some message of the group was cut by the 2047-character limit. */
  truncated: boolean;
}

/** How a group is named: `ValueError: bad value <n>`. */
export function groupLabel(g: Pick<ErrorGroup, 'type' | 'pattern'>): string {
  if (!g.type) return g.pattern || '(no message)';
  return g.pattern ? `${g.type}: ${g.pattern}` : g.type;
}

/** The longest pattern kept (the label of a group; longer ones end in `…`). */
export const MAX_PATTERN = 300;

const TRACEBACK = /^\s*Traceback \(most recent call last\):/;
// `ValueError`, `pymysql.err.OperationalError`, `KeyboardInterrupt`: an identifier, maybe
// dotted, whose last part starts with a capital, then `: ` or the end of the line.
const TYPE = /^((?:[A-Za-z_][A-Za-z0-9_]*\.)*[A-Z][A-Za-z0-9_]*)(?::(?=\s|$)\s*|$)/;

/** The line of the message that names the exception: a traceback's last one, else the first. */
function exceptionLine(message: string): string {
  const lines = message.split(/\r?\n/);
  if (TRACEBACK.test(message)) {
    // The final exception: the last line that is not indented (frames and source lines are).
    for (let i = lines.length - 1; i > 0; i--) {
      const l = lines[i]!;
      if (l.trim() && !/^\s/.test(l) && TYPE.test(l)) return l;
    }
  }
  return lines.find((l) => l.trim() !== '') ?? '';
}

/** Splits `Type: message` into its exception type and the rest. */
export function exceptionType(message: string): { type: string; text: string; truncated: boolean; cut: boolean } {
  let m = message;
  const truncated = m.endsWith(TRUNCATION_APPENDIX);
  if (truncated) m = m.slice(0, -TRUNCATION_APPENDIX.length);
  const line = exceptionLine(m).trim();
  // The line itself was cut (it is the last of a truncated message), not a later one.
  const cut = truncated && line !== '' && m.trimEnd().endsWith(line);
  const t = TYPE.exec(line);
  return t ? { type: t[1]!, text: line.slice(t[0].length), truncated, cut } : { type: '', text: line, truncated, cut };
}

// Placeholders, tried left to right in this order at each position (one regex: a
// placeholder's text is never folded again).
const FOLDS: Array<[string, RegExp]> = [
  // {'subject_id': 3, 'session': 'a'} or {"subject_id":3}: a key (or any dict) — innermost braces.
  ['<key>', /\{[^{}\n]*:[^{}\n]*\}/],
  // A quoted string ('…' or "…"), not an apostrophe inside a word; a path inside is a path.
  ['<str>', /(?<![\w'"])'(?:[^'\\\n]|\\.){0,500}'(?![\w'])|(?<![\w'"])"(?:[^"\\\n]|\\.){0,500}"(?![\w"])/],
  ['<uuid>', /\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/],
  // URLs and paths: file:///x, s3://b/k, /abs/path, ./rel, ~/x, C:\dir\file, dir/file.ext.
  ['<path>', /\b[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s'"<>)\]]+/],
  ['<path>', /\b[A-Za-z]:[\\/][^\s'"<>:*?|]*/],
  ['<path>', /(?<![\w<>)\]])(?:~|\.{1,2})?(?:\/[^\s/'"<>(),;:\]]+)+\/?/],
  ['<path>', /\b[\w.-]+(?:[\\/][\w.-]+)+\.[A-Za-z][A-Za-z0-9]{0,7}\b/],
  ['<time>', /\b\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/],
  ['<hex>', /\b0x[0-9a-fA-F]+\b/],
  // A hash or id: 8+ hex digits with a letter and a digit among them.
  ['<hex>', /\b(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,}\b/],
  // Numbers not part of a name (float64 stays): 3, -2, 1.5e-3, 10.0.0.1.
  ['<n>', /(?<![A-Za-z_\d.])-?\d+(?:\.\d+)*(?:[eE][+-]?\d+)?/],
];
const FOLD = new RegExp(FOLDS.map(([, r]) => `(${r.source})`).join('|'), 'g');

/** `text` with keys, quoted strings, paths, uuids, hex ids, times and numbers folded to placeholders. */
export function foldMessage(text: string): string {
  let out = text.replace(FOLD, (...m: unknown[]) => {
    const groups = m.slice(1, 1 + FOLDS.length);
    const i = groups.findIndex((g) => g !== undefined);
    const name = FOLDS[i]![0];
    if (name === '<str>') {
      // A quoted path is a path, a quoted key a key.
      const inner = String(groups[i]).slice(1, -1);
      if (/^(?:[a-zA-Z][a-zA-Z0-9+.-]*:\/\/|[A-Za-z]:[\\/]|~?\.{0,2}\/)/.test(inner) || /^[\w.-]+(?:[\\/][\w.-]+)+$/.test(inner)) return '<path>';
    }
    return name;
  });
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > MAX_PATTERN ? `${out.slice(0, MAX_PATTERN - 1)}…` : out;
}

/** The exception type and folded message pattern of one error message. */
export function errorPattern(message: string): { type: string; pattern: string; truncated: boolean } {
  const { type, text, truncated, cut } = exceptionType(message);
  let pattern = foldMessage(text);
  // A cut line ends in a cut word (or a quote never closed): drop that last word, so
  // that where the cut fell does not split a group.
  if (cut) pattern = `${pattern.replace(/…$/, '').replace(/\s*\S*$/, '')} …`;
  return { type, pattern, truncated };
}

function time(d: Date | string | null | undefined): number {
  const t = d instanceof Date ? d.getTime() : d ? Date.parse(d) : NaN;
  return Number.isNaN(t) ? -Infinity : t;
}

/**
 * The error rows grouped by exception type and message pattern: most keys first, then
 * by type and pattern; each group's keys in the order given.
 */
export function errorGroups<T extends ErrorLike>(errors: readonly T[]): Array<ErrorGroup<T>> {
  const byId = new Map<string, ErrorGroup<T>>();
  for (const row of errors) {
    const { type, pattern, truncated } = errorPattern(row.errorMessage);
    const id = `${type}\u0000${pattern}`;
    const g = byId.get(id);
    if (!g) {
      byId.set(id, { id, type, pattern, count: 1, keys: [row.key], rows: [row], sample: row, truncated });
      continue;
    }
    g.count++;
    g.keys.push(row.key);
    g.rows.push(row);
    g.truncated ||= truncated;
    if (time(row.completedTime) > time(g.sample.completedTime)) g.sample = row;
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...byId.values()].sort((a, b) => b.count - a.count || cmp(a.type, b.type) || cmp(a.pattern, b.pattern));
}
