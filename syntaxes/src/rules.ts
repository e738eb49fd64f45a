// The DataJoint definition language as TextMate rules, written once and instantiated per
// host literal. A definition embedded in `"""…"""`, `'…'` or a template literal must stop
// where the host literal stops, but a TextMate region only checks its own end pattern:
// while a DataJoint comment or type is open, the host's closing quote would go unseen.
// So every DataJoint region here ends at the end of the line OR just before the host's
// terminator, and every token match is kept from running across it. One rule set per
// terminator is the price; the generator writes them all out.
//
// Line classification follows declare.py (prepare_declare / compile_attribute /
// compile_foreign_key / compile_index): comment, divider, foreign key (an arrow with no
// quote or `#` before it), index, attribute; see datajoint-2-reference.md §1.2.

import { CORE_TYPES } from '../../runtime/definition/types';

export interface CaptureRule {
  name?: string;
  patterns?: Rule[];
}

export type Captures = Record<string, CaptureRule>;

export interface Rule {
  name?: string;
  contentName?: string;
  match?: string;
  begin?: string;
  end?: string;
  captures?: Captures;
  beginCaptures?: Captures;
  endCaptures?: Captures;
  patterns?: Rule[];
  include?: string;
  applyEndPatternLast?: boolean;
}

export interface Variant {
  /** Suffix of this variant's repository keys ('' for the stand-alone grammar). */
  key: string;
  /** Regex for the host literal's closing delimiter; '' when only line ends matter. */
  terminator: string;
  /** Regex no token may run into: the terminator and the start of host substitutions. */
  barrier: string;
  /** Host rules allowed anywhere inside the definition (TS `${…}` substitutions). */
  host: Rule[];
  /** Quote characters DataJoint strings may use without closing the host literal. */
  quotes: ReadonlyArray<"'" | '"'>;
  /** Regex for "the definition text starts here": `\G` inside a host literal, `\A` in a file. */
  start: string;
}

/** Start of a definition line: lines are trimmed by DataJoint, so leading blanks are free. */
const LINE = String.raw`(?:^|\G)\s*`;

const SUFFIX = 'datajoint';

/** Suffixes every space-separated scope name with the language. */
function scope(names: string): string {
  return names
    .split(' ')
    .map((n) => `${n}.${SUFFIX}`)
    .join(' ');
}

export function ruleKey(name: string, v: Variant): string {
  return v.key ? `${name}-${v.key}` : name;
}

function ref(name: string, v: Variant): Rule {
  return { include: `#${ruleKey(name, v)}` };
}

/** Lookahead for "this region is over": end of line, or the host literal closes. */
function lineEnd(v: Variant, extra = ''): string {
  const alts = ['$', v.terminator, extra].filter((s) => s !== '');
  return `(?=${alts.join('|')})`;
}

/** One character of `cls` that does not start the barrier. */
function char(v: Variant, cls: string): string {
  return v.barrier ? `(?:(?!${v.barrier})${cls})` : cls;
}

/** One character of `cls` short of the host terminator (host substitutions may follow). */
function charBeforeEnd(v: Variant, cls: string): string {
  return v.terminator ? `(?:(?!${v.terminator})${cls})` : cls;
}

function strings(v: Variant, kind = ''): Rule[] {
  const suffix = kind ? `.${kind}` : '';
  const out: Rule[] = [];
  // declare.py passes single-quoted literals through to SQL, where '' escapes a quote.
  if (v.quotes.includes("'")) {
    out.push({
      name: scope(`string.quoted.single${suffix}`),
      match: `(')(?:''|${char(v, "[^']")})*(')`,
      captures: {
        '1': { name: scope('punctuation.definition.string.begin') },
        '2': { name: scope('punctuation.definition.string.end') },
      },
    });
  }
  if (v.quotes.includes('"')) {
    out.push({
      name: scope(`string.quoted.double${suffix}`),
      match: `(")${char(v, '[^"]')}*(")`,
      captures: {
        '1': { name: scope('punctuation.definition.string.begin') },
        '2': { name: scope('punctuation.definition.string.end') },
      },
    });
  }
  return out;
}

function trailingComment(v: Variant): Rule {
  return {
    name: scope('comment.line.number-sign'),
    begin: '(#)',
    beginCaptures: { '1': { name: scope('punctuation.definition.comment') } },
    end: lineEnd(v),
    patterns: v.host,
  };
}

