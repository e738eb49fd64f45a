// The grammar JSON files are generated from syntaxes/src; they must be current, and every
// one of them must be contributed to VS Code with the right injection target.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { grammarFiles, serialize, SCRIPT_HOSTS } from '../../syntaxes/src/grammars';
import { contributedGrammars, ROOT } from './textmate';

test('committed grammar files match the generator (node --import tsx syntaxes/src/generate.ts)', () => {
  for (const { path, grammar } of grammarFiles()) {
    assert.equal(readFileSync(join(ROOT, path), 'utf8'), serialize(grammar), `${path} is stale`);
  }
});

test('package.json contributes every grammar, injected into its host', () => {
  const contributed = contributedGrammars();
  for (const { path, grammar } of grammarFiles()) {
    const entry = contributed.find((g) => g.scopeName === grammar.scopeName);
    assert.ok(entry, `${grammar.scopeName} is not in contributes.grammars`);
    assert.equal(entry.path, `./${path}`);
    if (grammar.injectionSelector) {
      const host = /^L:(\S+)/.exec(grammar.injectionSelector)?.[1];
      assert.deepEqual(entry.injectTo, [host], `${grammar.scopeName} must be injected into ${host}`);
      assert.deepEqual(entry.embeddedLanguages, { 'meta.embedded.block.datajoint': 'datajoint' });
    }
  }
  const hosts = contributed.flatMap((g) => g.injectTo ?? []).sort();
  assert.deepEqual(hosts, ['source.python', ...SCRIPT_HOSTS.map((h) => h.scopeName)].sort());
  assert.equal(contributed.find((g) => g.scopeName === 'source.datajoint')?.language, 'datajoint');
});

test('the datajoint language configuration comments with #', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    contributes: { languages: Array<{ id: string; configuration?: string }> };
  };
  const lang = manifest.contributes.languages.find((l) => l.id === 'datajoint');
  assert.ok(lang?.configuration, 'datajoint language has no configuration');
  const config = JSON.parse(readFileSync(join(ROOT, lang.configuration), 'utf8')) as { comments: { lineComment: string } };
  assert.equal(config.comments.lineComment, '#');
});
