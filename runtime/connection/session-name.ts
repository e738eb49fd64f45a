// The name a session gives the server about itself, so that a reservation can be traced
// to the SLURM task holding it without any column added to the jobs tables that DataJoint
// for Python shares: PostgreSQL's `application_name` (pg_stat_activity) and MySQL's
// connection attribute `program_name` (performance_schema.session_connect_attrs; MariaDB
// fills it only with performance_schema on). A process of a SLURM job names its sessions
// `djx slurm=<job>_<task>`; the sbatch script of runtime/slurm also exports PGAPPNAME,
// which DataJoint for Python's psycopg2 (libpq) reads, in the same form, and which the
// Python runner passes to pymysql as `program_name` (python/datajoint_vscode_runner.py:
// name_mysql_sessions).

/** The session name of this process, or undefined outside a SLURM job. */
export function sessionName(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const job = env.SLURM_ARRAY_JOB_ID || env.SLURM_JOB_ID;
  if (!job || !/^\d+$/.test(job)) return undefined;
  const task = env.SLURM_ARRAY_TASK_ID;
  return `djx slurm=${job}${task && /^\d+$/.test(task) ? `_${task}` : ''}`;
}

export interface SlurmTask {
  /** The array job's id (or the job's). */
  job: string;
  task?: string;
  /** What scancel takes: `1234_3`, or `1234`. */
  id: string;
}

/** The SLURM task a session name says (ours, or a PGAPPNAME of the same form). */
export function slurmTaskOf(name: string | undefined): SlurmTask | undefined {
  const m = name ? /\bslurm=(\d+)(?:_(\d+))?\b/.exec(name) : null;
  if (!m) return undefined;
  return { job: m[1]!, ...(m[2] !== undefined ? { task: m[2] } : {}), id: m[2] !== undefined ? `${m[1]}_${m[2]}` : m[1]! };
}
