// What "Run Workers on SLURM…" asks (number of workers, partition, time limit, CPUs and
// memory per worker), remembered per workspace, and how the answers become the sbatch
// script's options (runtime/slurm/sbatch-script.ts). No vscode import: unit-tested in
// test/unit/client/slurm-answers.test.ts.
import { basename, extname, join, relative, sep } from 'node:path';
import { checkMemory, timeLimitSeconds, type SbatchOptions } from '../../runtime/slurm/sbatch-script';
import { LaunchOptionError } from '../../runtime/slurm/worker-command';

export interface SlurmAnswers {
  workers: number;
  /** Empty: the cluster's default partition. */
  partition: string;
  time: string;
  cpusPerTask: number;
  /** Empty: the cluster's default. */
  memory: string;
}

export const DEFAULT_ANSWERS: SlurmAnswers = { workers: 4, partition: '', time: '1:00:00', cpusPerTask: 1, memory: '4G' };

/** workspaceState key: the last answers per module (workspace-relative path). */
export const ANSWERS_KEY = 'datajoint.slurm.answers';

/** The answers remembered for a module, else those of the last module, else the defaults. */
export function rememberedAnswers(stored: unknown, module: string): SlurmAnswers {
  const all = stored !== null && typeof stored === 'object' ? (stored as Record<string, unknown>) : {};
  const pick = (v: unknown): SlurmAnswers | undefined => {
    if (v === null || typeof v !== 'object') return undefined;
    const a = { ...DEFAULT_ANSWERS, ...(v as Partial<SlurmAnswers>) };
    return workersProblem(String(a.workers)) || timeProblem(a.time) || cpusProblem(String(a.cpusPerTask)) || memoryProblem(a.memory) || partitionProblem(a.partition) ? undefined : a;
  };
  return pick(all[module]) ?? pick(all['*']) ?? DEFAULT_ANSWERS;
}

/** The store with these answers for the module (and as the default for the next module). */
export function withAnswers(stored: unknown, module: string, answers: SlurmAnswers): Record<string, SlurmAnswers> {
  const all = stored !== null && typeof stored === 'object' ? (stored as Record<string, SlurmAnswers>) : {};
  return { ...all, [module]: answers, '*': answers };
}

const problem = (f: () => void): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    return e instanceof LaunchOptionError ? e.message.replace(/^[^:]+: /, '') : String(e);
  }
};

export function workersProblem(v: string): string | undefined {
  return /^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 10000 ? undefined : 'A whole number of workers from 1 to 10000.';
}

export function cpusProblem(v: string): string | undefined {
  return /^\d+$/.test(v.trim()) && Number(v) >= 1 ? undefined : 'A whole number of CPUs ≥ 1.';
}

export function timeProblem(v: string): string | undefined {
  return problem(() => timeLimitSeconds(v));
}

export function memoryProblem(v: string): string | undefined {
  return v.trim() === '' ? undefined : problem(() => checkMemory(v));
}

export function partitionProblem(v: string): string | undefined {
  return v.trim() === '' || /^[^\s#'"\\]+$/.test(v.trim()) ? undefined : 'A partition name has no spaces, quotes, backslashes or #.';
}

/** `slurm/<module>-workers.sbatch`, relative to the workspace folder. */
export function scriptPathFor(module: string): string {
  return join('slurm', `${basename(module, extname(module)).replace(/[^A-Za-z0-9_.-]+/g, '-') || 'pipeline'}-workers.sbatch`);
}

/** The log folder beside the script. */
export const LOG_DIR = join('slurm', 'logs');

export interface ScriptContext {
  /** The workspace folder: the tasks' working directory (datajoint.json, .secrets). */
  folder: string;
  /** The module's absolute path. */
  module: string;
  /** How the cluster runs djx: an argv (e.g. ['djx']), or, preferred, `launcher`. */
  djx?: readonly string[];
  /** The launcher the extension keeps current (client/slurm/launcherFile.ts): used when no djx is on PATH. */
  launcher?: string;
  /** Plain connection settings the workers need that datajoint.json may not hold (never the password). */
  environment?: Record<string, string>;
  python?: string;
}

/** The sbatch options of the answers: paths relative to the workspace folder, where the script cds to. */
export function scriptOptions(answers: SlurmAnswers, ctx: ScriptContext): SbatchOptions {
  const rel = relative(ctx.folder, ctx.module);
  const module = rel && !rel.startsWith('..') ? rel.split(sep).join('/') : ctx.module;
  return {
    jobName: basename(scriptPathFor(ctx.module), '.sbatch'),
    workers: answers.workers,
    partition: answers.partition.trim() || undefined,
    time: answers.time.trim(),
    cpusPerTask: answers.cpusPerTask,
    memory: answers.memory.trim() || undefined,
    logDir: LOG_DIR.split(sep).join('/'),
    workdir: ctx.folder,
    ...(ctx.launcher !== undefined ? { launcher: ctx.launcher } : { djx: ctx.djx }),
    environment: ctx.environment,
    worker: { module, ...(ctx.python ? { python: ctx.python } : {}) },
  };
}
