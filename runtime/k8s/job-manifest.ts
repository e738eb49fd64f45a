// A Kubernetes batch/v1 Job for a pool of workers, for labs that run on Kubernetes instead
// of SLURM: one Job per pool, `parallelism: N` pods each running `djx worker <module> …`
// (runtime/slurm/worker-command.ts) until no work is left, `completions: N` so the Job is
// complete when every worker has finished. The database password comes from a Secret
// (`env.valueFrom.secretKeyRef`), never inline; host, user and the other settings are
// plain variables. Kubernetes stops a pod with SIGTERM and kills it after
// terminationGracePeriodSeconds, the worker's grace period. A pure function: `djx k8s
// manifest` prints it; no cluster is needed (the unit test checks it against the schema).
import { checkEnvironment, LaunchOptionError, workerArgs, type WorkerCommandOptions } from '../slurm/worker-command';

export interface JobManifestOptions {
  /** The Job's name (a DNS label: lower case letters, digits, '-'). */
  name: string;
  namespace?: string;
  /** Pods running at once. */
  workers: number;
  /** Pods that must finish for the Job to complete; default: `workers`. */
  completions?: number;
  /** The container image holding the pipeline and `djx` (and Python for a `.py` module). */
  image: string;
  /** The program that is `djx` in the image; default ['djx']. */
  djx?: readonly string[];
  /** The container's working directory (where the pipeline and datajoint.json are). */
  workdir?: string;
  /** The Secret holding the database password, and its key; default key `password`. */
  passwordSecret: { name: string; key?: string };
  /** Plain settings (DJ_HOST, DJ_USER, DJ_BACKEND, …); a secret's name is refused. */
  environment?: Readonly<Record<string, string>>;
  /** Per pod: Kubernetes quantities, e.g. cpu '1' or '500m', memory '4Gi'. */
  cpu?: string;
  memory?: string;
  /** Seconds between SIGTERM and SIGKILL when a pod is stopped. Default 120. */
  graceSeconds?: number;
  /** The Job's time limit in seconds (activeDeadlineSeconds). */
  deadlineSeconds?: number;
  /** Pod restarts after failures before the Job fails. Default 6 (Kubernetes' own). */
  backoffLimit?: number;
  /** `OnFailure` (default): a worker that crashed restarts in its pod; `Never`: a new pod. */
  restartPolicy?: 'OnFailure' | 'Never';
  worker: WorkerCommandOptions;
}

/** Kubernetes' JSON shape of the parts used (batch/v1 Job). */
export interface JobManifest {
  apiVersion: 'batch/v1';
  kind: 'Job';
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  spec: {
    parallelism: number;
    completions: number;
    backoffLimit: number;
    activeDeadlineSeconds?: number;
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        restartPolicy: 'OnFailure' | 'Never';
        terminationGracePeriodSeconds: number;
        containers: Array<{
          name: string;
          image: string;
          command: string[];
          workingDir?: string;
          env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } | { fieldRef: { fieldPath: string } } }>;
          resources?: { requests: Record<string, string>; limits: Record<string, string> };
        }>;
      };
    };
  };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const QUANTITY = /^\d+(\.\d+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$/;

function whole(option: string, v: number | undefined, min: number): void {
  if (v !== undefined && (!Number.isInteger(v) || v < min)) throw new LaunchOptionError(option, `expects a whole number >= ${min}, got ${String(v)}`);
}

/** The Job as an object; throws a LaunchOptionError naming the first bad option. */
export function jobManifest(o: JobManifestOptions): JobManifest {
  if (!DNS_LABEL.test(o.name)) throw new LaunchOptionError('--name', `"${o.name}" is not a Kubernetes name (lower case letters, digits and '-', at most 63)`);
  if (o.namespace !== undefined && !DNS_LABEL.test(o.namespace)) throw new LaunchOptionError('--namespace', `"${o.namespace}" is not a Kubernetes namespace`);
  whole('--workers', o.workers, 1);
  whole('--completions', o.completions, 1);
  whole('--grace', o.graceSeconds, 1);
  whole('--deadline', o.deadlineSeconds, 1);
  whole('--backoff-limit', o.backoffLimit, 0);
  if (!o.image || /\s/.test(o.image)) throw new LaunchOptionError('--image', 'a container image is required (no spaces)');
  if (!DNS_SUBDOMAIN.test(o.passwordSecret.name)) throw new LaunchOptionError('--password-secret', `"${o.passwordSecret.name}" is not a Secret's name`);
  const key = o.passwordSecret.key ?? 'password';
  if (!SECRET_KEY.test(key)) throw new LaunchOptionError('--password-key', `"${key}" is not a key of a Secret`);
  for (const [option, q] of [['--cpu', o.cpu], ['--mem', o.memory]] as const) {
    if (q !== undefined && !QUANTITY.test(q)) throw new LaunchOptionError(option, `"${q}" is not a Kubernetes quantity (e.g. 500m, 2, 4Gi)`);
  }
  checkEnvironment(o.environment, '--env');
  const command = [...(o.djx?.length ? o.djx : ['djx']), ...workerArgs(o.worker)];
  const labels = { 'app.kubernetes.io/name': 'datajoint-worker', 'app.kubernetes.io/instance': o.name };
  const resources: Record<string, string> = {};
  if (o.cpu !== undefined) resources.cpu = o.cpu;
  if (o.memory !== undefined) resources.memory = o.memory;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}), labels },
    spec: {
      parallelism: o.workers,
      completions: o.completions ?? o.workers,
      backoffLimit: o.backoffLimit ?? 6,
      ...(o.deadlineSeconds !== undefined ? { activeDeadlineSeconds: o.deadlineSeconds } : {}),
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: o.restartPolicy ?? 'OnFailure',
          terminationGracePeriodSeconds: o.graceSeconds ?? 120,
          containers: [
            {
              name: 'worker',
              image: o.image,
              command,
              ...(o.workdir ? { workingDir: o.workdir } : {}),
              env: [
                ...Object.entries(o.environment ?? {}).map(([name, value]) => ({ name, value })),
                { name: 'DJ_PASS', valueFrom: { secretKeyRef: { name: o.passwordSecret.name, key } } },
                // The database session is named after the pod (PostgreSQL's application_name).
                { name: 'DJ_K8S_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'PGAPPNAME', value: 'djx-worker k8s=$(DJ_K8S_POD)' },
              ],
              ...(Object.keys(resources).length ? { resources: { requests: resources, limits: { ...resources } } } : {}),
            },
          ],
        },
      },
    },
  };
}

