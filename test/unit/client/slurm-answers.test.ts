// "Run Workers on SLURM…"'s answers (client/slurm/slurmAnswers.ts): what is remembered per
// workspace, what each step accepts, and the script they make (paths relative to the
// workspace folder, which is the tasks' working directory).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_ANSWERS, memoryProblem, partitionProblem, rememberedAnswers, scriptOptions, scriptPathFor, timeProblem, withAnswers, workersProblem } from '../../../client/slurm/slurmAnswers';
import { sbatchScript } from '../../../runtime/slurm/sbatch-script';

test('answers are remembered per module; a new module starts from the last answers', () => {
  assert.deepEqual(rememberedAnswers(undefined, 'a.ts'), DEFAULT_ANSWERS);
  const a = { workers: 16, partition: 'long', time: '2-00:00', cpusPerTask: 4, memory: '16G' };
  let store = withAnswers(undefined, 'pipeline/a.ts', a);
  assert.deepEqual(rememberedAnswers(store, 'pipeline/a.ts'), a);
  assert.deepEqual(rememberedAnswers(store, 'pipeline/b.py'), a);
  const b = { ...a, workers: 2 };
  store = withAnswers(store, 'pipeline/b.py', b);
  assert.deepEqual(rememberedAnswers(store, 'pipeline/a.ts'), a);
  // A stored answer that is no longer valid (an older version's) falls back.
  assert.deepEqual(rememberedAnswers({ 'x.ts': { workers: 0 } }, 'x.ts'), DEFAULT_ANSWERS);
});

test('each step says what it accepts', () => {
  assert.equal(workersProblem('8'), undefined);
  assert.match(workersProblem('0') ?? '', /from 1/);
  assert.equal(timeProblem('90'), undefined);
  assert.match(timeProblem('1h') ?? '', /not a SLURM time limit/);
  assert.equal(memoryProblem(''), undefined);
  assert.match(memoryProblem('4 GB') ?? '', /not a memory size/);
  assert.match(partitionProblem('a b') ?? '', /no spaces/);
});

test('the script runs the module relative to the workspace, in the workspace, with no password', () => {
  assert.equal(scriptPathFor('/ws/pipeline/my lab.py'), 'slurm/my-lab-workers.sbatch');
  const o = scriptOptions({ ...DEFAULT_ANSWERS, partition: 'debug' }, { folder: '/ws', module: '/ws/pipeline/lab.ts', djx: ['/usr/bin/node', '/ext/dist/cli.js'], environment: { DJ_HOST: 'db', DJ_USER: 'alice' } });
  assert.equal(o.worker.module, 'pipeline/lab.ts');
  assert.equal(o.workdir, '/ws');
  assert.equal(o.jobName, 'lab-workers');
  const text = sbatchScript(o);
  assert.match(text, /^cd -- \/ws$/m);
  assert.match(text, /^#SBATCH --array=0-3$/m);
  assert.match(text, /^exec \/usr\/bin\/node \/ext\/dist\/cli\.js worker pipeline\/lab\.ts$/m);
  assert.doesNotMatch(text, /DJ_PASS=/);
});
