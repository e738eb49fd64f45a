// The cluster's own commands, run with execFile (no shell): `sbatch --parsable` to submit a
// script, `sinfo` for the partitions, `scancel` to cancel a task. Shared by `djx slurm` and
// the extension (on a login node under Remote-SSH, where these commands are).
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A SLURM command that failed: its name, its exit and what it printed on stderr. */
export class SlurmCommandError extends Error {
  override name = 'SlurmCommandError';
  readonly code = 'usage';
  constructor(
    readonly command: string,
    message: string,
  ) {
    super(message);
  }
}

/** The path of a command on PATH, or undefined. */
export function findOnPath(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, command);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Says where SLURM's commands are expected when sbatch is not on PATH. */
export const NO_SBATCH =
  'sbatch is not on PATH: SLURM jobs are submitted from a machine of the cluster (its login node; in VS Code, open the folder there with Remote-SSH). The script can still be written and submitted there with `sbatch <script>`.';

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, cwd, encoding: 'utf8', timeout: 60_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'ENOENT') return reject(new SlurmCommandError(command, command === 'sbatch' ? NO_SBATCH : `${command} is not on PATH.`));
        const said = String(stderr).trim() || String(stdout).trim() || e.message;
        return reject(new SlurmCommandError(command, `${command} failed: ${said}`));
      }
      resolve(String(stdout));
    });
  });
}

/** `sbatch --parsable` prints `jobid` or `jobid;cluster`. */
export function parseJobId(stdout: string): string {
  const line = stdout.trim().split('\n').pop() ?? '';
  const id = line.split(';')[0]!.trim();
  if (!/^\d+$/.test(id)) throw new SlurmCommandError('sbatch', `sbatch did not print a job id: ${JSON.stringify(stdout.trim())}`);
  return id;
}

export interface SubmitOptions {
  /** sbatch's working directory (the script's paths are relative to it). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Submits a script file with the cluster's sbatch; resolves to the job id. */
export async function submitScript(script: string, o: SubmitOptions = {}): Promise<string> {
  return parseJobId(await run('sbatch', ['--parsable', script], o.env ?? process.env, o.cwd));
}

/** `sinfo -h -o %P`: one partition a line, the default marked with `*`. */
export function parsePartitions(stdout: string): Array<{ name: string; isDefault: boolean }> {
  const seen = new Set<string>();
  const out: Array<{ name: string; isDefault: boolean }> = [];
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const isDefault = line.endsWith('*');
    const name = isDefault ? line.slice(0, -1) : line;
    if (seen.has(name)) continue;
    seen.add(name);
    out.push({ name, isDefault });
  }
  return out;
}

/** The cluster's partitions, the default first. */
export async function partitions(env: NodeJS.ProcessEnv = process.env): Promise<Array<{ name: string; isDefault: boolean }>> {
  const list = parsePartitions(await run('sinfo', ['-h', '-o', '%P'], env));
  return [...list.filter((p) => p.isDefault), ...list.filter((p) => !p.isDefault)];
}

/** Cancels a job or one task of an array (`<job>_<task>`); `signal` sends that signal only. */
export async function cancel(jobId: string, o: { signal?: 'TERM' | 'INT' | 'KILL'; env?: NodeJS.ProcessEnv } = {}): Promise<void> {
  if (!/^\d+(_\d+)?$/.test(jobId)) throw new SlurmCommandError('scancel', `"${jobId}" is not a SLURM job id (<job> or <job>_<task>)`);
  await run('scancel', [...(o.signal ? [`--signal=${o.signal}`, '--full'] : []), jobId], o.env ?? process.env);
}
