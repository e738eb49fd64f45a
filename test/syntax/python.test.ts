// Definitions inside Python strings: the key tokens, on the real MagicPython grammar and
// on the stand-in, plus the edges: strings that are not definitions, quotes and `#`
// inside definitions, and the host's colouring resuming after the closing quote.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FIXTURES, has, hasNo, registry, scopesOf, tokenize, type HostSet, type TokenizedLine } from './textmate';

function py(hosts: HostSet, source: string): Promise<TokenizedLine[]> {
  return tokenize(registry(hosts), 'source.python', source);
}

for (const hosts of ['real', 'stand-in'] as const) {
  describe(`Python definitions (${hosts} host grammar)`, () => {
    const fixture = readFileSync(join(FIXTURES, 'definitions.py'), 'utf8');
    const linesP = py(hosts, fixture);

    test('types: core, native, legacy and codecs get distinct scopes', async () => {
      const lines = await linesP;
      has(scopesOf(lines, 'subject_id : int32', 'int32'), 'support.type.core.datajoint', 'int32');
      has(scopesOf(lines, 'nickname', 'varchar'), 'support.type.core.datajoint', 'varchar(64)');
      has(scopesOf(lines, 'born =', 'datetime'), 'support.type.core.datajoint', 'datetime(3)');
      has(scopesOf(lines, 'price =', 'decimal'), 'support.type.core.datajoint', 'decimal');
      has(scopesOf(lines, 'flags =', 'tinyint'), 'support.type.native.datajoint', 'tinyint');
      has(scopesOf(lines, 'flags =', 'unsigned'), 'storage.modifier.datajoint', 'unsigned');
      has(scopesOf(lines, 'notes :', 'longblob'), 'support.type.native.datajoint', 'longblob');
      has(scopesOf(lines, 'legacy :', 'uint8'), 'invalid.deprecated.type.legacy.datajoint', 'uint8');
      has(scopesOf(lines, 'old_external', 'blob'), 'invalid.deprecated.type.legacy.datajoint', 'blob@store');
      has(scopesOf(lines, 'raw_image', 'blob'), 'support.type.codec.datajoint', '<blob@cold>');
      has(scopesOf(lines, 'raw_image', 'cold'), 'variable.other.store.datajoint', 'store name');
      has(scopesOf(lines, 'attachment', 'attach'), 'support.type.codec.datajoint', '<attach>');
    });

    test('attribute names, defaults and comments', async () => {
      const lines = await linesP;
      has(scopesOf(lines, 'subject_id : int32', 'subject_id'), 'variable.other.attribute.datajoint', 'name');
      has(scopesOf(lines, 'weight =', 'null'), 'constant.language.null.datajoint', 'null default');
      has(scopesOf(lines, 'born =', 'CURRENT_TIMESTAMP'), 'constant.language.current-timestamp.datajoint', 'CURRENT_TIMESTAMP');
      has(scopesOf(lines, 'price =', '-1.5e3'), 'constant.numeric.datajoint', 'number default');
      has(scopesOf(lines, 'start =', '2020-01-01'), 'string.unquoted.default.datajoint', 'bare default');
      has(scopesOf(lines, 'subject_id : int32', ' unique id'), 'comment.line.number-sign.datajoint', 'comment');
      has(scopesOf(lines, '# Experimental subjects', ' Experimental subjects'), 'comment.block.documentation.table.datajoint', 'table comment');
      has(scopesOf(lines, 'definition = """# sessions', ' sessions of a subject'), 'comment.block.documentation.table.datajoint', 'table comment on the opening line');
      has(scopesOf(lines, '    ---', '---'), 'keyword.control.divider.datajoint', 'divider');
    });

    test('a # inside a quoted default is not a comment, and the quoted : does not end it', async () => {
      const lines = await linesP;
      const s = scopesOf(lines, 'motto =', 'say #1, then :2');
      has(s, 'string.quoted.single.datajoint', 'quoted default');
      assert.ok(!s.some((x) => x.startsWith('comment')), 'quoted # must not start a comment');
      has(scopesOf(lines, 'motto =', 'varchar'), 'support.type.core.datajoint', 'type after the quoted default');
      has(scopesOf(lines, 'motto =', ' quoted default keeps its # and :'), 'comment.line.number-sign.datajoint', 'real comment');
    });

    test('enum values with commas', async () => {
      const lines = await linesP;
      has(scopesOf(lines, 'sex : enum', 'enum'), 'support.type.core.datajoint', 'enum');
      for (const v of ['M', 'F', 'U']) has(scopesOf(lines, 'sex : enum', v), 'string.quoted.single.enum-value.datajoint', `value ${v}`);
      has(scopesOf(lines, 'sex : enum', ','), 'punctuation.separator.comma.datajoint', 'comma');
      has(scopesOf(lines, 'code : enum', 'a,b'), 'string.quoted.single.enum-value.datajoint', 'value holding a comma');
      const hash = scopesOf(lines, 'code : enum', 'c#d');
      has(hash, 'string.quoted.single.enum-value.datajoint', 'value holding #');
      hasNo(hash, 'comment', 'value holding #');
      has(scopesOf(lines, 'code : enum', 'values holding , and #'), 'comment.line.number-sign.datajoint', 'comment after the enum');
    });

    test('foreign keys: arrow, options, tables, modules, master, projections', async () => {
      const lines = await linesP;
      has(scopesOf(lines, '-> Subject', '->'), 'keyword.other.foreign-key.datajoint', 'arrow');
      has(scopesOf(lines, '-> Subject', 'Subject'), 'entity.name.type.table.datajoint', 'table');
      has(scopesOf(lines, 'acquisition.Rig', 'nullable'), 'storage.modifier.foreign-key-option.datajoint', 'nullable');
      has(scopesOf(lines, 'acquisition.Rig', 'unique'), 'storage.modifier.foreign-key-option.datajoint', 'unique');
      has(scopesOf(lines, 'acquisition.Rig', 'acquisition'), 'entity.name.namespace.datajoint', 'module');
      has(scopesOf(lines, 'acquisition.Rig', 'Rig'), 'entity.name.type.table.datajoint', 'qualified table');
      has(scopesOf(lines, '[bogus]', 'bogus'), 'invalid.illegal.foreign-key-option.datajoint', 'unknown option');
      has(scopesOf(lines, '-> master', 'master'), 'variable.language.master.datajoint', 'master');
      has(scopesOf(lines, 'Stimulus.proj', 'proj'), 'support.function.proj.datajoint', 'proj');
      has(scopesOf(lines, 'Stimulus.proj', 'stim_id'), 'variable.parameter.rename.datajoint', 'new name');
      has(scopesOf(lines, 'Stimulus.proj', 'id'), 'string.quoted.single.attribute.datajoint', 'old name');
      has(scopesOf(lines, 'Stimulus.proj', ' renamed'), 'comment.line.number-sign.datajoint', 'comment after a reference');
    });

    test('indexes', async () => {
      const lines = await linesP;
      has(scopesOf(lines, 'unique index(session_date)', 'unique'), 'storage.modifier.unique.datajoint', 'unique');
      has(scopesOf(lines, 'unique index(session_date)', 'index'), 'keyword.other.index.datajoint', 'index');
      has(scopesOf(lines, 'unique index(session_date)', 'session_date'), 'variable.other.attribute.datajoint', 'indexed attribute');
      has(scopesOf(lines, 'index (subject_id', 'YEAR'), 'support.function.sql.datajoint', 'expression');
    });

    test('the string end is found and the host colours what follows', async () => {
      const lines = await linesP;
      has(scopesOf(lines, 'definition = "-> Session', '"', 'class Tiny'), 'punctuation.definition.string.begin.python', 'one-line begin');
      const tiny = lines.find((l) => l.text.includes('definition = "-> Session'));
      assert.ok(tiny);
      const closing = tiny.tokens.at(-1);
      assert.ok(closing);
      assert.equal(closing.text, '"');
      has(closing.scopes, 'punctuation.definition.string.end.python', 'one-line end');
      has(scopesOf(lines, 'contents = [(1,)]', '='), 'keyword.operator.assignment.python', 'next statement');
      hasNo(scopesOf(lines, 'contents = [(1,)]', 'contents'), 'meta.embedded', 'next statement');
      // Same line, after a one-quote definition.
      has(scopesOf(lines, "definition = 'k : int32'", 'int32'), 'support.type.core.datajoint', 'one-quote definition');
      has(scopesOf(lines, "definition = 'k : int32'", 'not a definition'), 'string.quoted.single.python', 'string after it');
      hasNo(scopesOf(lines, "definition = 'k : int32'", 'not a definition'), 'meta.embedded', 'string after it');
    });

    test('strings that are not definitions stay plain host strings', async () => {
      const lines = await linesP;
      const s = scopesOf(lines, 'description = """', 'a : int32 -> not a definition');
      has(s, 'string.quoted.multi.python', 'description');
      hasNo(s, 'meta.embedded', 'description');
      has(scopesOf(lines, 'description = """', ' host comment'), 'comment.line.number-sign.python', 'host comment after it');
      hasNo(scopesOf(lines, 'x = {"definition"', 'a : int32'), 'meta.embedded', 'dict value keyed "definition"');
    });

    test("raw and ''' strings carry the host's string scopes on their delimiters", async () => {
      const lines = await linesP;
      has(scopesOf(lines, 'definition = r"""', 'r'), 'storage.type.string.python', 'raw prefix');
      has(scopesOf(lines, 'definition = r"""', '"""'), 'punctuation.definition.string.begin.python', 'raw begin');
      has(scopesOf(lines, "definition = '''", "'''"), 'string.quoted.multi.python', "''' begin");
      has(scopesOf(lines, "label = 'it''s'", "it''s"), 'string.quoted.single.datajoint', "doubled quote inside '''");
      has(scopesOf(lines, "label = 'it''s'", 'varchar'), 'support.type.core.datajoint', "type inside '''");
    });

    test('a closing """ on a content line ends the definition', async () => {
      const lines = await py(hosts, 'class T:\n    definition = """a : int32 # c"""; b = 1\n    x = 2\n');
      has(scopesOf(lines, 'definition', 'a'), 'variable.other.attribute.datajoint', 'first-line attribute');
      has(scopesOf(lines, 'definition', ' c'), 'comment.line.number-sign.datajoint', 'comment');
      const closers = lines[1].tokens.filter((t) => t.text === '"""');
      assert.equal(closers.length, 2);
      has(closers[1].scopes, 'punctuation.definition.string.end.python', 'closing quotes');
      hasNo(scopesOf(lines, 'definition', 'b'), 'meta.embedded', 'code after the string');
      hasNo(scopesOf(lines, 'x = 2', 'x'), 'meta.embedded', 'next line');
    });

    test('spacing and annotations around =', async () => {
      const lines = await py(hosts, 'definition="a : int32"\ndefinition  =  "a : int32"\ndefinition: str = "a : int32"\n');
      for (let i = 0; i < 3; i++) {
        const t = lines[i].tokens.find((x) => x.text === 'int32');
        assert.ok(t, `line ${i + 1}`);
        has(t.scopes, 'support.type.core.datajoint', `line ${i + 1}`);
      }
    });

    test('a one-quote definition left open ends at the line end', async () => {
      const lines = await py(hosts, 'definition = "a : int32\nx = 1\n');
      has(scopesOf(lines, 'definition', 'int32'), 'support.type.core.datajoint', 'open string');
      hasNo(scopesOf(lines, 'x = 1', 'x'), 'meta.embedded', 'next line');
    });

    test('an escaped quote does not end a one-quote definition', async () => {
      const lines = await py(hosts, 'definition = "a = \\"x\\" : varchar(3)"\ny = 2\n');
      has(scopesOf(lines, 'definition', 'varchar'), 'support.type.core.datajoint', 'type after escaped quotes');
      hasNo(scopesOf(lines, 'y = 2', 'y'), 'meta.embedded', 'next line');
    });

    test('blank lines before the table comment; only the first comment is the table comment', async () => {
      const lines = await py(hosts, 'definition = """\n\n    # table\n    # plain\n    a : int32\n"""\n');
      has(scopesOf(lines, '# table', ' table'), 'comment.block.documentation.table.datajoint', 'table comment');
      has(scopesOf(lines, '# plain', ' plain'), 'comment.line.number-sign.datajoint', 'second comment');
      hasNo(scopesOf(lines, '# plain', ' plain'), 'comment.block', 'second comment');
    });

    test('an attribute named definition inside a definition does not open another one', async () => {
      const lines = await py(hosts, 'definition = """\n    definition = "x" : varchar(9)\n    """\nz = 3\n');
      has(scopesOf(lines, 'definition = "x"', 'definition'), 'variable.other.attribute.datajoint', 'attribute');
      has(scopesOf(lines, 'definition = "x"', 'x'), 'string.quoted.double.datajoint', 'its default');
      has(scopesOf(lines, '    """', '"""'), 'punctuation.definition.string.end.python', 'closing quotes');
      hasNo(scopesOf(lines, 'z = 3', 'z'), 'meta.embedded', 'next statement');
    });

    test('f-strings and byte strings are not taken for definitions', async () => {
      const lines = await py(hosts, 'definition = f"""a : {t}"""\ndefinition = b"a : int32"\n');
      for (const l of lines) for (const t of l.tokens) hasNo(t.scopes, 'meta.embedded', JSON.stringify(t.text));
    });

    test('definitions inside host comments are left alone', async () => {
      const lines = await py(hosts, '# definition = "a : int32"\n');
      hasNo(scopesOf(lines, '#', 'definition = "a : int32"'), 'meta.embedded', 'comment');
    });
  });
}
