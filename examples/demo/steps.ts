// The demo's database steps, called by scripts/demo.mjs (which runs the `djx` CLI for the
// populate and jobs steps as real child processes, as a user would).
import { EMBEDDED_LABEL } from '../../runtime/index';
import { seedPipeline } from '../pipeline/seed';
import { pipeline, Quality, RawData } from './index';

/** The recording the demo breaks (sampling_rate 0) and then fixes. */
export const BROKEN_KEY = { subject_id: 7, session_idx: 2 } as const;

/** Declares the tables and inserts subjects, sessions and recordings; returns the row counts. */
export async function setup(options: { subjects?: number; sessionsPerSubject?: number } = {}): Promise<Record<string, number>> {
  await pipeline.schema.declare();
  // 28 subjects x 3 sessions: enough keys for a visible progress bar, seconds to compute.
  await seedPipeline(pipeline, { subjects: options.subjects ?? 28, sessionsPerSubject: options.sessionsPerSubject ?? 3, samplesPerSession: 200 });
  // A recording whose metadata lost its sampling rate: Quality.make refuses it.
  await RawData.update1({ ...BROKEN_KEY, sampling_rate: 0 });
  return counts();
}

/** The "fix": the lab finds the right sampling rate and corrects the row. */
export async function fix(): Promise<void> {
  await RawData.update1({ ...BROKEN_KEY, sampling_rate: 1000 });
}

export async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, t] of Object.entries({ Subject: pipeline.Subject, Session: pipeline.Session, RawData, Quality })) out[name] = await t.count();
  return out;
}

/** Where the pipeline's database is: the embedded one's folder and serving process, or the server. */
export async function where(): Promise<{ label: string; host: string; port: number; dataDir?: string; serverPid?: number }> {
  const c = await pipeline.schema.connection();
  const { host, port } = c.settings.database;
  return c.embedded ? { label: EMBEDDED_LABEL, host, port, dataDir: c.embedded.dataDir, serverPid: c.embedded.serverPid } : { label: c.serverVersion, host, port };
}

export async function close(): Promise<void> {
  await (await pipeline.schema.connection()).close();
}
