// Every diagnostic code of the definition language, with its severity, message template
// and the place in the DataJoint 2.x reference it corresponds to (D01..D29 errors,
// W01..W06 warnings and §3.3 server rejections of datajoint-2-reference.md, or a
// section number for our stricter checks). Docs and tests iterate this list; quick fixes
// key on the codes, so a code never changes meaning once published.
import type { Diagnostic, Fix, RelatedInformation, Severity } from './diagnostic';
import type { Span } from './ast';

/** `database`: reported only against the database catalog (the language server when connected), never by checkDefinition alone. */
export type DiagnosticGroup = 'syntax' | 'attribute' | 'reference' | 'index' | 'table' | 'database';

export interface CatalogueEntry {
  code: string;
  group: DiagnosticGroup;
  severity: Severity;
  /** Short name for docs and settings. */
  title: string;
  /** Message with `{placeholders}` filled from the arguments. */
  message: string;
  /** Where the rule comes from: reference ids (D03, W01, §3.3, §11.3#6, ...). */
  reference: string[];
}

const entries = [
  // ---- DJ1xx syntax --------------------------------------------------------------
  { code: 'DJ101', group: 'syntax', severity: 'error', title: 'malformed line', message: 'Cannot read this line: {detail}', reference: ['D03', 'D13'] },
  { code: 'DJ102', group: 'syntax', severity: 'error', title: 'unexpected text', message: 'Unexpected {text}{detail}', reference: ['D03', 'D08'] },
  { code: 'DJ103', group: 'syntax', severity: 'error', title: 'missing type', message: 'Attribute `{name}` has no type{detail}: write `{name} : type`', reference: ['D03'] },
  { code: 'DJ104', group: 'syntax', severity: 'error', title: 'unterminated', message: 'Unterminated {what}: add the closing `{close}`', reference: ['D03'] },
  { code: 'DJ105', group: 'syntax', severity: 'error', title: 'text before arrow', message: 'Text before `->`: a foreign-key line starts with `->`, e.g. `-> Parent`', reference: ['D08'] },
  { code: 'DJ106', group: 'syntax', severity: 'error', title: 'incomplete reference', message: 'Incomplete foreign key: {detail}', reference: ['D08'] },
  { code: 'DJ107', group: 'syntax', severity: 'error', title: 'malformed index', message: 'Malformed index: {detail}', reference: ['D13'] },
  { code: 'DJ108', group: 'syntax', severity: 'error', title: 'missing default', message: 'Missing default value after `=`', reference: ['D03'] },
  { code: 'DJ109', group: 'syntax', severity: 'error', title: 'default after type', message: 'The default goes before the colon: write `{name} = {value} : {type}`', reference: ['D03', '§11.2#2'] },

  // ---- DJ2xx attributes, types, defaults ------------------------------------------
  { code: 'DJ201', group: 'attribute', severity: 'error', title: 'invalid attribute name', message: 'Invalid attribute name `{name}`: names are lowercase letters, digits and `_`, starting with a letter', reference: ['D03'] },
  { code: 'DJ202', group: 'attribute', severity: 'error', title: 'leading underscore', message: 'Attribute name `{name}` starts with an underscore: such names are reserved for platform-managed columns (e.g. _singleton, _job_start_time); choose a regular name and use proj() to control visibility', reference: ['D02'] },
  { code: 'DJ203', group: 'attribute', severity: 'error', title: 'unsupported type', message: 'Unsupported attribute type `{type}`{detail}', reference: ['D06', '§11.3#4'] },
  { code: 'DJ204', group: 'attribute', severity: 'error', title: 'core type spelling', message: 'Unknown core type `{type}`: write `{suggestion}`', reference: ['D20', '§11.3#5'] },
  { code: 'DJ205', group: 'attribute', severity: 'error', title: 'comment starts with colon', message: 'An attribute comment must not start with a colon', reference: ['D05'] },
  { code: 'DJ206', group: 'attribute', severity: 'error', title: 'duplicate attribute', message: 'Attribute `{name}` is already defined{detail}', reference: ['§11.3#6'] },
  { code: 'DJ207', group: 'attribute', severity: 'error', title: 'nullable primary key', message: 'Primary key attribute `{name}` cannot be nullable (default null): move it below `---` or give it another default', reference: ['D04'] },
  { code: 'DJ208', group: 'attribute', severity: 'error', title: 'blob default', message: 'The default value of `{type}` attributes can only be null', reference: ['D07', '§11.3#9'] },
  { code: 'DJ209', group: 'attribute', severity: 'error', title: 'boolean literal default', message: 'MySQL rejects `{value}` as a default of a bool attribute: write {replacement}', reference: ['§3.3', '§11.3#3'] },
  { code: 'DJ210', group: 'attribute', severity: 'error', title: 'non-numeric default', message: 'Default `{value}` is not a number, but `{type}` is numeric', reference: ['§1.5'] },
  { code: 'DJ211', group: 'attribute', severity: 'error', title: 'enum default', message: 'Default `{value}` is not one of the values of `{type}`', reference: ['§1.5'] },
  { code: 'DJ212', group: 'attribute', severity: 'error', title: 'invalid date default', message: 'Default `{value}` is not a valid {what} (expected {format})', reference: ['§1.5'] },
  { code: 'DJ213', group: 'attribute', severity: 'error', title: 'blob or json in key', message: '`{type}` attributes cannot be in the primary key (MySQL cannot index them)', reference: ['§3.3', '§11.3#8'] },
  { code: 'DJ214', group: 'attribute', severity: 'hint', title: 'native type', message: 'Native type `{type}`{detail}', reference: ['W01'] },
  { code: 'DJ215', group: 'attribute', severity: 'error', title: 'codec needs store', message: '`<{name}>` is stored in an object store only: write `<{name}@>` for the default store or `<{name}@store>`', reference: ['D16', 'D17', 'D18'] },
  { code: 'DJ216', group: 'attribute', severity: 'warning', title: 'unknown codec', message: 'Codec `<{name}>` is not a built-in codec; declaration fails unless it is registered', reference: ['D15'] },
  { code: 'DJ217', group: 'attribute', severity: 'warning', title: 'timestamp precision', message: 'On MySQL 8 the default of `{type}` needs the same precision: write `CURRENT_TIMESTAMP({precision})`', reference: ['§3.3', '§11.3#22'] },
  { code: 'DJ218', group: 'attribute', severity: 'warning', title: 'comment characters', message: 'Comment contains {chars}: DataJoint for Python cannot declare this table (the characters break its DDL)', reference: ['§3.3', '§11.3#7'] },
  { code: 'DJ219', group: 'attribute', severity: 'warning', title: 'double-quoted enum value', message: 'Enum value in double quotes: DataJoint for Python cannot declare this table (the quotes break its column comment); use single quotes', reference: ['§2.2', '§3.3'] },
  { code: 'DJ220', group: 'attribute', severity: 'error', title: 'name too long', message: 'Attribute name `{name}` is longer than 64 characters', reference: ['§1.4'] },
  { code: 'DJ221', group: 'attribute', severity: 'error', title: 'invalid type parameter', message: 'Invalid `{type}`: {detail}', reference: ['§2.2'] },
  { code: 'DJ222', group: 'attribute', severity: 'error', title: 'timestamp default on non-temporal type', message: '`{value}` is only a valid default for datetime attributes, not `{type}`', reference: ['§1.5'] },
  { code: 'DJ223', group: 'attribute', severity: 'warning', title: 'json default', message: 'MySQL 8 rejects literal defaults on json attributes: use null', reference: ['§1.5'] },
  { code: 'DJ224', group: 'attribute', severity: 'error', title: 'removed unsigned core type', message: '`{type}` was removed from the core types in DataJoint 2.x: {detail}', reference: ['D06', '§2.1'] },
  // Target 0.14 (datajoint 0.14.9 declare.py: TYPE_PATTERN, reference §11.1).
  { code: 'DJ225', group: 'attribute', severity: 'error', title: 'newer type under 0.x', message: '`{type}` needs a newer DataJoint: DataJoint {target} cannot declare it{detail}', reference: ['§11.1'] },
  { code: 'DJ226', group: 'attribute', severity: 'hint', title: 'legacy type', message: '`{type}` is DataJoint 0.14 syntax: DataJoint 2 writes `{replacement}`{detail}', reference: ['§11.1'] },

  // ---- DJ3xx references and foreign keys -----------------------------------------
  { code: 'DJ301', group: 'reference', severity: 'error', title: 'invalid foreign key option', message: 'Invalid foreign key option `{option}`: the options are `nullable` and `unique`', reference: ['D10'] },
  { code: 'DJ302', group: 'reference', severity: 'error', title: 'nullable primary dependency', message: 'Primary dependencies cannot be nullable: move this foreign key below `---` or remove `nullable`', reference: ['D11'] },
  { code: 'DJ303', group: 'reference', severity: 'warning', title: 'unresolved reference', message: 'Cannot resolve `{name}`{detail}', reference: ['D09'] },
  { code: 'DJ304', group: 'reference', severity: 'error', title: 'unsupported dependency', message: 'Dependency `{text}` is not supported: use a table or its projection, e.g. `-> Parent` or `-> Parent.proj(new=\'old\')`', reference: ['D12'] },
  { code: 'DJ305', group: 'reference', severity: 'error', title: 'unknown projected attribute', message: '`{table}` has no attribute `{name}`', reference: ['§1.6'] },
  { code: 'DJ306', group: 'reference', severity: 'warning', title: 'non-key rename', message: '`{name}` is not in the primary key of `{table}`: renaming it has no effect on the foreign key', reference: ['§1.6'] },
  { code: 'DJ307', group: 'reference', severity: 'error', title: 'computed projection', message: 'Only renames `new_name=\'old_name\'` are supported in a foreign-key projection, not `{text}`', reference: ['§11.3#24'] },
  { code: 'DJ308', group: 'reference', severity: 'error', title: 'master outside part', message: '`master` refers to the master table and can only be used in a Part table', reference: ['§1.7'] },
  { code: 'DJ310', group: 'reference', severity: 'warning', title: 'foreign key reuses declared attribute', message: 'The foreign key to `{table}` reuses the attribute `{name}` declared above{detail}', reference: ['§1.6'] },
  { code: 'DJ311', group: 'reference', severity: 'hint', title: 'repeated dependency', message: 'This foreign key to `{table}` brings no new attribute: every attribute it names is already there; rename with `.proj(new_name=\'{name}\')` for a second reference', reference: ['§1.6'] },
  // dependencies.py refuses a cyclic foreign-key graph (reference §3.4); declare.py could never declare it (the parent must exist first).
  { code: 'DJ312', group: 'reference', severity: 'error', title: 'self reference', message: '`{name}` is this table itself: a table cannot reference itself', reference: ['§3.4'] },
  { code: 'DJ313', group: 'reference', severity: 'error', title: 'reference cycle', message: '`{name}` references `{table}` in turn (a reference cycle): DataJoint declares a table after the tables it references, so a cycle cannot be declared', reference: ['§3.4'] },
  // datajoint 0.13 declare.py: compile_foreign_key (foreign_key_parser_old, issue #436); 0.14 removed it.
  { code: 'DJ314', group: 'reference', severity: 'error', title: 'old-style foreign key', message: 'Old-style foreign key `(attr) -> Parent(attr)`: DataJoint {target} no longer reads it; write `{replacement}`', reference: ['§11.1'] },
  { code: 'DJ315', group: 'reference', severity: 'hint', title: 'old-style foreign key (0.13)', message: 'Old-style foreign key: DataJoint 0.14 and 2 write `{replacement}`', reference: ['§11.1'] },
  { code: 'DJ316', group: 'reference', severity: 'error', title: 'old-style foreign key attributes', message: 'Old-style foreign key: {detail}', reference: ['§11.1'] },
  { code: 'DJ309', group: 'reference', severity: 'hint', title: 'repeated option', message: 'Option `{option}` is written twice', reference: ['§1.6'] },

  // ---- DJ4xx indexes ---------------------------------------------------------------
  { code: 'DJ401', group: 'index', severity: 'error', title: 'unknown index attribute', message: 'Index over unknown attribute `{name}`', reference: ['§1.8'] },
  { code: 'DJ402', group: 'index', severity: 'error', title: 'duplicate index column', message: 'Attribute `{name}` is listed twice in this index (MySQL error 1060)', reference: ['§3.3'] },
  { code: 'DJ403', group: 'index', severity: 'error', title: 'blob or json index', message: '`{name}` is `{type}` and cannot be indexed directly: index a JSON path `{name}.path:type` or another attribute', reference: ['§3.3'] },
  { code: 'DJ404', group: 'index', severity: 'error', title: 'json path on non-json', message: '`{name}` is `{type}`, not json: a JSON-path index needs a json attribute', reference: ['§1.8'] },

  // ---- DJ5xx table ---------------------------------------------------------------
  { code: 'DJ501', group: 'table', severity: 'error', title: 'table comment starts with colon', message: 'Table comment must not start with a colon', reference: ['D01'] },
  { code: 'DJ502', group: 'table', severity: 'warning', title: 'table comment characters', message: 'Table comment contains {chars}: DataJoint for Python cannot declare this table (the characters break its DDL)', reference: ['§3.3', '§11.3#7'] },
  { code: 'DJ503', group: 'table', severity: 'information', title: 'singleton table', message: 'Empty primary key: this is a singleton table that holds at most one row', reference: ['§1.10', '§4.7'] },
  { code: 'DJ504', group: 'table', severity: 'warning', title: 'non-FK key in auto-populated table', message: '{tier} tables should take their whole primary key from foreign keys; `{name}` is not from a foreign key', reference: ['D27', '§11.3#1'] },
  { code: 'DJ505', group: 'table', severity: 'hint', title: 'second divider', message: 'Second `---` divider has no effect', reference: ['§1.2'] },
  { code: 'DJ506', group: 'table', severity: 'hint', title: 'text after divider', message: 'Text after `---` is ignored', reference: ['§1.2'] },
  { code: 'DJ507', group: 'table', severity: 'error', title: 'invalid class name', message: 'Table class name `{name}` is invalid: class names are CamelCase, starting with a capital letter', reference: ['D21'] },
  { code: 'DJ508', group: 'table', severity: 'warning', title: 'class name underscore', message: 'Table class name `{name}` contains underscores; CamelCase names without underscores are recommended', reference: ['W02'] },
  { code: 'DJ509', group: 'table', severity: 'error', title: 'table name too long', message: 'Table name `{table}` exceeds the maximum length of {max}', reference: ['D14'] },
  { code: 'DJ510', group: 'table', severity: 'information', title: 'part without master', message: 'This Part table has no foreign key to its master (`-> master`)', reference: ['§11.2#16'] },
  // datajoint 0.14.9 declare.py: declare — "Table must have a primary key"; singletons came with 2.x.
  { code: 'DJ511', group: 'table', severity: 'error', title: 'no primary key under 0.14', message: 'Table must have a primary key: DataJoint 0.14 cannot declare a table without one (singleton tables need DataJoint 2)', reference: ['§11.1'] },

  // ---- DJ6xx the database ----------------------------------------------------------
  // declare.py: CREATE TABLE IF NOT EXISTS — declaring a table that exists is a no-op, so a
  // definition edited after its table was declared is not what the database holds (§4.3).
  { code: 'DJ601', group: 'database', severity: 'warning', title: 'definition differs from the declared table', message: 'This definition differs from `{table}` declared in the database ({label}); declaring it again changes nothing (- database, + definition):\n{diff}', reference: ['§4.3', 'D28'] },
] as const satisfies readonly CatalogueEntry[];

