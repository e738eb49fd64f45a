// Class-level diagnostics (the class name, the table name it makes, a part without its
// master, a singleton without a divider) have no text in the definition: the index
// places them on the class name in the host file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TableIndex } from '../../../runtime/project';

const CLASS_LEVEL = ['DJ503', 'DJ507', 'DJ508', 'DJ509', 'DJ510'];

function classLevel(path: string, text: string): Array<[string, string, boolean]> {
  const index = new TableIndex();
  index.setFile(path, text);
  return index
    .check(path)
    .filter((d) => CLASS_LEVEL.includes(d.code))
    .map((d) => [d.code, text.slice(d.start, d.end), d.diagnostic.onClass === true]);
}

test('Python: class-level diagnostics sit on the class name', () => {
  const long = `Very${'Long'.repeat(16)}Name`;
  const text = [
    'import datajoint as dj',
    '@schema',
    'class My_Table(dj.Manual):',
    '    definition = """',
    '    a : int32',
    '    """',
    'class lower(dj.Manual):',
    '    definition = "b : int32"',
    `class ${long}(dj.Computed):`,
    '    definition = """',
    '    c : int32',
    '    """',
    'class Session(dj.Manual):',
    '    definition = """',
    '    s : int32',
    '    """',
    '    class Trial(dj.Part):',
    '        definition = """',
    '        t : int32',
    '        """',
    'class Config(dj.Lookup):',
    '    definition = """',
    '    # one row',
    '    """',
    '',
  ].join('\n');
  assert.deepEqual(classLevel('/p/m.py', text), [
    ['DJ508', 'My_Table', true],
    ['DJ507', 'lower', true],
    ['DJ509', long, true],
    ['DJ510', 'Trial', true],
    ['DJ503', 'Config', true],
  ]);
});

test('TypeScript: on the class name, and on the field name of a static part', () => {
  const text = [
    'export class Session_Log extends Manual {',
    '  static definition = `',
    '  s : int32',
    '  `;',
    '  static Entry = class extends Part {',
    '    static definition = `',
    '    e : int32',
    '    `;',
    '  };',
    '}',
    '',
  ].join('\n');
  assert.deepEqual(classLevel('/p/m.ts', text), [
    ['DJ508', 'Session_Log', true],
    ['DJ510', 'Entry', true],
  ]);
});

test('a singleton with a divider keeps the divider as its place; other diagnostics stay in the string', () => {
  const text = 'class Config(dj.Lookup):\n    definition = """\n    ---\n    value : int32\n    """\n';
  const index = new TableIndex();
  index.setFile('/p/c.py', text);
  const [d] = index.check('/p/c.py');
  assert.equal(d.code, 'DJ503');
  assert.equal(text.slice(d.start, d.end), '---');
  assert.equal(d.diagnostic.onClass, undefined);
});
