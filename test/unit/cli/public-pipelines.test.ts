// Public pipelines as labs wrote them (test/fixtures/public-pipelines, SOURCES.md names each
// repository and commit), linted with their own DataJoint: no error on what that DataJoint
// declares. The errors left are each a definition the pipeline's DataJoint cannot declare
// as written, listed here with the reason. Then the migration: `--fix --target 2`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { lint } from '../../../runtime/cli/lint/lint';

const corpus = path.resolve(__dirname, '../../fixtures/public-pipelines');

/** Errors that are real under the pipeline's own DataJoint: `file:line code`, with why. */
const GENUINE: Record<string, Record<string, string>> = {
  LorenFrankLab__spyglass: {
    // `definition = """This definition is managed by SpyglassAnalysis"""`: a placeholder the
    // SpyglassAnalysis base class replaces at run time; as written it is not a definition.
    'src/spyglass/common/custom_nwbfile.py:31 DJ103': 'placeholder definition',
    'src/spyglass/common/custom_nwbfile.py:31 DJ201': 'placeholder definition',
    'src/spyglass/common/custom_nwbfile.py:31 DJ203': 'placeholder definition',
  },
  cajal__pipeline: {
    // `external-analysis`: DataJoint 0.11's external blob; 0.12 and later write blob@analysis.
    'python/pipeline/astrocytes.py:112 DJ203': 'DataJoint 0.11 type',
    'python/pipeline/astrocytes.py:112 DJ102': 'DataJoint 0.11 type',
    // `x=false : boolean`: declare.py quotes the default, and MySQL refuses DEFAULT "false" on tinyint(1).
    'python/pipeline/experiment.py:593 DJ209': 'quoted false default',
    'python/pipeline/meso.py:76 DJ209': 'quoted false default',
    'python/pipeline/reso.py:51 DJ209': 'quoted false default',
  },
};

/** The DataJoint each pipeline is checked against and what decides it. */
const TARGETS: Record<string, string> = {
  LorenFrankLab__spyglass: 'DataJoint 0.14 (pyproject.toml: datajoint>=0.14.5,<2.0)',
  cajal__pipeline: 'DataJoint 0.14 (the definitions use 199 DataJoint 0.x and 0 DataJoint 2 types)',
  'datajoint__element-animal': 'DataJoint 0.13 (requirements.txt: datajoint>=0.13)',
  'datajoint__element-array-ephys': 'DataJoint 0.14 (setup.py: datajoint>=0.14.6)',
  'datajoint__element-calcium-imaging': 'DataJoint 0.14 (setup.py: datajoint>=0.14.0)',
  'datajoint__element-event': 'DataJoint 0.13 (requirements.txt: datajoint>=0.13)',
  'datajoint__element-lab': 'DataJoint 0.13 (requirements.txt: datajoint>=0.13.0)',
  'datajoint__element-session': 'DataJoint 0.13 (requirements.txt: datajoint>=0.13.0)',
  'int-brain-lab__IBL-pipeline': 'DataJoint 0.13 (setup.py: datajoint~=0.12)',
  sinzlab__nnfabrik: 'DataJoint 0.14 (the definitions use 4 DataJoint 0.x and 0 DataJoint 2 types)',
};

