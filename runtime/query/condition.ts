// A string restriction is user SQL, as in the reference (condition.py: make_condition
// passes a string through as the condition), but it must be exactly one SQL condition:
// it is pasted inside the WHERE of queries the runtime builds, so text that closes those
// queries' parentheses, ends the statement (`;`) or comments out the rest would change
// what runs. We refuse such text before anything runs (the reference does not check;
// a deliberate difference, issue 10).
//
// The scan follows the MySQL/MariaDB lexer under the sql_mode every runtime connection
// sets (dialect/mysql.ts, as connection.py; neither ANSI_QUOTES nor NO_BACKSLASH_ESCAPES):
// '…' and "…" are strings with doubled quotes and backslash escapes, `…` an identifier
// with doubled backticks; `#`, `/* */` (also `/*! */`, which the server runs) and `-- `
// (two dashes then whitespace, a control character or the end) start comments. A `?`
// outside quotes is a placeholder to the driver (mysql2), so it is refused too.
//
// PostgreSQL lexes the same text differently (standard_conforming_strings on, as every
// runtime session sets it): '…' ends at the first lone quote (a backslash is text; E'…'
// has escapes), "…" is a name, `--` always starts a comment, $tag$…$tag$ is a string and
// $1 a placeholder. A text that is one condition to MySQL can be more to PostgreSQL
// (`'x\' ) OR TRUE --'`), so each backend's text is checked by its own rules.
export type ConditionLexer = 'mysql' | 'postgresql';

/** Where a quoted run starting at `open` ends (the index of its closing quote), or -1. */
function endOfQuoted(text: string, open: number, lexer: ConditionLexer): number {
  const q = text[open]!;
  const escapes = lexer === 'mysql' ? q !== '`' : q === "'" && open > 0 && /[eE]/.test(text[open - 1]!) && (open < 2 || !/[\w$]/.test(text[open - 2]!));
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (escapes && c === '\\') {
      i++;
      continue;
    }
    if (c === q) {
      if (text[i + 1] === q) {
        i++;
        continue;
      }
      return i;
    }
  }
  return -1;
}

const QUOTE_NAMES: Record<string, string> = { "'": "a '…' string", '"': 'a "…" string', '`': 'a `…` name' };

/**
 * What makes `text` something other than one SQL condition (a phrase such as
 * "has `;` at character 12"), or undefined when it is one. Conditions are not parsed:
 * the server still judges their grammar, but nothing in them can reach outside them.
 */
export function checkCondition(text: string, lexer: ConditionLexer = 'mysql'): string | undefined {
  return scan(text, lexer);
}

function scan(text: string, lexer: ConditionLexer): string | undefined {
  const pg = lexer === 'postgresql';
  if (text.trim() === '') return 'is empty';
  const opens: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const at = `at character ${i + 1}`;
    switch (c) {
      case "'":
      case '"':
      case '`': {
        if (c === '`' && pg) break; // not a quote to PostgreSQL: the server refuses it
        const end = endOfQuoted(text, i, lexer);
        if (end < 0) return `has ${QUOTE_NAMES[c]} not closed (opened ${at})`;
        i = end;
        break;
      }
      case '(':
        opens.push(i);
        break;
      case ')':
        if (opens.pop() === undefined) return `has a \`)\` without its \`(\` ${at}`;
        break;
      case ';':
        return `has \`;\` ${at} (a second statement)`;
      case '?':
        // The driver would bind one of the runtime's own values there (it skips quoted text).
        return `has \`?\` ${at} (a placeholder: write the value itself)`;
      case '#':
        return `has a \`#\` comment ${at}`;
      case '/':
        if (text[i + 1] === '*') return `has a \`/*\` comment ${at}`;
        break;
      case '-':
        // MySQL: `a--1` is a minus a minus one, `-- ` begins a comment; PostgreSQL: `--` always does.
        if (text[i + 1] === '-' && (pg || i + 2 === text.length || /[\s\x00-\x1f]/.test(text[i + 2]!))) return `has a \`--\` comment ${at}`;
        break;
      case '$':
        // PostgreSQL: `$1` is a placeholder, `$$`/`$tag$` opens a string (not after a name's letters: `a$b` is a name).
        if (pg && (i === 0 || !/[\w$]/.test(text[i - 1]!))) {
          if (/\d/.test(text[i + 1] ?? '')) return `has \`$${text[i + 1]}\` ${at} (a placeholder: write the value itself)`;
          if (/[$A-Za-z_]/.test(text[i + 1] ?? '')) return `has a \`$…$\` string ${at} (write it as a '…' string)`;
        }
        break;
    }
  }
  if (opens.length) return `has a \`(\` not closed (opened at character ${opens[opens.length - 1]! + 1})`;
  return undefined;
}

/** The one-line error for a refused condition, naming its text. */
export function conditionMessage(text: string, problem: string): string {
  return `Restriction ${JSON.stringify(text)} is not one SQL condition: it ${problem}`;
}
