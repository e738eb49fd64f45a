// `djx k8s manifest <module> --image <image> --password-secret <name> [options]`: a
// Kubernetes batch/v1 Job of N `djx worker` pods (runtime/k8s/job-manifest.ts) as YAML on
// stdout (or --out), for `kubectl apply -f`. The password is read from a Secret, never
// written; host, user and the other settings go in with --env NAME=value.
// Exit 0 on success, 2 on bad options.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { jobManifestYaml } from '../../k8s/job-manifest';
import { addWorkerOptions, jobNameFor, parseEnv, workerOptions, type WorkerCliOptions } from './slurm';
import { collect, EXIT_DONE, failWith, parseCount } from '../exit';

interface K8sCliOptions extends WorkerCliOptions {
  image: string;
  passwordSecret: string;
  passwordKey?: string;
  workers: number;
  completions?: number;
  name?: string;
  namespace?: string;
  cpu?: string;
  mem?: string;
  grace?: number;
  deadline?: number;
  backoffLimit?: number;
  restart?: 'OnFailure' | 'Never';
  workdir?: string;
  djx?: string;
  env?: string[];
  out?: string;
}

export function register(program: Command): void {
  const k8s = program.command('k8s').description('run a pool of workers as a Kubernetes Job');
  addWorkerOptions(
    k8s
      .command('manifest')
      .description('print a Kubernetes Job manifest (YAML) of a pool of workers')
      .argument('<module>', 'pipeline module (.ts, .js or .py) as the container sees it')
      .requiredOption('--image <image>', 'container image with the pipeline and djx')
      .requiredOption('--password-secret <name>', 'the Secret holding the database password')
      .option('--password-key <key>', 'its key', 'password')
      .option('-n, --workers <n>', 'pods at once (parallelism)', parseCount('--workers', 1), 1)
      .option('--completions <n>', 'pods that must finish (default: --workers)', parseCount('--completions', 1))
      .option('--name <name>', 'the Job\'s name (default <module>-workers)')
      .option('--namespace <ns>', 'namespace')
      .option('--cpu <quantity>', 'CPU per pod (1, 500m)')
      .option('--mem <quantity>', 'memory per pod (4Gi)')
      .option('--grace <s>', 'seconds between SIGTERM and SIGKILL (default 120)', parseCount('--grace', 1))
      .option('--deadline <s>', 'the Job\'s time limit in seconds', parseCount('--deadline', 1))
      .option('--backoff-limit <n>', 'restarts after failures before the Job fails', parseCount('--backoff-limit'))
      .option('--restart <policy>', 'OnFailure or Never', 'OnFailure')
      .option('--workdir <dir>', 'the container\'s working directory')
      .option('--djx <command>', 'how the image runs djx (default djx)')
      .option('--env <NAME=value>', 'a plain setting (repeatable; never a password)', collect)
      .option('-o, --out <file>', 'write the manifest here instead of stdout'),
  ).action((module: string, o: K8sCliOptions) => {
    try {
      if (o.restart !== 'OnFailure' && o.restart !== 'Never') throw new RangeError(`--restart expects OnFailure or Never, got "${String(o.restart)}"`);
      const text = jobManifestYaml({
        name: o.name ?? jobNameFor(module).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, ''),
        namespace: o.namespace,
        workers: o.workers,
        completions: o.completions,
        image: o.image,
        djx: o.djx ? o.djx.trim().split(/\s+/) : undefined,
        workdir: o.workdir,
        passwordSecret: { name: o.passwordSecret, key: o.passwordKey },
        environment: parseEnv(o.env),
        cpu: o.cpu,
        memory: o.mem,
        graceSeconds: o.grace,
        deadlineSeconds: o.deadline,
        backoffLimit: o.backoffLimit,
        restartPolicy: o.restart,
        worker: workerOptions(module, o),
      });
      if (o.out) {
        mkdirSync(dirname(resolve(o.out)), { recursive: true });
        writeFileSync(o.out, text);
      } else process.stdout.write(text);
      process.exitCode = EXIT_DONE;
    } catch (e) {
      process.exitCode = failWith(e);
    }
  });
}
