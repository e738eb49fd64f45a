// The sbatch script of a pool of workers (runtime/slurm/sbatch-script.ts): its #SBATCH
// directives, the worker's command line as bash really reads it (the script is run with a
// stand-in `djx` that prints its arguments), no password anywhere, and bad options refused
// with the option named. Also the parsing of sbatch's and sinfo's answers (cluster.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { sbatchScript, timeLimitSeconds, type SbatchOptions } from '../../../runtime/slurm/sbatch-script';
import { workerArgs, LaunchOptionError } from '../../../runtime/slurm/worker-command';
import { parseJobId, parsePartitions } from '../../../runtime/slurm/cluster';
import { run } from '../../../runtime/cli/program';

const base: SbatchOptions = {
  jobName: 'lab-workers',
  workers: 4,
  partition: 'gpu-short',
  time: '2:00:00',
  cpusPerTask: 2,
  memory: '8G',
  logDir: 'slurm/logs',
  worker: { module: 'pipeline/lab.ts', tables: ['Spikes', 'Units'], clearErrors: 'Deadlock|Lock wait timeout' },
};

function directives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^#SBATCH --([a-z-]+)=(\S+)$/gm)) out.set(m[1]!, m[2]!);
  return out;
}

/** Runs the script with bash as a task of an array job would, `djx` replaced by a printer of its argv. */
function argvOfTask(o: SbatchOptions, env: Record<string, string> = {}): { argv: string[]; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'dj-sbatch-'));
  try {
    const file = join(dir, 'job.sbatch');
    // The stand-in prints each argument on a line of its own, then the session name it got.
    writeFileSync(file, sbatchScript({ ...o, djx: ['bash', '-c', 'printf "%s\\n" "$@"; echo "PGAPPNAME=$PGAPPNAME"; echo "DJ_SLURM_TASK=$DJ_SLURM_TASK"', 'djx'] }));
    const r = spawnSync('bash', [file], { encoding: 'utf8', env: { PATH: process.env.PATH, SLURM_JOB_ID: '1234', SLURM_ARRAY_JOB_ID: '1230', SLURM_ARRAY_TASK_ID: '2', ...env } });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').slice(1); // the first is the script's own "task … of job …" line
    const seen: Record<string, string> = {};
    for (const l of lines.splice(-2)) seen[l.slice(0, l.indexOf('='))] = l.slice(l.indexOf('=') + 1);
    return { argv: lines, env: seen };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('an array of N tasks with the partition, time, CPUs, memory, a log per task and SIGTERM before the limit', () => {
  const text = sbatchScript(base);
  assert.match(text, /^#!\/bin\/bash\n/);
  const d = directives(text);
  assert.equal(d.get('array'), '0-3');
  assert.equal(d.get('job-name'), 'lab-workers');
  assert.equal(d.get('partition'), 'gpu-short');
  assert.equal(d.get('time'), '2:00:00');
  assert.equal(d.get('cpus-per-task'), '2');
  assert.equal(d.get('mem'), '8G');
  assert.equal(d.get('output'), 'slurm/logs/%x-%A_%a.out');
  assert.equal(d.get('signal'), 'B:TERM@120');
  // sbatch stops reading directives at the first command: all of them come before it.
  const lines = text.split('\n');
  const firstCommand = lines.findIndex((l) => l !== '' && !l.startsWith('#'));
  const lastDirective = lines.map((l) => l.startsWith('#SBATCH')).lastIndexOf(true);
  assert.ok(lastDirective < firstCommand);
  assert.equal(spawnSync('bash', ['-n'], { input: text }).status, 0, 'bash -n');
  // The worker replaces the shell, so SLURM's SIGTERM reaches it.
  assert.match(text, /^exec djx worker pipeline\/lab\.ts /m);
});

test('bash passes exactly the worker options to djx, however they are spelled', () => {
  const worker = { module: "my pipelines/lab's.py", tables: ['A'], skip: ['B', 'C'], priority: 3, maxCalls: 50, clearErrors: `Deadlock|"Lock wait" $HOME \`x\``, durationSeconds: 3600, idleSeconds: 60, pollSeconds: 2.5, python: '/opt/conda/envs/lab py/bin/python' };
  const { argv } = argvOfTask({ ...base, worker });
  assert.deepEqual(argv, workerArgs(worker));
  assert.deepEqual(argv.slice(0, 2), ['worker', "my pipelines/lab's.py"]);
  assert.ok(argv.includes('--stop-on-stdin') === false);
});

test('property: any regex of --clear-errors reaches the worker unchanged', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/[\0\n\r]/.test(s) && (() => { try { new RegExp(s); return true; } catch { return false; } })()), (re) => {
      const { argv } = argvOfTask({ ...base, worker: { module: 'p.ts', clearErrors: re } });
      assert.deepEqual(argv, ['worker', 'p.ts', '--clear-errors', re]);
    }),
    { numRuns: 15 },
  );
});

test('each task names its database session after its job and task', () => {
  const { env } = argvOfTask(base);
  assert.equal(env.PGAPPNAME, 'djx-worker slurm=1230_2');
  assert.equal(env.DJ_SLURM_TASK, '1230_2');
});

test('no password in the script: it says where the connection comes from, and refuses secrets as settings', () => {
  const text = sbatchScript({ ...base, environment: { DJ_HOST: 'db.lab.org', DJ_USER: 'alice' } });
  assert.match(text, /^export DJ_HOST=db\.lab\.org$/m);
  assert.doesNotMatch(text, /DJ_PASS=|PASSWORD=/);
  assert.match(text, /no password must ever be/);
  assert.match(text, /datajoint\.json and \.secrets/);
  for (const name of ['DJ_PASS', 'DJ_PASSWORD', 'MYSQL_PWD_SECRET', 'AWS_SECRET_ACCESS_KEY', 'API_TOKEN']) {
    assert.throws(() => sbatchScript({ ...base, environment: { [name]: 'hunter2' } }), (e: unknown) => e instanceof LaunchOptionError && e.option === '--env' && e.message.includes(name));
  }
});

