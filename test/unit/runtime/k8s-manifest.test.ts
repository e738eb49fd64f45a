// The Kubernetes Job of a pool of workers (runtime/k8s/job-manifest.ts), checked against
// Kubernetes' own schema of batch/v1 Job (kubernetes-models' validate(), ajv over the
// OpenAPI definitions) since no cluster runs here: parallelism and completions, the
// password only from a Secret, the YAML reading back as the same object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import YAML from 'yaml';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { jobManifest, jobManifestYaml, type JobManifestOptions } from '../../../runtime/k8s/job-manifest';
import { workerArgs } from '../../../runtime/slurm/worker-command';
import { run } from '../../../runtime/cli/program';

const base: JobManifestOptions = {
  name: 'lab-workers',
  workers: 6,
  image: 'ghcr.io/lab/pipeline:2026.1',
  passwordSecret: { name: 'datajoint-db' },
  environment: { DJ_HOST: 'db.lab.org', DJ_USER: 'worker', DJ_BACKEND: 'mysql' },
  cpu: '500m',
  memory: '2Gi',
  worker: { module: 'pipeline/lab.py', python: '/opt/venv/bin/python', clearErrors: 'Deadlock', idleSeconds: 120 },
};

/** Kubernetes' schema check; throws with the path of what is wrong. */
const validate = (m: unknown) => new Job(m as ConstructorParameters<typeof Job>[0]).validate();

test('one Job with parallelism N and completions N, valid by the batch/v1 schema', () => {
  const m = jobManifest(base);
  validate(m);
  assert.equal(m.spec.parallelism, 6);
  assert.equal(m.spec.completions, 6);
  assert.equal(m.spec.template.spec.restartPolicy, 'OnFailure');
  assert.equal(m.spec.template.spec.terminationGracePeriodSeconds, 120);
  const c = m.spec.template.spec.containers[0]!;
  assert.deepEqual(c.command, ['djx', ...workerArgs(base.worker)]);
  assert.deepEqual(c.resources, { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '500m', memory: '2Gi' } });
});

test('the password comes from the Secret, never inline', () => {
  const m = jobManifest({ ...base, passwordSecret: { name: 'db', key: 'dj-pass' } });
  const env = m.spec.template.spec.containers[0]!.env;
  assert.deepEqual(env.find((e) => e.name === 'DJ_PASS'), { name: 'DJ_PASS', valueFrom: { secretKeyRef: { name: 'db', key: 'dj-pass' } } });
  assert.ok(env.every((e) => !/PASS/.test(e.name) || e.value === undefined));
  assert.throws(() => jobManifest({ ...base, environment: { DJ_PASS: 'hunter2' } }), /--env: DJ_PASS looks like a secret/);
  assert.doesNotMatch(jobManifestYaml(base), /hunter2/);
});

test('the YAML reads back as the manifest (and is valid)', () => {
  const text = jobManifestYaml(base);
  assert.match(text, /^# 6 DataJoint workers for pipeline\/lab\.py as a Kubernetes Job\./);
  const parsed: unknown = YAML.parse(text);
  assert.deepEqual(parsed, jobManifest(base));
  validate(parsed);
});

test('property: every accepted option set gives a valid Job whose YAML reads back the same', () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/);
  fc.assert(
    fc.property(
      name,
      fc.integer({ min: 1, max: 500 }),
      fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
      fc.constantFrom<'OnFailure' | 'Never'>('OnFailure', 'Never'),
      fc.option(fc.constantFrom('1', '250m', '2.5'), { nil: undefined }),
      fc.dictionary(fc.stringMatching(/^DJ_[A-Z]{1,8}$/).filter((k) => !/PASS|SECRET|TOKEN|KEY/.test(k)), fc.string({ maxLength: 20 }).filter((v) => !/[\0\n\r]/.test(v)), { maxKeys: 4 }),
      fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/[\0\n\r]/.test(s)),
      (n, workers, completions, restartPolicy, cpu, environment, clearErrors) => {
        let ok = true;
        try {
          new RegExp(clearErrors);
        } catch {
          ok = false;
        }
        fc.pre(ok);
        const o: JobManifestOptions = { ...base, name: n, workers, completions, restartPolicy, cpu, environment, worker: { module: 'a b/p.ts', clearErrors } };
        const m = jobManifest(o);
        validate(m);
        assert.deepEqual(YAML.parse(jobManifestYaml(o)), m);
      },
    ),
    { numRuns: 60 },
  );
});

test('the schema check catches a broken Job (so the checks above mean something)', () => {
  const m = jobManifest(base) as unknown as { spec: { parallelism: unknown; template: { spec: { containers: Array<{ env: unknown[] }> } } } };
  m.spec.parallelism = 'six';
  assert.throws(() => validate(m), /parallelism/);
  const n = jobManifest(base) as unknown as { spec: { template: { spec: { containers: Array<{ env: unknown[] }> } } } };
  n.spec.template.spec.containers[0]!.env.push({ name: 'X', valueFrom: { secretKeyRef: { key: 5 } } });
  assert.throws(() => validate(n));
});

test('bad options are refused with the option named', () => {
  assert.throws(() => jobManifest({ ...base, name: 'Lab_Workers' }), /--name: "Lab_Workers" is not a Kubernetes name/);
  assert.throws(() => jobManifest({ ...base, memory: '2 GB' }), /--mem: "2 GB" is not a Kubernetes quantity/);
  assert.throws(() => jobManifest({ ...base, workers: 0 }), /--workers: expects a whole number >= 1/);
  assert.throws(() => jobManifest({ ...base, passwordSecret: { name: 'Bad Name' } }), /--password-secret/);
});

test('djx k8s manifest prints the YAML', async () => {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => (chunks.push(String(s)), true)) as typeof process.stdout.write;
  let code: number;
  try {
    code = await run(['k8s', 'manifest', 'lab.ts', '--image', 'lab:1', '--password-secret', 'db', '-n', '3', '--env', 'DJ_HOST=db', '--tables', 'A,B']);
  } finally {
    process.stdout.write = write;
    process.exitCode = undefined;
  }
  assert.equal(code, 0);
  const m: unknown = YAML.parse(chunks.join(''));
  validate(m);
  const job = m as { metadata: { name: string }; spec: { parallelism: number; template: { spec: { containers: Array<{ command: string[] }> } } } };
  assert.equal(job.metadata.name, 'lab-workers');
  assert.equal(job.spec.parallelism, 3);
  assert.deepEqual(job.spec.template.spec.containers[0]!.command, ['djx', 'worker', 'lab.ts', '--tables', 'A,B']);
});
