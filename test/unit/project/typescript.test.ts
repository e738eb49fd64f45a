import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TableIndex } from '../../../runtime/project';

const ts = (...lines: string[]): string => lines.join('\n') + '\n';

function tsProject(): TableIndex {
  const index = new TableIndex();
  index.setFile(
    '/app/src/subject.ts',
    ts(
      "import * as dj from 'datajoint';",
      'export class Subject extends dj.Manual {',
      '  static definition = `',
      '    subject_id : int32',
      '    ---',
      '    name : varchar(32)',
      '  `;',
      '}',
    ),
  );
  index.setFile('/app/src/index.ts', ts("export { Subject } from './subject';", "export * from './session';"));
  index.setFile(
    '/app/src/session.ts',
    ts(
      "import { Subject as Animal } from './index.js';",
      'export class Session extends Manual {',
      '  static definition = `',
      '    -> Animal',
      '    session_idx : int16',
      '  `;',
      '  static Trial = class extends Part {',
      '    static definition = `',
      '      -> master',
      '      trial : int32',
      '    `;',
      '  };',
      '}',
      'export class Epoch extends Part {',
      '  static master = Session;',
      '  static definition = `-> master\\nepoch : int32`;',
      '}',
    ),
  );
  index.setFile(
    '/app/src/analysis/stats.js',
    ts(
      "const sess = require('../session');",
      "const { Session } = require('../index');",
      'class TrialStats extends dj.Computed {',
      '  static definition = `',
      '    -> sess.Session.Trial',
      '    ---',
      '    -> Session.Epoch',
      '  `;',
      '}',
      'module.exports = { TrialStats };',
    ),
  );
  return index;
}

test('typescript: static-field parts, master markers, re-exports, namespace imports and require', () => {
  const index = tsProject();
  assert.deepEqual(
    index.tables().map((t) => [t.name, t.tier, t.master ?? '']),
    [
      ['Subject', 'Manual', ''],
      ['Session', 'Manual', ''],
      ['Session.Trial', 'Part', 'Session'],
      ['Epoch', 'Part', 'Session'],
      ['TrialStats', 'Computed', ''],
    ],
  );
  assert.deepEqual(index.table('/app/src/session.ts#Session')!.parts, ['Session.Trial', 'Epoch']);
  const keys = (file: string, table: string, path: string[]): string[] | undefined =>
    index.resolve(file, table, path)?.primaryKey.map((a) => a.name);
  assert.deepEqual(keys('/app/src/session.ts', 'Session', ['Animal']), ['subject_id']);
  assert.deepEqual(keys('/app/src/session.ts', 'Epoch', ['master']), ['subject_id', 'session_idx']);
  assert.deepEqual(keys('/app/src/analysis/stats.js', 'TrialStats', ['sess', 'Session', 'Trial']), ['subject_id', 'session_idx', 'trial']);
  assert.deepEqual(keys('/app/src/analysis/stats.js', 'TrialStats', ['Session', 'Epoch']), ['subject_id', 'session_idx', 'epoch']);
  assert.equal(index.table('/app/src/subject.ts#Subject')!.module, '/app/src/subject');
  for (const f of index.filePaths()) assert.deepEqual(index.check(f), [], f);
  const stats = index.heading(index.table('/app/src/analysis/stats.js#TrialStats')!)!;
  assert.deepEqual(stats.attributes.map((a) => a.name), ['subject_id', 'session_idx', 'trial', 'epoch']);
});

test('typescript: imports from packages are not resolved (a warning, not an error)', () => {
  const index = tsProject();
  index.setFile('/app/src/ext.ts', ts("import { Lab } from 'element-lab';", 'export class Rig extends Manual {', '  static definition = `-> Lab\\nrig : int32`;', '}'));
  const diags = index.check('/app/src/ext.ts');
  assert.deepEqual(diags.map((d) => [d.code, d.severity]), [['DJ303', 'warning']]);
});

test('typescript: tables built by an imported factory resolve by name through the import', () => {
  const index = new TableIndex();
  index.setFile(
    '/f/pipeline.ts',
    ts(
      'export function createPipeline(name: string) {',
      '  const schema = new dj.Schema(name);',
      '  class Session extends dj.Manual {',
      '    static override definition = `session : int32`;',
      '  }',
      '  return { schema, Session };',
      '}',
    ),
  );
  index.setFile(
    '/f/demo.ts',
    ts(
      "import { createPipeline } from './pipeline';",
      'export const { Session } = createPipeline("demo");',
      'export class Quality extends dj.Computed {',
      '  static override definition = `-> Session\\n---\\nq : float64`;',
      '}',
    ),
  );
  assert.deepEqual(index.resolve('/f/demo.ts', 'Quality', ['Session'])?.primaryKey.map((a) => a.name), ['session']);
  assert.deepEqual(index.check('/f/demo.ts'), []);
  // Two imported modules with a table of that name: ambiguous, not resolved.
  index.setFile('/f/other.ts', ts('export class Session extends dj.Manual {', '  static definition = `other : int32`;', '}'));
  index.setFile('/f/demo.ts', ts("import { createPipeline } from './pipeline';", "import './other';", "import { x } from './other';", 'class Quality extends dj.Computed {', '  static definition = `-> Session\\n---\\nq : float64`;', '}'));
  assert.equal(index.resolve('/f/demo.ts', 'Quality', ['Session']), undefined);
});