// The core types written without arguments, from the one type catalogue (runtime/definition/types.ts).
const CORE_SIMPLE = CORE_TYPES.filter((t) => t.syntax === t.name).map((t) => t.name).sort((a, b) => b.length - a.length || b.localeCompare(a));

// declare.py: TYPE_PATTERN, native categories INTEGER, NUMERIC, FLOAT, STRING, TEMPORAL,
// NATIVE_BLOB, NATIVE_TEXT (matched case-insensitively there, so here too).
const NATIVE = [
  'tinyint', 'smallint', 'mediumint', 'bigint', 'integer', 'int', 'serial', 'numeric', 'double', 'float', 'real',
  'varchar', 'char', 'timestamp', 'time', 'year', 'tinyblob', 'smallblob', 'mediumblob', 'longblob',
  'tinytext', 'mediumtext', 'longtext', 'text',
];

// Spellings of DataJoint 0.x that 2.x refuses: unsigned core types, bare blob/attach,
// `blob@store` externals (datajoint-2-reference.md §2.1, §11.1).
const LEGACY = ['uint8', 'uint16', 'uint32', 'uint64', 'int24', 'blob', 'boolean', 'attach', 'filepath'];

function typeRules(v: Variant): Rule[] {
  const core = scope('support.type.core');
  const open = scope('punctuation.definition.parameters.begin');
  const close = scope('punctuation.definition.parameters.end');
  const num = scope('constant.numeric');
  return [
    ...v.host,
    {
      name: scope('meta.codec'),
      match: String.raw`(<)\s*([A-Za-z_][\w.-]*)?\s*(?:(@)\s*([\w.-]*))?\s*(>)`,
      captures: {
        '1': { name: scope('punctuation.definition.codec.begin') },
        '2': { name: scope('support.type.codec') },
        '3': { name: scope('punctuation.separator.store') },
        '4': { name: scope('variable.other.store') },
        '5': { name: scope('punctuation.definition.codec.end') },
      },
    },
    {
      name: scope('meta.enum'),
      begin: String.raw`\b(enum)\s*(\()`,
      beginCaptures: { '1': { name: core }, '2': { name: open } },
      end: String.raw`(\))|${lineEnd(v, '#')}`,
      endCaptures: { '1': { name: close } },
      patterns: [...v.host, ...strings(v, 'enum-value'), { match: ',', name: scope('punctuation.separator.comma') }],
    },
    {
      match: String.raw`\b(varchar|char)(\()(\d+)(\))`,
      captures: { '1': { name: core }, '2': { name: open }, '3': { name: num }, '4': { name: close } },
    },
    {
      match: String.raw`\b(decimal)(\()\s*(\d+)\s*(,)\s*(\d+)\s*(\))`,
      captures: {
        '1': { name: core },
        '2': { name: open },
        '3': { name: num },
        '4': { name: scope('punctuation.separator.comma') },
        '5': { name: num },
        '6': { name: close },
      },
    },
    {
      match: String.raw`\b(datetime)\b(?:\s*(\()\s*(\d+)\s*(\)))?`,
      captures: { '1': { name: core }, '2': { name: open }, '3': { name: num }, '4': { name: close } },
    },
    { match: `\\b(?:${CORE_SIMPLE.join('|')})\\b`, name: core },
    {
      match: String.raw`\b(blob|attach|filepath)(@)([\w.-]*)`,
      captures: {
        '1': { name: scope('invalid.deprecated.type.legacy') },
        '2': { name: scope('invalid.deprecated.type.legacy') },
        '3': { name: scope('invalid.deprecated.type.legacy') },
      },
    },
    { match: String.raw`\bexternal(?:-[\w.-]+)?\b`, name: scope('invalid.deprecated.type.legacy') },
    { match: `\\b(?:${LEGACY.join('|')})\\b`, name: scope('invalid.deprecated.type.legacy') },
    { match: `(?i)\\b(?:${NATIVE.join('|')})\\b`, name: scope('support.type.native') },
    { match: String.raw`(?i)\b(?:unsigned|auto_increment|zerofill)\b`, name: scope('storage.modifier') },
    ...strings(v),
    { match: String.raw`\b\d+\b`, name: num },
    { match: String.raw`\(`, name: open },
    { match: String.raw`\)`, name: close },
    { match: ',', name: scope('punctuation.separator.comma') },
  ];
}

