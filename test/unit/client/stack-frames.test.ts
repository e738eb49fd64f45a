// The job stack document's links and its dropped bundle frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropBundleFrames, frameLocations } from '../../../client/jobs/stackFrames';

const stack = [
  'Error: subject 3 has a negative weight',
  '    at Function.make (/work/ws/computations/pipeline.ts:31:28)',
  '    at runMake (/ext/dist/cli.js:2:81234)',
  '    at async /ext/dist/cli.js:2:90001',
  '    at async Object.populate (file:///work/ws/lib/run.mjs:4:2)',
  '    at node:internal/process/task_queues:95:5',
].join('\n');

test('Node and Python frames name their file, line and column', () => {
  const found = frameLocations(stack).map(({ path, line, column }) => [path, line, column]);
  assert.deepEqual(found, [
    ['/work/ws/computations/pipeline.ts', 31, 28],
    ['/ext/dist/cli.js', 2, 81234],
    ['/ext/dist/cli.js', 2, 90001],
    ['/work/ws/lib/run.mjs', 4, 2],
  ]);
  const first = frameLocations(stack)[0]!;
  assert.equal(stack.slice(first.start, first.end), '/work/ws/computations/pipeline.ts:31:28');
  const py = 'Traceback (most recent call last):\n  File "/lab/pipeline/analysis.py", line 12, in make\n    raise ValueError("x")\n';
  assert.deepEqual(frameLocations(py).map(({ path, line }) => [path, line]), [['/lab/pipeline/analysis.py', 12]]);
  assert.deepEqual(frameLocations('at relative/file.ts:1:2'), []);
});

test('frames of the bundle are dropped, one line per run of them', () => {
  assert.equal(
    dropBundleFrames(stack, '/ext/dist'),
    [
      'Error: subject 3 has a negative weight',
      '    at Function.make (/work/ws/computations/pipeline.ts:31:28)',
      "    … 2 frames of the DataJoint runtime's bundle left out",
      '    at async Object.populate (file:///work/ws/lib/run.mjs:4:2)',
      '    at node:internal/process/task_queues:95:5',
    ].join('\n'),
  );
  // A file merely named like the folder is kept.
  assert.equal(dropBundleFrames('    at x (/ext/dist2/a.js:1:1)', '/ext/dist'), '    at x (/ext/dist2/a.js:1:1)');
});
