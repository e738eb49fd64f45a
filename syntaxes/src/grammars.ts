// The grammar files VS Code loads, built from rules.ts: the stand-alone `source.datajoint`
// and one injection per host language. An injection matches the opening delimiter of a
// literal whose left side is `definition =` (a lookbehind, so `definition`, `=` and
// modifiers such as `static readonly` keep the host's own colours), scopes both delimiters
// exactly as the host grammar does, and embeds the definition rules in between.
import { definitionRepository, ruleKey, type Rule, type Variant } from './rules';

export interface Grammar {
  $schema?: string;
  name: string;
  scopeName: string;
  injectionSelector?: string;
  patterns: Rule[];
  repository: Record<string, Rule>;
}

export const EMBEDDED_SCOPE = 'meta.embedded.block.datajoint';

/** The host-side spelling of the left-hand side, as fixed-width lookbehind alternatives. */
function assignmentLookbehind(annotations: readonly string[]): string {
  // Oniguruma lookbehinds must be fixed-width per alternative, so the common spacings are
  // spelled out: `definition=`, `definition = `, `definition  =  `, `definition: str = `.
  const gaps = ['', String.raw`\s`, String.raw`\s\s`];
  const alts: string[] = [];
  for (const a of gaps) for (const b of gaps) alts.push(String.raw`\bdefinition${a}=${b}`);
  const short = ['', String.raw`\s`];
  for (const type of annotations)
    for (const a of short) for (const b of short) for (const c of short) alts.push(String.raw`\bdefinition:${a}${type}${b}=${c}`);
  // The one-character guard in front fails fast on almost every position of a host line;
  // without it the injection doubled the cost of tokenizing ordinary Python.
  return `(?<=[=\\s])(?<=${alts.join('|')})`;
}

// Never inside the host's comments and strings, nor inside a definition we already embed
// (a DataJoint attribute may itself be called `definition`).
function selector(host: string): string {
  return `L:${host} -comment -string -${EMBEDDED_SCOPE}`;
}

function standalone(): Grammar {
  const v: Variant = { key: '', terminator: '', barrier: '', host: [], quotes: ["'", '"'], start: String.raw`\A` };
  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'DataJoint definition',
    scopeName: 'source.datajoint',
    patterns: [{ include: `#${ruleKey('definition', v)}` }],
    repository: definitionRepository(v),
  };
}

interface PythonQuote {
  key: string;
  quote: string;
  /** MagicPython's scope for the literal kind (raw or not). */
  kind: 'multi' | 'single';
}

function python(): Grammar {
  const lookbehind = assignmentLookbehind(['str']);
  const quotes: PythonQuote[] = [
    { key: 'dq3', quote: '"""', kind: 'multi' },
    { key: 'sq3', quote: "'''", kind: 'multi' },
    { key: 'dq', quote: '"', kind: 'single' },
    { key: 'sq', quote: "'", kind: 'single' },
  ];
  const repository: Record<string, Rule> = {};
  const patterns: Rule[] = [];
  for (const q of quotes) {
    const triple = q.kind === 'multi';
    // In a one-quote literal an unescaped quote ends the string, and so does a line end.
    const terminator = triple ? q.quote : `(?<!\\\\)${q.quote}`;
    const other = q.quote[0] === '"' ? "'" : '"';
    const v: Variant = {
      key: q.key,
      terminator,
      barrier: terminator,
      host: [],
      quotes: triple ? ["'", '"'] : [other as "'" | '"'],
      start: String.raw`\G`,
    };
    Object.assign(repository, definitionRepository(v));
    for (const raw of [true, false]) {
      const str = `string.quoted.${raw ? 'raw.' : ''}${q.kind}.python`;
      patterns.push({
        begin: `${lookbehind}(${raw ? '[rR]' : '[uU]?'})(${q.quote})`,
        beginCaptures: {
          '1': { name: `${str} storage.type.string.python` },
          '2': { name: `${str} punctuation.definition.string.begin.python` },
        },
        end: triple ? `(${q.quote})` : `(${terminator})|((?<!\\\\)\\n)`,
        endCaptures: {
          '1': { name: `${str} punctuation.definition.string.end.python` },
          '2': { name: `${str} invalid.illegal.newline.python` },
        },
        contentName: EMBEDDED_SCOPE,
        patterns: [{ include: `#${ruleKey('definition', v)}` }],
      });
    }
  }
  return {
    name: 'DataJoint definitions in Python',
    scopeName: 'datajoint.injection.python',
    injectionSelector: selector('source.python'),
    patterns,
    repository,
  };
}

export interface ScriptHost {
  /** File name part and repository key. */
  id: string;
  /** Host grammar scope name. */
  scopeName: string;
  /** Scope suffix the host uses (`ts`, `js`, `tsx`, `js.jsx`). */
  suffix: string;
  language: string;
}

export const SCRIPT_HOSTS: readonly ScriptHost[] = [
  { id: 'ts', scopeName: 'source.ts', suffix: 'ts', language: 'TypeScript' },
  { id: 'tsx', scopeName: 'source.tsx', suffix: 'tsx', language: 'TypeScript React' },
  { id: 'js', scopeName: 'source.js', suffix: 'js', language: 'JavaScript' },
  { id: 'jsx', scopeName: 'source.js.jsx', suffix: 'js.jsx', language: 'JavaScript React' },
];

function script(h: ScriptHost): Grammar {
  // `${…}` keeps the host's colouring by reusing the host's own rules, which every
  // grammar derived from TypeScript.tmLanguage names alike.
  const host: Rule[] = [
    { include: `${h.scopeName}#template-substitution-element` },
    { include: `${h.scopeName}#string-character-escape` },
  ];
  const v: Variant = {
    key: 'template',
    terminator: '(?<!\\\\)`',
    barrier: '(?<!\\\\)`|\\$\\{',
    host,
    quotes: ["'", '"'],
    start: String.raw`\G`,
  };
  const str = `string.template.${h.suffix}`;
  return {
    name: `DataJoint definitions in ${h.language}`,
    scopeName: `datajoint.injection.${h.id}`,
    injectionSelector: selector(h.scopeName),
    patterns: [
      {
        begin: `${assignmentLookbehind(['string'])}(\`)`,
        beginCaptures: { '1': { name: `${str} punctuation.definition.string.template.begin.${h.suffix}` } },
        end: '(?<!\\\\)(`)',
        endCaptures: { '1': { name: `${str} punctuation.definition.string.template.end.${h.suffix}` } },
        contentName: EMBEDDED_SCOPE,
        patterns: [{ include: `#${ruleKey('definition', v)}` }],
      },
    ],
    repository: definitionRepository(v),
  };
}

export interface GrammarFile {
  /** Path relative to the repository root. */
  path: string;
  grammar: Grammar;
}

export function grammarFiles(): GrammarFile[] {
  return [
    { path: 'syntaxes/datajoint.tmLanguage.json', grammar: standalone() },
    { path: 'syntaxes/datajoint.injection.python.tmLanguage.json', grammar: python() },
    ...SCRIPT_HOSTS.map((h) => ({ path: `syntaxes/datajoint.injection.${h.id}.tmLanguage.json`, grammar: script(h) })),
  ];
}

/** The file text as committed: stable key order, two-space indent, trailing newline. */
export function serialize(g: Grammar): string {
  return `${JSON.stringify(g, null, 2)}\n`;
}
