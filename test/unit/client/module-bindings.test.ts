// Which module exports a table class bound to which schema, read from the source: the
// examples' factory file exports nothing runnable, the modules that call the factory do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { evaluateName, moduleBinding, stripComments } from '../../../client/populate/moduleBindings';

const root = resolve(import.meta.dirname, '../../..');
const examples = (...p: string[]) => join(root, 'examples', ...p);

test('examples: pipeline.ts (the factory) exports no ProcessedData; demo/index.ts binds it to dj_demo', () => {
  const env = {};
  assert.deepEqual(moduleBinding(examples('pipeline', 'pipeline.ts'), 'ProcessedData', env), { exported: false, schema: undefined });
  assert.deepEqual(moduleBinding(examples('demo', 'index.ts'), 'ProcessedData', env), { exported: true, schema: 'dj_demo' });
  assert.deepEqual(moduleBinding(examples('demo', 'index.ts'), 'Quality', env), { exported: true, schema: 'dj_demo' });
  assert.deepEqual(moduleBinding(examples('pipeline', 'index.ts'), 'ProcessedData', env), { exported: true, schema: 'dj_example_pipeline' });
  assert.equal(moduleBinding(examples('pipeline', 'index.ts'), 'Quality', env).exported, false);
});

test('the environment the CLI inherits names the schema (process.env.X || default)', () => {
  assert.equal(moduleBinding(examples('demo', 'index.ts'), 'Quality', { DJ_PIPELINE_SCHEMA: 'lab_b' }).schema, 'lab_b');
  assert.equal(moduleBinding(examples('demo', 'index.ts'), 'Quality', { DJ_PIPELINE_SCHEMA: '' }).schema, 'dj_demo');
});

test('the extension tests\' fixture: a schema constant and register()', () => {
  const file = join(root, 'test', 'fixtures', 'vscode-workspace', 'computations', 'pipeline.ts');
  assert.deepEqual(moduleBinding(file, 'Summary', {}), { exported: true, schema: 'vscode_computations' });
});

test('decorators, re-exports, export *, aliases and unknown names', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dj-bindings-'));
  mkdirSync(join(dir, 'lib'));
  const w = (name: string, text: string) => writeFileSync(join(dir, name), text);
  w('tables.ts', `import * as dj from 'datajoint';\nconst schema = new dj.Schema("lab_a", {});\n@schema\nexport class A extends dj.Computed {}\n// schema.register(B)\nexport class B extends dj.Computed {}\nexport const other = new dj.Schema(makeName());\n@other.table()\nexport class C extends dj.Computed {}\n`);
  w('lib/index.ts', `export { A as Renamed, B } from '../tables.js';\n`);
  w('all.ts', `export * from './lib';\n`);
  w('declared.ts', `import * as dj from 'datajoint';\nexport const schema = new dj.Schema('lab_d');\nexport class D extends dj.Computed {}\nawait schema.declare(\n  D,\n);\n`);
  w('viaSchema.ts', `import * as dj from 'datajoint';\nexport const schema = new dj.Schema('lab_s');\nclass E extends dj.Computed {}\nschema.register(E);\n`);
  w('product.ts', `import { createPipeline } from './factory';\nexport const pipeline = createPipeline('lab_p');\n`);
  w('factory.ts', `import * as dj from 'datajoint';\nexport function createPipeline(name: string) {\n  const schema = new dj.Schema(name);\n  class F extends dj.Computed {}\n  schema.register(F);\n  return { schema, F };\n}\n`);
  w('imported.ts', `import { A } from './tables';\nexport { A };\n`);
  assert.deepEqual(moduleBinding(join(dir, 'tables.ts'), 'A', {}), { exported: true, schema: 'lab_a' });
  // Commented out: not registered, so not known to be bound.
  assert.deepEqual(moduleBinding(join(dir, 'tables.ts'), 'B', {}), { exported: true, schema: undefined });
  assert.deepEqual(moduleBinding(join(dir, 'tables.ts'), 'C', {}), { exported: true, schema: undefined });
  assert.deepEqual(moduleBinding(join(dir, 'all.ts'), 'Renamed', {}), { exported: true, schema: 'lab_a' });
  assert.equal(moduleBinding(join(dir, 'all.ts'), 'A', {}).exported, false);
  assert.deepEqual(moduleBinding(join(dir, 'imported.ts'), 'A', {}), { exported: true, schema: 'lab_a' });
  assert.deepEqual(moduleBinding(join(dir, 'declared.ts'), 'D', {}), { exported: true, schema: 'lab_d' });
  // Found by the CLI inside exported objects: a schema's tables, a factory's product.
  assert.deepEqual(moduleBinding(join(dir, 'viaSchema.ts'), 'E', {}), { exported: true, schema: 'lab_s' });
  assert.deepEqual(moduleBinding(join(dir, 'product.ts'), 'F', {}), { exported: true, schema: 'lab_p' });
  assert.equal(moduleBinding(join(dir, 'product.ts'), 'G', {}).exported, false);
  assert.equal(moduleBinding(join(dir, 'factory.ts'), 'F', {}).exported, false);
  assert.deepEqual(moduleBinding(join(dir, 'missing.ts'), 'A', {}), { exported: false, schema: undefined });
});

test('schema-name expressions', () => {
  assert.equal(evaluateName("'x'", {}), 'x');
  assert.equal(evaluateName('process.env.S ?? "d"', { S: '' }), '');
  assert.equal(evaluateName("process.env['S'] || `d`", {}), 'd');
  assert.equal(evaluateName('name', {}), undefined);
  assert.equal(evaluateName('`a${b}`', {}), undefined);
  assert.equal(stripComments("a // b\n'//c' /* d\ne */f"), "a \n'//c'     \n    f");
});

test('Python: the schema of the decorator over the class', async () => {
  const { pythonSchemaOf } = await import('../../../client/populate/moduleBindings');
  const text = 'import datajoint as dj\nschema = dj.Schema("lab_py")\nother = dj.schema(\'x\')\n\n@schema\nclass A(dj.Computed):\n    pass\n\n@other\n@something(1)\nclass B(dj.Computed):\n    pass\n\nclass C(dj.Computed):\n    pass\n';
  assert.equal(pythonSchemaOf(text, 5), 'lab_py');
  assert.equal(pythonSchemaOf(text, 10), 'x');
  assert.equal(pythonSchemaOf(text, 13), undefined);
});