test('SLURM time limits in all its spellings; the grace period is shorter than the limit', () => {
  assert.equal(timeLimitSeconds('30'), 1800);
  assert.equal(timeLimitSeconds('5:30'), 330);
  assert.equal(timeLimitSeconds('1:00:00'), 3600);
  assert.equal(timeLimitSeconds('2-12'), 2 * 86400 + 12 * 3600);
  assert.equal(timeLimitSeconds('1-00:30'), 86400 + 1800);
  assert.equal(timeLimitSeconds('1-00:00:10'), 86410);
  // A short limit gets half of it as grace; an explicit grace must fit.
  assert.equal(directives(sbatchScript({ ...base, time: '1' })).get('signal'), 'B:TERM@30');
  assert.equal(directives(sbatchScript({ ...base, time: '10', graceSeconds: 45 })).get('signal'), 'B:TERM@45');
  assert.throws(() => sbatchScript({ ...base, time: '1', graceSeconds: 60 }), /--grace: 60 s is not shorter than the time limit \(60 s\)/);
});

test('bad options are refused with the option named', () => {
  const cases: Array<[Partial<SbatchOptions>, RegExp]> = [
    [{ workers: 0 }, /--workers: expects a whole number >= 1, got 0/],
    [{ time: '1h' }, /--time: "1h" is not a SLURM time limit/],
    [{ time: '0' }, /--time: "0"/],
    [{ memory: '4 GB' }, /--mem: "4 GB" is not a memory size/],
    [{ partition: 'a b' }, /--partition: "a b" may not contain spaces/],
    [{ jobName: 'my job' }, /--job-name:/],
    [{ cpusPerTask: 1.5 }, /--cpus-per-task:/],
    [{ worker: { module: 'p.ts', tables: ['not a name'] } }, /--tables: "not a name" is not a table class name/],
    [{ worker: { module: 'p.ts', clearErrors: '(' } }, /--clear-errors: not a regular expression/],
    [{ worker: { module: 'p.ts', priority: -1 } }, /--priority:/],
    [{ worker: { module: '' } }, /module:/],
  ];
  for (const [change, message] of cases) assert.throws(() => sbatchScript({ ...base, ...change }), message, JSON.stringify(change));
});

test('sbatch --parsable and sinfo answers', () => {
  assert.equal(parseJobId('4242\n'), '4242');
  assert.equal(parseJobId('4242;cluster-a\n'), '4242');
  assert.throws(() => parseJobId('sbatch: error: Batch job submission failed'), /did not print a job id/);
  assert.deepEqual(parsePartitions('debug*\ngpu\ngpu\nlong\n'), [
    { name: 'debug', isDefault: true },
    { name: 'gpu', isDefault: false },
    { name: 'long', isDefault: false },
  ]);
});

test('djx slurm script prints the script; bad options exit 2 with the option named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dj-slurm-cli-'));
  try {
    const out = join(dir, 'w.sbatch');
    const code = await run(['slurm', 'script', 'pipeline/lab.ts', '-n', '3', '--time', '30', '--partition', 'debug', '--mem', '2G', '--skip', 'Slow', '--djx', 'djx', '--env', 'DJ_HOST=db', '-o', out]);
    assert.equal(code, 0);
    const text = readFileSync(out, 'utf8');
    assert.equal(directives(text).get('array'), '0-2');
    assert.equal(directives(text).get('job-name'), 'lab-workers');
    assert.match(text, /^exec djx worker pipeline\/lab\.ts --skip Slow$/m);
    process.exitCode = undefined;
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (errors.push(String(s)), true)) as typeof process.stderr.write;
    let failed: number;
    try {
      failed = await run(['slurm', 'script', 'p.ts', '--time', 'soon', '-o', out]);
    } finally {
      process.stderr.write = write;
    }
    assert.equal(failed, 2);
    assert.match(errors.join(''), /--time: "soon" is not a SLURM time limit/);
  } finally {
    process.exitCode = undefined;
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a working folder with spaces and quotes: the script cds into it (a #SBATCH value could not hold it)", () => {
  const dir = mkdtempSync(join(tmpdir(), "dj sbatch it's "));
  try {
    const text = sbatchScript({ ...base, workdir: dir, djx: ['bash', '-c', 'pwd', 'djx'] });
    assert.equal(directives(text).get('chdir'), undefined);
    const file = join(dir, 'job.sbatch');
    writeFileSync(file, text);
    const r = spawnSync('bash', [file], { encoding: 'utf8', cwd: tmpdir(), env: { PATH: process.env.PATH, SLURM_JOB_ID: '1', SLURM_ARRAY_TASK_ID: '0' } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').pop(), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the worker\'s own limits: a priority above 127 or a time of 0 is refused before any script is written', () => {
  assert.throws(() => sbatchScript({ ...base, worker: { module: 'p.ts', priority: 200 } }), /--priority.*0 to 127/);
  assert.throws(() => sbatchScript({ ...base, worker: { module: 'p.ts', pollSeconds: 0 } }), /--poll/);
});

test('a password inside a setting\'s value (user:password@ of a URL) is refused as well', () => {
  assert.throws(() => sbatchScript({ ...base, environment: { DATABASE_URL: 'mysql://alice:s3cret@db.lab.org/lab' } }), /DATABASE_URL holds a password/);
  assert.match(sbatchScript({ ...base, environment: { DJ_HOST: 'db.lab.org' } }), /export DJ_HOST=db\.lab\.org/);
});
