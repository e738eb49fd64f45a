// Definitions in TypeScript and JavaScript template literals: the key tokens on the real
// grammars (TypeScript, TSX, JavaScript, JavaScript React) and on the stand-in, `${…}`
// keeping the host's colouring, and the host resuming after the closing backtick.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FIXTURES, has, hasNo, registry, scopesOf, tokenize, type HostSet, type TokenizedLine } from './textmate';

interface Host {
  scopeName: string;
  suffix: string;
  hosts: HostSet;
}

const TS_HOSTS: Host[] = [
  { scopeName: 'source.ts', suffix: 'ts', hosts: 'real' },
  { scopeName: 'source.ts', suffix: 'ts', hosts: 'stand-in' },
  { scopeName: 'source.tsx', suffix: 'tsx', hosts: 'real' },
];

for (const h of TS_HOSTS) {
  describe(`TypeScript definitions (${h.scopeName}, ${h.hosts} host grammar)`, () => {
    const linesP = tokenize(registry(h.hosts), h.scopeName, readFileSync(join(FIXTURES, 'definitions.ts'), 'utf8'));
    const ts = (source: string): Promise<TokenizedLine[]> => tokenize(registry(h.hosts), h.scopeName, source);

    test('key tokens of static definition fields', async () => {
      const lines = await linesP;
      has(scopesOf(lines, 'static definition = `', '`'), `punctuation.definition.string.template.begin.${h.suffix}`, 'opening backtick');
      has(scopesOf(lines, '# Experimental subjects', 'Experimental subjects'), 'comment.block.documentation.table.datajoint', 'table comment');
      has(scopesOf(lines, 'subject_id : int32', 'int32'), 'support.type.core.datajoint', 'core type');
      has(scopesOf(lines, 'subject_id : int32', 'unique id'), 'comment.line.number-sign.datajoint', 'comment');
      has(scopesOf(lines, 'sex : enum', 'F'), 'string.quoted.single.enum-value.datajoint', 'enum value');
      has(scopesOf(lines, 'raw_image', 'blob'), 'support.type.codec.datajoint', 'codec');
      has(scopesOf(lines, '-> Subject', '->'), 'keyword.other.foreign-key.datajoint', 'arrow');
      has(scopesOf(lines, '-> Subject', 'Subject'), 'entity.name.type.table.datajoint', 'table');
      has(scopesOf(lines, 'rigs.Rig', 'nullable'), 'storage.modifier.foreign-key-option.datajoint', 'option');
      has(scopesOf(lines, 'index(session_idx)', 'index'), 'keyword.other.index.datajoint', 'index');
      has(scopesOf(lines, '-> master', 'master'), 'variable.language.master.datajoint', 'master on the opening line');
      has(scopesOf(lines, 'spikes : <blob>', 'blob'), 'support.type.codec.datajoint', 'annotated field');
    });

    test('a # inside quotes is not a comment', async () => {
      const lines = await linesP;
      const s = scopesOf(lines, "motto = 'a#b'", 'a#b');
      has(s, 'string.quoted.single.datajoint', 'quoted default');
      hasNo(s, 'comment', 'quoted default');
    });

    test('${} substitutions keep the host colouring, even in a type or a comment', async () => {
      const lines = await linesP;
      has(scopesOf(lines, "session_idx : ${'int16'}", '${'), `punctuation.definition.template-expression.begin.${h.suffix}`, 'substitution start');
      has(scopesOf(lines, "session_idx : ${'int16'}", 'int16'), `string.quoted.single.${h.suffix}`, 'host string in substitution');
      hasNo(scopesOf(lines, "session_idx : ${'int16'}", 'int16'), 'support.type', 'host string in substitution');
      has(scopesOf(lines, "${'substitution'}", 'substitution'), `meta.template.expression.${h.suffix}`, 'substitution in a comment');
      has(scopesOf(lines, "${'substitution'}", 'in a comment'), 'comment.line.number-sign.datajoint', 'comment resumes after it');
    });

    test('the closing backtick ends the definition; host code after it keeps its colours', async () => {
      const lines = await linesP;
      has(scopesOf(lines, '`; static after = 1;', '`'), `punctuation.definition.string.template.end.${h.suffix}`, 'closing backtick');
      has(scopesOf(lines, '`; static after = 1;', '1'), `constant.numeric.decimal.${h.suffix}`, 'code after it');
      hasNo(scopesOf(lines, '`; static after = 1;', '1'), 'meta.embedded', 'code after it');
      has(scopesOf(lines, 'trial : int32`;', '`'), `punctuation.definition.string.template.end.${h.suffix}`, 'backtick right after a type');
    });

    test('other template literals are not definitions', async () => {
      const lines = await linesP;
      const s = scopesOf(lines, 'static description = `', 'a : int32');
      has(s, `string.template.${h.suffix}`, 'description');
      hasNo(s, 'meta.embedded', 'description');
    });

    test('top-level and member assignments; ${} inside the table comment', async () => {
      const lines = await ts('const definition = `# ${name} table\na : int32`;\nTable.definition=`b : int16`;\n');
      has(scopesOf(lines, 'const definition', 'name'), `meta.template.expression.${h.suffix}`, 'substitution in the table comment');
      has(scopesOf(lines, 'const definition', 'table'), 'comment.block.documentation.table.datajoint', 'table comment after it');
      has(scopesOf(lines, 'a : int32', 'int32'), 'support.type.core.datajoint', 'const definition');
      has(scopesOf(lines, 'Table.definition', 'int16'), 'support.type.core.datajoint', 'member assignment without spaces');
    });

    test('a backtick in a comment closes the literal', async () => {
      const lines = await ts('class A {\n  static definition = `a : int32 # see `; static b = 2;\n}\n');
      has(scopesOf(lines, 'static definition', 'see'), 'comment.line.number-sign.datajoint', 'comment');
      has(scopesOf(lines, 'static definition', '2'), `constant.numeric.decimal.${h.suffix}`, 'code after the literal');
    });
  });
}

for (const scopeName of ['source.js', 'source.js.jsx']) {
  const suffix = scopeName.slice('source.'.length);
  test(`JavaScript definitions (${scopeName}, real host grammar)`, async () => {
    const lines = await tokenize(registry('real'), scopeName, readFileSync(join(FIXTURES, 'definitions.js'), 'utf8'));
    has(scopesOf(lines, 'subject_id : int32', 'int32'), 'support.type.core.datajoint', 'core type');
    has(scopesOf(lines, "nickname = ''", 'varchar'), 'support.type.native.datajoint', 'varchar without a literal size');
    has(scopesOf(lines, "nickname = ''", '64'), `constant.numeric.decimal.${suffix}`, 'substitution');
    has(scopesOf(lines, '  `;', '`'), `punctuation.definition.string.template.end.${suffix}`, 'closing backtick');
    hasNo(scopesOf(lines, 'static other = `', 'subject_id : int32'), 'meta.embedded', 'other template');
  });
}