function defaultRules(v: Variant): Rule[] {
  return [
    ...v.host,
    ...strings(v),
    { match: String.raw`(?i)\bnull\b`, name: scope('constant.language.null') },
    {
      // declare.py: compile_attribute compares the part before "(" upper-cased.
      match: String.raw`(?i)\b(current_timestamp)\b(?:\s*(\()\s*(\d*)\s*(\)))?`,
      captures: {
        '1': { name: scope('constant.language.current-timestamp') },
        '2': { name: scope('punctuation.definition.parameters.begin') },
        '3': { name: scope('constant.numeric') },
        '4': { name: scope('punctuation.definition.parameters.end') },
      },
    },
    {
      match: String.raw`(?<![\w.-])[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?(?![\w.-])`,
      name: scope('constant.numeric'),
    },
    // Anything else is quoted by DataJoint: `2020-01-01`, `true`, bare words.
    { match: `${char(v, `[^\\s:'"#]`)}+`, name: scope('string.unquoted.default') },
  ];
}

function referenceRules(v: Variant): Rule[] {
  return [
    ...v.host,
    {
      name: scope('meta.foreign-key.options'),
      begin: String.raw`(\[)`,
      beginCaptures: { '1': { name: scope('punctuation.definition.options.begin') } },
      end: String.raw`(\])|${lineEnd(v)}`,
      endCaptures: { '1': { name: scope('punctuation.definition.options.end') } },
      patterns: [
        ...v.host,
        // declare.py: compile_foreign_key accepts only these, in any case.
        { match: String.raw`(?i)\b(?:nullable|unique)\b`, name: scope('storage.modifier.foreign-key-option') },
        { match: ',', name: scope('punctuation.separator.comma') },
        { match: String.raw`[A-Za-z_]\w*`, name: scope('invalid.illegal.foreign-key-option') },
      ],
    },
    trailingComment(v),
    // Inside a part, `master` names the enclosing table (schemas.py: _decorate_master).
    { match: String.raw`\bmaster\b`, name: scope('variable.language.master') },
    {
      name: scope('meta.projection'),
      begin: String.raw`(\.)\s*(proj)\s*(\()`,
      beginCaptures: {
        '1': { name: scope('punctuation.accessor') },
        '2': { name: scope('support.function.proj') },
        '3': { name: scope('punctuation.definition.arguments.begin') },
      },
      end: String.raw`(\))|${lineEnd(v, '#')}`,
      endCaptures: { '1': { name: scope('punctuation.definition.arguments.end') } },
      patterns: [
        ...v.host,
        {
          match: String.raw`\b([A-Za-z_]\w*)\s*(=)`,
          captures: {
            '1': { name: scope('variable.parameter.rename') },
            '2': { name: scope('keyword.operator.assignment') },
          },
        },
        ...strings(v, 'attribute'),
        { match: String.raw`[A-Za-z_]\w*`, name: scope('variable.other.attribute') },
        { match: ',', name: scope('punctuation.separator.comma') },
      ],
    },
    { match: String.raw`\b[a-z_]\w*(?=\s*\.)`, name: scope('entity.name.namespace') },
    { match: String.raw`\b[A-Za-z_]\w*\b`, name: scope('entity.name.type.table') },
    { match: String.raw`\.`, name: scope('punctuation.accessor') },
    { match: String.raw`[()]`, name: scope('punctuation.parenthesis') },
  ];
}

function indexArgumentRules(v: Variant): Rule[] {
  return [
    ...v.host,
    {
      // A parenthesised SQL expression, e.g. `(YEAR(birth_date))`; parentheses nest.
      name: scope('meta.expression'),
      begin: String.raw`\(`,
      beginCaptures: { '0': { name: scope('punctuation.parenthesis') } },
      end: String.raw`(\))|${lineEnd(v)}`,
      endCaptures: { '1': { name: scope('punctuation.parenthesis') } },
      patterns: [
        ...v.host,
        { match: String.raw`\b[A-Za-z_]\w*(?=\s*\()`, name: scope('support.function.sql') },
        { include: `#${ruleKey('index-arguments', v)}` },
      ],
    },
    ...strings(v),
    {
      // JSON path argument `attr.path:type` (declare.py: compile_index).
      match: String.raw`\b([a-z_]\w*)((?:\.[\w*\[\]]+)+)(?:\s*(:)\s*([A-Za-z]\w*))?`,
      captures: {
        '1': { name: scope('variable.other.attribute') },
        '2': { name: scope('string.unquoted.json-path') },
        '3': { name: scope('punctuation.separator.type') },
        '4': { name: scope('support.type') },
      },
    },
    { match: String.raw`\b[A-Za-z_]\w*\b`, name: scope('variable.other.attribute') },
    { match: String.raw`\b\d+\b`, name: scope('constant.numeric') },
    { match: ',', name: scope('punctuation.separator.comma') },
  ];
}

/** The repository entries of one variant, keyed by `ruleKey`. */
export function definitionRepository(v: Variant): Record<string, Rule> {
  const repo: Record<string, Rule> = {};
  repo[ruleKey('definition', v)] = {
    patterns: [
      ref('table-comment', v),
      ref('comment-line', v),
      ref('divider', v),
      ref('foreign-key', v),
      ref('index', v),
      ref('attribute', v),
      ...v.host,
    ],
  };
  // declare.py: prepare_declare takes the first line as the table comment when it starts
  // with "#". A region that opens where the text starts and skips blank lines knows which
  // line is first; its end either consumes that comment or stops at other content.
  repo[ruleKey('table-comment', v)] = {
    begin: String.raw`${v.start}(?=\s*(?:$|#))`,
    // Zero-width at a line start, so that the line rules (anchored at ^) still see the line.
    // The comment is a capture, re-tokenized with the host rules for its `${…}`.
    end: String.raw`^(?=\s*[^\s#])|(?:^|\G)\s*(#)(${charBeforeEnd(v, '.')}*)`,
    endCaptures: {
      '1': { name: scope('comment.block.documentation.table punctuation.definition.comment') },
      '2': { name: scope('comment.block.documentation.table'), patterns: v.host },
    },
  };
  repo[ruleKey('comment-line', v)] = {
    name: scope('comment.line.number-sign'),
    begin: `${LINE}(#)`,
    beginCaptures: { '1': { name: scope('punctuation.definition.comment') } },
    end: lineEnd(v),
    patterns: v.host,
  };
  repo[ruleKey('divider', v)] = {
    name: scope('meta.divider'),
    begin: `${LINE}(-{3,})`,
    beginCaptures: { '1': { name: scope('keyword.control.divider') } },
    end: lineEnd(v),
    // DataJoint ignores whatever follows the dashes.
    contentName: scope('comment.line.divider'),
    patterns: v.host,
  };
  repo[ruleKey('foreign-key', v)] = {
    name: scope('meta.foreign-key'),
    begin: `${LINE}(${char(v, `[^"'#\\n]`)}*?)(->)`,
    beginCaptures: {
      '1': { name: scope('invalid.illegal.text-before-arrow') },
      '2': { name: scope('keyword.other.foreign-key') },
    },
    end: lineEnd(v),
    patterns: referenceRules(v),
  };
  repo[ruleKey('index', v)] = {
    name: scope('meta.index'),
    begin: String.raw`${LINE}(?i:(unique)\s+)?(?i:(index))(?=\s*\()`,
    beginCaptures: {
      '1': { name: scope('storage.modifier.unique') },
      '2': { name: scope('keyword.other.index') },
    },
    end: lineEnd(v),
    patterns: [
      ...v.host,
      {
        name: scope('meta.index.arguments'),
        begin: String.raw`\(`,
        beginCaptures: { '0': { name: scope('punctuation.definition.arguments.begin') } },
        end: String.raw`(\))|${lineEnd(v)}`,
        endCaptures: { '1': { name: scope('punctuation.definition.arguments.end') } },
        patterns: [ref('index-arguments', v)],
      },
      trailingComment(v),
    ],
  };
  repo[ruleKey('index-arguments', v)] = { patterns: indexArgumentRules(v) };
  repo[ruleKey('attribute', v)] = {
    name: scope('meta.attribute'),
    begin: String.raw`${LINE}([A-Za-z_]\w*)(?=\s*[=:])`,
    beginCaptures: { '1': { name: scope('variable.other.attribute') } },
    end: lineEnd(v),
    patterns: [
      ...v.host,
      {
        // The default runs to the first ":" outside quotes (declare.py: compile_attribute).
        name: scope('meta.default'),
        begin: '(=)',
        beginCaptures: { '1': { name: scope('keyword.operator.assignment') } },
        end: lineEnd(v, ':'),
        patterns: defaultRules(v),
      },
      {
        // The type runs to the first "#" outside quotes.
        name: scope('meta.type'),
        begin: '(:)',
        beginCaptures: { '1': { name: scope('punctuation.separator.type') } },
        end: lineEnd(v, '#'),
        patterns: typeRules(v),
      },
      trailingComment(v),
    ],
  };
  return repo;
}