const pipelines = readdirSync(corpus, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

test('the corpus holds the pipelines SOURCES.md names, at least spyglass, cajal, five elements and two more', () => {
  const sources = readFileSync(path.join(corpus, 'SOURCES.md'), 'utf8');
  for (const p of pipelines) assert.ok(sources.includes(`[${p.replace('__', '/')}]`), `${p} is in SOURCES.md with its commit`);
  assert.deepEqual(pipelines, Object.keys(TARGETS).sort());
});

for (const p of pipelines) {
  test(`${p}: linted with its own DataJoint, errors only where that DataJoint cannot declare the definition`, async () => {
    const cwd = path.join(corpus, p);
    const r = await lint(['.'], { cwd, format: 'text', quiet: true });
    assert.ok(r.tables > 0);
    assert.ok(r.summary.includes(`checked against ${TARGETS[p]}`), r.summary);
    const errors = r.findings.filter((f) => f.severity === 'error').map((f) => `${f.path}:${f.line} ${f.code}`);
    assert.deepEqual(errors.sort(), Object.keys(GENUINE[p] ?? {}).sort(), r.output);
  });
}

test('migration: `--fix --target 2` rewrites spyglass and the elements into definitions DataJoint 2 reads; a second run has nothing to fix', async () => {
  const work = mkdtempSync(path.join(tmpdir(), 'dj-migrate-'));
  const migrated = pipelines.filter((p) => p === 'LorenFrankLab__spyglass' || p.startsWith('datajoint__element-'));
  for (const p of migrated) cpSync(path.join(corpus, p), path.join(work, p), { recursive: true });
  const before = await lint(['.'], { cwd: work, format: 'text', quiet: true, target: '2' });
  assert.ok(before.errors > 50, `DataJoint 2 refuses the 0.x definitions as they are (${before.errors} errors)`);
  const fixed = await lint(['.'], { cwd: work, format: 'text', quiet: true, target: '2', fix: true });
  assert.ok(fixed.fixed.length > 30, `${fixed.fixed.length} files rewritten`);
  const left = fixed.findings.filter((f) => f.severity === 'error').map((f) => `${f.path}:${f.line} ${f.code}`).sort();
  // What cannot be migrated mechanically: spyglass's placeholder, and unique indexes over
  // filepath@ attributes (a uuid in 0.14, a json column in 2.x, which MySQL cannot index).
  assert.deepEqual(left, [
    'LorenFrankLab__spyglass/src/spyglass/common/common_nwbfile.py:51 DJ403',
    'LorenFrankLab__spyglass/src/spyglass/common/common_nwbfile.py:640 DJ403',
    'LorenFrankLab__spyglass/src/spyglass/common/custom_nwbfile.py:31 DJ103',
    'LorenFrankLab__spyglass/src/spyglass/common/custom_nwbfile.py:31 DJ203',
  ], fixed.output);
  assert.ok(fixed.summary.includes('what is listed above is what cannot be fixed mechanically'), fixed.summary);
  const again = await lint(['.'], { cwd: work, format: 'text', quiet: true, target: '2', fix: true });
  assert.deepEqual(again.fixed, []);
  assert.ok(again.summary.endsWith('nothing to fix'), again.summary);
  // The rewrite touched only definitions: the Python around them is byte for byte the same.
  const file = 'LorenFrankLab__spyglass/src/spyglass/common/common_behav.py';
  const a = readFileSync(path.join(corpus, file), 'utf8');
  const b = readFileSync(path.join(work, file), 'utf8');
  assert.notEqual(a, b);
  assert.equal(a.split('\n').length, b.split('\n').length);
  const after = b.split('\n');
  const changed = a.split('\n').map((line, i) => [line, after[i]!] as const).filter(([x, y]) => x !== y);
  assert.ok(changed.length > 0);
  for (const [was, now] of changed) {
    // An attribute line keeps its name, default and comment: only the type between them changes.
    const parts = (l: string) => /^(\s*[a-z_][a-z0-9_]*\s*(?:=[^:]*)?:)\s*([^#]*?)\s*(#.*)?$/.exec(l);
    const [p, q] = [parts(was), parts(now)];
    assert.ok(p && q, `an attribute line: ${was} -> ${now}`);
    assert.equal(q[1], p[1], `${was} -> ${now}`);
    assert.equal(q[3], p[3], `${was} -> ${now}`);
  }
});

test('--fix with each pipeline\'s own DataJoint leaves the elements as they are: nothing there needs fixing under 0.13/0.14', async () => {
  const work = mkdtempSync(path.join(tmpdir(), 'dj-fix-own-'));
  for (const p of pipelines.filter((x) => x.startsWith('datajoint__element-'))) cpSync(path.join(corpus, p), path.join(work, p), { recursive: true });
  const r = await lint(['.'], { cwd: work, format: 'text', quiet: true, fix: true });
  assert.deepEqual(r.fixed, [], r.summary);
  assert.ok(r.summary.endsWith('nothing to fix'), r.summary);
});