// ---- YAML ----

function scalar(v: unknown): string {
  // JSON's strings and numbers are YAML scalars too: nothing is read as another type.
  return JSON.stringify(v);
}

function emit(v: unknown, indent: string, out: string[], lead: string): void {
  if (Array.isArray(v)) {
    if (!v.length) return void out.push(`${lead}[]`);
    if (lead.trim()) out.push(lead.trimEnd());
    for (const item of v) {
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) emitObject(item as Record<string, unknown>, `${indent}  `, out, `${indent}- `);
      else emit(item, `${indent}  `, out, `${indent}- `);
    }
    return;
  }
  if (v !== null && typeof v === 'object') {
    if (lead.trim()) out.push(lead.trimEnd());
    emitObject(v as Record<string, unknown>, indent, out, indent);
    return;
  }
  out.push(`${lead}${scalar(v)}`);
}

function emitObject(o: Record<string, unknown>, indent: string, out: string[], firstLead: string): void {
  let lead = firstLead;
  const entries = Object.entries(o).filter(([, v]) => v !== undefined);
  if (!entries.length) return void out.push(`${lead}{}`);
  for (const [k, v] of entries) {
    const name = /^[A-Za-z0-9_./-]+$/.test(k) ? k : scalar(k);
    if (v !== null && typeof v === 'object' && (Array.isArray(v) ? v.length : Object.keys(v).length)) emit(v, Array.isArray(v) ? indent : `${indent}  `, out, `${lead}${name}:`);
    else emit(v, indent, out, `${lead}${name}: `);
    lead = indent;
  }
}

/** The manifest as commented YAML, for `kubectl apply -f`. */
export function jobManifestYaml(o: JobManifestOptions): string {
  const m = jobManifest(o);
  const out = [
    `# ${m.spec.parallelism} DataJoint worker${m.spec.parallelism === 1 ? '' : 's'} for ${o.worker.module} as a Kubernetes Job.`,
    '# Written by DataJoint for VS Code (`djx k8s manifest`). The workers share the pipeline\'s jobs',
    '# tables: each reserves its own keys; a pod that is stopped gets SIGTERM and',
    `# ${m.spec.template.spec.terminationGracePeriodSeconds} s to finish or give back its key.`,
    `# The password is read from the Secret "${o.passwordSecret.name}" (key "${o.passwordSecret.key ?? 'password'}"), never written here:`,
    `#   kubectl create secret generic ${o.passwordSecret.name} --from-literal=${o.passwordSecret.key ?? 'password'}=...`,
    '---',
  ];
  emitObject(m as unknown as Record<string, unknown>, '', out, '');
  return out.join('\n') + '\n';
}
