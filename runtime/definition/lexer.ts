// Tokens of the definition language. The language is line-oriented (declare.py splits
// the definition into lines before looking at any of them), so the lexer has one mode
// for "start of a line", which decides the kind of the line exactly as
// declare.py: prepare_declare does (reference §1.2), and one mode per line kind. Every
// line-kind mode ends at the newline, which pops back to the line-start mode; the mode
// stack is therefore never deeper than one, and recovery always resumes at the next line.
import { createToken, Lexer, type IToken, type TokenType, type CustomPatternMatcherReturn } from './chevrotain';

// Every JavaScript \s except the line ends, spelled out so the lexer can index it by first character.
const WS_PATTERN = /[ \t\f\v\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+/;

/**
 * start_chars_hint for tokens that may start with almost any character: Chevrotain's
 * first-character index (which makes lexing several times faster) needs every possible
 * first character; above 255 it indexes characters in buckets of 255, so one
 * representative per bucket covers the rest of Unicode.
 */
function anyCharHint(excluded: RegExp): number[] {
  const out: number[] = [];
  for (let c = 0; c < 256; c++) if (!excluded.test(String.fromCharCode(c))) out.push(c);
  for (let b = 1; b <= 257; b++) out.push(Math.max(256, b * 255));
  return out;
}
const NOT_BLANK_HINT = anyCharHint(/\s/);

/** Any end of line; the parser consumes this category. */
export const Eol = createToken({ name: 'Eol', pattern: Lexer.NA });
/** End of line in the line-start mode (blank lines, comment lines, dividers). */
export const Newline = createToken({ name: 'Newline', pattern: /\r\n|\r|\n/, line_breaks: true, categories: [Eol] });
/** End of line inside a line-kind mode: back to the line-start mode. */
export const LineEnd = createToken({ name: 'LineEnd', pattern: /\r\n|\r|\n/, line_breaks: true, pop_mode: true, categories: [Eol] });
const Whitespace = createToken({ name: 'Whitespace', pattern: WS_PATTERN, group: Lexer.SKIPPED });

function endOfLine(text: string, offset: number): number {
  for (let i = offset; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return text.length;
}

const BLANK = /\s/;

function trimEnd(text: string, start: number, end: number): number {
  while (end > start && BLANK.test(text[end - 1]!)) end--;
  return end;
}

function match(text: string, start: number, end: number): CustomPatternMatcherReturn | null {
  return end > start ? ([text.slice(start, end)] as CustomPatternMatcherReturn) : null;
}

// ---- line-start mode -------------------------------------------------------------

/** `#...` as a whole line: a comment, or the table comment when it is the first line. */
export const CommentLine = createToken({ name: 'CommentLine', pattern: /#(?:[^\r\n]*[^\s])?/ });
/** `---` and anything after it on the line (declare.py ignores the rest). */
export const Divider = createToken({ name: 'Divider', pattern: /---(?:[^\r\n]*[^\s])?/ });

/**
 * Text before `->` on a foreign-key line, e.g. `b` in `b -> A`. declare.py:
 * is_foreign_key makes a line a foreign key when it contains `->` and none of `"`, `'`,
 * `#` occur before the arrow; the text before it is then a parse error (D08).
 */
export const FkPrefix = createToken({
  name: 'FkPrefix',
  line_breaks: false,
  start_chars_hint: NOT_BLANK_HINT,
  pattern: {
    // Tried on every line that starts with a word: one pass that stops at the first quote,
    // `#` or line end, rather than finding the line end first and then scanning again.
    exec: (text: string, offset: number) => {
      const n = text.length;
      for (let i = offset; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c === 10 || c === 13 || c === 34 || c === 39 || c === 35) return null; // line end, " ' #
        if (c === 45 && text.charCodeAt(i + 1) === 62) {
          return i === offset ? null : match(text, offset, trimEnd(text, offset, i));
        }
      }
      return null;
    },
  },
});

/** `->`, at the start of a foreign-key line (possibly after an FkPrefix). */
export const Arrow = createToken({ name: 'Arrow', pattern: /->/, push_mode: 'foreignKey' });

const INDEX_START = /(?:unique[ \t]+)?index(?=[ \t]*\()/iy;
/**
 * `index` / `unique index` when followed by `(`. The reference's rule is the whole-line
 * regex `^(unique\s+)?index\s*\(.*\)\s*(#.*)?$`; a line that starts like an index but
 * does not match it is an attribute line that can never parse either, so treating it as
 * a broken index line reports the same problem more precisely (and `index(` while typing
 * still yields an index node). `index_value : int32` does not match: it is an attribute.
 */
export const IndexKeyword = createToken({
  name: 'IndexKeyword',
  line_breaks: false,
  start_chars_hint: ['i', 'I', 'u', 'U'],
  push_mode: 'index',
  pattern: {
    exec: (text: string, offset: number) => {
      INDEX_START.lastIndex = offset;
      const m = INDEX_START.exec(text);
      return m ? ([m[0]] as CustomPatternMatcherReturn) : null;
    },
  },
});

/** The first word of an attribute line. Validation checks that it is a legal name. */
export const AttrName = createToken({ name: 'AttrName', pattern: /[A-Za-z_][A-Za-z0-9_]*/, push_mode: 'attribute' });

/** A line that starts with none of the above, e.g. `: int32` or `1x : int32`. */
export const LineJunk = createToken({
  name: 'LineJunk',
  line_breaks: false,
  start_chars_hint: NOT_BLANK_HINT,
  pattern: {
    exec: (text: string, offset: number) => match(text, offset, trimEnd(text, offset, endOfLine(text, offset))),
  },
});

// ---- tokens shared by the line-kind modes -----------------------------------------

/** Every token of a line-kind mode except the end of line and the comment. */
export const LineToken = createToken({ name: 'LineToken', pattern: Lexer.NA });
/** Tokens that may appear inside a parenthesised list: all but `(`, `)`, `,` and `.proj(`. */
export const InnerToken = createToken({ name: 'InnerToken', pattern: Lexer.NA });
const INNER = [LineToken, InnerToken];

/** A run of characters none of the mode's other tokens start with (`excluded` is a character-class body). */
function otherToken(name: string, excluded: string) {
  const run = new RegExp(`[^${excluded}]+`, 'y');
  return createToken({
    name,
    categories: INNER,
    line_breaks: false,
    start_chars_hint: anyCharHint(new RegExp(`[${excluded}]`)),
    pattern: {
      exec: (text: string, offset: number) => {
        run.lastIndex = offset;
        const m = run.exec(text);
        return m ? ([m[0]] as CustomPatternMatcherReturn) : null;
      },
    },
  });
}

/** `# comment` to the end of the line. */
export const Comment = createToken({ name: 'Comment', pattern: /#(?:[^\r\n]*[^\s])?/ });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, categories: [LineToken] });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, categories: [LineToken] });
export const Comma = createToken({ name: 'Comma', pattern: /,/, categories: [LineToken] });
export const Equals = createToken({ name: 'Equals', pattern: /=/, categories: INNER });
/**
 * A quoted literal with doubled quotes and backslash escapes. The closing quote may be
 * missing while typing; the literal then ends at the line end, trailing blanks excluded.
 */
function quotedToken(name: string, quote: string) {
  const q = quote.charCodeAt(0);
  return createToken({
    name,
    categories: INNER,
    line_breaks: false,
    start_chars_hint: [quote],
    pattern: {
      exec: (text: string, offset: number) => {
        if (text.charCodeAt(offset) !== q) return null;
        let i = offset + 1;
        for (; i < text.length; i++) {
          const c = text.charCodeAt(i);
          if (c === 10 || c === 13) break;
          if (c === 92) {
            const n = text.charCodeAt(i + 1);
            if (n !== 10 && n !== 13) i++;
          } else if (c === q) {
            if (text.charCodeAt(i + 1) === q) i++;
            else return [text.slice(offset, i + 1)] as CustomPatternMatcherReturn;
          }
        }
        return match(text, offset, Math.max(offset + 1, trimEnd(text, offset, Math.min(i, text.length))));
      },
    },
  });
}
export const StringSQ = quotedToken('StringSQ', "'");
export const StringDQ = quotedToken('StringDQ', '"');
export const Word = createToken({ name: 'Word', pattern: /[A-Za-z_][A-Za-z0-9_]*/, categories: INNER });

// ---- attribute mode: name [= default] : type [# comment] ---------------------------

/**
 * The default value: everything after `=` up to the first `:` outside quotes
 * (declare.py: build_attribute_parser), trailing blanks excluded. Only right after the
 * `=` that follows the attribute name, so a misplaced `= 5` after the type is not one.
 */
export const DefaultText = createToken({
  name: 'DefaultText',
  line_breaks: false,
  start_chars_hint: NOT_BLANK_HINT,
  categories: INNER,
  pattern: {
    exec: (text: string, offset: number, tokens: IToken[]) => {
      const n = tokens.length;
      if (n < 2 || tokens[n - 1]!.tokenType !== Equals || tokens[n - 2]!.tokenType !== AttrName) return null;
      let quote = 0;
      let i = offset;
      for (; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10 || c === 13) break;
        if (quote !== 0) {
          if (c === 92) {
            const n = text.charCodeAt(i + 1);
            if (n !== 10 && n !== 13) i++; // backslash escape, never of the line end
          } else if (c === quote) quote = 0;
        } else if (c === 39 || c === 34) quote = c;
        else if (c === 58) break; // unquoted ':'
      }
      return match(text, offset, trimEnd(text, offset, Math.min(i, text.length)));
    },
  },
});
export const Colon = createToken({ name: 'Colon', pattern: /:/, categories: INNER });
/** `<blob>`, `<attach@store>`; the closing `>` may be missing while typing. */
export const Codec = createToken({ name: 'Codec', pattern: /<(?:[^>\r\n#]*>|[^>\r\n#]*[^>\s#]|)/, categories: INNER });
/** DataJoint 0.x codec syntax without brackets: `blob@store`, `attach@store`, `filepath@store`. */
export const LegacyCodec = createToken({ name: 'LegacyCodec', pattern: /[A-Za-z][A-Za-z0-9_]*@[A-Za-z0-9_-]*/, categories: INNER });
export const NumberLit = createToken({ name: 'NumberLit', pattern: /[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/, categories: INNER });
const AttrOther = otherToken('AttrOther', `\\s'"#:=(),<A-Za-z0-9_`);

// ---- foreign-key mode: -> [options] Reference [# comment] --------------------------

export const LBracket = createToken({ name: 'LBracket', pattern: /\[/, categories: INNER });
export const RBracket = createToken({ name: 'RBracket', pattern: /\]/, categories: INNER });
/** `.proj(`, the only projection a foreign key may use. */
export const ProjCall = createToken({ name: 'ProjCall', pattern: /\.[ \t]*proj[ \t]*\(/, categories: [LineToken] });
export const Dot = createToken({ name: 'Dot', pattern: /\./, categories: INNER });
const FkOther = otherToken('FkOther', `\\s'"#=(),.\\[\\]A-Za-z_`);

// ---- index mode: [unique] index ( args ) [# comment] --------------------------------

/** Anything inside index arguments that is not a word, string, paren or comma: `.path:type`, `+`, digits. */
export const IndexOther = otherToken('IndexOther', `\\s'"#(),A-Za-z_`);

const modes: Record<string, TokenType[]> = {
  line: [Newline, Whitespace, CommentLine, Divider, FkPrefix, Arrow, IndexKeyword, AttrName, LineJunk],
  attribute: [LineEnd, Whitespace, DefaultText, Equals, Colon, Comment, Codec, LParen, RParen, Comma, StringSQ, StringDQ, NumberLit, LegacyCodec, Word, AttrOther],
  foreignKey: [LineEnd, Whitespace, Comment, LBracket, RBracket, Comma, ProjCall, Dot, LParen, RParen, Equals, StringSQ, StringDQ, Word, FkOther],
  index: [LineEnd, Whitespace, Comment, LParen, RParen, Comma, StringSQ, StringDQ, Word, IndexOther],
};

export const allTokens: TokenType[] = [Eol, LineToken, InnerToken, ...new Set(Object.values(modes).flat())];

/** Built once: Chevrotain lexers are reusable and costly to construct. */
export const definitionLexer = new Lexer(
  { modes, defaultMode: 'line' },
  { positionTracking: 'onlyOffset', ensureOptimizations: true, skipValidations: false },
);
