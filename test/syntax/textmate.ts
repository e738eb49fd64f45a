// A TextMate registry wired like VS Code's: our grammars and their `injectTo` targets are
// read from package.json's contributes.grammars (so the manifest is under test too), host
// grammars come either from tm-grammars (the grammars VS Code ships: MagicPython,
// TypeScript.tmLanguage and its JS/TSX/JSX derivatives) or from small stand-ins that
// only reproduce the scopes the injections rely on.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = join(ROOT, 'test/fixtures/syntax');

export type HostSet = 'real' | 'stand-in';

interface ContributedGrammar {
  scopeName: string;
  path: string;
  language?: string;
  injectTo?: string[];
  embeddedLanguages?: Record<string, string>;
}

export function contributedGrammars(): ContributedGrammar[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    contributes?: { grammars?: ContributedGrammar[] };
  };
  return manifest.contributes?.grammars ?? [];
}

const require = createRequire(import.meta.url);

const REAL_HOSTS: Record<string, string> = {
  'source.python': 'tm-grammars/grammars/python.json',
  'source.ts': 'tm-grammars/grammars/typescript.json',
  'source.tsx': 'tm-grammars/grammars/tsx.json',
  'source.js': 'tm-grammars/grammars/javascript.json',
  'source.js.jsx': 'tm-grammars/grammars/jsx.json',
};

const STAND_IN_HOSTS: Record<string, string> = {
  'source.python': join(FIXTURES, 'python.stand-in.tmLanguage.json'),
  'source.ts': join(FIXTURES, 'typescript.stand-in.tmLanguage.json'),
};

let onig: Promise<vsctm.IOnigLib> | undefined;

function onigLib(): Promise<vsctm.IOnigLib> {
  onig ??= (async () => {
    const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    return {
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    };
  })();
  return onig;
}

function hostPath(scopeName: string, hosts: HostSet): string | undefined {
  if (hosts === 'real') return REAL_HOSTS[scopeName] && require.resolve(REAL_HOSTS[scopeName]);
  return STAND_IN_HOSTS[scopeName];
}

export function registry(hosts: HostSet): vsctm.Registry {
  const ours = contributedGrammars();
  return new vsctm.Registry({
    onigLib: onigLib(),
    loadGrammar: async (scopeName) => {
      const own = ours.find((g) => g.scopeName === scopeName);
      const path = own ? join(ROOT, own.path) : hostPath(scopeName, hosts);
      // Hosts' own embedded languages (SQL in Python, for instance) are not needed here.
      if (!path) return null;
      return vsctm.parseRawGrammar(readFileSync(path, 'utf8'), path);
    },
    getInjections: (scopeName) => ours.filter((g) => g.injectTo?.includes(scopeName)).map((g) => g.scopeName),
  });
}

export interface Token {
  text: string;
  scopes: string[];
}

export interface TokenizedLine {
  text: string;
  tokens: Token[];
}

export async function tokenize(reg: vsctm.Registry, scopeName: string, source: string): Promise<TokenizedLine[]> {
  const grammar = await reg.loadGrammar(scopeName);
  if (!grammar) throw new Error(`no grammar for ${scopeName}`);
  let state: vsctm.StateStack = vsctm.INITIAL;
  const out: TokenizedLine[] = [];
  for (const text of source.split(/\r?\n/)) {
    const r = grammar.tokenizeLine(text, state);
    state = r.ruleStack;
    out.push({
      text,
      tokens: r.tokens
        .map((t) => ({ text: text.slice(t.startIndex, t.endIndex), scopes: t.scopes }))
        .filter((t) => t.text !== ''),
    });
  }
  return out;
}

/** The human-readable snapshot: each line, then one row per token with its scopes. */
export function formatSnapshot(lines: TokenizedLine[]): string {
  const rows: string[] = [];
  // No line numbers: inserting a fixture line then changes only that line's rows.
  for (const line of lines) {
    rows.push(`> ${line.text}`);
    for (const t of line.tokens) {
      // The root scope is on every token; leaving it out keeps rows short.
      rows.push(`    ${JSON.stringify(t.text).padEnd(24)} ${t.scopes.slice(1).join(' ')}`);
    }
  }
  return `${rows.join('\n')}\n`;
}

/**
 * Scopes of the first token whose text is `token` (blanks aside) on the first line containing `line`
 * (searching from the first line containing `after`, when given).
 */
export function scopesOf(lines: TokenizedLine[], line: string, token: string, after?: string): string[] {
  const from = after === undefined ? 0 : lines.findIndex((l) => l.text.includes(after));
  if (from < 0) throw new Error(`no line contains ${JSON.stringify(after)}`);
  const found = lines.slice(from).find((l) => l.text.includes(line));
  if (!found) throw new Error(`no line contains ${JSON.stringify(line)}`);
  // Token boundaries around blanks differ between host grammars, so blanks are ignored.
  const t = found.tokens.find((x) => x.text.trim() === token.trim());
  if (!t) {
    const have = found.tokens.map((x) => JSON.stringify(x.text)).join(' ');
    throw new Error(`no token ${JSON.stringify(token)} on line ${JSON.stringify(found.text)}; tokens: ${have}`);
  }
  return t.scopes;
}

/** Fails unless `scopes` contains `scope`. */
export function has(scopes: string[], scope: string, what: string): void {
  assert.ok(scopes.includes(scope), `${what}: expected ${scope} in [${scopes.join(', ')}]`);
}

/** Fails when any of `scopes` starts with `prefix`. */
export function hasNo(scopes: string[], prefix: string, what: string): void {
  const hit = scopes.find((s) => s.startsWith(prefix));
  assert.equal(hit, undefined, `${what}: unexpected ${hit} in [${scopes.join(', ')}]`);
}
