// The typed syntax tree of one DataJoint table definition (the string assigned to
// `definition`). Every node carries a span of offsets into that string; hosts map
// those offsets back to their own files (runtime/hosts). The tree is produced by the
// Chevrotain parser with recovery, so any field below may be missing on a half-typed
// line: consumers must treat optional fields as "not written (yet)".
//
// This file is the contract between the parser, validation, declaration (DDL) and the
// language server. Extend it; do not change the meaning of existing fields.

/** Half-open range [start, end) of offsets into the definition text. */
export interface Span {
  start: number;
  end: number;
}

export interface Node {
  span: Span;
}

/** A word as written, e.g. an attribute name, a class name, a foreign-key option. */
export interface Identifier extends Node {
  text: string;
}

/** `# text` — text is trimmed, without the `#`. */
export interface Comment extends Node {
  text: string;
}

export interface Definition extends Node {
  kind: 'definition';
  /** The whole definition text the offsets refer to. */
  source: string;
  /** First non-blank line when it starts with `#` (declare.py: prepare_declare). */
  tableComment?: Comment;
  /** Every non-blank line after the table comment, in order. */
  lines: Line[];
}

export type Line = AttributeLine | ForeignKeyLine | IndexLine | DividerLine | CommentLine | ErrorLine;

interface LineBase extends Node {
  /** True while above the first `---` divider (the primary-key section). */
  inKey: boolean;
}

export interface AttributeLine extends LineBase {
  kind: 'attribute';
  name: Identifier;
  default?: DefaultValue;
  type?: TypeRef;
  comment?: Comment;
}

export type DefaultKind =
  /** `null`, any case: the attribute is nullable. */
  | 'null'
  /** `CURRENT_TIMESTAMP`, `current_timestamp(3)`: passed to SQL unquoted. */
  | 'currentTimestamp'
  /** `'...'` (passed to SQL verbatim) or `"..."` (re-quoted with single quotes). */
  | 'string'
  /** A number literal such as `5`, `-1.5e3`. */
  | 'number'
  /** Anything else (bare words, dates): quoted as written, as the reference does. */
  | 'bare';

export interface DefaultValue extends Node {
  kind: DefaultKind;
  /** Exactly as written, trimmed. */
  text: string;
  /** For 'string': the content with quotes removed and escapes/doubled quotes resolved. */
  value?: string;
}

/**
 * A type as written after the colon: `int32`, `varchar(64)`, `decimal(5, 2)`,
 * `enum('a', 'b,c')`, `int unsigned`, `<blob@store>`. Classification into core,
 * native and codec types is done by the type catalogue (runtime/definition/types.ts),
 * not by the parser, so that the rule lives in one place.
 */
export interface TypeRef extends Node {
  /** Exactly as written, trimmed; this is what the column comment records. */
  text: string;
  /** Leading word(s) before any parenthesis, e.g. `varchar`, `int`, `tinyint`. Empty for codecs. */
  name: string;
  /** Parenthesised arguments, e.g. varchar(64) -> ['64']; enum values keep their quotes. */
  args?: TypeArg[];
  /** Words after the arguments or the name, e.g. ['unsigned', 'auto_increment']. */
  modifiers?: Identifier[];
  /** For `<name@store>` types. */
  codec?: CodecRef;
}

export interface TypeArg extends Node {
  /** As written, e.g. `64`, `'a,b'`. */
  text: string;
  /** For quoted enum values: the unquoted value. */
  value?: string;
}

export interface CodecRef extends Node {
  name: Identifier;
  /** Present when `@` was written; `store.text` is '' for `<blob@>` (the default store). */
  store?: Identifier;
}

export interface ForeignKeyLine extends LineBase {
  kind: 'foreignKey';
  /** Span of the `->` token. */
  arrow: Span;
  /** `[nullable, unique]` as written (validation checks the names). */
  options: Identifier[];
  /** Span of the brackets when written. */
  optionsSpan?: Span;
  reference?: Reference;
  comment?: Comment;
  /**
   * DataJoint 0.13 and earlier: `(new_a, new_b) -> Parent(a, b)` renames the parent's key
   * attributes a, b to new_a, new_b (`(new_a) -> Parent` when one attribute is meant).
   * `span`: the line up to its comment, for the fix to `-> Parent.proj(new_a='a', ...)`.
   */
  legacyRename?: { span: Span; attributes: Identifier[]; parentAttributes: Identifier[] };
}

/**
 * `Parent`, `module.Parent`, `Master.Part`, `master`, `(master)`,
 * `Parent.proj(new_name='old_name')`.
 */
export interface Reference extends Node {
  /** The dotted name, e.g. ['module', 'Parent'] or ['master']. A trailing `.` while
   * typing yields a last identifier with empty text (extension note). */
  path: Identifier[];
  projection?: Projection;
  /** Extension: written inside parentheses, e.g. `(master)`. */
  parenthesized?: boolean;
}

export interface Projection extends Node {
  /** `.proj(` ... `)` arguments. */
  items: ProjectionItem[];
}

export interface ProjectionItem extends Node {
  /** A rename `new='old'` has both; a bare `'attr'` or `attr` argument has only `source`. */
  target?: Identifier;
  /** The parent attribute, unquoted; its span covers the quoted string. */
  source?: Identifier;
  /** The argument as written (extension). */
  text?: string;
  /** Extension: `expression` for anything that is not a plain rename or attribute name (unsupported). */
  form?: 'rename' | 'attribute' | 'expression';
}

export interface IndexLine extends LineBase {
  kind: 'index';
  unique: boolean;
  /** `index` / `unique index` keywords. */
  keyword: Span;
  args: IndexArg[];
  comment?: Comment;
}

export interface IndexArg extends Node {
  /** `attribute`: a bare name; `jsonPath`: `attr.path:type`; `expression`: anything else, e.g. `(YEAR(d))`. */
  kind: 'attribute' | 'jsonPath' | 'expression';
  text: string;
  /** The attribute named (for 'attribute' and 'jsonPath'). */
  name?: Identifier;
}

export interface DividerLine extends LineBase {
  kind: 'divider';
}

export interface CommentLine extends LineBase {
  kind: 'comment';
  comment: Comment;
}

/** A line that could not be understood; the parse diagnostic says why. */
export interface ErrorLine extends LineBase {
  kind: 'error';
  text: string;
}