export type DiagnosticCode = (typeof entries)[number]['code'];

export const catalogue: readonly CatalogueEntry[] = entries;

const byCode = new Map<string, CatalogueEntry>(entries.map((e) => [e.code, e]));

export function catalogueEntry(code: DiagnosticCode): CatalogueEntry {
  return byCode.get(code)!;
}

/** Templates split once into literal text (even indexes) and placeholder names (odd). */
const parts = new Map<string, string[]>(entries.map((e) => [e.code, e.message.split(/\{(\w+)\}/)]));

function fill(code: string, args: Record<string, string | number>): string {
  const p = parts.get(code)!;
  let out = p[0]!;
  for (let i = 1; i < p.length; i += 2) {
    const key = p[i]!;
    const value = args[key];
    out += (value === undefined ? `{${key}}` : String(value)) + p[i + 1]!;
  }
  return out;
}

export interface DiagnosticExtras {
  related?: RelatedInformation[];
  fixes?: Fix[];
  tags?: Array<'deprecated' | 'unnecessary'>;
}

/** Builds a diagnostic from its catalogue entry; args fill the message template. */
export function makeDiagnostic(
  code: DiagnosticCode,
  span: Span,
  args: Record<string, string | number> = {},
  extras: DiagnosticExtras = {},
): Diagnostic {
  const entry = byCode.get(code)!;
  const d: Diagnostic = { code, severity: entry.severity, message: fill(code, args.detail === undefined ? { ...args, detail: '' } : args), span };
  if (extras.related?.length) d.related = extras.related;
  if (extras.fixes?.length) d.fixes = extras.fixes;
  if (extras.tags?.length) d.tags = extras.tags;
  return d;
}

/** The catalogue as a Markdown table, for the documentation. */
export function catalogueMarkdown(): string {
  const escape = (s: string) => s.replace(/\|/g, '\\|');
  const rows = entries.map((e) => `| ${e.code} | ${e.severity} | ${escape(e.title)} | ${escape(e.message.replace(/\{detail\}/g, '').replace(/\n/g, ' '))} | ${e.reference.join(', ')} |`);
  return ['| code | severity | rule | message | reference |', '|---|---|---|---|---|', ...rows].join('\n') + '\n';
}
